import { setTimeout as delay } from 'node:timers/promises';
import { BatchWriteCommand, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchWriteItem takes at most 25 requests. */
const perBatch = 25;

export interface BatchWriteOptions {
  /** Batches in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Tries per batch while DynamoDB hands items back unprocessed. @default 8 */
  readonly maxAttempts?: number;
  /** @default setTimeout from node:timers/promises */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface BatchWriteResult {
  /** The keys of the items DynamoDB confirmed written. */
  readonly stored: string[];
  /** The keys it did not write, each with why. */
  readonly failed: { readonly key: string; readonly reason: string }[];
}

/**
 * Puts items 25 to a call, several calls at once. Items DynamoDB hands back unprocessed (throttling,
 * a partition at its limit) are sent again with exponential backoff and full jitter; a call refused
 * outright fails only its own items. Says exactly which items (by their `keyName` attribute, which
 * must tell them apart: the table's only key, or its sort key when they share a partition key) were
 * written and which were not.
 */
export const putInBatches = async <T extends object>(
  client: DynamoDBDocumentClient,
  tableName: string,
  keyName: keyof T & string,
  items: readonly T[],
  options: BatchWriteOptions = {},
): Promise<BatchWriteResult> => {
  const { concurrency = 4, maxAttempts = 8, sleep = (ms: number) => delay(ms) } = options;
  const stored: string[] = [];
  const failed: { key: string; reason: string }[] = [];
  const keyOf = (item: T) => String(item[keyName]);
  const batches: (typeof items)[] = [];
  for (let start = 0; start < items.length; start += perBatch) batches.push(items.slice(start, start + perBatch));

  const writeBatch = async (batch: typeof items) => {
    let pending = batch;
    for (let attempt = 1; ; attempt += 1) {
      let output: BatchWriteCommandOutput;
      try {
        output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending.map((item) => ({ PutRequest: { Item: { ...item } } })) } }));
      } catch (error) {
        for (const item of pending) failed.push({ key: keyOf(item), reason: `${(error as Error).name}: ${(error as Error).message}` });
        return;
      }
      const unprocessed = new Set((output.UnprocessedItems?.[tableName] ?? []).map((request) => String(request.PutRequest?.Item?.[keyName])));
      stored.push(...pending.filter((item) => !unprocessed.has(keyOf(item))).map(keyOf));
      pending = pending.filter((item) => unprocessed.has(keyOf(item)));
      if (pending.length === 0) return;
      if (attempt >= maxAttempts) {
        for (const item of pending) failed.push({ key: keyOf(item), reason: `still unprocessed after ${maxAttempts} attempts (the table is throttling writes)` });
        return;
      }
      await sleep(Math.random() * Math.min(5000, 50 * 2 ** attempt));
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
      while (next < batches.length) await writeBatch(batches[next++]!);
    }),
  );
  return { stored, failed };
};
