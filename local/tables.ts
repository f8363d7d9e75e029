import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type KeyAttribute, type StoreName, storeNames, type TableLayout, type TableNames, tableLayouts } from '../lambdas/aws/dynamodb/tables.ts';

// In AWS the stack owns the tables (lib/storage.ts builds them from the same layouts); only the emulator needs creating them.

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
];

const createTableInput = (name: string, layout: TableLayout) => {
  const keys = [layout.partitionKey, layout.sortKey, ...(layout.globalSecondaryIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey])];
  const attributes = new Map(keys.filter((key): key is KeyAttribute => key !== undefined).map((key) => [key.name, key.type]));
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(layout.partitionKey, layout.sortKey),
    GlobalSecondaryIndexes: layout.globalSecondaryIndexes?.map((index) => ({
      IndexName: index.indexName,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
};

const exists = async (client: DynamoDBClient, name: string): Promise<boolean> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
};

/** Creates the tables that are missing (the local emulator; in AWS the stack owns them). Returns the ones it created. */
export const ensureTables = async (documentClient: DynamoDBDocumentClient, names: TableNames): Promise<StoreName[]> => {
  // The document client the stores use passes table commands through to the DynamoDB client it wraps.
  const client = documentClient as unknown as DynamoDBClient;
  const created: StoreName[] = [];
  for (const store of storeNames) {
    if (await exists(client, names[store])) continue;
    await client.send(new CreateTableCommand(createTableInput(names[store], tableLayouts[store])));
    created.push(store);
  }
  return created;
};
