import type { Page, Subscriber, SubscriberStore } from '../subscription/store.ts';
import { pageSize } from './audience.ts';
import type { DeliveryMark, DeliveryStore } from './delivery-store.ts';

/** One address as a resume finds it: its delivery of the edition, if it has one, and its record, if it is an active subscriber. */
export interface EditionRecipient {
  readonly email: string;
  readonly delivery?: DeliveryMark;
  readonly subscriber?: Subscriber;
}

/**
 * The items of a paged list one at a time, holding the page in use and the next one, which is read while this one
 * is used. Throws when the list is not in address order: the walk below would pair the wrong records.
 */
const inAddressOrder = <T extends { readonly email: string }>(list: string, read: (cursor?: string) => Promise<Page<T>>) => {
  const fetch = (cursor?: string) => {
    const page = read(cursor);
    // Read ahead, and awaited only once this page is used up: a failure is thrown then, not reported as unhandled now.
    page.catch(() => undefined);
    return page;
  };
  let next: Promise<Page<T>> | undefined = fetch();
  let items: readonly T[] = [];
  let at = 0;
  let previous: string | undefined;
  return async (): Promise<T | undefined> => {
    while (at === items.length) {
      if (!next) return undefined;
      const page = await next;
      next = page.cursor === undefined ? undefined : fetch(page.cursor);
      items = page.items;
      at = 0;
    }
    const item = items[at]!;
    at += 1;
    if (previous !== undefined && previous >= item.email) throw new Error(`${list} not in address order: ${item.email} came after ${previous}`);
    previous = item.email;
    return item;
  };
};

/**
 * Calls `each` with the edition's recipients and would-be recipients a page at a time: every address that has a
 * delivery of the edition or is an active subscriber, once, with both records when it has both. The deliveries and
 * the active subscribers are both listed in address order, so they are merged as they are read, holding a page of
 * each — never the whole of either, nor a set of the addresses seen. (Stored addresses are ASCII, `normaliseAddress`,
 * so JavaScript orders them as DynamoDB orders its keys, by their bytes.)
 */
export const forEachRecipientPage = async (
  stores: { readonly subscribers: Pick<SubscriberStore, 'pageByStatus'>; readonly deliveries: Pick<DeliveryStore, 'page'> },
  editionId: string,
  each: (page: readonly EditionRecipient[]) => Promise<void> | void,
): Promise<void> => {
  const nextSubscriber = inAddressOrder('active subscribers', (cursor) => stores.subscribers.pageByStatus('active', { limit: pageSize, cursor }));
  const nextDelivery = inAddressOrder(`deliveries of edition ${editionId}`, (cursor) => stores.deliveries.page(editionId, { limit: pageSize, cursor }));
  let [subscriber, delivery] = await Promise.all([nextSubscriber(), nextDelivery()]);
  let page: EditionRecipient[] = [];
  while (subscriber || delivery) {
    if (subscriber && (!delivery || subscriber.email < delivery.email)) {
      page.push({ email: subscriber.email, subscriber });
      subscriber = await nextSubscriber();
    } else if (delivery && (!subscriber || delivery.email < subscriber.email)) {
      page.push({ email: delivery.email, delivery });
      delivery = await nextDelivery();
    } else {
      page.push({ email: delivery!.email, subscriber, delivery });
      [subscriber, delivery] = await Promise.all([nextSubscriber(), nextDelivery()]);
    }
    if (page.length === pageSize || (!subscriber && !delivery)) {
      await each(page);
      page = [];
    }
  }
};
