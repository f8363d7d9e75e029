import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');

/** A temporary copy of the templates and samples that a test may edit, break and fix. */
export interface Workspace {
  readonly root: string;
  readonly templatesDir: string;
  readonly samplesDir: string;
  /** Reads a file under the templates copy. */
  template(name: string): string;
  /** Rewrites a file under the templates copy. */
  writeTemplate(name: string, content: string): void;
  remove(): void;
}

export const createWorkspace = (): Workspace => {
  const root = mkdtempSync(join(tmpdir(), 'briefing-preview-'));
  const templatesDir = join(root, 'templates');
  const samplesDir = join(root, 'samples');
  cpSync(join(repo, 'templates'), templatesDir, { recursive: true });
  cpSync(join(repo, 'samples/articles'), samplesDir, { recursive: true });
  return {
    root,
    templatesDir,
    samplesDir,
    template: (name) => readFileSync(join(templatesDir, name), 'utf8'),
    writeTemplate: (name, content) => writeFileSync(join(templatesDir, name), content),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
};

/** The headline of a sample record, read from the file itself. */
export const sampleHeadline = (samplesDir: string, file: string): string =>
  (JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as { headline: string }).headline;
