import type { StoreName, TableLayout } from './storage.ts';

// Stand-in until lambdas/stores/tables.ts exports the layouts the stores use.
export const tableLayouts: Readonly<Record<StoreName, TableLayout>> = {
  articles: { partitionKey: { name: 'id', type: 'S' } },
  subscribers: { partitionKey: { name: 'email', type: 'S' } },
  editions: { partitionKey: { name: 'editionId', type: 'S' } },
  deliveries: { partitionKey: { name: 'editionId', type: 'S' }, sortKey: { name: 'email', type: 'S' }, timeToLiveAttribute: 'expiresAt' },
};
