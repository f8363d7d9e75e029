import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseRecord } from '../aws/batch-parser.ts';
import type { BriefingConfig } from '../config/config.ts';
import { type EditionStatus, type OutcomeCounts, type OutcomeName, storedBriefing } from '../edition/store.ts';
import { type BriefingMime, briefingEnvelope, compileBriefingMime } from '../mail/briefing-mime.ts';
import { type Mailer, sendErrorOf } from '../mail/mailer.ts';
import type { Stores } from '../stores.ts';
import type { Subscriber } from '../subscription/store.ts';
import type { SubscriptionLinks } from '../subscription/links.ts';
import { type DeliveryJob, jobBody } from './queue.ts';
import { withRetry } from './retry.ts';
import type { TokenBucket } from './token-bucket.ts';

export interface DeliverDeps {
  readonly stores: Pick<Stores, 'subscribers' | 'editions' | 'deliveries'>;
  readonly config: BriefingConfig;
  readonly links: SubscriptionLinks;
  /** Paces every send of this worker (one bucket per process, shared by its concurrent records). */
  readonly bucket: TokenBucket;
  readonly mailer: Mailer;
  /** The SES configuration set, named in each message's headers. */
  readonly configurationSet?: string;
  /**
   * How long a claim is this worker's alone. Longer than a send with all its retries, and shorter than
   * the queue's visibility timeout, so a redelivery after a crash can take it over. @default 5 minutes
   */
  readonly leaseMs?: number;
  /** @default 5 tries, 200 ms doubling to 5 s, full jitter */
  readonly retry?: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** Told each recipient's outcome (progress on a terminal, logs). */
  readonly onOutcome?: (outcome: OutcomeName, job: DeliveryJob, detail?: string) => void;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
}

/** The recipient could not be sent to now but may be later: the queue redelivers the message. */
class NotYet extends Error {
  override name = 'NotYet';
}

interface EditionState {
  readonly status: EditionStatus;
  readonly mime: BriefingMime;
}

const sendable = new Set(['sending']);

const notActive = (subscriber: Subscriber | undefined): string => (subscriber ? `subscriber is ${subscriber.status}` : 'no longer on the list');

/** A message of the delivery queue, as the batch processor hands it on: its body parsed into the job. */
const deliveryRecord = z.looseObject({ body: jobBody });

/**
 * The deliver step: for each job of a batch, skip recipients no longer active, wait for a send token, claim
 * the delivery, read the reader's status once more, personalise, send, retry what SES may take later, and
 * record the result.
 * Recipients not sent yet go back to the queue (partial batch response); counts go to the edition once per batch.
 */
export const createDeliverer = (deps: DeliverDeps) => {
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const retry = deps.retry ?? { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };
  const log = deps.log ?? (() => undefined);
  const worker = randomUUID();
  // Rendered content never changes once an edition is sending: read and compiled once per edition per container.
  const compiled = new Map<string, Promise<BriefingMime | undefined>>();
  const mimeFor = (editionId: string): Promise<BriefingMime | undefined> => {
    let mime = compiled.get(editionId);
    if (!mime) {
      mime = deps.stores.editions.get(editionId).then((record) => {
        const rendered = record && storedBriefing(record);
        return rendered && compileBriefingMime(rendered, briefingEnvelope(deps.config, { configurationSet: deps.configurationSet, editionId }));
      });
      // An edition not rendered yet, or a failed read, is looked up again by the next batch.
      mime.then(
        (found) => found || compiled.delete(editionId),
        () => compiled.delete(editionId),
      );
      compiled.set(editionId, mime);
    }
    return mime;
  };

  const handleBatch = async (records: readonly SQSRecord[], context?: Context): Promise<SQSBatchResponse> => {
    const emails = records.flatMap((record) => {
      const job = jobBody.safeParse(record.body);
      return job.success ? [job.data.email] : [];
    });
    // One consistent read for the whole batch, fetched on first use so that a store error fails records, not the call.
    let subscribers: Promise<Map<string, Subscriber>> | undefined;
    const subscriber = async (email: string) => (await (subscribers ??= deps.stores.subscribers.getMany(emails))).get(email);
    // Status is read fresh for every batch (the status alone): a pause or stop takes effect within one batch.
    const editions = new Map<string, Promise<EditionState | undefined>>();
    const edition = (editionId: string) => {
      let state = editions.get(editionId);
      if (!state) {
        state = Promise.all([deps.stores.editions.getStatus(editionId), mimeFor(editionId)]).then(([status, mime]) => (status && mime ? { status, mime } : undefined));
        editions.set(editionId, state);
      }
      return state;
    };
    const stopped = new Set<string>();
    const counts = new Map<string, Required<OutcomeCounts>>();

    const count = (job: DeliveryJob, outcome: OutcomeName, detail?: string) => {
      let edition = counts.get(job.editionId);
      if (!edition) counts.set(job.editionId, (edition = { sent: 0, skipped: 0, failed: 0, duplicates: 0, dropped: 0 }));
      edition[outcome] += 1;
      deps.onOutcome?.(outcome, job, detail);
    };

    /** The recipient is not (or no longer) active: recorded as skipped, unless the delivery was recorded already. */
    const skip = async (job: DeliveryJob, subscriber: Subscriber | undefined) => {
      const reason = notActive(subscriber);
      count(job, (await deps.stores.deliveries.recordSkipped(job.editionId, job.email, reason)) ? 'skipped' : 'duplicates', reason);
    };

    /**
     * One try, with the checks as close to SES as they can be: a send token, then the claim, then the reader's
     * status read afresh, then the send. What SES may take later is thrown (withRetry tries again); the rest settles.
     */
    const sendOnce = async (job: DeliveryJob, mime: BriefingMime): Promise<{ readonly outcome: OutcomeName; readonly detail?: string }> => {
      await deps.bucket.take();
      // Stopped by another record of this batch while this one waited for its token.
      if (stopped.has(job.editionId)) return { outcome: 'dropped' };
      const claimToken = `${worker}:${randomUUID()}`;
      const claim = await deps.stores.deliveries.claim(job.editionId, job.email, claimToken, leaseMs);
      if (!claim.claimed) {
        // Another worker is sending it right now, or died doing so: look again once its lease has run out.
        if (claim.existing?.status === 'claimed') throw new NotYet(`${job.email} is being sent by another worker`);
        return { outcome: 'duplicates' };
      }
      // After the wait for a token and right before SES: an unsubscribe acknowledged before this read always wins.
      const subscriber = await deps.stores.subscribers.get(job.email);
      if (subscriber?.status !== 'active') {
        const reason = notActive(subscriber);
        await deps.stores.deliveries.markSkipped(job.editionId, job.email, claimToken, reason);
        return { outcome: 'skipped', detail: reason };
      }
      let raw: Buffer;
      try {
        raw = mime.build({ email: job.email, unsubscribeUrl: deps.links.unsubscribeUrl(subscriber.id), browserUrl: deps.links.archiveUrl(job.editionId) });
      } catch (error) {
        await deps.stores.deliveries.markFailed(job.editionId, job.email, claimToken, (error as Error).message);
        return { outcome: 'failed', detail: (error as Error).message };
      }
      let messageId: string;
      try {
        messageId = await deps.mailer.send(raw, { destinations: [job.email], tags: { edition: job.editionId } });
      } catch (error) {
        const failure = sendErrorOf(error);
        if (failure.kind === 'permanent') {
          await deps.stores.deliveries.markFailed(job.editionId, job.email, claimToken, `${failure.code}: ${failure.message}`);
          return { outcome: 'failed', detail: `${failure.code}: ${failure.message}` };
        }
        // The mailer did not take it: give the claim back so that the next try (this one's retry, a redelivery, a resume) sends it at once.
        await deps.stores.deliveries.release(job.editionId, job.email, claimToken);
        throw failure;
      }
      // The one window no condition closes: a crash between SES's answer and this write re-sends this recipient once.
      if (!(await deps.stores.deliveries.markSent(job.editionId, job.email, claimToken, messageId))) {
        log('delivery claim lost before it was recorded (lease too short?)', { editionId: job.editionId, email: job.email, messageId });
      }
      return { outcome: 'sent' };
    };

    const deliver = async (job: DeliveryJob, listed: Subscriber | undefined): Promise<void> => {
      const state = await edition(job.editionId);
      if (!state) throw new NotYet(`edition ${job.editionId} is not ready to send`);
      if (!sendable.has(state.status) || stopped.has(job.editionId)) {
        // Paused, stopped, or finished: `send --resume` queues the recipients again.
        count(job, state.status === 'sent' ? 'duplicates' : 'dropped');
        return;
      }
      // Not active in the batch's read: skipped without spending a send token (sendOnce reads the status again).
      if (listed?.status !== 'active') return skip(job, listed);
      let settled;
      try {
        settled = await withRetry(() => sendOnce(job, state.mime), {
          ...retry,
          classify: sendErrorOf,
          onRetry: (error, attempt) => log('send retried', { email: job.email, attempt, code: sendErrorOf(error).code }),
        });
      } catch (error) {
        // NotYet is no SendError (sendErrorOf calls it a stop, so it is not retried here): the queue brings it back.
        if (error instanceof NotYet) throw error;
        const failure = sendErrorOf(error);
        if (failure.kind !== 'stop') throw error;
        stopped.add(job.editionId);
        if (await deps.stores.editions.setStatus(job.editionId, 'stopped', { from: ['sending'], reason: `${failure.code}: ${failure.message}` })) {
          log('edition stopped: SES refuses to send; fix the cause, then run briefing send --resume', { editionId: job.editionId, code: failure.code, message: failure.message });
        }
        count(job, 'dropped', failure.code);
        return;
      }
      count(job, settled.outcome, settled.detail);
    };

    // One processor per batch: locally several batches run through one deliverer at once.
    const processor = new BatchProcessor(EventType.SQS, { parser: parseRecord, schema: deliveryRecord });
    // A body that is not a job fails its record alone (ParsingError); the queue's redrive policy takes it to the DLQ.
    const handleRecord = async ({ body: job }: z.infer<typeof deliveryRecord>) => deliver(job, await subscriber(job.email));
    try {
      return await processPartialResponse({ Records: [...records] }, handleRecord, processor, { context: context as Context, processInParallel: true, throwOnFullBatchFailure: false });
    } finally {
      for (const [editionId, outcome] of counts) {
        const after = await deps.stores.editions.addOutcomes(editionId, outcome);
        if (after?.status === 'sent' && after.completedAt && outcome.sent + outcome.failed + outcome.skipped > 0) log('edition sent', { editionId, sent: after.sent, skipped: after.skipped, failed: after.failed });
      }
    }
  };

  return {
    /** The SQS event handler: a partial batch response names the messages to redeliver. */
    handler: (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => handleBatch(event.Records, context),
  };
};
