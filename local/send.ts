import { hostname } from 'node:os';
import type { BriefingConfig } from '../lambdas/config/config.ts';
import type { Mailer } from '../lambdas/mail/mailer.ts';
import { compose, type ComposeResult } from '../lambdas/sending/compose.ts';
import { type ComposeRequest, parseComposeRequest } from '../lambdas/sending/compose-request.ts';
import { createDeliverer, type DeliverDeps } from '../lambdas/sending/deliver.ts';
import { TokenBucket } from '../lambdas/sending/token-bucket.ts';
import { noOutcomes, type OutcomeName } from '../lambdas/edition/store.ts';
import type { Stores } from '../lambdas/stores.ts';
import { subscriptionLinks } from '../lambdas/subscription/links.ts';
import { createInProcessQueue } from './in-process-queue.ts';

export interface LocalSendOptions {
  readonly stores: Stores;
  /** Sends the edition and the test copies (wrap it to inject faults). */
  readonly mailer: Mailer;
  readonly config: BriefingConfig;
  readonly tokenSecret: string;
  /** Emails per second for all workers together. */
  readonly ratePerSecond: number;
  /** Deliver calls in flight at once, like the deliver function's SQS maximum concurrency. @default 4 */
  readonly workers?: number;
  readonly retry?: DeliverDeps['retry'];
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
 * The whole pipeline in one process: compose queues the edition into an in-process stand-in for SQS,
 * whose consumer is the same deliver handler the Lambda runs; returns when every message is handled.
 * The request is checked as the compose function checks its event.
 */
export const sendLocally = async (input: ComposeRequest, options: LocalSendOptions): Promise<LocalSendResult> => {
  const request = parseComposeRequest(input);
  const started = performance.now();
  const counts = noOutcomes();
  const deliverer = createDeliverer({
    stores: options.stores,
    config: options.config,
    links: subscriptionLinks(options.config, options.tokenSecret),
    bucket: new TokenBucket({ ratePerSecond: options.ratePerSecond }),
    mailer: options.mailer,
    retry: options.retry,
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
    const result = await compose(request, { stores: options.stores, queue, config: options.config, mailer: options.mailer, owner: `cli:${hostname()}:${process.pid}` });
    options.onQueued?.(result);
    await queue.drained();
    return { result, counts, deadLetters: queue.deadLetters, durationMs: performance.now() - started };
  } finally {
    queue.close();
  }
};
