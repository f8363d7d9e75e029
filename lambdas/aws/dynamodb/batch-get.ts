import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem takes at most 100 keys. */
const perBatch = 100;

export interface BatchGetOptions {
  /** Only these attributes of each item (it must include `keyName`). @default every attribute */
  readonly attributes?: readonly string[];
  readonly consistentRead?: boolean;
  /** Calls in flight at once. @default 1 */
  readonly concurrency?: number;
}

/**
 * The items of a table whose only key, `keyName`, has one of `values` (each asked for once), by that value: 100
 * keys to a BatchGetItem, and the keys it leaves unprocessed asked for again. A value with no item is not in the map.
 */
export const getInBatches = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  keyName: string,
  values: readonly string[],
  options: BatchGetOptions = {},
): Promise<Map<string, Record<string, unknown>>> => {
  const { attributes, consistentRead, concurrency = 1 } = options;
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
  };
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Set(values)];
  const batches: string[][] = [];
  for (let start = 0; start < unique.length; start += perBatch) batches.push(unique.slice(start, start + perBatch));

  const getBatch = async (batch: readonly string[]) => {
    let pending: Record<string, unknown>[] | undefined = batch.map((value) => ({ [keyName]: value }));
    while (pending && pending.length > 0) {
      const output: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead, ...projection } } }));
      for (const item of output.Responses?.[tableName] ?? []) found.set(String(item[keyName]), item);
      pending = output.UnprocessedKeys?.[tableName]?.Keys;
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, batches.length) }, async () => {
      while (next < batches.length) await getBatch(batches[next++]!);
    }),
  );
  return found;
};
