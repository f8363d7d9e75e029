import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { FeedState, FeedStateStore } from '../../feeds/ports.ts';
import { itemReader } from './items.ts';

const feedStateItem = z.object({
  url: z.string(),
  etag: z.optional(z.string()),
  lastModified: z.optional(z.string()),
  polledAt: z.iso.datetime({ offset: true }),
});

/** The feeds table: one item per feed URL, replaced after each poll that got an answer. */
export const createFeedStateStore = (client: DynamoDBDocumentClient, tableName: string): FeedStateStore => {
  const read = itemReader(tableName, ['url'], feedStateItem);
  return {
    async get(url) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { url }, ConsistentRead: true }));
      return Item ? read(Item, { url }) : undefined;
    },
    async put({ url, etag, lastModified, polledAt }: FeedState) {
      const item = { url, polledAt, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
    },
  };
};
