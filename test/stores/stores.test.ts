import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { CursorError } from '../../lambdas/aws/dynamodb/cursor.ts';
import { StoredItemError } from '../../lambdas/aws/dynamodb/items.ts';
import { article } from '../helpers/articles.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();

/** Writes an item straight into a table, past the store, as another program or an old version could. */
const putRaw = (table: string, item: Record<string, unknown>) => local.emulators.doc.send(new PutCommand({ TableName: table, Item: item }));

describe('article store', () => {
  it('finds the records published in a window, across UTC days and offsets, and replaces a re-imported id', async () => {
    await local.stores.articles.put([
      article({ id: 'before', publishedAt: '2026-11-23T05:59:00Z' }),
      article({ id: 'late-evening', publishedAt: '2026-11-23T23:30:00-05:00' }),
      article({ id: 'morning', publishedAt: '2026-11-24T05:00:00Z' }),
      article({ id: 'after', publishedAt: '2026-11-24T06:01:00Z' }),
    ]);
    await local.stores.articles.put([article({ id: 'morning', headline: 'Updated headline', publishedAt: '2026-11-24T05:00:00Z' })]);

    const found = await local.stores.articles.inWindow({ from: new Date('2026-11-23T06:00:00Z'), to: new Date('2026-11-24T06:00:00Z') });

    expect(found.articles.map((a) => a.id).sort()).toEqual(['late-evening', 'morning']);
    expect(found.articles.find((a) => a.id === 'morning')?.headline).toBe('Updated headline');
  });

  it('reports a stored record that fails validation instead of using it', async () => {
    await putRaw(local.emulators.tables.articles, { id: 'broken', headline: 'x', publishedAt: '2026-11-24T05:00:00Z', publishedDay: '2026-11-24' });
    await local.stores.articles.put([article({ id: 'fine', publishedAt: '2026-11-24T04:00:00Z' })]);

    const { articles, problems } = await local.stores.articles.list();

    expect(articles.map((a) => a.id)).toEqual(['fine']);
    expect(problems.some((problem) => problem.id === 'broken' && problem.field === 'url' && problem.message === 'is required')).toBe(true);
  });

  it('says which requested ids have no record', async () => {
    await local.stores.articles.put([article({ id: 'known' })]);
    const { articles, missing } = await local.stores.articles.getMany(['known', 'unknown']);
    expect(articles.map((a) => a.id)).toEqual(['known']);
    expect(missing).toEqual(['unknown']);
  });
});

describe('subscriber store', () => {
  it('adds an address once, changes status only from the allowed ones, and keeps the history', async () => {
    expect(await local.stores.subscribers.add('a@example.org', { status: 'pending', reason: 'signed up' })).toBeDefined();
    expect(await local.stores.subscribers.add('a@example.org', { status: 'active', reason: 'again' })).toBeUndefined();

    expect(await local.stores.subscribers.changeStatus('a@example.org', 'unsubscribed', { reason: 'x', from: ['active'] })).toBeUndefined();
    const active = await local.stores.subscribers.changeStatus('a@example.org', 'active', { reason: 'confirmed', from: ['pending'], set: { expiresAt: null } });

    expect(active?.status).toBe('active');
    expect(active?.history.map((change) => `${change.status}: ${change.reason}`)).toEqual(['pending: signed up', 'active: confirmed']);
    expect((await local.stores.subscribers.getById(active!.id))?.email).toBe('a@example.org');
  });

  it('pages through one status only', async () => {
    for (let index = 0; index < 7; index += 1) await local.stores.subscribers.add(`r${index}@example.org`, { status: index % 2 ? 'active' : 'pending', reason: 'test' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await local.stores.subscribers.pageByStatus('active', { limit: 2, cursor });
      seen.push(...page.items.map((s) => s.email));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(['r1@example.org', 'r3@example.org', 'r5@example.org']);
  });

  it('counts one status without reading the subscribers out, across pages', async () => {
    await local.stores.subscribers.addMany(Array.from({ length: 1200 }, (_, index) => ({ email: `r${index}@example.org`, status: index % 3 ? 'active' : 'pending', reason: 'test' })));

    expect(await local.stores.subscribers.countByStatus('active')).toBe(800);
    expect(await local.stores.subscribers.countByStatus('pending')).toBe(400);
    expect(await local.stores.subscribers.countByStatus('suppressed')).toBe(0);
  });

  it('refuses a cursor it did not give out', async () => {
    await local.stores.subscribers.add('a@example.org', { status: 'active', reason: 'test' });
    const foreign = Buffer.from(JSON.stringify({ id: 'x' })).toString('base64url');

    await expect(local.stores.subscribers.pageByStatus('active', { cursor: 'not a cursor' })).rejects.toThrow(CursorError);
    await expect(local.stores.subscribers.pageByStatus('active', { cursor: foreign })).rejects.toThrow(/cursor "eyJpZCI6IngifQ" is not one this list gave out/);
  });

  it('adds many at once and leaves the addresses already on the list exactly as they are', async () => {
    await local.stores.subscribers.add('left@example.org', { status: 'unsubscribed', reason: 'clicked unsubscribe' });

    const result = await local.stores.subscribers.addMany(
      ['new@example.org', 'left@example.org', 'other@example.org'].map((email) => ({ email, status: 'active' as const, reason: 'imported' })),
    );

    expect(result.added.map((subscriber) => subscriber.email).sort()).toEqual(['new@example.org', 'other@example.org']);
    expect(result.present).toEqual(['left@example.org']);
    expect(await local.stores.subscribers.get('left@example.org')).toMatchObject({ status: 'unsubscribed', history: [{ reason: 'clicked unsubscribe' }] });
  });

  it('refuses a stored subscriber that does not have the shape it writes, naming the table, the key and each problem', async () => {
    await putRaw(local.emulators.tables.subscribers, { email: 'odd@example.org', id: 'x', status: 'gone', history: [], updatedAt: 7 });

    const read = local.stores.subscribers.get('odd@example.org');

    await expect(read).rejects.toThrow(StoredItemError);
    await expect(read).rejects.toThrow(
      `table ${local.emulators.tables.subscribers}, item {"email":"odd@example.org"} is not a stored record as this code reads it: ` +
        'status: must be one of "pending", "active", "unsubscribed", "suppressed", not "gone"; createdAt: is missing; updatedAt: must be string, not 7',
    );
  });
});

/** An edition item as the store wrote them before deliveries could be uncertain. */
const zeroEdition = (editionId: string) => ({
  editionId,
  kind: 'edition',
  status: 'composing',
  createdAt: '2026-11-01T06:00:00.000Z',
  updatedAt: '2026-11-01T06:00:00.000Z',
  lockedBy: 'test',
  enqueueComplete: true,
  enqueued: 0,
  sent: 0,
  skipped: 0,
  failed: 0,
  duplicates: 0,
  dropped: 0,
  bounces: 0,
  complaints: 0,
});

describe('edition store', () => {
  it('gives the lock to exactly one of many concurrent callers', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => local.stores.editions.lock('2026-11-24', `worker-${index}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('completes the edition only when enqueueing is done and every job is counted', async () => {
    await local.stores.editions.lock('2026-11-24', 'me');
    await local.stores.editions.saveRendered('2026-11-24', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    await local.stores.editions.addEnqueued('2026-11-24', 3, false);
    expect((await local.stores.editions.addOutcomes('2026-11-24', { sent: 2, skipped: 1 }))?.status).toBe('sending');
    await local.stores.editions.addEnqueued('2026-11-24', 1, true);
    const done = await local.stores.editions.addOutcomes('2026-11-24', { failed: 1 });
    expect(done).toMatchObject({ status: 'sent', sent: 2, skipped: 1, failed: 1, enqueued: 4 });
  });

  it('keeps the MIME skeleton compose compiled with the rendered edition, and takes one later for an edition stored without', async () => {
    const skeleton = { parts: ['To: ', 'to', '\r\nMessage-ID: ', 'messageId', '\r\nDate: ', 'date', '\r\nList-Unsubscribe: ', 'listUnsubscribe', '\r\n\r\n', 'text', '\r\n', 'html', '\r\n'], messageIdDomain: 'example.com' };
    for (const id of ['2026-11-23', '2026-11-24']) await local.stores.editions.lock(id, 'me');
    await local.stores.editions.saveRendered('2026-11-24', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'], mime: skeleton });
    await local.stores.editions.saveRendered('2026-11-23', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    expect((await local.stores.editions.get('2026-11-24'))?.mime).toEqual(skeleton);
    expect((await local.stores.editions.get('2026-11-23'))?.mime).toBeUndefined();

    await local.stores.editions.saveMime('2026-11-23', skeleton);

    expect(await local.stores.editions.get('2026-11-23')).toMatchObject({ status: 'sending', mime: skeleton });
  });

  it('counts uncertain deliveries as handled, and reads an edition stored before they were counted as none', async () => {
    await local.stores.editions.lock('2026-11-24', 'me');
    await local.stores.editions.saveRendered('2026-11-24', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    await local.stores.editions.addEnqueued('2026-11-24', 3, true);
    expect(await local.stores.editions.addOutcomes('2026-11-24', { sent: 2, uncertain: 1 })).toMatchObject({ status: 'sent', sent: 2, uncertain: 1 });

    await putRaw(local.emulators.tables.editions, { ...zeroEdition('2026-11-01'), status: 'sent' });
    expect((await local.stores.editions.get('2026-11-01'))?.uncertain).toBe(0);
  });

  it('writes a recount only over the counts it was made from, and completes the edition when it covers every recipient', async () => {
    const { editions } = local.stores;
    await editions.lock('2026-11-24', 'me');
    await editions.saveRendered('2026-11-24', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    const read = (await editions.addEnqueued('2026-11-24', 3, true))!;
    await editions.addOutcomes('2026-11-24', { sent: 1, duplicates: 1 });

    expect(await editions.recount('2026-11-24', { sent: 2, skipped: 1, failed: 0, uncertain: 0 }, read)).toBeUndefined();
    const done = await editions.recount('2026-11-24', { sent: 2, skipped: 1, failed: 0, uncertain: 0 }, (await editions.get('2026-11-24'))!);

    expect(done).toMatchObject({ status: 'sent', sent: 2, skipped: 1, duplicates: 1, duplicatesRecounted: 1 });
  });

  it('reopens an edition for a resume with its recount, unless its counts changed meanwhile or it is being composed', async () => {
    const { editions } = local.stores;
    await editions.lock('2026-11-24', 'me');
    await editions.saveRendered('2026-11-24', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    await editions.addEnqueued('2026-11-24', 5, true);
    const read = (await editions.addOutcomes('2026-11-24', { sent: 1 }))!;
    await editions.addOutcomes('2026-11-24', { sent: 1 });
    const recount = { enqueued: 5, sent: 3, skipped: 0, failed: 0, uncertain: 1 };

    expect(await editions.reopen('2026-11-24', recount, read)).toBeUndefined();
    expect(await editions.reopen('2026-11-24', recount, (await editions.get('2026-11-24'))!)).toMatchObject({ status: 'sending', enqueueComplete: false, enqueued: 5, sent: 3, uncertain: 1 });
    await editions.setStatus('2026-11-24', 'composing', { from: ['sending'] });
    expect(await editions.reopen('2026-11-24', recount, (await editions.get('2026-11-24'))!)).toBeUndefined();
  });

  it('lets one caller claim the report of each end of an edition, the next end after a resume again, and no end it has left', async () => {
    const { editions } = local.stores;
    const at = (time: string) => new Date(`2026-11-24T${time}Z`);
    await editions.lock('2026-11-24', 'me');
    await editions.saveRendered('2026-11-24', { subject: 's', preheader: 'p', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    const stopped = await editions.setStatus('2026-11-24', 'stopped', { from: ['sending'], reason: 'AccessDenied: no', at: at('06:01:00') });
    expect(stopped).toMatchObject({ status: 'stopped', statusAt: '2026-11-24T06:01:00.000Z' });

    const claims = await Promise.all(Array.from({ length: 6 }, () => editions.claimReport('2026-11-24', stopped!.statusAt!)));
    expect(claims.filter(Boolean)).toEqual([expect.objectContaining({ status: 'stopped', reportedFor: '2026-11-24T06:01:00.000Z' })]);

    const resumed = await editions.reopen('2026-11-24', { enqueued: 0, sent: 0, skipped: 0, failed: 0, uncertain: 0 }, (await editions.get('2026-11-24'))!, at('07:00:00'));
    expect(resumed?.statusAt).toBe('2026-11-24T07:00:00.000Z');
    expect(await editions.claimReport('2026-11-24', '2026-11-24T06:01:00.000Z')).toBeUndefined();
    expect(await editions.claimReport('2026-11-24', resumed!.statusAt!)).toBeUndefined();

    await editions.setStatus('2026-11-24', 'sent', { from: ['sending'], at: at('07:10:00') });
    expect(await editions.claimReport('2026-11-24', '2026-11-24T07:10:00.000Z')).toMatchObject({ status: 'sent', reportedFor: '2026-11-24T07:10:00.000Z' });
    expect(await editions.claimReport('2026-11-24', '2026-11-24T07:10:00.000Z')).toBeUndefined();
  });

  it('counts an unsubscribe on the latest edition that went out, past the newest ones that did not', async () => {
    const { editions } = local.stores;
    expect(await editions.countUnsubscribe()).toBeUndefined();
    for (const id of ['2026-11-18', '2026-11-19']) {
      await editions.lock(id, 'me');
      await editions.saveRendered(id, { subject: 's', preheader: 'p', html: '', text: '', mjml: '', marker: 'm' }, { articleIds: [] });
    }
    // Five newer days without one: more than the first page of the query.
    for (const id of ['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']) {
      await editions.lock(id, 'me');
      if (id !== '2026-11-24') await editions.setStatus(id, 'skipped', { from: ['composing'] });
    }

    expect(await editions.countUnsubscribe()).toBe('2026-11-19');
    expect(await editions.countUnsubscribe()).toBe('2026-11-19');
    expect((await editions.get('2026-11-19'))?.unsubscribes).toBe(2);
    expect((await editions.get('2026-11-18'))?.unsubscribes).toBe(0);
  });

  it('finds the previous edition that went out, ignoring skipped ones', async () => {
    for (const [id, skip] of [['2026-11-21', false], ['2026-11-22', true]] as const) {
      await local.stores.editions.lock(id, 'me');
      if (skip) await local.stores.editions.setStatus(id, 'skipped', { from: ['composing'] });
      else await local.stores.editions.saveRendered(id, { subject: 's', preheader: 'p', html: '', text: '', mjml: '', marker: 'm' }, { articleIds: [] });
    }
    expect((await local.stores.editions.previousSent('2026-11-24'))?.editionId).toBe('2026-11-21');
  });

  it('refuses a stored edition whose status it does not know, also when reading the status alone', async () => {
    await putRaw(local.emulators.tables.editions, { editionId: '2026-11-24', kind: 'edition', status: 'lost' });

    await expect(local.stores.editions.getStatus('2026-11-24')).rejects.toThrow(/item \{"editionId":"2026-11-24"\} .*: status: must be one of .*, not "lost"/);
    await expect(local.stores.editions.get('2026-11-24')).rejects.toThrow(StoredItemError);
  });
});

describe('delivery store', () => {
  it('lets one worker claim a delivery, never a second one, and settles a claim once', async () => {
    const now = Date.now();
    expect(await local.stores.deliveries.claim('e', 'a@example.org', 'one', 1000, now)).toEqual({ claimed: true });
    const second = await local.stores.deliveries.claim('e', 'a@example.org', 'two', 1000, now + 500);
    expect(second).toMatchObject({ claimed: false, existing: { status: 'claimed', claimToken: 'one', leaseUntil: now + 1000 } });
    // Lease or no lease, an unfinished claim is not taken over: SES may have the message.
    expect(await local.stores.deliveries.claim('e', 'a@example.org', 'two', 1000, now + 1500)).toMatchObject({ claimed: false, existing: { claimToken: 'one' } });
    expect(await local.stores.deliveries.markUncertain('e', 'a@example.org', 'two', 'not mine')).toBe(false);
    expect(await local.stores.deliveries.markUncertain('e', 'a@example.org', 'one', 'abandoned mid-send')).toBe(true);
    // The worker that held it comes back too late: the claim is settled already.
    expect(await local.stores.deliveries.markSent('e', 'a@example.org', 'one', 'late')).toBe(false);
    expect(await local.stores.deliveries.get('e', 'a@example.org')).toMatchObject({ status: 'uncertain', reason: 'abandoned mid-send' });
    expect((await local.stores.deliveries.get('e', 'a@example.org'))?.messageId).toBeUndefined();
  });

  it('releases a claim so that the next try can take it at once', async () => {
    await local.stores.deliveries.claim('e', 'b@example.org', 'one', 60_000);
    await local.stores.deliveries.release('e', 'b@example.org', 'one');
    expect(await local.stores.deliveries.claim('e', 'b@example.org', 'two', 60_000)).toEqual({ claimed: true });
  });

  it('reads a finished claim back without the NULLs the finishing write stores', async () => {
    await local.stores.deliveries.claim('e', 'c@example.org', 'one', 60_000);
    await local.stores.deliveries.markSent('e', 'c@example.org', 'one', 'msg-1');

    const [record] = await local.stores.deliveries.list('e');

    expect(record).toMatchObject({ status: 'sent', messageId: 'msg-1' });
    expect(record?.reason).toBeUndefined();
  });

  it('refuses a stored delivery that does not have the shape it writes, naming both key attributes', async () => {
    await putRaw(local.emulators.tables.deliveries, { editionId: 'e', email: 'd@example.org', status: 'sent' });

    await expect(local.stores.deliveries.list('e')).rejects.toThrow(/item \{"editionId":"e","email":"d@example.org"\} .*: updatedAt: is missing; expiresAt: is missing/);
  });
});
