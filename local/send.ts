import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BriefingConfig } from '../lambdas/config/config.ts';
import { createEditionEnding, type EditionEnding, storiesFromArticles } from '../lambdas/edition/ending.ts';
import type { Mailer, SimpleMailer } from '../lambdas/mail/mailer.ts';
import { compose, type ComposeResult } from '../lambdas/sending/compose.ts';
import { type ComposeRequest, parseComposeRequest } from '../lambdas/sending/compose-request.ts';
import { createDeliverer, type DeliverDeps } from '../lambdas/sending/deliver.ts';
import { type DeliveryRecord, ownerOfClaim } from '../lambdas/sending/delivery-store.ts';
import { dateInZone } from '../lambdas/edition/model.ts';
import { TokenBucket } from '../lambdas/sending/token-bucket.ts';
import { noOutcomes, type OutcomeName } from '../lambdas/edition/store.ts';
import type { Stores } from '../lambdas/stores.ts';
import { subscriptionLinks } from '../lambdas/subscription/links.ts';
import { createInProcessQueue } from './in-process-queue.ts';

export interface LocalSendOptions {
  readonly stores: Stores;
  /** Sends the edition and the test copies (wrap it to inject faults). */
  readonly mailer: Mailer;
  /** Mails the edition's report when it ends (to `reportAddress`, when the config has one). */
  readonly reportMailer: SimpleMailer;
  readonly config: BriefingConfig;
  readonly tokenSecret: string;
  /** Emails per second for all workers together. */
  readonly ratePerSecond: number;
  /** Deliver calls in flight at once, like the deliver function's SQS maximum concurrency. @default 4 */
  readonly workers?: number;
  readonly retry?: DeliverDeps['retry'];
  /** @default DeliverDeps['leaseMs'] */
  readonly leaseMs?: number;
  /** Who this process is, in the edition lock and in its delivery claims. @default `cli:<host>:<pid>` */
  readonly owner?: string;
  /** Told what a resume does about claims a killed send left behind, and a report mail that failed (one line each). */
  readonly onNotice?: (line: string) => void;
  /** Told once compose has queued the edition (the recipient total is known). */
  readonly onQueued?: (result: ComposeResult) => void;
  readonly onOutcome?: (outcome: OutcomeName, email: string, detail?: string) => void;
}

export interface LocalSendResult {
  readonly result: ComposeResult;
  /** What this run's deliveries came to. */
  readonly counts: Record<OutcomeName, number>;
  /** Queue messages that failed too often (the dead-letter queue's content). */
  readonly deadLetters: readonly string[];
  readonly durationMs: number;
}

/**
 * The edition's end as this machine reports it: the report mail to `reportAddress` through the same mailer (the
 * local inbox), no metrics (there is no CloudWatch), and of the log only the ending's own failures, as notices:
 * the send's summary already says how the edition ended.
 */
const localEnding = (options: LocalSendOptions): EditionEnding => {
  const notice = (message: string, details: Record<string, unknown>) => {
    if (details.error instanceof Error) options.onNotice?.(`${message}: ${details.error.message}`);
  };
  return createEditionEnding({
    editions: options.stores.editions,
    config: options.config,
    sender: options.reportMailer,
    stories: storiesFromArticles(options.stores.articles),
    budgetPerSecond: options.ratePerSecond,
    publish: () => undefined,
    log: { info: () => undefined, warn: notice, error: notice },
  });
};

/** A `briefing send` process on this machine, as its claims name it. */
const localOwner = (pid: number) => `cli:${hostname()}:${pid}`;

/** Whether a claim's owner is a process of this machine that has exited (signal 0 tests for it without touching it). */
const ownerIsGone = (owner: string): number | undefined => {
  const pid = Number(/^cli:.+:(\d+)$/.exec(owner)?.[1]);
  if (!Number.isInteger(pid) || owner !== localOwner(pid)) return undefined;
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? pid : undefined;
  }
};

const deliveries = (count: number) => (count === 1 ? '1 delivery was' : `${count} deliveries were`);

/**
 * Before a local resume: the claims a killed send left. A claim is taken right before its SES call, so one left
 * unfinished may or may not have been sent; it is recorded uncertain (never sent again on its own). That is done
 * at once for a claim of a process of this machine that is gone, and for one whose lease has run out; for any
 * other (its owner may still be sending) the resume waits for the lease first. Each step is told to `onNotice`.
 */
const settleLeftClaims = async (editionId: string, options: LocalSendOptions): Promise<void> => {
  const notice = options.onNotice ?? (() => undefined);
  const claimed = (await options.stores.deliveries.list(editionId)).filter((delivery) => delivery.status === 'claimed' && delivery.claimToken !== undefined);
  const record = async (left: DeliveryRecord[], reason: string): Promise<number> => {
    let recorded = 0;
    for (const delivery of left) if (await options.stores.deliveries.markUncertain(editionId, delivery.email, delivery.claimToken!, `abandoned mid-send: ${reason}`)) recorded += 1;
    return recorded;
  };
  const byOwner = new Map<string, DeliveryRecord[]>();
  for (const delivery of claimed) {
    const owner = ownerOfClaim(delivery.claimToken!);
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), delivery]);
  }
  for (const [owner, left] of byOwner) {
    const gone = ownerIsGone(owner);
    if (gone !== undefined) {
      const recorded = await record(left, `process ${gone} (briefing send) stopped before recording SES's answer`);
      if (recorded > 0) notice(`${deliveries(recorded)} being handed to SES by process ${gone} (briefing send), which is gone: recorded as uncertain, since SES may or may not have sent ${recorded === 1 ? 'it' : 'them'}.`);
      continue;
    }
    const leaseEnds = Math.max(...left.map((delivery) => delivery.leaseUntil ?? 0));
    const wait = leaseEnds - Date.now();
    if (wait > 0) {
      notice(`Waiting ${(wait / 1000).toFixed(1)} s for ${left.length === 1 ? '1 delivery' : `${left.length} deliveries`} claimed by ${owner}, which may still be sending (until the claim's lease ends).`);
      await sleep(wait);
    }
    const recorded = await record(left, `the worker that claimed it (${owner}) stopped before recording SES's answer`);
    if (recorded > 0) notice(`${deliveries(recorded)} claimed by ${owner} and left unfinished: recorded as uncertain, since SES may or may not have sent ${recorded === 1 ? 'it' : 'them'}.`);
  }
};

/**
 * The whole pipeline in one process: compose queues the edition into an in-process stand-in for SQS,
 * whose consumer is the same deliver handler the Lambda runs; returns when every message is handled.
 * The request is checked as the compose function checks its event.
 */
export const sendLocally = async (input: ComposeRequest, options: LocalSendOptions): Promise<LocalSendResult> => {
  const request = parseComposeRequest(input);
  const started = performance.now();
  const owner = options.owner ?? localOwner(process.pid);
  if (request.resume) await settleLeftClaims(request.date ?? dateInZone(options.config.timeZone), options);
  const counts = noOutcomes();
  const ending = localEnding(options);
  const deliverer = createDeliverer({
    stores: options.stores,
    links: subscriptionLinks(options.config, options.tokenSecret),
    bucket: new TokenBucket({ ratePerSecond: options.ratePerSecond }),
    mailer: options.mailer,
    retry: options.retry,
    leaseMs: options.leaseMs,
    owner,
    ending,
    onOutcome: (outcome, job, detail) => {
      counts[outcome] += 1;
      options.onOutcome?.(outcome, job.email, detail);
    },
  });
  const queue = createInProcessQueue({
    handler: (event) => deliverer.handler(event),
    concurrency: options.workers ?? 4,
    visibilityTimeoutMs: 1000,
  });
  try {
    // No quota pre-check here: aws-ses-v2-local does not answer GetSendQuota.
    const result = await compose(request, {
      stores: options.stores,
      queue,
      config: options.config,
      mailer: options.mailer,
      owner,
      sendRateBudget: options.ratePerSecond,
      ending,
      warn: (message, details) => options.onNotice?.(`${message}${details?.fallback ? `: ${String(details.fallback)}` : ''}`),
    });
    options.onQueued?.(result);
    await queue.drained();
    return { result, counts, deadLetters: queue.deadLetters, durationMs: performance.now() - started };
  } finally {
    queue.close();
  }
};
