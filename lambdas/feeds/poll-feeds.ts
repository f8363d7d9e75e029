import { isExpectedFailure } from '../errors.ts';
import { defaultFetchSettings, type FetchSettings, fetchFeed } from './fetch-feed.ts';
import { ingestFeed } from './ingest.ts';
import type { ArticleWriter, FeedStateStore } from './ports.ts';
import type { FeedReport } from './report.ts';
import type { FeedSource } from './sources.ts';

export interface PollDeps {
  readonly articles: ArticleWriter;
  readonly feedState: FeedStateStore;
  /** @default defaultFetchSettings: 10 s, 5 MB, 5 redirects */
  readonly fetchSettings?: FetchSettings;
  /** @default the clock */
  readonly now?: () => Date;
  /** Feeds fetched at the same time, so one slow feed does not hold up the rest. @default 4 */
  readonly concurrency?: number;
}

const failed = (source: string, error: unknown): FeedReport => ({
  source,
  outcome: 'failed',
  added: 0,
  updated: 0,
  unchanged: 0,
  leftOut: [],
  notes: [],
  error: { message: (error as Error).message, expected: isExpectedFailure(error) },
});

/**
 * One feed: a conditional GET with what the last poll saw, the items stored, then the new state.
 * The state is written last, so a poll whose records could not be stored is fetched in full again.
 */
const pollFeed = async (feed: FeedSource, deps: PollDeps): Promise<FeedReport> => {
  try {
    const previous = await deps.feedState.get(feed.url);
    const fetched = await fetchFeed(feed.url, previous, deps.fetchSettings ?? defaultFetchSettings);
    const report =
      fetched.status === 'not-modified'
        ? { source: feed.url, outcome: 'not-modified' as const, added: 0, updated: 0, unchanged: 0, leftOut: [], notes: [] }
        : await ingestFeed(fetched.text, { source: feed.url, base: fetched.url, category: feed.category }, deps.articles);
    await deps.feedState.put({ url: feed.url, ...fetched.validators, polledAt: (deps.now?.() ?? new Date()).toISOString() });
    return report;
  } catch (error) {
    return failed(feed.url, error);
  }
};

/**
 * Polls every feed (config key `feeds`) and stores their items as article records: what the
 * scheduled poller and `briefing feeds poll` run. Returns one report per feed, in the order given;
 * a feed that fails is reported as failed and never stops the others (see formatFeedReport).
 */
export const pollFeeds = async (feeds: readonly FeedSource[], deps: PollDeps): Promise<FeedReport[]> => {
  const reports: FeedReport[] = new Array(feeds.length);
  let next = 0;
  const worker = async () => {
    while (next < feeds.length) {
      const index = next++;
      reports[index] = await pollFeed(feeds[index]!, deps);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 4, feeds.length) }, worker));
  return reports;
};
