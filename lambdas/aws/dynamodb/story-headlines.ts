import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReportedStory } from '../../edition/report.ts';
import { getInBatches } from './batch-get.ts';

/**
 * The edition report's `stories` port for the functions that do not render (deliver, feedback): the headline and
 * link of each article, read with a projection and without the article schema, which would double the size of
 * deliver's bundle. A value that is not text is left out, and the id stands for it.
 */
export const storyHeadlines =
  (client: DynamoDBDocumentClient, tableName: string) =>
  async (ids: readonly string[]): Promise<ReportedStory[]> => {
    // An edition has at most 30 stories: one BatchGetItem (up to 100 keys), and its unprocessed keys again.
    const found = await getInBatches(client, tableName, 'id', ids, { attributes: ['id', 'headline', 'url'] });
    const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
    return ids.map((id) => {
      const item = found.get(id);
      const headline = text(item?.headline);
      return headline ? { id, headline, url: text(item?.url) } : { id };
    });
  };
