import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import type { EditionEnding } from '../../lambdas/edition/ending.ts';
import type { EditionStore } from '../../lambdas/edition/store.ts';
import { type Mailer, SendError } from '../../lambdas/mail/mailer.ts';
import { compose, type ComposeDeps } from '../../lambdas/sending/compose.ts';
import { ComposeError } from '../../lambdas/sending/compose-request.ts';
import { createDeliverer } from '../../lambdas/sending/deliver.ts';
import { type DeliveryJob, encodeJob } from '../../lambdas/sending/queue.ts';
import type { SendQuota } from '../../lambdas/sending/quota.ts';
import { TokenBucket } from '../../lambdas/sending/token-bucket.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { createInProcessQueue } from '../../local/in-process-queue.ts';
import { sendLocally } from '../../local/send.ts';
import { recordingEnding } from '../helpers/ending.ts';
import { startFaultySes } from '../helpers/ses-faults.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';
import { editionId, useEditionDay } from './edition-day.ts';

const editors = 'editors@news.example.org';
const config = parseConfig({ siteUrl: 'https://briefing.example.com', reportAddress: editors });
const secret = 'test-secret';

const { local, addSubscribers } = useEditionDay('Ministers agree a budget');

const inboxOf = async (predicate: (to: string) => boolean) => (await local.emulators.inbox()).filter((message) => message.destination.to.some(predicate));
const reports = () => inboxOf((to) => to === editors);
const readers = () => inboxOf((to) => to !== editors);

/** The jobs compose queues, kept to be handed to deliver by hand. */
const capturingQueue = () => {
  const jobs: DeliveryJob[] = [];
  return { jobs, queue: { enqueue: async (queued: readonly DeliveryJob[]) => void jobs.push(...queued) } };
};

const deliverer = (ending: EditionEnding, mailer: Mailer = local.emulators.mailer) =>
  createDeliverer({ stores: local.stores, links: subscriptionLinks(config, secret), bucket: new TokenBucket({ ratePerSecond: 1000 }), mailer, ending });

/** An SQS event of these jobs, as the event source hands a batch to deliver. */
const batch = (jobs: readonly DeliveryJob[], prefix: string): SQSEvent => ({ Records: jobs.map((job, index) => sqsRecord('delivery', `${prefix}-${index}`, encodeJob(job))) });

/** compose, then deliver through the in-process queue (several workers), both telling `ending`; resolves when the queue is empty. */
const sendThrough = async (ending: EditionEnding, options: { readonly mailer?: Mailer; readonly request?: Parameters<typeof compose>[0]; readonly deps?: Partial<ComposeDeps> } = {}) => {
  const worker = deliverer(ending, options.mailer);
  const queue = createInProcessQueue({ handler: (event) => worker.handler(event), batchSize: 4, concurrency: 3, visibilityTimeoutMs: 100 });
  try {
    const result = await compose(options.request ?? { date: editionId }, { stores: local.stores, queue, config, mailer: local.emulators.mailer, owner: 'test', ending, ...options.deps });
    await queue.drained();
    return result;
  } finally {
    queue.close();
  }
};

describe('the end of an edition', () => {
  it('is reported once when its last batch completes it, even when a second worker finds it ended at the same moment', async () => {
    await addSubscribers(2);
    const { jobs, queue } = capturingQueue();
    await compose({ date: editionId }, { stores: local.stores, queue, config, mailer: local.emulators.mailer, owner: 'test' });
    const recorder = recordingEnding(local, config);
    // The race: each worker's claim waits for the other's, so that both reach the store together.
    let arrived = 0;
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    let secondMayStart!: () => void;
    const firstIsClaiming = new Promise<void>((resolve) => (secondMayStart = resolve));
    const racing: EditionStore['claimReport'] = async (...args) => {
      arrived += 1;
      if (arrived === 1) secondMayStart();
      else release();
      await together;
      return local.stores.editions.claimReport(...args);
    };
    const editions = { ...local.stores.editions, claimReport: racing };

    // The first worker sends to both readers and completes the edition; SQS hands one of them to a second worker
    // again (at least once), which counts it as a duplicate and sees the edition sent, its end not yet claimed.
    const first = deliverer(recorder.with({ editions })).handler(batch(jobs, 'first'));
    await firstIsClaiming;
    const second = deliverer(recorder.with({ editions })).handler(batch([jobs[0]!], 'second'));

    expect(await Promise.all([first, second])).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(arrived).toBe(2);
    expect(recorder.published).toEqual([{ metric: 'EditionsSent' }]);
    expect(recorder.logs.filter((line) => line.message === 'edition sent')).toEqual([
      { level: 'info', message: 'edition sent', details: { editionId, recipients: 2, sent: 2, skipped: 0, failed: 0, uncertain: 0 } },
    ]);
    const edition = await local.stores.editions.get(editionId);
    expect(edition).toMatchObject({ status: 'sent', sent: 2, duplicates: 1, reportedFor: edition?.statusAt });
    const [report, ...more] = await reports();
    expect(more).toEqual([]);
    const mail = await local.emulators.parsed(report!.messageId);
    expect(mail.subject).toBe(`${config.newsletterName} report: ${editionId} sent, 2 sent`);
    expect(mail.from?.value).toEqual([{ name: config.senderName, address: config.senderAddress }]);
    expect(mail.text).toContain(`Edition ${editionId} was sent to 2 of 2 recipients.`);
    expect(mail.text).toMatch(/^stories {7}1\. Ministers agree a budget <https:\/\/news\.example\.com\/lead>$/m);
    expect(mail.text).toMatch(/^ {14}2\. Headline of second <https:\/\/news\.example\.com\/second>$/m);
    expect(mail.html).toContain('<a href="https://news.example.com/lead">Ministers agree a budget</a>');
  });

  it('publishes EditionsStopped with the SES reason on a stop error and reports the stop once, whichever batch settles it', async () => {
    await addSubscribers(12);
    let calls = 0;
    const faulty = await startFaultySes(local.emulators.sesEndpoint, () => (++calls > 3 ? { status: 400, code: 'Throttling', message: 'Daily message quota exceeded.' } : undefined));
    const recorder = recordingEnding(local, config);
    try {
      // SES refuses the briefings; the report goes out through the emulator itself, to be read here (in AWS a stop
      // that refuses every message refuses the report too: it is logged as not mailed, and the alarm still fires).
      await sendThrough(recorder.ending, { mailer: sesMailer(faulty.client) });
    } finally {
      await faulty.close();
    }

    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'stopped', statusReason: 'Throttling: Daily message quota exceeded.', sent: 3 });
    expect(recorder.published).toEqual([{ metric: 'EditionsStopped', dimensions: { reason: 'DailyQuotaExceeded' } }]);
    expect(recorder.logs.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: `edition ${editionId} stopped: Throttling: Daily message quota exceeded.; once the cause is fixed: briefing send --date ${editionId} --resume`,
        details: expect.objectContaining({ editionId, reason: 'DailyQuotaExceeded', sent: 3, recipients: 12 }),
      },
    ]);
    const [report, ...more] = await reports();
    expect(more).toEqual([]);
    const mail = await local.emulators.parsed(report!.messageId);
    expect(mail.subject).toBe(`${config.newsletterName} report: ${editionId} stopped, 3 sent`);
    expect(mail.text).toContain(`Edition ${editionId} stopped after 3 of 12 recipients: Throttling: Daily message quota exceeded.`);
    expect(mail.text).toContain(`npx briefing send --date ${editionId} --resume`);
  });

  it('is reported by compose when there is nobody to send to: the edition is sent at once', async () => {
    const { jobs, queue } = capturingQueue();
    const recorder = recordingEnding(local, config);

    const result = await compose({ date: editionId }, { stores: local.stores, queue, config, mailer: local.emulators.mailer, owner: 'test', ending: recorder.ending });

    expect(result).toMatchObject({ kind: 'sending', recipients: 0 });
    expect(jobs).toEqual([]);
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 0 });
    expect(recorder.published).toEqual([{ metric: 'EditionsSent' }]);
    const [report, ...more] = await reports();
    expect(more).toEqual([]);
    expect(report!.subject).toBe(`${config.newsletterName} report: ${editionId} sent, 0 sent`);
    expect(report!.body.text).toContain(`Edition ${editionId} was sent to 0 of 0 recipients.`);
  });

  it('logs a report mail that failed, with what it was about, and fails no batch', async () => {
    await addSubscribers(3);
    const { jobs, queue } = capturingQueue();
    await compose({ date: editionId }, { stores: local.stores, queue, config, mailer: local.emulators.mailer, owner: 'test' });
    const refused = new SendError('stop', 'AccountSendingPausedException', 'Email sending is disabled for this account.');
    const recorder = recordingEnding(local, config);

    const response = await deliverer(recorder.with({ sender: { sendSimple: () => Promise.reject(refused) } })).handler(batch(jobs, 'm'));

    expect(response).toEqual({ batchItemFailures: [] });
    const edition = await local.stores.editions.get(editionId);
    expect(edition).toMatchObject({ status: 'sent', sent: 3 });
    expect(recorder.published).toEqual([{ metric: 'EditionsSent' }]);
    expect(recorder.logs.filter((line) => line.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'edition report not mailed (briefing editions show has the same figures)',
        details: { editionId, status: 'sent', statusAt: edition?.statusAt, reportAddress: editors, error: refused },
      },
    ]);
    expect(await reports()).toEqual([]);
    expect(await readers()).toHaveLength(3);
  });

  it('lands in the local inbox when a local send (briefing send, briefing dev) ends and reportAddress is set', async () => {
    await addSubscribers(4);

    await sendLocally({ date: editionId }, { stores: local.stores, mailer: local.emulators.mailer, reportMailer: local.emulators.mailer, config, tokenSecret: secret, ratePerSecond: 1000 });

    const [report, ...more] = await reports();
    expect(more).toEqual([]);
    const mail = await local.emulators.parsed(report!.messageId);
    expect(mail.subject).toBe(`${config.newsletterName} report: ${editionId} sent, 4 sent`);
    expect(mail.text).toMatch(/^recipients {4}4$/m);
    expect(mail.text).toMatch(/^unsubscribes {2}0 since the send started$/m);
    expect(mail.text).toMatch(/^send rate {5}[\d.]+\/s achieved of a 1000\/s budget/m);
  });
});

describe('the quota pre-check', () => {
  const quota =
    (left: number): (() => Promise<SendQuota>) =>
    async () => ({ max24HourSend: 1000, sentLast24Hours: 1000 - left, maxSendRate: 14 });

  it('stops an edition larger than what is left of the 24-hour quota before anybody is queued, reports it and says why', async () => {
    await addSubscribers(10);
    const { jobs, queue } = capturingQueue();
    const recorder = recordingEnding(local, config);

    const refused = compose({ date: editionId }, { stores: local.stores, queue, config, mailer: local.emulators.mailer, owner: 'test', sendQuota: quota(4), ending: recorder.ending });

    await expect(refused).rejects.toThrow(ComposeError);
    await expect(refused).rejects.toThrow(
      `edition ${editionId} stopped before sending anybody: the edition has 10 recipients but only 4 of the 24-hour SES quota are left (1,000 a day, 996 sent in the last 24 hours)`,
    );
    expect(jobs).toEqual([]);
    expect(await local.stores.editions.get(editionId)).toMatchObject({
      status: 'stopped',
      enqueued: 0,
      statusReason: expect.stringMatching(/^InsufficientSendQuota: the edition has 10 recipients but only 4 of the 24-hour SES quota are left/),
    });
    expect(recorder.published).toEqual([{ metric: 'EditionsStopped', dimensions: { reason: 'InsufficientSendQuota' } }]);
    expect((await reports()).map((report) => report.subject)).toEqual([`${config.newsletterName} report: ${editionId} stopped, 0 sent`]);
    expect(await readers()).toEqual([]);
  });

  it('checks a resume too (the recipients it would queue): refused, the edition stays stopped and is reported again; with room, it sends', async () => {
    const emails = await addSubscribers(10);
    const recorder = recordingEnding(local, config);
    await expect(sendThrough(recorder.ending, { deps: { sendQuota: quota(4) } })).rejects.toThrow(ComposeError);

    await expect(sendThrough(recorder.ending, { request: { date: editionId, resume: true }, deps: { sendQuota: quota(9) } })).rejects.toThrow(/the edition has 10 recipients but only 9/);
    expect(await readers()).toEqual([]);
    const resumed = await sendThrough(recorder.ending, { request: { date: editionId, resume: true }, deps: { sendQuota: quota(10) } });

    expect(resumed).toMatchObject({ kind: 'sending', resumed: true, recipients: 10 });
    expect((await readers()).flatMap((message) => message.destination.to).sort()).toEqual([...emails].sort());
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', sent: 10, enqueued: 10 });
    expect(recorder.published).toEqual([
      { metric: 'EditionsStopped', dimensions: { reason: 'InsufficientSendQuota' } },
      { metric: 'EditionsStopped', dimensions: { reason: 'InsufficientSendQuota' } },
      { metric: 'EditionsSent' },
    ]);
    expect((await reports()).map((report) => report.subject.replace(`${config.newsletterName} report: ${editionId} `, ''))).toEqual(['stopped, 0 sent', 'stopped, 0 sent', 'sent, 10 sent']);
  });

  it('sends an edition that fits, and logs what is left', async () => {
    await addSubscribers(10);
    const logged: [string, Record<string, unknown> | undefined][] = [];
    const recorder = recordingEnding(local, config);

    const result = await sendThrough(recorder.ending, { deps: { sendQuota: quota(10), log: (message, details) => void logged.push([message, details]) } });

    expect(result).toMatchObject({ kind: 'sending', recipients: 10 });
    expect(await readers()).toHaveLength(10);
    expect(logged).toContainEqual(['send quota checked', { editionId, recipients: 10, remainingAfter: 0, secondsAtMaxRate: 10 / 14 }]);
  });

  it('sends anyway, and says so, when SES does not answer GetSendQuota', async () => {
    await addSubscribers(3);
    const logged: [string, Record<string, unknown> | undefined][] = [];
    const recorder = recordingEnding(local, config);
    const unanswered = () => Promise.reject(new Error('Rate exceeded'));

    const result = await sendThrough(recorder.ending, { deps: { sendQuota: unanswered, log: (message, details) => void logged.push([message, details]) } });

    expect(result).toMatchObject({ kind: 'sending', recipients: 3 });
    expect(await readers()).toHaveLength(3);
    expect(logged).toContainEqual(['send quota not checked: SES did not answer GetSendQuota; sending anyway', { editionId, error: 'Rate exceeded' }]);
  });
});
