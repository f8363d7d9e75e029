import type { LoadedArticles } from '../article-files.ts';
import type { BriefingConfig } from '../../lambdas/config/config.ts';
import type { TemplateEngine } from '../../lambdas/render/engine.ts';

/** What a template needs to render: the config and engine of this render, and the chosen data set. */
export interface PreviewContext {
  readonly config: BriefingConfig;
  readonly engine: TemplateEngine;
  /** The edition's date (today in the newsletter's time zone). */
  readonly date: string;
  /** The chosen data set; only read by templates that use articles. */
  readonly articles: () => Promise<LoadedArticles>;
  /** The chosen reader's topics (topic ids; empty: every story): the briefing shows the variant such a reader gets. */
  readonly topics: readonly string[];
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

/** One entry of the preview's template list. */
export interface PreviewTemplate {
  readonly name: string;
  readonly label: string;
  /** Emails can be sent as a test; pages are only shown. */
  readonly kind: 'email' | 'page';
  /** The files under the templates folder it is built from; a name ending in `/` stands for a folder. */
  readonly files: readonly string[];
  /** Whether the data set and topic pickers apply to it. */
  readonly usesArticles: boolean;
  /** Renders through the same function the sender or the subscription API uses. */
  render(context: PreviewContext): Promise<PreviewOutput>;
}
