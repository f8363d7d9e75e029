import { isDeepStrictEqual } from 'node:util';
import type { Article } from '../articles/schema.ts';
import { mapItem } from './map-item.ts';
import { parseFeed } from './parse-feed.ts';
import type { ArticleWriter } from './ports.ts';
import type { FeedReport, ItemReport } from './report.ts';

export interface IngestOptions {
  /** Names the feed in the report: its URL, or the file it was read from. */
  readonly source: string;
  /** Where the document came from, after redirects, for relative links; none for a local file. */
  readonly base?: string;
  /** For items without a category of their own. */
  readonly category?: string;
}

/** Stores the records that are new or changed; unchanged ones are not written again. */
const store = async (articles: readonly Article[], writer: ArticleWriter) => {
  if (articles.length === 0) return { added: 0, updated: 0, unchanged: 0 };
  const stored = new Map((await writer.getMany(articles.map((article) => article.id))).articles.map((article) => [article.id, article]));
  const changed = articles.filter((article) => !isDeepStrictEqual(stored.get(article.id), article));
  if (changed.length > 0) await writer.put(changed);
  const added = changed.filter((article) => !stored.has(article.id)).length;
  return { added, updated: changed.length - added, unchanged: articles.length - changed.length };
};

/**
 * A feed document's items, mapped and stored: every item that becomes a valid record is stored,
 * each one that does not is reported; one bad item never stops the others. Throws FeedFormatError
 * when the document is not a feed at all.
 */
export const ingestFeed = async (text: string, options: IngestOptions, writer: ArticleWriter): Promise<FeedReport> => {
  const feed = parseFeed(text, options.base);
  const articles: Article[] = [];
  const leftOut: ItemReport[] = [];
  const notes: ItemReport[] = [];
  const seen = new Map<string, number>();
  for (const [index, item] of feed.items.entries()) {
    const where = { item: index + 1, guid: item.guid, link: item.link };
    let mapped: ReturnType<typeof mapItem>;
    try {
      mapped = mapItem(item, options.category);
    } catch (error) {
      leftOut.push({ ...where, problems: [{ field: '(item)', message: `could not be read: ${(error as Error).message}` }] });
      continue;
    }
    const earlier = mapped.ok ? seen.get(mapped.article.id) : undefined;
    if (!mapped.ok) leftOut.push({ ...where, problems: mapped.problems });
    else if (earlier !== undefined) leftOut.push({ ...where, problems: [{ field: 'id', message: `same guid or link as item ${earlier}` }] });
    else {
      seen.set(mapped.article.id, where.item);
      articles.push(mapped.article);
      if (mapped.notes.length > 0) notes.push({ ...where, problems: mapped.notes });
    }
  }
  return { source: options.source, outcome: 'stored', ...(await store(articles, writer)), leftOut, notes };
};
