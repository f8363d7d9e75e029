import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { stopFailure } from '../../lambdas/edition/ending.ts';
import type { EditionRecord } from '../../lambdas/edition/store.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { recordingEnding } from '../helpers/ending.ts';

const local = useTestEmulators();
const editors = 'editors@news.example.org';
const config = parseConfig({ reportAddress: editors });

/** An edition that went out and stopped, as deliver leaves it on an SES stop error. */
const stoppedEdition = async (): Promise<EditionRecord> => {
  const { editions } = local.stores;
  await editions.lock('2026-11-24', 'test');
  await editions.saveRendered('2026-11-24', { subject: 'Comet', preheader: '', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['comet', 'gone'] });
  await editions.addEnqueued('2026-11-24', 10, true);
  await editions.addOutcomes('2026-11-24', { sent: 4 });
  return (await editions.setStatus('2026-11-24', 'stopped', { from: ['sending'], reason: 'AccountSendingPausedException: Email sending is disabled for this account.' }))!;
};

describe('the edition ending', () => {
  it('leaves an end whose claim could not be written to the next worker that sees it, without throwing', async () => {
    const edition = await stoppedEdition();
    const recorder = recordingEnding(local, config);
    const unavailable = new Error('The level of configured provisioned throughput for the table was exceeded.');
    const failing = recorder.with({ editions: { claimReport: () => Promise.reject(unavailable) } });

    await failing.settle(edition);
    expect(recorder.published).toEqual([]);
    expect(recorder.logs).toEqual([
      {
        level: 'error',
        message: 'edition end could not be claimed: its metric and report wait for the next worker that sees it',
        details: { editionId: '2026-11-24', status: 'stopped', statusAt: edition.statusAt, error: unavailable },
      },
    ]);
    await recorder.ending.settle(edition);

    expect(recorder.published).toEqual([{ metric: 'EditionsStopped', dimensions: { reason: 'AccountSendingPausedException' } }]);
    expect((await local.emulators.inbox()).map((message) => message.subject)).toEqual([`${config.newsletterName} report: 2026-11-24 stopped, 4 sent`]);
  });

  it('names the stories by id when their headlines cannot be read, and still mails the report', async () => {
    const edition = await stoppedEdition();
    const recorder = recordingEnding(local, config);

    await recorder.with({ stories: () => Promise.reject(new Error('articles table unreachable')) }).settle(edition);

    expect(recorder.logs.find((line) => line.level === 'warn')).toMatchObject({ message: 'edition report: the stories could not be read, their ids stand for them' });
    const [report] = await local.emulators.inbox();
    expect(report?.body.text).toMatch(/^stories {7}1\. comet$/m);
    expect(report?.body.text).toMatch(/^ {14}2\. gone$/m);
  });

  it('publishes and logs the end but mails nothing without reportAddress', async () => {
    const edition = await stoppedEdition();
    const recorder = recordingEnding(local, parseConfig({}));

    await recorder.ending.settle(edition);
    await recorder.ending.settle(edition);

    expect(recorder.published).toEqual([{ metric: 'EditionsStopped', dimensions: { reason: 'AccountSendingPausedException' } }]);
    expect(recorder.logs.map((line) => line.level)).toEqual(['error']);
    expect(await local.emulators.inbox()).toEqual([]);
  });

  it('does nothing for an edition that has not ended', async () => {
    const { editions } = local.stores;
    await editions.lock('2026-11-24', 'test');
    const recorder = recordingEnding(local, config);

    await recorder.ending.settle(await editions.get('2026-11-24'));
    await recorder.ending.settle(undefined);

    expect(recorder.published).toEqual([]);
    expect(recorder.logs).toEqual([]);
  });
});

describe('stopFailure (the SES reason of a stop, from its status reason)', () => {
  it('reads the code of a `Code: message` reason, which deliver and compose write', () => {
    expect(stopFailure('Throttling: Daily message quota exceeded.')).toEqual({ code: 'Throttling', message: 'Daily message quota exceeded.' });
    expect(stopFailure('ComposeFailed: Item size has exceeded the maximum allowed size')).toEqual({ code: 'ComposeFailed', message: 'Item size has exceeded the maximum allowed size' });
    expect(stopFailure('a sentence: not a code')).toEqual({ code: 'Unknown', message: 'a sentence: not a code' });
    expect(stopFailure(undefined)).toEqual({ code: 'Unknown', message: '' });
  });
});
