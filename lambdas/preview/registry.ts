import type { LoadedArticles } from '../articles/load-files.ts';
import type { BriefingConfig } from '../config/config.ts';
import { buildEdition } from '../edition/model.ts';
import { briefingData, briefingTemplates, renderBriefing } from '../render/briefing.ts';
import { type TemplateEngine, TemplateError } from '../render/engine.ts';
import { personalise } from '../render/personalise.ts';
import { previewRecipient } from '../render/preview-recipient.ts';
import { FilledSourceError } from './errors.ts';

/** What a template needs to render: the config and engine of this render, and the chosen data set. */
export interface PreviewContext {
  readonly config: BriefingConfig;
  readonly engine: TemplateEngine;
  /** The edition's date (today in the newsletter's time zone). */
  readonly date: string;
  /** The chosen data set; only read by templates that use articles. */
  readonly articles: () => Promise<LoadedArticles>;
}

/** One rendered template as a reader gets it. */
export interface PreviewOutput {
  readonly html: string;
  readonly subject?: string;
  readonly text?: string;
  /** The filled-in MJML the HTML was compiled from. */
  readonly mjml?: string;
  /** Emails only: the one-click unsubscribe URL a sent copy carries. */
  readonly unsubscribeUrl?: string;
}

export interface PreviewTemplate {
  readonly name: string;
  readonly label: string;
  /** Emails can be sent as a test; pages are only shown. */
  readonly kind: 'email' | 'page';
  /** The files under the templates folder it is built from; a name ending in `/` stands for a folder. */
  readonly files: readonly string[];
  /** Whether the data set picker applies to it. */
  readonly usesArticles: boolean;
  render(context: PreviewContext): Promise<PreviewOutput>;
}

/** A data set with no valid record: nothing to put in an edition. */
export class NoArticlesError extends Error {
  override name = 'NoArticlesError';
}

// MJML reports its line in the filled-in MJML, which only exists for this render: rebuild it so the page can show that line.
const explainMjmlError = async (error: unknown, engine: TemplateEngine, data: Record<string, unknown>): Promise<never> => {
  const line = error instanceof TemplateError && error.line === undefined ? /\bline (\d+)/i.exec(error.message)?.[1] : undefined;
  if (error instanceof TemplateError && line) {
    const filled = await engine.renderHtml(briefingTemplates.html, data);
    throw new FilledSourceError(error.message.replace(`${error.file}: `, ''), error.file, Number(line), filled);
  }
  throw error;
};

const briefing: PreviewTemplate = {
  name: 'briefing',
  label: 'Briefing email',
  kind: 'email',
  files: [briefingTemplates.html, briefingTemplates.text, 'partials/'],
  usesArticles: true,
  async render({ config, engine, date, articles }) {
    const { articles: valid } = await articles();
    if (valid.length === 0) throw new NoArticlesError('the data set holds no valid article record: see the problems listed');
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

/** Every template the preview offers, in the order of the picker. */
export const previewTemplates: readonly PreviewTemplate[] = [briefing];

/** The templates a changed file under the templates folder can affect; a file no entry names may be used by any. */
export const templatesUsing = (file: string, templates: readonly PreviewTemplate[] = previewTemplates): PreviewTemplate[] => {
  const using = templates.filter((template) => template.files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)));
  return using.length > 0 ? using : [...templates];
};
