import { defaultFetchSettings, FeedFetchError, type FetchSettings, fetchFeed } from './fetch-feed.ts';
import { ingestFeed } from './ingest.ts';
import type { ArticleWriter } from './ports.ts';
import type { FeedReport } from './report.ts';

/** A feed to import once: fetched from its URL, or the text of a local file (named for the report). */
export type FeedInput = { readonly url: string } | { readonly text: string; readonly name: string };

export interface ImportDeps {
  readonly articles: ArticleWriter;
  /** @default defaultFetchSettings */
  readonly fetchSettings?: FetchSettings;
}

/**
 * `briefing articles import-feed SOURCE [--category C]`: one feed's items stored once, by the same
 * rules as polling, without conditional GET or feed state. Throws a BriefingError (FeedFetchError,
 * FeedFormatError) when the feed cannot be fetched or is not a feed: the CLI prints its one line.
 */
export const importFeed = async (input: FeedInput, category: string | undefined, deps: ImportDeps): Promise<FeedReport> => {
  if ('text' in input) return ingestFeed(input.text, { source: input.name, category }, deps.articles);
  const fetched = await fetchFeed(input.url, undefined, deps.fetchSettings ?? defaultFetchSettings);
  if (fetched.status !== 'fetched') throw new FeedFetchError(`${input.url} answered 304 Not Modified to an unconditional GET`);
  return ingestFeed(fetched.text, { source: input.url, base: fetched.url, category }, deps.articles);
};
