import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type StoreName = 'articles' | 'subscribers' | 'editions' | 'deliveries';

interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/** One table's keys and indexes: the stores query exactly these, the CDK stack and the local emulator create them. */
export interface TableLayout {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** The attribute holding the epoch second after which DynamoDB deletes the item. */
  readonly timeToLiveAttribute?: string;
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
  }[];
}

export const indexes = {
  /** Articles by UTC publication day, sorted by time: an edition's window is a query per day it spans. */
  articlesByDay: 'byPublishedDay',
  /** Subscribers by status, sorted by address: compose pages through `active`. */
  subscribersByStatus: 'byStatus',
  /** Subscribers by their opaque id, which tokens carry instead of the address. */
  subscribersById: 'byId',
  /** Every edition under one key, sorted by id (the date): finds the previous edition. */
  editionsByKind: 'byKind',
} as const;

export const tableLayouts: Readonly<Record<StoreName, TableLayout>> = {
  articles: {
    partitionKey: { name: 'id', type: 'S' },
    globalSecondaryIndexes: [
      { indexName: indexes.articlesByDay, partitionKey: { name: 'publishedDay', type: 'S' }, sortKey: { name: 'publishedAt', type: 'S' } },
    ],
  },
  subscribers: {
    partitionKey: { name: 'email', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    globalSecondaryIndexes: [
      { indexName: indexes.subscribersByStatus, partitionKey: { name: 'status', type: 'S' }, sortKey: { name: 'email', type: 'S' } },
      { indexName: indexes.subscribersById, partitionKey: { name: 'id', type: 'S' } },
    ],
  },
  editions: {
    partitionKey: { name: 'editionId', type: 'S' },
    globalSecondaryIndexes: [
      { indexName: indexes.editionsByKind, partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'editionId', type: 'S' } },
    ],
  },
  deliveries: {
    partitionKey: { name: 'editionId', type: 'S' },
    sortKey: { name: 'email', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
};

/** The variable each store's table name is passed in. */
export const tableVariables: Readonly<Record<StoreName, string>> = {
  articles: 'BRIEFING_ARTICLES_TABLE',
  subscribers: 'BRIEFING_SUBSCRIBERS_TABLE',
  editions: 'BRIEFING_EDITIONS_TABLE',
  deliveries: 'BRIEFING_DELIVERIES_TABLE',
};

export type TableNames = Readonly<Record<StoreName, string>>;

const storeNames = Object.keys(tableLayouts) as StoreName[];

/** The table names from the environment; locally, where nothing is set, `briefing-<store>`. */
export const tableNamesFromEnv = (env: NodeJS.ProcessEnv = process.env, prefix = 'briefing'): TableNames =>
  Object.fromEntries(storeNames.map((store) => [store, env[tableVariables[store]] || `${prefix}-${store}`])) as TableNames;

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
