import { buildEdition } from '../../../lambdas/edition/model.ts';
import { briefingData, briefingTemplates, renderBriefing } from '../../../lambdas/render/briefing.ts';
import { type TemplateEngine, TemplateError } from '../../../lambdas/render/engine.ts';
import { personalise } from '../../../lambdas/render/personalise.ts';
import { previewRecipient } from '../../../lambdas/render/preview-recipient.ts';
import { FilledSourceError } from '../errors.ts';
import type { PreviewTemplate } from '../template.ts';

// MJML reports its line in the filled-in MJML, which only exists for this render: rebuild it so the page can show that line.
const explainMjmlError = async (error: unknown, engine: TemplateEngine, data: Record<string, unknown>): Promise<never> => {
  const line = error instanceof TemplateError && error.line === undefined ? /\bline (\d+)/i.exec(error.message)?.[1] : undefined;
  if (error instanceof TemplateError && line) {
    const filled = await engine.renderHtml(briefingTemplates.html, data);
    throw new FilledSourceError(error.message.replace(`${error.file}: `, ''), error.file, Number(line), filled);
  }
  throw error;
};

export const briefingPreview: PreviewTemplate = {
  name: 'briefing',
  label: 'Briefing email',
  kind: 'email',
  files: [briefingTemplates.html, briefingTemplates.text, 'partials/'],
  usesArticles: true,
  async render({ config, engine, date, articles }) {
    const { articles: valid } = await articles();
    if (valid.length === 0) throw new Error('the data set holds no valid article record: see the problems listed');
    const edition = buildEdition(valid, { date, maxStories: config.maxStories });
    // The sender's own two steps, so the page shows byte for byte what a reader would get.
    const rendered = await renderBriefing(edition, config, engine).catch((error: unknown) =>
      explainMjmlError(error, engine, briefingData(config, edition, 'preview')),
    );
    const recipient = previewRecipient(config, date);
    const copy = personalise(rendered, recipient);
    return { subject: copy.subject, html: copy.html, text: copy.text, mjml: rendered.mjml, unsubscribeUrl: recipient.unsubscribeUrl };
  },
};
