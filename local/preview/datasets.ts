import { readdir } from 'node:fs/promises';
import { relative } from 'node:path';
import { type LoadedArticles, loadArticleFiles } from '../article-files.ts';
import type { LocalArticleStore } from './local-store.ts';

/** A set of article records the preview can render: a file, a folder or the local store. */
export interface DataSet {
  readonly id: string;
  readonly label: string;
  load(): Promise<LoadedArticles>;
}

export interface DataSetSources {
  readonly samplesDir: string;
  /** The path given with `--articles`. */
  readonly articlesPath?: string;
  readonly store?: LocalArticleStore;
}

const sampleFiles = async (samplesDir: string): Promise<string[]> => {
  try {
    return (await readdir(samplesDir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
};

/**
 * The data sets on offer now: the samples folder and each of its files, the `--articles` path, and the local
 * store while its DynamoDB answers. Listed afresh each time, so a new sample file or a started store shows up.
 */
export const listDataSets = async (sources: DataSetSources): Promise<DataSet[]> => {
  const files = await sampleFiles(sources.samplesDir);
  const sets: DataSet[] = [
    { id: 'samples', label: `All samples (${relative(process.cwd(), sources.samplesDir) || '.'}/, ${files.length} files)`, load: () => loadArticleFiles(sources.samplesDir) },
    ...files.map((name) => ({ id: `samples/${name}`, label: `Sample: ${name}`, load: () => loadArticleFiles(`${sources.samplesDir}/${name}`) })),
  ];
  const { articlesPath, store } = sources;
  if (articlesPath) sets.unshift({ id: 'articles', label: `--articles ${articlesPath}`, load: () => loadArticleFiles(articlesPath) });
  if (store && (await store.reachable())) sets.push({ id: 'store', label: store.label, load: () => store.list() });
  return sets;
};
