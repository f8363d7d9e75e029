import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemplateEngine, TemplateError } from '../../lambdas/render/engine.ts';

const engineWith = async (files: Record<string, string>) => {
  const dir = await mkdtemp(join(tmpdir(), 'briefing-templates-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return createTemplateEngine({ templatesDir: dir });
};

describe('template engine errors', () => {
  it('names the template and the line of the filled-in MJML that strict validation refused', async () => {
    const engine = await engineWith({ 'mail.mjml': '<mjml>\n<mj-body>\n<mj-section><mj-column>\n<mj-text colour="red">{{ title }}</mj-text>\n</mj-column></mj-section>\n</mj-body>\n</mjml>' });
    const failure = await engine.renderMjml('mail.mjml', { title: 'x' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TemplateError);
    expect((failure as TemplateError).message).toBe('mail.mjml: MJML: line 4 of the filled-in MJML: Attribute colour is illegal');
  });

  it('names the template and line of an unknown variable (strict variables)', async () => {
    const engine = await engineWith({ 'page.liquid': '<p>\n{{ titel }}</p>' });
    const failure = await engine.renderHtml('page.liquid', { title: 'x' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TemplateError', file: 'page.liquid', line: 2 });
    expect((failure as Error).message).toContain('titel');
  });
});
