import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createTemplateEngine, defaultTemplatesDir, type TemplateEngine } from '../../lambdas/render/engine.ts';

/** An engine over a copy of the templates with `edits` made to it (each must change its file), in a temporary folder. */
export const editedTemplates = (edits: Record<string, (source: string) => string>): TemplateEngine => {
  const dir = mkdtempSync(join(tmpdir(), 'briefing-templates-'));
  cpSync(defaultTemplatesDir(), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const source = readFileSync(join(dir, file), 'utf8');
    const edited = edit(source);
    expect(edited, file).not.toBe(source);
    writeFileSync(join(dir, file), edited);
  }
  return createTemplateEngine({ templatesDir: dir });
};

/** The story partial numbered by its place in the list: it needs more than its story, so variants cannot be put together from pieces. */
export const numberedStories = {
  'briefing.mjml': (source: string) => source.replace("{% render 'partials/story.mjml', story: story %}", "{% render 'partials/story.mjml', story: story, number: forloop.index %}"),
  'partials/story.mjml': (source: string) => source.replace('{{ story.headline }}', '{{ number }}. {{ story.headline }}'),
};
