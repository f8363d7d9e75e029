import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReportedStory } from '../../edition/report.ts';

/**
 * The edition report's `stories` port for the functions that do not render (deliver, feedback): the headline and
 * link of each article, read with a projection and without the article schema, which would double the size of
 * deliver's bundle. A value that is not text is left out, and the id stands for it.
 */
export const storyHeadlines =
  (client: DynamoDBDocumentClient, tableName: string) =>
  async (ids: readonly string[]): Promise<ReportedStory[]> => {
    const found = new Map<string, Record<string, unknown>>();
    // An edition has at most 30 stories: one BatchGetItem (up to 100 keys), and its unprocessed keys again.
    let keys: Record<string, unknown>[] | undefined = [...new Set(ids)].map((id) => ({ id }));
    while (keys && keys.length > 0) {
      const output: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'id, headline, #url', ExpressionAttributeNames: { '#url': 'url' } } } }),
      );
      for (const item of output.Responses?.[tableName] ?? []) found.set(String(item.id), item);
      keys = output.UnprocessedKeys?.[tableName]?.Keys;
    }
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
    return ids.map((id) => {
      const item = found.get(id);
      const headline = text(item?.headline);
      return headline ? { id, headline, url: text(item?.url) } : { id };
    });
  };
