import { tableVariables } from '../../config/environment.ts';

export const storeNames = ['articles', 'subscribers', 'editions', 'deliveries', 'feeds', 'variants'] as const;
export type StoreName = (typeof storeNames)[number];

export interface KeyAttribute {
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
  /** Each polled feed's validators for the next conditional GET, by feed URL. */
  feeds: {
    partitionKey: { name: 'url', type: 'S' },
  },
  /** Each edition's topic variants (one briefing per distinct selection of stories), by their key: one Query lists an edition's. */
  variants: {
    partitionKey: { name: 'editionId', type: 'S' },
    sortKey: { name: 'variantKey', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
};

export type TableNames = Readonly<Record<StoreName, string>>;

/** The table names from the environment; locally, where nothing is set, `briefing-<store>`. */
export const tableNamesFromEnv = (env: NodeJS.ProcessEnv = process.env, prefix = 'briefing'): TableNames => {
  const name = (store: StoreName) => env[tableVariables[store]] || `${prefix}-${store}`;
  return { articles: name('articles'), subscribers: name('subscribers'), editions: name('editions'), deliveries: name('deliveries'), feeds: name('feeds'), variants: name('variants') };
};
