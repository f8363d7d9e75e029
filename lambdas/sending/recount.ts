import { type EditionRecord, type RecipientOutcomes, settledRecipients } from '../edition/store.ts';
import type { Stores } from '../stores.ts';
import type { DeliveryMark, DeliveryStore } from './delivery-store.ts';

/** Calls `each` with every page of an edition's deliveries, in address order: no more than a page is held at once. */
export const forEachDeliveryPage = async (deliveries: Pick<DeliveryStore, 'page'>, editionId: string, each: (page: readonly DeliveryMark[]) => Promise<void> | void): Promise<void> => {
  let cursor: string | undefined;
  do {
    const page = await deliveries.page(editionId, { cursor });
    cursor = page.cursor;
    await each(page.items);
  } while (cursor);
};

/**
 * The recipient outcome a delivery records; undefined while it still waits for one: claimed (settled by deliver), or
 * uncertain with a retry asked for.
 */
export const outcomeOf = (delivery: DeliveryMark): keyof RecipientOutcomes | undefined =>
  (delivery.status === 'claimed' || (delivery.status === 'uncertain' && delivery.retryRequested === true) ? undefined : delivery.status);

/** An edition's outcomes as the deliveries table has them, counted page by page. */
export const countOutcomes = async (stores: Pick<Stores, 'deliveries'>, editionId: string): Promise<RecipientOutcomes> => {
  const outcomes = { sent: 0, skipped: 0, failed: 0, uncertain: 0 };
  await forEachDeliveryPage(stores.deliveries, editionId, (page) => {
    for (const delivery of page) {
      const outcome = outcomeOf(delivery);
      if (outcome) outcomes[outcome] += 1;
    }
  });
  return outcomes;
};

/**
 * Completes an edition whose counters fall short only because a worker died after recording outcomes and before
 * counting them. Its jobs came back from the queue and were counted as duplicates, so when the duplicates since
 * the last recount make up what the counters lack, the outcomes are counted again from the deliveries table and
 * written over the counters (the edition is sent if they cover every recipient). Counters that add up on their
 * own need no recount: outcomes are counted once each, so they can only fall short, never run over.
 */
export const recountIfShort = async (stores: Pick<Stores, 'editions' | 'deliveries'>, edition: EditionRecord | undefined): Promise<EditionRecord | undefined> => {
  if (!edition || edition.status !== 'sending' || !edition.enqueueComplete) return edition;
  const settled = settledRecipients(edition);
  if (settled >= edition.enqueued || settled + edition.duplicates - edition.duplicatesRecounted < edition.enqueued) return edition;
  const outcomes = await countOutcomes(stores, edition.editionId);
  // Lost to a concurrent count: that batch's worker, or the next, looks again.
  return (await stores.editions.recount(edition.editionId, outcomes, edition)) ?? edition;
};
