import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { erasureKeys } from '../../lambdas/subscription/data-requests.ts';
import { addConfirmed, addPending, importSubscribers } from '../../lambdas/subscription/operator.ts';
import type { SubscriptionContext } from '../../lambdas/subscription/signup.ts';
import type { SubscriberStore } from '../../lambdas/subscription/store.ts';
import type { ImportRow } from '../../lambdas/subscription/subscriber-csv.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { readImportFile } from '../helpers/import-file.ts';

let emulators: TestEmulators;
const toAsync = async function* <T>(items: readonly T[]) {
  yield* items;
};
let stores: Stores;
const now = new Date('2026-11-24T07:00:00Z');
const erasureKey = erasureKeys('operator-test-secret');

beforeAll(async () => {
  emulators = await startTestEmulators();
});
afterAll(() => emulators.close());
beforeEach(async () => {
  stores = createStores(emulators.doc, await emulators.freshTables());
});

/** A confirmation sender that records who it mailed, failing for the addresses given. */
const context = (failFor: readonly string[] = []) => {
  const mailed: string[] = [];
  const value: SubscriptionContext = {
    subscribers: stores.subscribers,
    sendConfirmation: async (subscriber) => {
      if (failFor.includes(subscriber.email)) throw new Error('SES said no');
      mailed.push(subscriber.email);
      return 'message-id';
    },
    now: () => now,
    erasureKey,
  };
  return { context: value, mailed };
};

describe('add --confirmed', () => {
  it('activates a new or pending address, keeps an active one, and refuses one that unsubscribed or was suppressed', async () => {
    await stores.subscribers.add('pending@example.org', { status: 'pending', reason: 'signed up', set: { expiresAt: 1, confirmationSentAt: now.toISOString() } });
    await stores.subscribers.add('active@example.org', { status: 'active', reason: 'confirmed' });
    await stores.subscribers.add('left@example.org', { status: 'unsubscribed', reason: 'one-click unsubscribe' });
    await stores.subscribers.add('bounced@example.org', { status: 'suppressed', reason: 'permanent bounce' });
    const add = (email: string) => addConfirmed(stores.subscribers, email, { reason: 'operator', now, erasureKey });

    expect(await add('new@example.org')).toEqual({ kind: 'added' });
    expect(await add('pending@example.org')).toEqual({ kind: 'activated' });
    expect(await add('active@example.org')).toEqual({ kind: 'already-active' });
    expect(await add('left@example.org')).toMatchObject({ kind: 'refused', subscriber: { status: 'unsubscribed' } });
    expect(await add('bounced@example.org')).toMatchObject({ kind: 'refused', subscriber: { status: 'suppressed' } });

    const pending = await stores.subscribers.get('pending@example.org');
    expect(pending).toMatchObject({ status: 'active' });
    expect(pending?.expiresAt).toBeUndefined();
    expect((await stores.subscribers.get('left@example.org'))?.status).toBe('unsubscribed');
  });
});

describe('import', () => {
  it('stores new rows with the status the file gives (active when it gives none), pending ones expiring, the others without expiry', async () => {
    const file = (await readImportFile('email,status\na@example.org,\nb@example.org,pending\nc@example.org,unsubscribed\nd@example.org,suppressed\n')).rows;
    const { context: ctx, mailed } = context();

    const summary = await importSubscribers(toAsync(file), ctx, { pending: false, source: 'list.csv' });

    expect(summary).toEqual({ added: { active: 1, pending: 1, unsubscribed: 1, suppressed: 1 }, confirmationsSent: 0, present: 0, unsent: [], erased: [] });
    expect(mailed).toEqual([]);
    expect(await stores.subscribers.get('a@example.org')).toMatchObject({ status: 'active', history: [{ reason: 'imported from list.csv' }] });
    expect((await stores.subscribers.get('b@example.org'))?.expiresAt).toBeGreaterThan(now.getTime() / 1000);
    expect(await stores.subscribers.get('c@example.org')).toMatchObject({ status: 'unsubscribed', history: [{ reason: 'imported from list.csv (unsubscribed in the file)' }] });
    expect((await stores.subscribers.get('c@example.org'))?.expiresAt).toBeUndefined();
    expect((await stores.subscribers.get('d@example.org'))?.expiresAt).toBeUndefined();
  });

  it('with pending: mailable rows sign up (one confirmation each), the others are stored as they are; a failed email is reported, the row kept', async () => {
    await stores.subscribers.add('known@example.org', { status: 'unsubscribed', reason: 'one-click unsubscribe' });
    const file = (await readImportFile('email,status\na@example.org,active\nb@example.org,\nc@example.org,unsubscribed\nknown@example.org,active\nbroken@example.org,\n')).rows;
    const { context: ctx, mailed } = context(['broken@example.org']);
    const progress: number[] = [];

    const summary = await importSubscribers(toAsync(file), ctx, { pending: true, source: 'list.csv', onProgress: (done) => progress.push(done) });

    expect(mailed).toEqual(['a@example.org', 'b@example.org']);
    expect(summary).toMatchObject({ added: { pending: 3, unsubscribed: 1, active: 0, suppressed: 0 }, confirmationsSent: 2, present: 1 });
    expect(summary.unsent).toEqual([{ line: 6, message: 'broken@example.org: stored as pending, but the confirmation email could not be sent: SES said no' }]);
    expect((await stores.subscribers.get('broken@example.org'))?.confirmationSentAt).toBeUndefined();
    expect((await stores.subscribers.get('known@example.org'))?.status).toBe('unsubscribed');
    expect(progress.at(-1)).toBe(5);
  });
});

describe('an import of more rows than one round', () => {
  /** Rows as a caller other than the file reader might give them: `count` addresses, then the first one again. */
  const rowsWithRepeat = (count: number): ImportRow[] => [
    ...Array.from({ length: count }, (_, index) => ({ line: index + 2, email: `reader${index}@example.org`, name: `Reader ${index}` })),
    { line: count + 2, email: 'reader0@example.org', name: 'Someone else' },
  ];

  it('counts an address repeated in a later round as present while the earlier round is still being stored, and writes it once', async () => {
    const { context: ctx } = context();
    const progress: number[] = [];

    const summary = await importSubscribers(toAsync(rowsWithRepeat(1500)), ctx, { pending: false, source: 'list.csv', onProgress: (done) => progress.push(done) });

    expect(summary).toEqual({ added: { active: 1500, pending: 0, unsubscribed: 0, suppressed: 0 }, confirmationsSent: 0, present: 1, unsent: [], erased: [] });
    expect(await stores.subscribers.get('reader0@example.org')).toMatchObject({ name: 'Reader 0', history: [{ reason: 'imported from list.csv' }] });
    expect(progress).toEqual([1000, 1501]);
  });

  it('fails as a round fails, once every round in flight has ended', async () => {
    const { context: ctx } = context();
    let writing = 0;
    let calls = 0;
    let secondStarted!: () => void;
    const second = new Promise<void>((resolve) => (secondStarted = resolve));
    const subscribers: SubscriberStore = {
      ...stores.subscribers,
      async addMany(entries) {
        calls += 1;
        // The first round fails while the second is storing its rows.
        if (calls === 1) {
          await second;
          throw new Error('the table is gone');
        }
        writing += 1;
        secondStarted();
        try {
          return await stores.subscribers.addMany(entries);
        } finally {
          writing -= 1;
        }
      },
    };

    await expect(importSubscribers(toAsync(rowsWithRepeat(5000).slice(0, 5000)), { ...ctx, subscribers }, { pending: false, source: 'list.csv' })).rejects.toThrow('the table is gone');
    expect(writing).toBe(0);
    expect(calls).toBe(2);
  });
});

/** An address its reader erased on the preference page: only its key is left. */
const erased = async (email: string, status: 'active' | 'suppressed' = 'active') => {
  const subscriber = (await stores.subscribers.add(email, { status, reason: 'confirmed' }))!;
  await stores.subscribers.erase(subscriber, { key: erasureKey(email), erasedAt: '2026-11-20T10:00:00.000Z', suppressed: status === 'suppressed' });
};

describe('an address its reader erased', () => {
  it('is refused by add --confirmed and by add, changes nothing and mails nothing', async () => {
    await erased('gone@example.org');
    const { context: ctx, mailed } = context();

    expect(await addConfirmed(stores.subscribers, 'gone@example.org', { reason: 'operator', now, erasureKey })).toMatchObject({ kind: 'erased', erasure: { erasedAt: '2026-11-20T10:00:00.000Z' } });
    expect(await addPending(ctx, 'gone@example.org', { reason: 'operator', topics: [] })).toMatchObject({ kind: 'erased' });

    expect(await stores.subscribers.get('gone@example.org')).toBeUndefined();
    expect(mailed).toEqual([]);
  });

  it('is left out of an import, as active or pending, with its line; the other rows are imported', async () => {
    await erased('gone@example.org');
    const file = (await readImportFile('email,status\na@example.org,active\ngone@example.org,active\n')).rows;
    const { context: ctx, mailed } = context();

    const direct = await importSubscribers(toAsync(file), ctx, { pending: false, source: 'list.csv' });
    const pending = await importSubscribers(toAsync(file), ctx, { pending: true, source: 'list.csv' });

    for (const summary of [direct, pending]) expect(summary.erased).toEqual([{ line: 3, message: 'gone@example.org: its reader deleted their data on 2026-11-20; only they can sign up again' }]);
    expect(direct.added.active).toBe(1);
    expect(await stores.subscribers.get('gone@example.org')).toBeUndefined();
    expect(mailed).toEqual([]);
  });
});

describe('topics from the command line and a file', () => {
  it('gives a new address its topics; an address already on the list keeps its own', async () => {
    await stores.subscribers.add('known@example.org', { status: 'active', reason: 'confirmed', set: { topics: ['sport'] } });
    const file = (await readImportFile('email,topics\nnew@example.org,Science;world\nknown@example.org,world\nall@example.org,\n')).rows;
    const { context: ctx } = context();

    await importSubscribers(toAsync(file), ctx, { pending: false, source: 'list.csv' });
    await addConfirmed(stores.subscribers, 'added@example.org', { reason: 'operator', now, erasureKey, topics: ['health'] });

    expect((await stores.subscribers.get('new@example.org'))?.topics).toEqual(['science', 'world']);
    expect((await stores.subscribers.get('known@example.org'))?.topics).toEqual(['sport']);
    expect((await stores.subscribers.get('all@example.org'))?.topics).toBeUndefined();
    expect((await stores.subscribers.get('added@example.org'))?.topics).toEqual(['health']);
  });
});
