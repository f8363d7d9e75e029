import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Article, type RecordProblem, validateArticle } from '../../articles/schema.ts';
import { type ArticleStore, ArticleWriteError, type StoredArticles } from '../../articles/store.ts';
import { type EditionWindow, isInWindow } from '../../edition/window.ts';
import { getInBatches } from './batch-get.ts';
import { putInBatches } from './batch-write.ts';
import { queryAll, scanAll } from './paging.ts';
import { indexes } from './tables.ts';

const day = 86_400_000;
const utcDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

/** Each UTC day a window touches: the partitions of the by-day index to query. */
const daysIn = (window: EditionWindow): string[] => {
  const days: string[] = [];
  for (let time = Date.parse(`${utcDay(window.from.getTime())}T00:00:00Z`); time <= window.to.getTime(); time += day) days.push(utcDay(time));
  return days;
};

const fromItem = (item: Record<string, unknown>, table: string): { article?: Article; problems: RecordProblem[] } => {
  const { publishedDay: _publishedDay, ...record } = item;
  const result = validateArticle(record, `${table}[id=${String(item.id)}]`);
  return result.ok ? { article: result.article, problems: [] } : { problems: result.problems };
};

/** Items are parsed with the article schema itself: one that fails is reported as a problem and left out, never used. */
export const createArticleStore = (client: DynamoDBDocumentClient, tableName: string): ArticleStore => {
  const collect = (items: Record<string, unknown>[]): StoredArticles => {
    const articles: Article[] = [];
    const problems: RecordProblem[] = [];
    for (const item of items) {
      const read = fromItem(item, tableName);
      if (read.article) articles.push(read.article);
      problems.push(...read.problems);
    }
    return { articles, problems };
  };

  return {
    async put(articles) {
      const { stored, failed } = await putInBatches(
        client,
        tableName,
        'id',
        articles.map((article) => ({ ...article, publishedDay: utcDay(Date.parse(article.publishedAt)) })),
      );
      if (failed.length > 0) throw new ArticleWriteError(stored, failed.map(({ key, reason }) => ({ id: key, reason })));
      return { stored };
    },

    async getMany(ids) {
      const items = await getInBatches(client, tableName, 'id', ids);
      const unique = [...new Set(ids)];
      const missing = unique.filter((id) => !items.has(id));
      return { ...collect(unique.flatMap((id) => (items.has(id) ? [items.get(id)!] : []))), missing };
    },

    async inWindow(window) {
      const items: Record<string, unknown>[] = [];
      for (const publishedDay of daysIn(window)) {
        const query = { TableName: tableName, IndexName: indexes.articlesByDay, KeyConditionExpression: 'publishedDay = :day', ExpressionAttributeValues: { ':day': publishedDay } };
        for await (const item of queryAll(client, query)) items.push(item);
      }
      // The day index sorts by the publishedAt string, whose offsets vary; the exact window is checked on the instant.
      return collect(items.filter((item) => isInWindow(String(item.publishedAt), window)));
    },

    async list() {
      const items: Record<string, unknown>[] = [];
      for await (const item of scanAll(client, { TableName: tableName })) items.push(item);
      const stored = collect(items);
      stored.articles.sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt));
      return stored;
    },
  };
};
