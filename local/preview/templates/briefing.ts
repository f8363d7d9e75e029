import { unknownTopicIds } from '../../../lambdas/config/topics.ts';
import { buildEdition } from '../../../lambdas/edition/model.ts';
import { briefingData, briefingTemplates } from '../../../lambdas/render/briefing.ts';
import { type TemplateEngine, TemplateError } from '../../../lambdas/render/engine.ts';
import { personalise } from '../../../lambdas/render/personalise.ts';
import { previewRecipient } from '../../../lambdas/render/preview-recipient.ts';
import { renderForTopicSets } from '../../../lambdas/sending/selection.ts';
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
  async render({ config, engine, date, articles, topics }) {
    const unknown = unknownTopicIds(config.topics, topics);
    if (unknown.length > 0) throw new Error(`no topic ${unknown.join(', ')} in the config (its topics: ${config.topics.map((topic) => topic.id).join(', ')})`);
    const { articles: valid } = await articles();
    if (valid.length === 0) throw new Error('the data set holds no valid article record: see the problems listed');
    // Compose's own steps — the selection for the reader's topics, rendered with the full edition as compose renders
    // the variants — then deliver's personalisation: the page shows byte for byte what such a reader would get.
    const rendered = await renderForTopicSets(date, valid, [topics], config, engine).catch((error: unknown) =>
      // The full edition renders first: an MJML error's line is in its filled MJML.
      explainMjmlError(error, engine, briefingData(config, buildEdition(valid, { date, maxStories: config.maxStories }), 'preview')),
    );
    const variant = rendered.forTopics(topics);
    if (!variant) throw new Error(`no story of the data set is in the topics ${topics.join(', ')}: a reader of those topics gets no email (noTopicNews is "skip")`);
    const recipient = previewRecipient(config, date);
    const copy = personalise(variant.briefing, recipient);
    return { subject: copy.subject, html: copy.html, text: copy.text, mjml: variant.briefing.mjml, unsubscribeUrl: recipient.unsubscribeUrl };
  },
};
