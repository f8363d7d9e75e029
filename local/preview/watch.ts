import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';

export interface WatchedSources {
  /** Folders and files to follow with everything in them. */
  readonly paths: readonly string[];
  /** A file that may not exist yet (the config): its folder is watched for it alone. */
  readonly optionalFile?: string;
}

export interface SourceWatcher {
  close(): Promise<void>;
}

const ready = (watcher: FSWatcher): Promise<void> => new Promise((resolve) => watcher.once('ready', () => resolve()));

/**
 * Calls `onChange` with the files changed, created or deleted, gathered over a few milliseconds so one save
 * (which editors often do as several writes) gives one update. Resolves once the files are being watched.
 */
export const watchSources = async (sources: WatchedSources, onChange: (files: string[]) => void, settleMs = 25): Promise<SourceWatcher> => {
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const changed = (_event: string, path: string) => {
    pending.add(resolve(path));
    timer ??= setTimeout(() => {
      const files = [...pending];
      pending = new Set();
      timer = undefined;
      onChange(files);
    }, settleMs);
  };
  const report = (error: unknown) => console.error(`preview: watching files: ${(error as Error).message}`);

  const watchers: FSWatcher[] = [];
  const existing = sources.paths.filter((path) => existsSync(path));
  if (existing.length > 0) watchers.push(watch(existing, { ignoreInitial: true }).on('all', changed).on('error', report));
  if (sources.optionalFile) {
    const file = resolve(sources.optionalFile);
    const folder = dirname(file);
    // chokidar does not pick up a missing file once created; the folder, filtered to the one name, does.
    const watcher = watch(folder, { ignoreInitial: true, depth: 0, ignored: (path) => path !== folder && basename(path) !== basename(file) });
    watchers.push(watcher.on('all', changed).on('error', report));
  }

  await Promise.all(watchers.map(ready));
  return {
    async close() {
      clearTimeout(timer);
      await Promise.all(watchers.map((watcher) => watcher.close()));
    },
  };
};
