import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { StoredVariant, VariantStore, VariantSummary } from '../../edition/variant-store.ts';
import { putInBatches } from './batch-write.ts';
import { EditionTooLargeError } from './editions.ts';
import { gunzipText, gzippedText, gzipText, itemSize, maxItemBytes } from './gzip.ts';
import { itemReader } from './items.ts';
import { mimeSkeletonItem } from './mime-item.ts';
import { queryAll } from './paging.ts';

/** A variant is needed while its edition sends and may be resumed; the archive shows the full edition from the edition item. */
const keepSeconds = 90 * 86_400;
const variantItem = z.object({
  editionId: z.string(),
  variantKey: z.string(),
  subject: z.string(),
  preheader: z.string(),
  html: gzippedText,
  text: gzippedText,
  marker: z.string(),
  mime: z.optional(mimeSkeletonItem),
  articleIds: z.array(z.string()),
  topicSets: z.array(z.string()),
});

const summaryItem = z.object({ editionId: z.string(), variantKey: z.string(), articleIds: z.array(z.string()), topicSets: z.array(z.string()) });

/**
 * The variants table: one item per variant, keyed by edition and variant key, with the HTML and text gzipped
 * (a variant of ~45 KB is stored in ~7 KB, and the largest a record allows stays under the item limit). The MIME
 * skeleton (under 1 KB, all headers) is a plain map: gzip would save little on it.
 */
export const createVariantStore = (client: DynamoDBDocumentClient, tableName: string): VariantStore => {
  const read = itemReader(tableName, ['editionId', 'variantKey'], variantItem);
  const readSummary = itemReader(tableName, ['editionId', 'variantKey'], summaryItem);

  const toItem = (variant: StoredVariant, expiresAt: number) => {
    const item = {
      editionId: variant.editionId,
      variantKey: variant.variantKey,
      subject: variant.subject,
      preheader: variant.preheader,
      html: gzipText(variant.html),
      text: gzipText(variant.text),
      marker: variant.marker,
      ...(variant.mime === undefined ? {} : { mime: variant.mime }),
      articleIds: [...variant.articleIds],
      topicSets: [...variant.topicSets],
      expiresAt,
    };
    const size = itemSize(item);
    if (size > maxItemBytes) {
      throw new EditionTooLargeError(`variant ${variant.variantKey} of edition ${variant.editionId} (${variant.articleIds.join(', ')}) is ${Math.ceil(size / 1024)} KB gzipped, over DynamoDB's 400 KB item limit`);
    }
    return item;
  };

  return {
    async putMany(variants) {
      if (variants.length === 0) return;
      const expiresAt = Math.floor(Date.now() / 1000) + keepSeconds;
      const byEdition = new Map<string, StoredVariant[]>();
      for (const variant of variants) byEdition.set(variant.editionId, [...(byEdition.get(variant.editionId) ?? []), variant]);
      for (const [editionId, ofEdition] of byEdition) {
        // Within one edition the variant key tells the items apart, as the batch writer needs.
        const { failed } = await putInBatches(client, tableName, 'variantKey', ofEdition.map((variant) => toItem(variant, expiresAt)));
        if (failed.length > 0) {
          throw new Error(`${failed.length} of ${ofEdition.length} variants of edition ${editionId} were not stored: ${failed.map((failure) => `${failure.key} (${failure.reason})`).join('; ')}`);
        }
      }
    },

    async get(editionId, variantKey) {
      const key = { editionId, variantKey };
      const { Item: item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      if (!item) return undefined;
      const stored = read(item);
      return { ...stored, html: gunzipText(tableName, key, 'html', stored.html), text: gunzipText(tableName, key, 'text', stored.text) };
    },

    async list(editionId) {
      const summaries: VariantSummary[] = [];
      const query = {
        TableName: tableName,
        KeyConditionExpression: 'editionId = :id',
        ExpressionAttributeValues: { ':id': editionId },
        ProjectionExpression: 'editionId, variantKey, articleIds, topicSets',
        ConsistentRead: true,
      };
      for await (const item of queryAll(client, query)) summaries.push(readSummary(item));
      return summaries;
    },
  };
};
