import type { EditionWindow } from '../edition/window.ts';
import type { Article, RecordProblem } from './schema.ts';

export interface StoredArticles {
  readonly articles: Article[];
  /** Records in the store that no longer pass validation (written by something other than `articles import`). */
  readonly problems: RecordProblem[];
}

/** Where validated articles are kept, by id. */
export interface ArticleStore {
  /** Writes validated records; an existing id is replaced (re-import updates). */
  put(articles: readonly Article[]): Promise<void>;
  /** The records with these ids, in the order given; ids with no record are listed in `missing`. */
  getMany(ids: readonly string[]): Promise<StoredArticles & { readonly missing: string[] }>;
  /** The records published in the window (after `from`, up to and including `to`). */
  inWindow(window: EditionWindow): Promise<StoredArticles>;
  /** Every record, newest first. */
  list(): Promise<StoredArticles>;
}
