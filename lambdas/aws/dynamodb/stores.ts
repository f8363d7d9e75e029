import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Stores } from '../../stores.ts';
import { createArticleStore } from './articles.ts';
import { createDeliveryStore } from './deliveries.ts';
import { createEditionStore } from './editions.ts';
import { createSubscriberStore } from './subscribers.ts';
import type { TableNames } from './tables.ts';
import { createVariantStore } from './variants.ts';

export const createStores = (client: DynamoDBDocumentClient, tables: TableNames): Stores => ({
  articles: createArticleStore(client, tables.articles),
  subscribers: createSubscriberStore(client, tables.subscribers),
  editions: createEditionStore(client, tables.editions),
  deliveries: createDeliveryStore(client, tables.deliveries),
  variants: createVariantStore(client, tables.variants),
});
