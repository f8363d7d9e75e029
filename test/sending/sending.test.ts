import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { SQSEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { createInProcessQueue } from '../../local/in-process-queue.ts';
import { sendLocally, type LocalSendOptions } from '../../local/send.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import type { Mailer, SendOptions } from '../../lambdas/mail/mailer.ts';
import { compose } from '../../lambdas/sending/compose.ts';
import { ComposeError } from '../../lambdas/sending/compose-request.ts';
import { createDeliverer } from '../../lambdas/sending/deliver.ts';
import { type DeliveryJob, encodeJob } from '../../lambdas/sending/queue.ts';
import { TokenBucket } from '../../lambdas/sending/token-bucket.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { verifyToken } from '../../lambdas/subscription/tokens.ts';
import { destination, startFaultySes } from '../helpers/ses-faults.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';
import { editionId, useEditionDay } from './edition-day.ts';
import { killSwitch } from './kill-switch.ts';

const config = parseConfig({ siteUrl: 'https://briefing.example.com', replyTo: 'desk@example.com', newsletterName: 'Morgen – Briefing' });
const secret = 'test-secret';

const { local, addSubscribers } = useEditionDay('Ministers agree a budget — after “long” talks');

const options = (overrides: Partial<LocalSendOptions> = {}): LocalSendOptions => ({
  stores: local.stores,
  mailer: local.emulators.mailer,
  reportMailer: local.emulators.mailer,
  config,
  tokenSecret: secret,
  ratePerSecond: 1000,
  ...overrides,
});

const recipientsInInbox = async () => (await local.emulators.inbox()).flatMap((message) => message.destination.to);

const countBy = (values: string[]) => values.reduce((counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1), new Map<string, number>());

describe('sending an edition', () => {
  it('mails every active subscriber once, each with their own unsubscribe link, and nobody else', async () => {
    const active = await addSubscribers(50);
    await addSubscribers(1, 'pending', 'pending');
    await addSubscribers(1, 'unsubscribed', 'left');
    await addSubscribers(1, 'suppressed', 'bounced');
    const raws: Buffer[] = [];
    const recording: Mailer = {
      send: (raw, sendOptions) => {
        raws.push(Buffer.from(raw));
        return local.emulators.mailer.send(raw, sendOptions);
      },
    };

    const { result, counts } = await sendLocally({ date: editionId }, options({ mailer: recording }));

    expect(result).toMatchObject({ kind: 'sending', recipients: 50, articleIds: ['lead', 'second'] });
    expect(counts).toMatchObject({ sent: 50, failed: 0, skipped: 0 });
    expect([...(await recipientsInInbox())].sort()).toEqual([...active].sort());
    const mails = await Promise.all(raws.map((raw) => simpleParser(raw)));
    const header = (mail: (typeof mails)[number], name: string) => mail.headerLines.find((line) => line.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');
    const unsubscribeUrls = mails.map((mail) => header(mail, 'list-unsubscribe')!.match(/^<(https:[^>]+)>/)![1]!);
    expect(new Set(unsubscribeUrls).size).toBe(50);
    const byId = new Map((await Promise.all(active.map((email) => local.stores.subscribers.get(email)))).map((s) => [s!.id, s!.email]));
    mails.forEach((mail, index) => {
      const token = new URL(unsubscribeUrls[index]!).searchParams.get('token')!;
      const check = verifyToken(secret, token, 'unsubscribe');
      expect(check.ok && byId.get(check.claims.subscriberId)).toBe((mail.to as { text: string }).text);
      expect(mail.html).toContain(unsubscribeUrls[index]!.replaceAll('&', '&amp;'));
    });
    const first = mails[0]!;
    expect(first.subject).toBe('Ministers agree a budget — after “long” talks');
    expect(first.from?.value[0]).toEqual({ name: config.senderName, address: config.senderAddress });
    expect(first.replyTo?.text).toBe('desk@example.com');
    expect(header(first, 'list-unsubscribe')).toMatch(/^<https:\/\/briefing\.example\.com\/unsubscribe\?token=[\w.-]+>, <mailto:desk@example\.com\?subject=unsubscribe>$/);
    expect(header(first, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(first, 'list-id')).toMatch(/<morgen-briefing\.example\.com>$/);
    expect(header(first, 'x-ses-configuration-set')).toBeUndefined();
    expect(header(first, 'feedback-id')).toBe(`${editionId}:morgen-briefing:briefing:example`);
    expect(first.text).toContain('Ministers agree a budget');
    expect((await local.stores.editions.get(editionId))).toMatchObject({ status: 'sent', sent: 50, enqueued: 50 });
  });

  it('sends nothing new when the same edition runs again, and one edition when two start together', async () => {
    await addSubscribers(12);
    const [first, second] = await Promise.all([sendLocally({ date: editionId }, options()), sendLocally({ date: editionId }, options())]);
    const third = await sendLocally({ date: editionId }, options());

    expect([first.result.kind, second.result.kind].sort()).toEqual(['already', 'sending']);
    expect(third.result).toEqual({ kind: 'already', editionId, status: 'sent' });
    expect(countBy(await recipientsInInbox()).size).toBe(12);
    expect([...countBy(await recipientsInInbox()).values()].every((times) => times === 1)).toBe(true);
  });

  it('records a skipped edition and sends nothing when there is no news', async () => {
    await addSubscribers(3);
    const { result } = await sendLocally({ date: '2026-12-25' }, options());
    expect(result).toMatchObject({ kind: 'skipped', editionId: '2026-12-25' });
    expect((await local.stores.editions.get('2026-12-25'))?.status).toBe('skipped');
    expect(await local.emulators.inbox()).toEqual([]);
  });

  it('refuses an unknown article id before anything is written or sent', async () => {
    await addSubscribers(3);
    await expect(sendLocally({ date: editionId, articleIds: ['lead', 'nope'] }, options())).rejects.toThrow(new ComposeError('no article with id nope in the article store (briefing articles list shows what is there)'));
    expect(await local.stores.editions.get(editionId)).toBeUndefined();
    expect(await local.emulators.inbox()).toEqual([]);
  });

  it('sends a test copy to any address without touching the edition or the deliveries', async () => {
    await addSubscribers(3);
    const { result } = await sendLocally({ date: editionId, to: 'editor@example.net' }, options());
    expect(result).toMatchObject({ kind: 'test', to: 'editor@example.net' });
    const inbox = await local.emulators.inbox();
    expect(inbox.map((message) => [message.destination.to, message.subject])).toEqual([[['editor@example.net'], expect.stringMatching(/^\[Test\] /)]]);
    expect(await local.stores.editions.get(editionId)).toBeUndefined();
    expect(await local.stores.deliveries.list(editionId)).toEqual([]);
  });

  it('counts the recipients on a dry run and sends and writes nothing', async () => {
    await addSubscribers(7);
    await addSubscribers(2, 'pending', 'pending');
    const { result } = await sendLocally({ date: editionId, dryRun: true }, options());
    expect(result).toMatchObject({ kind: 'dry-run', recipients: 7, articleIds: ['lead', 'second'] });
    expect(await local.stores.editions.get(editionId)).toBeUndefined();
    expect(await local.emulators.inbox()).toEqual([]);
  });
});

describe('unsubscribing while an edition is sending', () => {
  it('mails nobody whose unsubscribe was acknowledged before their send started, and counts them as skipped', async () => {
    const emails = await addSubscribers(12);
    const sendStarted = new Map<string, number>();
    const acknowledged = new Map<string, number>();
    let unsubscribing: Promise<unknown> | undefined;
    // Four readers still waiting for their turn unsubscribe once three mails are out, as the unsubscribe page does it.
    const unsubscribeFour = () =>
      Promise.all(
        emails
          .filter((email) => !sendStarted.has(email))
          .slice(-4)
          .map(async (email) => {
            await local.stores.subscribers.changeStatus(email, 'unsubscribed', { from: ['active'], reason: 'unsubscribed on the web page' });
            acknowledged.set(email, performance.now());
          }),
      );
    const watching: Mailer = {
      send: async (raw, sendOptions) => {
        sendStarted.set(sendOptions.destinations[0]!, performance.now());
        const messageId = await local.emulators.mailer.send(raw, sendOptions);
        if (sendStarted.size === 3) unsubscribing ??= unsubscribeFour();
        return messageId;
      },
    };

    // 4 a second: the twelve take three seconds, and the unsubscribes land about 0.6 s in.
    const { counts } = await sendLocally({ date: editionId }, options({ mailer: watching, ratePerSecond: 4 }));
    await unsubscribing;

    const inbox = await recipientsInInbox();
    const leftInTime = [...acknowledged].filter(([email, at]) => !(sendStarted.get(email)! < at)).map(([email]) => email);
    expect(acknowledged.size).toBe(4);
    expect(leftInTime.length).toBeGreaterThanOrEqual(3);
    expect(inbox.filter((email) => leftInTime.includes(email))).toEqual([]);
    expect(counts).toMatchObject({ sent: 12 - leftInTime.length, skipped: leftInTime.length });
    for (const email of leftInTime) expect(await local.stores.deliveries.get(editionId, email)).toMatchObject({ status: 'skipped', reason: 'subscriber is unsubscribed' });
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', sent: 12 - leftInTime.length, skipped: leftInTime.length, enqueued: 12 });
  });
});

describe('faults while sending', () => {
  const n = 10;

  it('hands back only the messages whose body is not a delivery job (partial batch response) and sends the rest', async () => {
    await addSubscribers(2);
    const jobs: DeliveryJob[] = [];
    await compose({ date: editionId }, { stores: local.stores, queue: { enqueue: async (queued) => void jobs.push(...queued) }, config, mailer: local.emulators.mailer, owner: 'test' });
    const deliverer = createDeliverer({ stores: local.stores, links: subscriptionLinks(config, secret), bucket: new TokenBucket({ ratePerSecond: 1000 }), mailer: local.emulators.mailer });

    const response = await deliverer.handler({
      Records: [
        sqsRecord('delivery', 'm-1', encodeJob(jobs[0]!)),
        sqsRecord('delivery', 'm-2', JSON.stringify({ editionId })),
        sqsRecord('delivery', 'm-3', 'not json'),
        sqsRecord('delivery', 'm-4', encodeJob(jobs[1]!)),
      ],
    });

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }] });
    expect((await recipientsInInbox()).sort()).toEqual(jobs.map((job) => job.email).sort());
  });

  type Death = 'waiting for its send token' | 'in the SES call, before SES has the message' | 'after SES answered';

  /**
   * Every SQS delivery of a batch is a new worker. The worker handling the (k+1)th send dies at `where` — nothing
   * it does or hears after that happens (a kill switch) — and the queue redelivers its batch to a new one.
   */
  const runWithCrash = async (k: number, where: Death) => {
    const emails = await addSubscribers(n);
    let takes = 0;
    let calls = 0;
    let victim: string | undefined;
    let crashed = false;
    const handler = (event: SQSEvent) => {
      const life = killSwitch();
      let die!: (error: Error) => void;
      const died = new Promise<never>((_, reject) => (die = reject));
      const kill = () => {
        crashed = true;
        life.kill();
        die(new Error(`worker died ${where} after ${k} sends`));
      };
      const bucket = new TokenBucket({ ratePerSecond: 1000 });
      const deliverer = createDeliverer({
        stores: life.stores(local.stores),
        links: subscriptionLinks(config, secret),
        leaseMs: 300,
        bucket: life.wrap({
          take: () => {
            if (!crashed && where === 'waiting for its send token' && takes++ === k) kill();
            return bucket.take();
          },
        }),
        mailer: life.wrap({
          send: async (raw: Uint8Array, sendOptions: SendOptions) => {
            if (crashed || calls++ !== k || where === 'waiting for its send token') return local.emulators.mailer.send(raw, sendOptions);
            victim = sendOptions.destinations[0];
            if (where === 'after SES answered') await local.emulators.mailer.send(raw, sendOptions);
            kill();
            return new Promise<string>(() => undefined);
          },
        }),
      });
      return Promise.race([deliverer.handler(event), died]);
    };
    const queue = createInProcessQueue({ handler, batchSize: 10, concurrency: 2, visibilityTimeoutMs: 100, maxReceiveCount: 50 });
    await compose({ date: editionId }, { stores: local.stores, queue, config, mailer: local.emulators.mailer, owner: 'test' });
    await queue.drained();
    return { emails, crashed, victim, deadLetters: queue.deadLetters };
  };

  /**
   * What holds wherever a worker dies: nobody gets two copies; every recipient ends sent (one copy) or uncertain
   * (claimed by the dead worker, so SES may or may not have it: never sent again); the edition finishes, each
   * recipient counted once.
   */
  const expectSettledOnce = async (emails: readonly string[]) => {
    const received = countBy(await recipientsInInbox());
    const deliveries = await local.stores.deliveries.list(editionId);
    expect([...received.values()].every((times) => times === 1)).toBe(true);
    expect(deliveries.map((delivery) => delivery.email).sort()).toEqual([...emails].sort());
    for (const delivery of deliveries) {
      expect(['sent', 'uncertain']).toContain(delivery.status);
      if (delivery.status === 'sent') expect(received.get(delivery.email)).toBe(1);
    }
    // A dead worker's outcomes were recorded but never counted: its redelivered jobs make the counts be made again.
    const uncertain = deliveries.filter((delivery) => delivery.status === 'uncertain').length;
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: n, sent: n - uncertain, uncertain });
    return new Map(deliveries.map((delivery) => [delivery.email, delivery]));
  };

  for (const k of [0, 1, n / 2, n - 1]) {
    it(`sends each recipient once when the worker dies waiting for a send token after ${k} of ${n} sends`, async () => {
      const { emails, crashed, deadLetters } = await runWithCrash(k, 'waiting for its send token');

      expect(crashed).toBe(true);
      expect(deadLetters).toEqual([]);
      // The records of the dead worker that had claimed and were in the SES call are uncertain; no claim, no doubt.
      const deliveries = await expectSettledOnce(emails);
      const received = countBy(await recipientsInInbox());
      for (const email of emails) if (!received.has(email)) expect(deliveries.get(email)?.status).toBe('uncertain');
    });

    it(`never sends twice when the worker dies in the SES call after ${k} of ${n} sends: that delivery is uncertain`, async () => {
      const { emails, crashed, victim, deadLetters } = await runWithCrash(k, 'in the SES call, before SES has the message');

      expect(crashed).toBe(true);
      expect(deadLetters).toEqual([]);
      const deliveries = await expectSettledOnce(emails);
      expect(deliveries.get(victim!)).toMatchObject({ status: 'uncertain', reason: expect.stringMatching(/^abandoned mid-send/) });
      expect(countBy(await recipientsInInbox()).has(victim!)).toBe(false);
    });

    it(`never sends twice when the worker dies after SES answered, before recording it, after ${k} of ${n} sends`, async () => {
      const { emails, crashed, victim, deadLetters } = await runWithCrash(k, 'after SES answered');

      expect(crashed).toBe(true);
      expect(deadLetters).toEqual([]);
      const deliveries = await expectSettledOnce(emails);
      expect(deliveries.get(victim!)?.status).toBe('uncertain');
      expect(countBy(await recipientsInInbox()).get(victim!)).toBe(1);
    });
  }

  it('delivers everything once when SES throttles 30 % of calls', async () => {
    await addSubscribers(30);
    let call = 0;
    const faulty = await startFaultySes(local.emulators.sesEndpoint, () =>
      (call += 1) % 10 < 3 ? { status: 400, code: 'Throttling', message: 'Maximum sending rate exceeded.' } : undefined,
    );
    try {
      const { counts } = await sendLocally({ date: editionId }, options({ mailer: sesMailer(faulty.client), retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 50 } }));

      expect(faulty.faults()).toBeGreaterThanOrEqual(9);
      expect(counts).toMatchObject({ sent: 30, failed: 0 });
      const received = countBy(await recipientsInInbox());
      expect(received.size).toBe(30);
      expect([...received.values()].every((times) => times === 1)).toBe(true);
    } finally {
      await faulty.close();
    }
  });

  it('records a delivery whose answer was lost after SES took it as uncertain, sends no second copy, and counts it', async () => {
    const emails = await addSubscribers(6);
    const lost = emails[2]!;
    let calls = 0;
    // The first call for that reader reaches SES, which mails it; the connection is cut before its answer gets back.
    const faulty = await startFaultySes(local.emulators.sesEndpoint, (params) => (destination(params) === lost && ++calls === 1 ? { dropReply: true } : undefined));
    try {
      const { counts } = await sendLocally({ date: editionId }, options({ mailer: sesMailer(faulty.client), retry: { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 } }));

      expect(calls).toBe(1);
      expect(countBy(await recipientsInInbox())).toEqual(new Map(emails.map((email) => [email, 1])));
      expect(counts).toMatchObject({ sent: 5, uncertain: 1, failed: 0, duplicates: 0 });
      expect(await local.stores.deliveries.get(editionId, lost)).toMatchObject({ status: 'uncertain', reason: 'ECONNRESET: socket hang up' });
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 6, sent: 5, uncertain: 1 });
    } finally {
      await faulty.close();
    }
  });

  it('sends the uncertain deliveries again only when asked to (--resume --retry-uncertain), also on a sent edition', async () => {
    const emails = await addSubscribers(4);
    const faulty = await startFaultySes(local.emulators.sesEndpoint, (params) => (destination(params) === emails[1] ? { dropReply: true } : undefined));
    try {
      await sendLocally({ date: editionId }, options({ mailer: sesMailer(faulty.client) }));
    } finally {
      await faulty.close();
    }

    const plain = await sendLocally({ date: editionId, resume: true }, options());
    const retried = await sendLocally({ date: editionId, resume: true, retryUncertain: true }, options());
    const again = await sendLocally({ date: editionId, resume: true, retryUncertain: true }, options());

    expect(plain.result).toEqual({ kind: 'already', editionId, status: 'sent' });
    expect(retried.result).toMatchObject({ kind: 'sending', resumed: true, recipients: 1 });
    expect(retried.counts).toMatchObject({ sent: 1, duplicates: 0 });
    // The operator's choice: that reader, whose first copy SES did take, has two.
    expect(countBy(await recipientsInInbox())).toEqual(new Map(emails.map((email) => [email, email === emails[1] ? 2 : 1])));
    expect(await local.stores.deliveries.get(editionId, emails[1]!)).toMatchObject({ status: 'sent' });
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 4, sent: 4, uncertain: 0 });
    expect(again.result).toEqual({ kind: 'already', editionId, status: 'sent' });
  });

  it('fails only the record, never the edition, when a store call fails mid-send; the queue sends it again, once', async () => {
    const emails = await addSubscribers(5);
    let thrown = false;
    const { subscribers } = local.stores;
    // The read right before SES fails once for one reader (the claim is already written).
    const get = async (email: string) => {
      if (email !== emails[2] || thrown) return subscribers.get(email);
      thrown = true;
      throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded.'), { name: 'ProvisionedThroughputExceededException' });
    };

    const { counts, deadLetters } = await sendLocally({ date: editionId }, options({ stores: { ...local.stores, subscribers: { ...subscribers, get } } }));

    expect(thrown).toBe(true);
    expect(deadLetters).toEqual([]);
    expect(counts).toMatchObject({ sent: 5, dropped: 0, uncertain: 0 });
    expect(countBy(await recipientsInInbox())).toEqual(new Map(emails.map((email) => [email, 1])));
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', sent: 5 });
  });

  it('records a permanently rejected address as failed and delivers the rest', async () => {
    const emails = await addSubscribers(8);
    const faulty = await startFaultySes(local.emulators.sesEndpoint, (params) =>
      destination(params) === emails[3] ? { status: 400, code: 'MessageRejected', message: 'Email address is on the suppression list for your account.' } : undefined,
    );
    try {
      const { counts } = await sendLocally({ date: editionId }, options({ mailer: sesMailer(faulty.client) }));

      expect(counts).toMatchObject({ sent: 7, failed: 1 });
      expect((await recipientsInInbox()).sort()).toEqual(emails.filter((email) => email !== emails[3]).sort());
      expect(await local.stores.deliveries.get(editionId, emails[3]!)).toMatchObject({ status: 'failed', reason: expect.stringContaining('MessageRejected') });
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', sent: 7, failed: 1 });
    } finally {
      await faulty.close();
    }
  });

  it('stops the edition when SES pauses sending, and a resume sends to the rest once', async () => {
    const emails = await addSubscribers(10);
    let paused = true;
    let accepted = 0;
    const faulty = await startFaultySes(local.emulators.sesEndpoint, () => {
      if (paused && accepted >= 4) return { status: 400, code: 'AccountSendingPausedException', message: 'Email sending is disabled for this account.' };
      accepted += 1;
      return undefined;
    });
    try {
      const first = await sendLocally({ date: editionId }, options({ mailer: sesMailer(faulty.client), workers: 1 }));
      expect((await local.stores.editions.get(editionId))?.status).toBe('stopped');
      expect(first.counts.sent).toBe(4);

      // Resumed while SES still refuses: it stops again, having queued only the six without an outcome, and counted nobody twice.
      const again = await sendLocally({ date: editionId, resume: true }, options({ mailer: sesMailer(faulty.client), workers: 1 }));
      expect(again.result).toMatchObject({ kind: 'sending', resumed: true, recipients: 6 });
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'stopped', enqueued: 10, sent: 4 });

      paused = false;
      const resumed = await sendLocally({ date: editionId, resume: true }, options({ mailer: sesMailer(faulty.client) }));

      expect(resumed.result).toMatchObject({ kind: 'sending', resumed: true, recipients: 6 });
      expect(resumed.counts).toMatchObject({ sent: 6, duplicates: 0 });
      expect((await recipientsInInbox()).sort()).toEqual([...emails].sort());
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 10, sent: 10 });
    } finally {
      await faulty.close();
    }
  });
});

describe('killing a send part way and resuming it', () => {
  const n = 12;
  const killedRun = 'cli:killed-run';

  const killPoints = ['while queueing', 'before the 5th claim', 'in the 5th SES call', 'after SES answered the 5th call', 'before the first counts were added'] as const;

  /** A local send (the whole process: compose, queue, workers) killed at `where`; what it had in flight then is never heard of again. */
  const sendAndKill = async (where: (typeof killPoints)[number]) => {
    const emails = await addSubscribers(n);
    const life = killSwitch();
    let killed!: () => void;
    const dead = new Promise<void>((resolve) => (killed = resolve));
    // Dies before the write it is about to make leaves the process.
    const die = () => {
      life.kill();
      killed();
      return new Promise<never>(() => undefined);
    };
    let calls = 0;
    let claims = 0;
    let victim: string | undefined;
    const mailer: Mailer = {
      send: async (raw, sendOptions) => {
        if (++calls !== 5 || !(where === 'in the 5th SES call' || where === 'after SES answered the 5th call')) return local.emulators.mailer.send(raw, sendOptions);
        victim = sendOptions.destinations[0];
        if (where === 'after SES answered the 5th call') await local.emulators.mailer.send(raw, sendOptions);
        return die();
      },
    };
    const { editions, deliveries } = local.stores;
    const stores = life.stores({
      ...local.stores,
      editions: {
        ...editions,
        addEnqueued: (...args) => (where === 'while queueing' ? die() : editions.addEnqueued(...args)),
        addOutcomes: (...args) => (where === 'before the first counts were added' ? die() : editions.addOutcomes(...args)),
      },
      deliveries: { ...deliveries, claim: (...args) => (where === 'before the 5th claim' && ++claims === 5 ? die() : deliveries.claim(...args)) },
    });
    void sendLocally({ date: editionId }, options({ stores, mailer: life.wrap(mailer), ratePerSecond: 40, owner: killedRun, leaseMs: 400 }));
    await dead;
    return { emails, victim };
  };

  for (const where of killPoints) {
    it(`sends every subscriber once, finishes the edition and counts each recipient once when killed ${where} and resumed at once`, async () => {
      const { emails, victim } = await sendAndKill(where);
      const notices: string[] = [];

      const resumed = await sendLocally({ date: editionId, resume: true }, options({ ratePerSecond: 200, onNotice: (line) => notices.push(line) }));

      expect(resumed.result).toMatchObject({ kind: 'sending', resumed: true });
      expect(resumed.deadLetters).toEqual([]);
      const received = countBy(await recipientsInInbox());
      const deliveries = await local.stores.deliveries.list(editionId);
      expect(deliveries.map((delivery) => delivery.email).sort()).toEqual([...emails].sort());
      expect([...received.values()].every((times) => times === 1)).toBe(true);
      for (const delivery of deliveries) {
        if (delivery.status === 'sent') expect(received.get(delivery.email)).toBe(1);
        // Only what the killed run had claimed, right before its SES call, and never recorded.
        else expect(delivery).toMatchObject({ status: 'uncertain', reason: expect.stringMatching(/^abandoned mid-send/), claimToken: expect.stringMatching(new RegExp(`^${killedRun}#`)) });
      }
      const uncertain = deliveries.filter((delivery) => delivery.status === 'uncertain').length;
      if (victim) {
        expect(deliveries.find((delivery) => delivery.email === victim)?.status).toBe('uncertain');
        expect(received.get(victim)).toBe(where === 'after SES answered the 5th call' ? 1 : undefined);
      }
      if (uncertain > 0) expect(notices.join('\n')).toContain(`claimed by ${killedRun}`);
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: n, sent: n - uncertain, uncertain, skipped: 0, failed: 0 });
    });
  }

  it('records a claim of a process that is gone as uncertain at once, and says so, instead of waiting for its lease', async () => {
    const emails = await addSubscribers(3);
    await compose({ date: editionId }, { stores: local.stores, queue: { enqueue: async () => undefined }, config, mailer: local.emulators.mailer, owner: 'test' });
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await local.stores.deliveries.claim(editionId, emails[1]!, `cli:${hostname()}:${gone}#3f1c`, 5 * 60_000);
    const notices: string[] = [];

    const resumed = await sendLocally({ date: editionId, resume: true }, options({ onNotice: (line) => notices.push(line) }));

    expect(resumed.durationMs).toBeLessThan(60_000);
    expect(notices).toEqual([`1 delivery was being handed to SES by process ${gone} (briefing send), which is gone: recorded as uncertain, since SES may or may not have sent it.`]);
    expect(await local.stores.deliveries.get(editionId, emails[1]!)).toMatchObject({ status: 'uncertain' });
    expect((await recipientsInInbox()).sort()).toEqual([emails[0], emails[2]]);
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 3, sent: 2, uncertain: 1 });
  });
});
