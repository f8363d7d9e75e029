import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { TemplateError } from '../../lambdas/render/engine.ts';

/** A failure in source that exists only for one render (the filled-in MJML), carried along so it can be shown. */
export class FilledSourceError extends Error {
  override name = 'FilledSourceError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly source: string,
  ) {
    super(message);
  }
}

export interface SourceExcerpt {
  /** What the lines are from: a template file or the filled-in MJML. */
  readonly label: string;
  /** The line the error is on. */
  readonly line: number;
  readonly lines: readonly { readonly number: number; readonly text: string }[];
}

/** An error as the page shows it: what, where, and the lines around it. */
export interface ShownError {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly excerpt?: SourceExcerpt;
}

const around = 3;

const excerptOf = (source: string, line: number, label: string): SourceExcerpt => {
  const lines = source.split('\n');
  const first = Math.max(1, line - around);
  const last = Math.min(lines.length, line + around);
  return {
    label,
    line,
    lines: lines.slice(first - 1, last).map((text, index) => ({ number: first + index, text })),
  };
};

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Turns whatever a render threw into what the page shows; template files are named relative to the templates folder. */
export const describeError = (error: unknown, templatesDir: string): ShownError => {
  if (error instanceof FilledSourceError) {
    return { message: error.message, file: error.file, line: error.line, excerpt: excerptOf(error.source, error.line, `${error.file}, filled-in MJML`) };
  }
  if (error instanceof TemplateError) {
    const path = isAbsolute(error.file) ? error.file : resolve(templatesDir, error.file);
    const file = relative(templatesDir, path);
    // The engine prefixes file and line, and Liquid appends the file again: both are shown separately.
    const message = error.message
      .slice(`${error.file}${error.line ? `:${error.line}` : ''}: `.length)
      .replace(/, file:\S+$/, '');
    const source = error.line ? readOrUndefined(path) : undefined;
    return { message, file, line: error.line, excerpt: source === undefined ? undefined : excerptOf(source, error.line!, file) };
  }
  return { message: error instanceof Error ? error.message : String(error) };
};
