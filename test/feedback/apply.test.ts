import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { applyFeedback } from '../../lambdas/feedback/apply.ts';
import { parseFeedback } from '../../lambdas/feedback/events.ts';
import type { SubscriberStatus } from '../../lambdas/subscription/store.ts';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { recordingClient } from '../helpers/dynamodb-calls.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { recordingEnding } from '../helpers/ending.ts';
import { type Envelope, type FixtureChanges, type FixtureName, sesEvent } from './fixtures.ts';

const local = useTestEmulators();

const subscriber = (email: string, status: SubscriberStatus = 'active') => local.stores.subscribers.add(email, { status, reason: 'confirmed' });
const deliver = (name: FixtureName, changes: FixtureChanges, envelope: Envelope = 'eventbridge') => applyFeedback(parseFeedback(sesEvent(name, envelope, changes)), local.stores);

/** An edition that is sending and has gone out to `sent` readers, with feedback already counted. */
const sendingEdition = async (editionId: string, counts: { sent: number; bounces?: number; complaints?: number }) => {
  await local.stores.editions.lock(editionId, 'test');
  await local.stores.editions.saveRendered(editionId, { subject: 's', preheader: 'p', html: '<p>h</p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
  await local.stores.editions.addOutcomes(editionId, { sent: counts.sent });
  await local.stores.editions.addFeedback(editionId, { bounces: counts.bounces ?? 0, complaints: counts.complaints ?? 0 });
};

describe('bounces', () => {
  it.each<Envelope>(['sns', 'eventbridge'])('suppresses on a permanent bounce (%s) with the reason and the time of the bounce, and counts it for the edition', async (envelope) => {
    await subscriber('gone@example.org');
    await sendingEdition('2026-11-24', { sent: 10 });

    const summary = await deliver('bounce-permanent', { recipient: 'gone@example.org' }, envelope);

    const after = await local.stores.subscribers.get('gone@example.org');
    expect(after?.status).toBe('suppressed');
    expect(after?.history.at(-1)).toEqual({ status: 'suppressed', at: '2026-11-24T06:01:02.669Z', reason: 'permanent bounce (General): 5.1.1 smtp; 550 5.1.1 user unknown' });
    expect(summary.suppressed).toEqual([{ email: 'gone@example.org', reason: after?.history.at(-1)?.reason }]);
    expect((await local.stores.editions.get('2026-11-24'))?.bounces).toBe(1);
  });

  it('applies an event delivered twice once', async () => {
    await subscriber('gone@example.org');
    await sendingEdition('2026-11-24', { sent: 10 });

    await deliver('bounce-permanent', { recipient: 'gone@example.org' });
    const again = await deliver('bounce-permanent', { recipient: 'gone@example.org' });

    expect(again.skipped).toBe(1);
    expect((await local.stores.subscribers.get('gone@example.org'))?.history.filter((change) => change.status === 'suppressed')).toHaveLength(1);
    expect((await local.stores.editions.get('2026-11-24'))?.bounces).toBe(1);
  });

  it('suppresses after 3 transient bounces in a row, not before', async () => {
    await subscriber('full@example.org');

    for (const n of [1, 2]) await deliver('bounce-transient', { recipient: 'full@example.org', feedbackId: `soft-${n}` });
    expect((await local.stores.subscribers.get('full@example.org'))?.status).toBe('active');
    await deliver('bounce-transient', { recipient: 'full@example.org', feedbackId: 'soft-3' });

    const after = await local.stores.subscribers.get('full@example.org');
    expect(after?.status).toBe('suppressed');
    expect(after?.history.at(-1)?.reason).toMatch(/^3 transient bounces in a row \(MailboxFull\): 4\.2\.2 smtp; 452/);
  });

  it('starts the count again after a delivery, and does not count transient bounces against the edition', async () => {
    await subscriber('full@example.org');
    await sendingEdition('2026-11-24', { sent: 10 });

    for (const n of [1, 2]) await deliver('bounce-transient', { recipient: 'full@example.org', feedbackId: `soft-${n}` });
    await deliver('delivery', { recipient: 'full@example.org' });
    for (const n of [3, 4]) await deliver('bounce-transient', { recipient: 'full@example.org', feedbackId: `soft-${n}` });

    const after = await local.stores.subscribers.get('full@example.org');
    expect(after?.status).toBe('active');
    expect(after?.transientBounces).toBe(2);
    expect((await local.stores.editions.get('2026-11-24'))?.bounces).toBe(0);
  });

  it('suppresses an address SES would not even try (on its suppression list) without counting it against the edition', async () => {
    await subscriber('listed@example.org');
    await sendingEdition('2026-11-24', { sent: 10 });

    await deliver('bounce-permanent', { recipient: 'listed@example.org', detail: { bounceSubType: 'OnAccountSuppressionList' } });

    expect((await local.stores.subscribers.get('listed@example.org'))?.status).toBe('suppressed');
    expect((await local.stores.editions.get('2026-11-24'))?.bounces).toBe(0);
  });

  it('ignores addresses that are not on the list', async () => {
    const summary = await deliver('bounce-permanent', { recipient: 'stranger@example.org' });

    expect(summary).toMatchObject({ skipped: 1, suppressed: [] });
    expect(await local.stores.subscribers.get('stranger@example.org')).toBeUndefined();
  });
});

describe('complaints', () => {
  it.each<SubscriberStatus>(['active', 'unsubscribed'])('suppress an %s address and count for the edition', async (status) => {
    await subscriber('annoyed@example.org', status);
    await sendingEdition('2026-11-24', { sent: 10 });

    await deliver('complaint', { recipient: 'annoyed@example.org' }, 'sns');

    const after = await local.stores.subscribers.get('annoyed@example.org');
    expect(after?.status).toBe('suppressed');
    expect(after?.history.at(-1)).toEqual({ status: 'suppressed', at: '2026-11-24T08:15:40.000Z', reason: 'complaint (abuse)' });
    expect((await local.stores.editions.get('2026-11-24'))?.complaints).toBe(1);
  });
});

describe('pausing an edition', () => {
  it('pauses at a 5 % bounce rate after 200 deliveries, with the reason', async () => {
    await sendingEdition('2026-11-24', { sent: 200, bounces: 9 });
    await subscriber('tenth@example.org');

    const summary = await deliver('bounce-permanent', { recipient: 'tenth@example.org' });

    const edition = await local.stores.editions.get('2026-11-24');
    expect(edition?.status).toBe('paused');
    expect(edition?.statusReason).toBe('bounce rate 5.0 % (10 of 200 sent) reached 5.0 %');
    expect(summary.paused).toEqual([{ editionId: '2026-11-24', reason: edition?.statusReason, sent: 200, bounces: 10, complaints: 0 }]);
  });

  it('reports the pause once, from the feedback that paused it, and not again for the bounces that come after', async () => {
    const config = parseConfig({ reportAddress: 'editors@news.example.org' });
    const recorder = recordingEnding(local, config);
    await sendingEdition('2026-11-24', { sent: 200, bounces: 9 });
    await local.stores.editions.addEnqueued('2026-11-24', 1000, true);
    for (const email of ['tenth@example.org', 'eleventh@example.org']) await subscriber(email);
    const bounce = (recipient: string) => applyFeedback(parseFeedback(sesEvent('bounce-permanent', 'eventbridge', { recipient, feedbackId: recipient })), local.stores, recorder.ending);

    await bounce('tenth@example.org');
    await bounce('eleventh@example.org');

    // EditionsPaused is the feedback handler's metric, published with every batch (0 included).
    expect(recorder.published).toEqual([]);
    expect(recorder.logs).toEqual([
      {
        level: 'warn',
        message: 'edition 2026-11-24 paused: bounce rate 5.0 % (10 of 200 sent) reached 5.0 %; once the cause is fixed: briefing send --date 2026-11-24 --resume',
        details: expect.objectContaining({ editionId: '2026-11-24', sent: 200, bounces: 10 }),
      },
      expect.objectContaining({ level: 'info', message: 'edition report mailed' }),
    ]);
    const reports = await local.emulators.inbox();
    expect(reports.map((report) => [report.destination.to, report.subject])).toEqual([[['editors@news.example.org'], `${config.newsletterName} report: 2026-11-24 paused, 200 sent`]]);
    expect(reports[0]!.body.text).toContain('Edition 2026-11-24 is paused after 200 of 1,000 recipients: bounce rate 5.0 % (10 of 200 sent) reached 5.0 %.');
  });

  it('does not pause below 5 % or before 200 deliveries', async () => {
    await sendingEdition('2026-11-24', { sent: 201, bounces: 9 });
    await sendingEdition('2026-11-25', { sent: 199, bounces: 30 });
    await subscriber('a@example.org');
    await subscriber('b@example.org');

    await deliver('bounce-permanent', { recipient: 'a@example.org', edition: '2026-11-24' });
    await deliver('bounce-permanent', { recipient: 'b@example.org', edition: '2026-11-25' });

    expect((await local.stores.editions.get('2026-11-24'))?.status).toBe('sending');
    expect((await local.stores.editions.get('2026-11-25'))?.status).toBe('sending');
  });

  it('pauses at a 0.1 % complaint rate, and one complaint fewer does not', async () => {
    await sendingEdition('2026-11-24', { sent: 1000 });
    await sendingEdition('2026-11-25', { sent: 1001 });
    await subscriber('a@example.org');
    await subscriber('b@example.org');

    const paused = await deliver('complaint', { recipient: 'a@example.org', edition: '2026-11-24' });
    await deliver('complaint', { recipient: 'b@example.org', edition: '2026-11-25' });

    expect(paused.paused.map((edition) => edition.reason)).toEqual(['complaint rate 0.10 % (1 of 1000 sent) reached 0.10 %']);
    expect((await local.stores.editions.get('2026-11-24'))?.status).toBe('paused');
    expect((await local.stores.editions.get('2026-11-25'))?.status).toBe('sending');
  });
});

describe('a write failing part way', () => {
  /** The feedback stores over a client that fails the `n`th write of the next event once, before it reaches the table. */
  const failingWrite = (n: number) => {
    const client = recordingClient(local.emulators.settings);
    client.failWrite(n);
    return { stores: createStores(client.doc, local.emulators.tables), client };
  };

  const cases: { name: FixtureName; changes: FixtureChanges; status: SubscriberStatus; counts: { bounces: number; complaints: number } }[] = [
    { name: 'bounce-permanent', changes: { recipient: 'gone@example.org' }, status: 'suppressed', counts: { bounces: 1, complaints: 0 } },
    { name: 'complaint', changes: { recipient: 'gone@example.org' }, status: 'suppressed', counts: { bounces: 0, complaints: 1 } },
  ];

  // Write 1 is the subscriber's (marker, status and history together), write 2 the edition's count.
  describe.each(cases)('$name', ({ name, changes, status, counts }) => {
    it.each([1, 2])('fails write %i, and the redelivered event leaves the address suppressed once and the edition counted once', async (n) => {
      await subscriber('gone@example.org');
      await sendingEdition('2026-11-24', { sent: 10 });
      const failing = failingWrite(n);

      await expect(applyFeedback(parseFeedback(sesEvent(name, 'eventbridge', changes)), failing.stores)).rejects.toThrow(/injected failure/);
      failing.client.destroy();
      const redelivered = await deliver(name, changes);

      const after = await local.stores.subscribers.get('gone@example.org');
      expect(after?.status).toBe(status);
      expect(after?.history.filter((change) => change.status === 'suppressed')).toHaveLength(1);
      expect(redelivered.suppressed.length + (n === 1 ? 0 : 1)).toBe(1);
      const edition = await local.stores.editions.get('2026-11-24');
      expect({ bounces: edition?.bounces, complaints: edition?.complaints }).toEqual(counts);

      // And once settled, a further copy of the event changes nothing.
      await deliver(name, changes);
      const settled = await local.stores.editions.get('2026-11-24');
      expect({ bounces: settled?.bounces, complaints: settled?.complaints }).toEqual(counts);
      expect(await local.stores.subscribers.get('gone@example.org')).toEqual(after);
    });
  });

  it('suppresses on a third transient bounce in a row even when a write after the first fails and the event comes again', async () => {
    await subscriber('full@example.org');
    for (const n of [1, 2]) await deliver('bounce-transient', { recipient: 'full@example.org', feedbackId: `soft-${n}` });
    const failing = failingWrite(2);
    const third = { recipient: 'full@example.org', feedbackId: 'soft-3' };

    // One write applies the whole event now, so there may be no second write to fail: either way is fine here.
    await applyFeedback(parseFeedback(sesEvent('bounce-transient', 'eventbridge', third)), failing.stores).catch(() => undefined);
    failing.client.destroy();
    await deliver('bounce-transient', third);
    await deliver('bounce-transient', third);

    const after = await local.stores.subscribers.get('full@example.org');
    expect(after?.status).toBe('suppressed');
    expect(after?.transientBounces).toBe(3);
    expect(after?.history.at(-1)?.reason).toMatch(/^3 transient bounces in a row/);
  });

  it('counts an event that comes twice in one batch once', async () => {
    await subscriber('gone@example.org');
    await sendingEdition('2026-11-24', { sent: 10 });
    const event = parseFeedback(sesEvent('bounce-permanent', 'eventbridge', { recipient: 'gone@example.org' }));

    const summary = await applyFeedback([...event, ...event], local.stores);

    expect(summary).toMatchObject({ bounces: 1, skipped: 1 });
    expect((await local.stores.editions.get('2026-11-24'))?.bounces).toBe(1);
  });
});
