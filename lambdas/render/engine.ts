import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Mjml2Html from 'mjml';
import { Liquid } from 'liquidjs';
import { BriefingError } from '../errors.ts';
import { layoutText } from './text-wrap.ts';
import { templatesDirVariable } from '../config/environment.ts';

/** The templates shipped with Briefing; `BRIEFING_TEMPLATES_DIR` points elsewhere (a Lambda bundle, a preview copy). */
export const defaultTemplatesDir = (): string =>
  process.env[templatesDirVariable] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../templates');

/** A template that failed to render, with the file and line it failed at when known. */
export class TemplateError extends BriefingError {
  override name = 'TemplateError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
  }
}

export interface TemplateEngine {
  readonly templatesDir: string;
  /** Fills a Liquid + MJML template and compiles it to HTML; returns both. */
  renderMjml(template: string, data: Record<string, unknown>): Promise<{ mjml: string; html: string }>;
  /** Fills a Liquid template with no HTML escaping and lays it out as a text/plain part (see `layoutText`). */
  renderText(template: string, data: Record<string, unknown>): Promise<string>;
  /** Fills a Liquid template with no HTML escaping, not laid out: what `renderText` lays out. */
  fillText(template: string, data: Record<string, unknown>): Promise<string>;
  /** Fills a Liquid template that is already HTML (web pages). */
  renderHtml(template: string, data: Record<string, unknown>): Promise<string>;
}

export interface TemplateEngineOptions {
  /** @default defaultTemplatesDir() */
  readonly templatesDir?: string;
  /** Keep parsed templates between renders; the preview turns this off to follow edits. @default true */
  readonly cache?: boolean;
  /** Sources that stand in for the folder's templates of the same name (the topic variants stub the story partials). */
  readonly templates?: Readonly<Record<string, string>>;
}

interface LiquidErrorShape {
  message: string;
  token?: { file?: string; getPosition?: () => [number, number] };
}

const asTemplateError = (error: unknown, template: string): TemplateError => {
  if (error instanceof TemplateError) return error;
  const liquidError = error as LiquidErrorShape;
  const position = liquidError.token?.getPosition?.();
  const file = liquidError.token?.file ?? template;
  const message = liquidError.message.replace(/, line:\d+, col:\d+$/, '');
  return new TemplateError(message, file, position?.[0]);
};

// Numbers are given on the filled-in MJML: the preview shows that source next to the error.
// MJML and its CSS tooling take a quarter of a second to load: only what renders MJML pays for it, once.
let mjml: Promise<typeof Mjml2Html> | undefined;
export const loadMjml = () => (mjml ??= import('mjml').then((module) => module.default));

const mjmlError = (errors: readonly { line: number; formattedMessage: string; message: string }[], template: string) =>
  new TemplateError(
    `MJML: ${errors.map((error) => `line ${error.line} of the filled-in MJML: ${error.message}`).join('; ')}`,
    template,
  );

/** Compiles filled-in MJML to HTML with the options every briefing render uses; errors name `template`. */
export const compileMjml = async (filled: string, template: string): Promise<string> => {
  const mjml2html = await loadMjml();
  try {
    // ignoreIncludes keeps mj-include (which reads local files) inert whatever the data holds.
    return (await mjml2html(filled, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false, fonts: {} })).html;
  } catch (error) {
    // MJML 5 lists strict-validation failures on `errors`.
    const { errors } = error as { errors?: { line: number; formattedMessage: string; message: string }[] };
    throw errors?.length ? mjmlError(errors, template) : asTemplateError(error, template);
  }
};

// Read once per container: each render then does no file-system work at all.
const readTemplates = (templatesDir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(templatesDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = join(entry.parentPath, entry.name);
        return [relative(templatesDir, file), readFileSync(file, 'utf8')];
      }),
  );

export const createTemplateEngine = (options: TemplateEngineOptions = {}): TemplateEngine => {
  const templatesDir = options.templatesDir ?? defaultTemplatesDir();
  const cache = options.cache ?? true;
  const common = {
    ...(cache || options.templates ? { templates: { ...readTemplates(templatesDir), ...options.templates } } : { root: templatesDir }),
    cache,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
  };
  const escaped = new Liquid({ ...common, outputEscape: 'escape' });
  const raw = new Liquid(common);

  // Synchronous rendering: no template here awaits anything, and it runs several times faster than the async path.
  const fill = (engine: Liquid, template: string, data: Record<string, unknown>): string => {
    try {
      return engine.renderFileSync(template, data);
    } catch (error) {
      throw asTemplateError(error, template);
    }
  };

  return {
    templatesDir,
    async renderMjml(template, data) {
      const filled = fill(escaped, template, data);
      return { mjml: filled, html: await compileMjml(filled, template) };
    },
    renderText: async (template, data) => layoutText(fill(raw, template, data)),
    fillText: async (template, data) => fill(raw, template, data),
    renderHtml: async (template, data) => fill(escaped, template, data),
  };
};
