import { beforeEach, describe, expect, it } from 'vitest';
import { CursorError } from '../../lambdas/aws/dynamodb/cursor.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { compose, type ComposeDeps } from '../../lambdas/sending/compose.ts';
import type { DeliveryJob } from '../../lambdas/sending/queue.ts';
import { countOutcomes } from '../../lambdas/sending/recount.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { newsTopics, topicStories } from '../helpers/topic-edition.ts';

const config = parseConfig({ siteUrl: 'https://briefing.example.com', topics: newsTopics, maxStories: 3 });
const editionId = '2026-11-24';

const local = useTestEmulators();
beforeEach(async () => {
  await local.stores.articles.put(topicStories);
});

/**
 * The stores with every page of deliveries and of subscribers cut to `limit` items (whatever the caller asked for),
 * each read written to `events` as it starts.
 */
const pagedStores = (limit: number, events: string[] = []): Stores => ({
  ...local.stores,
  subscribers: {
    ...local.stores.subscribers,
    pageByStatus: (status, options) => {
      events.push(`read ${status} subscribers`);
      return local.stores.subscribers.pageByStatus(status, { ...options, limit });
    },
  },
  deliveries: {
    ...local.stores.deliveries,
    page: (id, options) => {
      events.push('read deliveries');
      return local.stores.deliveries.page(id, { ...options, limit });
    },
  },
});

const composeInto = (jobs: DeliveryJob[], deps: Partial<ComposeDeps> = {}, request: Parameters<typeof compose>[0] = { date: editionId }) =>
  compose(request, { stores: local.stores, queue: { enqueue: async (queued) => void jobs.push(...queued) }, config, mailer: local.emulators.mailer, owner: 'test', ...deps });

const byEmail = (jobs: readonly DeliveryJob[]) => [...jobs].sort((a, b) => (a.email < b.email ? -1 : 1));

/** Stops the edition as deliver would on an SES refusal, for a resume to continue. */
const stopEdition = async () => expect(await local.stores.editions.setStatus(editionId, 'stopped', { from: ['sending'], reason: 'test' })).toBeDefined();

describe('a resume over many pages', () => {
  it('queues exactly the recipients without an outcome, each with their variant, and counts the rest, with pages of two', async () => {
    const { subscribers, deliveries } = local.stores;
    // Named so that the deliveries and the active subscribers interleave in address order across page ends.
    const active: Record<string, string[]> = {
      'a-sent@example.org': [],
      'b-claimed@example.org': ['science'],
      'c-retry@example.org': ['world'],
      'd-uncertain@example.org': [],
      'e-failed@example.org': ['science', 'money'],
      'f-skipped@example.org': ['world'],
      'g-new@example.org': ['science'],
      'h-sport@example.org': ['sport'],
      'i-sport-claimed@example.org': ['sport'],
      'm-new@example.org': [],
      'n-new@example.org': ['world'],
    };
    for (const [email, topics] of Object.entries(active)) await subscribers.add(email, { status: 'active', reason: 'test', set: { topics } });
    await subscribers.add('j-left-claimed@example.org', { status: 'active', reason: 'test' });
    await subscribers.add('k-left-sent@example.org', { status: 'active', reason: 'test' });
    await subscribers.add('l-pending@example.org', { status: 'pending', reason: 'test' });
    const composed: DeliveryJob[] = [];
    await composeInto(composed);
    const jobOf = (email: string) => composed.find((job) => job.email === email)!;
    expect(jobOf('b-claimed@example.org').variantKey).toBeDefined();

    // Where a send stopped: some delivered, some in a worker's hands, some uncertain, some never reached.
    const settle = async (email: string, end: 'sent' | 'failed' | 'uncertain' | 'claimed') => {
      expect(await deliveries.claim(editionId, email, `worker#${email}`, 60_000)).toEqual({ claimed: true });
      if (end === 'sent') await deliveries.markSent(editionId, email, `worker#${email}`, `m-${email}`);
      if (end === 'failed') await deliveries.markFailed(editionId, email, `worker#${email}`, 'rejected');
      if (end === 'uncertain') await deliveries.markUncertain(editionId, email, `worker#${email}`, 'timeout');
    };
    await settle('a-sent@example.org', 'sent');
    await settle('b-claimed@example.org', 'claimed');
    await settle('c-retry@example.org', 'uncertain');
    expect(await deliveries.requestRetry(editionId, 'c-retry@example.org')).toBe(true);
    await settle('d-uncertain@example.org', 'uncertain');
    await settle('e-failed@example.org', 'failed');
    expect(await deliveries.recordSkipped(editionId, 'f-skipped@example.org', 'unsubscribed')).toBe(true);
    await settle('i-sport-claimed@example.org', 'claimed');
    await settle('j-left-claimed@example.org', 'claimed');
    await settle('k-left-sent@example.org', 'sent');
    for (const email of ['j-left-claimed@example.org', 'k-left-sent@example.org']) await subscribers.changeStatus(email, 'unsubscribed', { from: ['active'], reason: 'test' });
    await stopEdition();

    const events: string[] = [];
    const queued: DeliveryJob[] = [];
    const result = await composeInto(queued, { stores: pagedStores(2, events) }, { date: editionId, resume: true });

    const expected = [
      // Claimed or opened to a retry: queued again with their variant; a claim of a reader with no news today or no
      // longer active: the full edition, for deliver to settle.
      jobOf('b-claimed@example.org'),
      jobOf('c-retry@example.org'),
      { editionId, email: 'i-sport-claimed@example.org' },
      { editionId, email: 'j-left-claimed@example.org' },
      // Never reached: queued as compose queued them.
      jobOf('g-new@example.org'),
      jobOf('m-new@example.org'),
      jobOf('n-new@example.org'),
    ];
    expect(byEmail(queued)).toEqual(byEmail(expected));
    expect(result).toMatchObject({ kind: 'sending', resumed: true, recipients: 7, noNews: 1 });
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sending', enqueueComplete: true, enqueued: 5 + 7, sent: 2, failed: 1, skipped: 1, uncertain: 1, noNews: 1 });
    // 9 deliveries in pages of two, and 12 active readers, read by the count and again by the walk that queues.
    expect(events.filter((event) => event === 'read deliveries')).toHaveLength(2 * 5);
    expect(events.filter((event) => event === 'read active subscribers')).toHaveLength(2 * 6);
    expect(await countOutcomes(pagedStores(2), editionId)).toEqual({ sent: 2, failed: 1, skipped: 1, uncertain: 1 });

    // --retry-uncertain opens the uncertain one too, page by page; nothing was delivered meanwhile.
    const retried: DeliveryJob[] = [];
    const again = await composeInto(retried, { stores: pagedStores(2) }, { date: editionId, resume: true, retryUncertain: true });
    expect(byEmail(retried)).toEqual(byEmail([...expected, jobOf('d-uncertain@example.org')]));
    expect(again).toMatchObject({ recipients: 8, noNews: 1 });
    expect(await local.stores.editions.get(editionId)).toMatchObject({ enqueued: 4 + 8, uncertain: 0 });
  });

  it('queues each page of recipients as it walks, not after the walk', async () => {
    const emails = Array.from({ length: 1200 }, (_, index) => `reader${String(index).padStart(4, '0')}@example.org`);
    await local.stores.subscribers.addMany(emails.map((email) => ({ email, status: 'active' as const, reason: 'test' })));
    await composeInto([]);
    await stopEdition();

    const events: string[] = [];
    const queue = { enqueue: async (jobs: readonly DeliveryJob[]) => void events.push(`enqueue ${jobs.length}`) };
    const result = await compose({ date: editionId, resume: true }, { stores: pagedStores(100, events), queue, config, mailer: local.emulators.mailer, owner: 'test' });

    expect(result).toMatchObject({ kind: 'sending', recipients: 1200 });
    const sends = events.filter((event) => event.startsWith('enqueue'));
    expect(sends).toEqual(['enqueue 500', 'enqueue 500', 'enqueue 200']);
    // The walk that queues reads the list a page (and one ahead) at a time: pages are still read after the first send.
    const firstSend = events.indexOf('enqueue 500');
    expect(events.slice(firstSend).filter((event) => event === 'read active subscribers').length).toBeGreaterThanOrEqual(5);
  });

  it('refuses to merge a list that is not in address order, rather than pairing the wrong records', async () => {
    await local.stores.subscribers.addMany(['a@example.org', 'b@example.org', 'c@example.org'].map((email) => ({ email, status: 'active' as const, reason: 'test' })));
    await composeInto([]);
    await stopEdition();
    const stores: Stores = {
      ...local.stores,
      subscribers: { ...local.stores.subscribers, pageByStatus: async (status, options) => ({ items: (await local.stores.subscribers.pageByStatus(status, options)).items.reverse() }) },
    };

    await expect(composeInto([], { stores }, { date: editionId, resume: true })).rejects.toThrow('active subscribers not in address order: b@example.org came after c@example.org');
  });
});

describe('the deliveries of an edition, a page at a time', () => {
  it('reads them in address order as marks only (address, status, retry asked for), with a cursor for the next page', async () => {
    const { deliveries } = local.stores;
    for (const email of ['c@example.org', 'a@example.org', 'b@example.org']) await deliveries.claim(editionId, email, `worker#${email}`, 60_000);
    await deliveries.markUncertain(editionId, 'b@example.org', 'worker#b@example.org', 'timeout');
    await deliveries.requestRetry(editionId, 'b@example.org');
    await deliveries.claim('2026-11-25', 'a@example.org', 'other', 60_000);

    const first = await deliveries.page(editionId, { limit: 2 });
    const second = await deliveries.page(editionId, { limit: 2, cursor: first.cursor });

    expect(first.items).toEqual([
      { email: 'a@example.org', status: 'claimed' },
      { email: 'b@example.org', status: 'uncertain', retryRequested: true },
    ]);
    expect(second.items).toEqual([{ email: 'c@example.org', status: 'claimed' }]);
    expect((await deliveries.page(editionId)).items).toHaveLength(3);
    await expect(deliveries.page('2026-11-25', { cursor: first.cursor })).rejects.toThrow(new CursorError("cursor of edition 2026-11-24's deliveries passed for edition 2026-11-25's"));
    await expect(deliveries.page(editionId, { cursor: 'not-a-cursor' })).rejects.toThrow(CursorError);
  });
});
