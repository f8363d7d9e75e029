import { type EditionRecord, type RecipientOutcomes, settledRecipients } from '../edition/store.ts';
import type { Stores } from '../stores.ts';

/** An edition's recipients as the deliveries table has them: each outcome counted, and who has none yet. */
export interface DeliveryCount {
  readonly outcomes: RecipientOutcomes;
  /**
   * Recipients with a delivery item but no outcome: claimed (a worker is sending to them, or stopped while it
   * was), or uncertain with a retry asked for.
   */
  readonly unsettled: readonly string[];
  /** Every recipient with a delivery item. */
  readonly recorded: ReadonlySet<string>;
}

export const countDeliveries = async (stores: Pick<Stores, 'deliveries'>, editionId: string): Promise<DeliveryCount> => {
  const deliveries = await stores.deliveries.list(editionId);
  const outcomes = { sent: 0, skipped: 0, failed: 0, uncertain: 0 };
  const unsettled: string[] = [];
  for (const delivery of deliveries) {
    if (delivery.status === 'claimed' || (delivery.status === 'uncertain' && delivery.retryRequested)) unsettled.push(delivery.email);
    else outcomes[delivery.status] += 1;
  }
  return { outcomes, unsettled, recorded: new Set(deliveries.map((delivery) => delivery.email)) };
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
  const { outcomes } = await countDeliveries(stores, edition.editionId);
  // Lost to a concurrent count: that batch's worker, or the next, looks again.
  return (await stores.editions.recount(edition.editionId, outcomes, edition)) ?? edition;
};
