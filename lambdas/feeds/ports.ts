import type { Article } from '../articles/schema.ts';

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
 * Where feed items are stored: the article store (lambdas/aws/dynamodb/articles.ts) fits as it is.
 * Reading the stored records first tells new from updated and leaves unchanged ones unwritten.
 */
export interface ArticleWriter {
  /** The stored records among these ids; an id with none is simply absent. */
  getMany(ids: readonly string[]): Promise<{ readonly articles: readonly Article[] }>;
  /** Writes the records; an existing id is replaced. */
  put(articles: readonly Article[]): Promise<void>;
}
