import type { EditionWindow } from '../edition/window.ts';
import { BriefingError } from '../errors.ts';
import type { Article, RecordProblem } from './schema.ts';

export interface StoredArticles {
  readonly articles: Article[];
  /** Records in the store that no longer pass validation (written by something other than `articles import`). */
  readonly problems: RecordProblem[];
}

/** Some records could not be written; the others were. Both lists are exact. */
export class ArticleWriteError extends BriefingError {
  override name = 'ArticleWriteError';

  constructor(
    readonly stored: readonly string[],
    readonly failed: readonly { readonly id: string; readonly reason: string }[],
  ) {
    super(`${failed.length} of ${stored.length + failed.length} record(s) could not be stored: ${failed.map((entry) => `${entry.id} (${entry.reason})`).join(', ')}`, { status: 503 });
  }
}

/** Where validated articles are kept, by id. */
export interface ArticleStore {
  /**
   * Writes validated records; an existing id is replaced (re-import updates). Resolves with the ids
   * written when all were; otherwise rejects with an ArticleWriteError that names which were and which were not.
   */
  put(articles: readonly Article[]): Promise<{ readonly stored: readonly string[] }>;
  /** The records with these ids, in the order given; ids with no record are listed in `missing`. */
  getMany(ids: readonly string[]): Promise<StoredArticles & { readonly missing: string[] }>;
  /** The records published in the window (after `from`, up to and including `to`). */
  inWindow(window: EditionWindow): Promise<StoredArticles>;
  /** Every record, newest first. */
  list(): Promise<StoredArticles>;
}
