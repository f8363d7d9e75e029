import { type Article, validateArticle } from '../articles/schema.ts';
import { type ArticleStore, ArticleWriteError } from '../articles/store.ts';

/** At most this many records in one request: a CMS sends a story, or a batch of corrections. */
export const maxRecordsPerRequest = 100;

/** One record that was not stored: its place in the request (from 0), its id when it had one, the field and what is wrong. */
export interface IngestProblem {
  readonly index: number;
  readonly id: string | null;
  readonly field: string;
  readonly message: string;
}

export interface IngestResult {
  /** The ids written. */
  readonly stored: readonly string[];
  readonly problems: readonly IngestProblem[];
  /** False when the store failed to write some valid records (named in `problems`, field `(store)`): sending them again may work. */
  readonly complete: boolean;
}

/** Where the records go: only the article store's put (BatchWriteItem), so the function needs no read of the table. */
export type ArticleSink = Pick<ArticleStore, 'put'>;

/**
 * Validates each record by the same schema as `briefing articles import` (a record too large for one
 * DynamoDB item is refused there, by its id), and stores the valid ones in one put; the invalid ones
 * are named and nothing of them is written. An id sent twice keeps the first record.
 */
export const ingestRecords = async (records: readonly unknown[], sink: ArticleSink): Promise<IngestResult> => {
  const valid: Article[] = [];
  const problems: IngestProblem[] = [];
  const seen = new Map<string, number>();
  for (const [index, record] of records.entries()) {
    const result = validateArticle(record, `record ${index}`);
    if (!result.ok) {
      problems.push(...result.problems.map((problem) => ({ index, id: problem.id ?? null, field: problem.field, message: problem.message })));
      continue;
    }
    const earlier = seen.get(result.article.id);
    if (earlier !== undefined) {
      problems.push({ index, id: result.article.id, field: 'id', message: `same id as record ${earlier}; only the first is stored` });
      continue;
    }
    seen.set(result.article.id, index);
    valid.push(result.article);
  }
  if (valid.length === 0) return { stored: [], problems, complete: true };
  try {
    await sink.put(valid);
    return { stored: valid.map((article) => article.id), problems, complete: true };
  } catch (error) {
    if (!(error instanceof ArticleWriteError)) throw error;
    const unstored = error.failed.map(({ id, reason }) => ({ index: seen.get(id)!, id, field: '(store)', message: `not stored: ${reason}; send it again` }));
    return { stored: [...error.stored], problems: [...problems, ...unstored].sort((a, b) => a.index - b.index), complete: false };
  }
};
