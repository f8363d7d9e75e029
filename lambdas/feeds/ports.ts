import type { ArticleStore } from '../articles/store.ts';

/** What the last successful poll of one feed left: the validators for the next conditional GET. */
export interface FeedState {
  readonly url: string;
  readonly etag?: string;
  readonly lastModified?: string;
  /** ISO-8601 instant of the last poll that got an answer (200 or 304). */
  readonly polledAt: string;
}

/** Per-feed polling state, by feed URL (DynamoDB: lambdas/aws/dynamodb/feed-state.ts). */
export interface FeedStateStore {
  get(url: string): Promise<FeedState | undefined>;
  put(state: FeedState): Promise<void>;
}

/**
 * Where feed items are stored: the two calls of the article store (lambdas/articles/store.ts) that
 * ingestion needs. Reading the stored records first tells new from updated and leaves unchanged ones unwritten.
 */
export type ArticleWriter = Pick<ArticleStore, 'getMany' | 'put'>;
