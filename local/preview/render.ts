import { performance } from 'node:perf_hooks';
import type { LoadedArticles } from '../article-files.ts';
import { formatProblem } from '../../lambdas/articles/schema.ts';
import { type BriefingConfig, loadConfig } from '../../lambdas/config/config.ts';
import type { Topic } from '../../lambdas/config/topics.ts';
import { dateInZone } from '../../lambdas/edition/model.ts';
import { createTemplateEngine } from '../../lambdas/render/engine.ts';
import { type DataSet, type DataSetSources, listDataSets } from './datasets.ts';
import { describeError, type ShownError } from './errors.ts';
import { type EmailLink, linksIn, sizeOf, type SizeReport } from './inspect.ts';
import { previewTemplates } from './registry.ts';
import type { PreviewOutput, PreviewTemplate } from './template.ts';

export interface PreviewSources extends DataSetSources {
  readonly templatesDir: string;
  /** Passed to `loadConfig`; when absent it finds `BRIEFING_CONFIG` or `briefing.config.json` itself. */
  readonly configFile?: string;
  readonly templates?: readonly PreviewTemplate[];
}

/** What the page is told about one render. */
export type PreviewResult = { readonly template: string; readonly dataSet: string; readonly topics: readonly string[]; readonly problems: readonly string[] } & (
  | {
      readonly ok: true;
      readonly kind: PreviewTemplate['kind'];
      readonly subject?: string;
      readonly html: string;
      readonly text?: string;
      readonly mjml?: string;
      readonly size: SizeReport;
      readonly links: readonly EmailLink[];
      readonly renderMs: number;
    }
  | { readonly ok: false; readonly error: ShownError }
);

type Failure = Extract<PreviewResult, { ok: false }>;

/** A render as the page sees it (`result`), and when it succeeded, what a test send needs besides. */
export type Rendered =
  | { readonly ok: true; readonly result: PreviewResult; readonly output: PreviewOutput; readonly config: BriefingConfig; readonly template: PreviewTemplate }
  | { readonly ok: false; readonly result: Failure };

export interface TemplateSummary {
  readonly name: string;
  readonly label: string;
  readonly kind: PreviewTemplate['kind'];
  readonly files: readonly string[];
  readonly usesArticles: boolean;
}

export interface PreviewRenderer {
  readonly templates: readonly PreviewTemplate[];
  dataSets(): Promise<DataSet[]>;
  /** The config's topics, for the topic picker; none while the config does not load (the render says why). */
  topics(): readonly Pick<Topic, 'id' | 'label'>[];
  /** `topics`: the reader's topic ids (empty: every story). */
  render(templateName: string, dataSetId: string, topics?: readonly string[]): Promise<Rendered>;
}

export const summarise = (template: PreviewTemplate): TemplateSummary => ({
  name: template.name,
  label: template.label,
  kind: template.kind,
  files: template.files,
  usesArticles: template.usesArticles,
});

/**
 * Renders any template with any data set, reading templates, data and config afresh each time so the page
 * follows every edit. Never throws: whatever fails is described for the page.
 */
export const createPreviewRenderer = (sources: PreviewSources): PreviewRenderer => {
  const templates = sources.templates ?? previewTemplates;
  // An engine without its cache reads the template files on every render.
  const engine = createTemplateEngine({ templatesDir: sources.templatesDir, cache: false });
  const dataSets = () => listDataSets(sources);
  const config = () => loadConfig(sources.configFile ? { file: sources.configFile } : {});

  const topics = () => {
    try {
      return config().topics.map(({ id, label }) => ({ id, label }));
    } catch {
      return [];
    }
  };

  const render = async (templateName: string, dataSetId: string, topics: readonly string[] = []): Promise<Rendered> => {
    let problems: string[] = [];
    const failed = (error: unknown): Rendered => ({
      ok: false,
      result: { ok: false, template: templateName, dataSet: dataSetId, topics, problems, error: describeError(error, sources.templatesDir) },
    });
    const template = templates.find((candidate) => candidate.name === templateName);
    if (!template) return failed(new Error(`there is no template named "${templateName}"`));
    try {
      const loadedConfig = config();
      let loaded: Promise<LoadedArticles> | undefined;
      const articles = () =>
        (loaded ??= (async () => {
          const dataSet = (await dataSets()).find((candidate) => candidate.id === dataSetId);
          if (!dataSet) throw new Error(`there is no data set "${dataSetId}"`);
          const read = await dataSet.load();
          problems = read.problems.map(formatProblem);
          return read;
        })());
      const started = performance.now();
      const output = await template.render({ config: loadedConfig, engine, date: dateInZone(loadedConfig.timeZone), articles, topics });
      const renderMs = performance.now() - started;
      return {
        ok: true,
        result: {
          ok: true,
          template: template.name,
          dataSet: dataSetId,
          topics,
          problems,
          kind: template.kind,
          subject: output.subject,
          html: output.html,
          text: output.text,
          mjml: output.mjml,
          size: sizeOf(output.html),
          links: linksIn(output.html),
          renderMs,
        },
        output,
        config: loadedConfig,
        template,
      };
    } catch (error) {
      return failed(error);
    }
  };

  return { templates, dataSets, topics, render };
};
