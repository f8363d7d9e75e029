import type { ArticleStore } from './articles/store.ts';
import type { EditionStore } from './edition/store.ts';
import type { VariantStore } from './edition/variant-store.ts';
import type { DeliveryStore } from './sending/delivery-store.ts';
import type { SubscriberStore } from './subscription/store.ts';

/** The stores the domain reads and writes, as one set (each function takes the ones it needs). */
export interface Stores {
  readonly articles: ArticleStore;
  readonly subscribers: SubscriberStore;
  readonly editions: EditionStore;
  readonly deliveries: DeliveryStore;
  readonly variants: VariantStore;
}
