import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { parseRecord } from '../aws/batch-parser.ts';
import type { EditionEnding } from '../edition/ending.ts';
import { type EditionRecord, type EditionStatus, noOutcomes, type OutcomeName, storedBriefing } from '../edition/store.ts';
import { variantBriefing } from '../edition/variant-store.ts';
import { type BriefingMime, briefingMime } from '../mail/briefing-mime.ts';
import { type Mailer, SendError, sendErrorOf } from '../mail/mailer.ts';
import type { Stores } from '../stores.ts';
import type { Subscriber } from '../subscription/store.ts';
import type { SubscriptionLinks } from '../subscription/links.ts';
import { claimTokenOf, type DeliveryRecord } from './delivery-store.ts';
import { type DeliveryJob, jobBody } from './queue.ts';
import { recountIfShort } from './recount.ts';
import { withRetry } from './retry.ts';
import type { TokenBucket } from './token-bucket.ts';

export interface DeliverDeps {
  readonly stores: Pick<Stores, 'subscribers' | 'editions' | 'deliveries' | 'variants'>;
  readonly links: SubscriptionLinks;
  /** Paces every send of this worker (one bucket per process, shared by its concurrent records). */
  readonly bucket: Pick<TokenBucket, 'take'>;
  /** Sends each message with the headers compose compiled into it (the configuration set among them). */
  readonly mailer: Mailer;
  /**
   * How long a claim (taken right before one SES call) may stay unfinished before it counts as abandoned and is
   * recorded as uncertain: far longer than one call and the write after it, and shorter than the queue's
   * visibility timeout, so that the redelivery after a crash settles it. @default 5 minutes
   */
  readonly leaseMs?: number;
  /** @default 5 tries, 200 ms doubling to 5 s, full jitter */
  readonly retry?: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** Who this worker is, in its claims (`cli:<host>:<pid>` locally, so that a resume can tell a claim of a process that is gone). @default a random id */
  readonly owner?: string;
  /** Told the record after each write that may end an edition (its last outcomes, a stop): publishes, logs and reports the end once. */
  readonly ending?: EditionEnding;
  /** Told each recipient's outcome (progress on a terminal, logs). */
  readonly onOutcome?: (outcome: OutcomeName, job: DeliveryJob, detail?: string) => void;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
}

/**
 * A briefing stored without the MIME skeleton compose now compiles for it (composed by an earlier version, when deliver
 * compiled MIME itself): deliver cannot send it, and stops the edition for `send --resume` to compile it.
 */
const uncompiled = Symbol('uncompiled');

/** The recipient could not be sent to now but may be later: the queue redelivers the message. */
class NotYet extends Error {
  override name = 'NotYet';
}

const sendable = new Set(['sending']);

/** How one job ended, with what to say about it. */
interface Settled {
  readonly outcome: OutcomeName;
  readonly detail?: string;
}

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
  const owner = deps.owner ?? randomUUID();
  // A function, not `deps.ending?.settle(write())`, whose write would be skipped without an ending.
  const settle = async (edition: EditionRecord | undefined) => deps.ending?.settle(edition);
  /** The briefing a job sends — its topic variant, or without one the full edition on the edition record — with the MIME compose compiled for it. */
  const briefingOf = async ({ editionId, variantKey }: DeliveryJob) => {
    if (variantKey === undefined) {
      const record = await deps.stores.editions.get(editionId);
      const rendered = record && storedBriefing(record);
      return rendered && { rendered, mime: record.mime };
    }
    const variant = await deps.stores.variants.get(editionId, variantKey);
    return variant && { rendered: variantBriefing(variant), mime: variant.mime };
  };
  // Rendered content never changes once an edition is sending: read and prepared once per edition and variant per container.
  const prepared = new Map<string, Promise<BriefingMime | typeof uncompiled | undefined>>();
  const mimeFor = (job: DeliveryJob): Promise<BriefingMime | typeof uncompiled | undefined> => {
    const key = `${job.editionId}\n${job.variantKey ?? ''}`;
    let mime = prepared.get(key);
    if (!mime) {
      mime = briefingOf(job).then((found) => found && (found.mime ? briefingMime(found.rendered, found.mime) : uncompiled));
      // An edition not rendered yet (or whose MIME a resume is to compile), or a failed read, is looked up again by the next batch.
      mime.then(
        (found) => (found && found !== uncompiled) || prepared.delete(key),
        () => prepared.delete(key),
      );
      prepared.set(key, mime);
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
    const statuses = new Map<string, Promise<EditionStatus | undefined>>();
    const statusOf = (editionId: string) => {
      let status = statuses.get(editionId);
      if (!status) statuses.set(editionId, (status = deps.stores.editions.getStatus(editionId)));
      return status;
    };
    const stopped = new Set<string>();
    const counts = new Map<string, Record<OutcomeName, number>>();

    const count = (job: DeliveryJob, { outcome, detail }: Settled) => {
      let edition = counts.get(job.editionId);
      if (!edition) counts.set(job.editionId, (edition = noOutcomes()));
      edition[outcome] += 1;
      deps.onOutcome?.(outcome, job, detail);
    };

    /**
     * A delivery that another job got to first. A claim whose lease ran out was abandoned mid-send (its worker
     * stopped between the claim and recording SES's answer): SES may or may not have the message, so it is recorded
     * as uncertain, never sent again. A live claim is looked at again later; anything else is done already.
     */
    const settleTaken = async (job: DeliveryJob, existing: DeliveryRecord | undefined): Promise<Settled> => {
      // Released between the write that failed and the read: the next look can take it.
      if (!existing) throw new NotYet(`the delivery to ${job.email} changed while it was looked at`);
      if (existing.status !== 'claimed') return { outcome: 'duplicates' };
      if (existing.leaseUntil === undefined || existing.leaseUntil > Date.now() || existing.claimToken === undefined) {
        throw new NotYet(`${job.email} is being sent by another worker`);
      }
      const reason = `abandoned mid-send: the worker that claimed it (${existing.claimToken}) stopped before recording SES's answer`;
      if (!(await deps.stores.deliveries.markUncertain(job.editionId, job.email, existing.claimToken, reason))) {
        throw new NotYet(`the delivery to ${job.email} was finished while it was looked at`);
      }
      log('abandoned delivery recorded as uncertain', { editionId: job.editionId, email: job.email, claimToken: existing.claimToken });
      return { outcome: 'uncertain', detail: reason };
    };

    /** Finishes this worker's claim; when it was finished already (abandoned, then settled by another job), that job counted it. */
    const finished = (job: DeliveryJob, written: boolean, settled: Settled): Settled => {
      if (written) return settled;
      log('delivery claim lost before it was recorded (lease too short?)', { editionId: job.editionId, email: job.email, outcome: settled.outcome, detail: settled.detail });
      return { outcome: 'duplicates' };
    };

    /** The recipient is not (or no longer) active: recorded as skipped, unless the delivery was recorded already. */
    const skip = async (job: DeliveryJob, subscriber: Subscriber | undefined): Promise<Settled> => {
      const reason = notActive(subscriber);
      if (await deps.stores.deliveries.recordSkipped(job.editionId, job.email, reason)) return { outcome: 'skipped', detail: reason };
      return settleTaken(job, await deps.stores.deliveries.get(job.editionId, job.email));
    };

    /**
     * One try, with the checks as close to SES as they can be: a send token, then the claim, then the reader's
     * status read afresh, then the send. What SES may take later is thrown (withRetry tries again); the rest settles.
     */
    const sendOnce = async (job: DeliveryJob, mime: BriefingMime): Promise<Settled> => {
      await deps.bucket.take();
      // Stopped by another record of this batch while this one waited for its token.
      if (stopped.has(job.editionId)) return { outcome: 'dropped' };
      const claimToken = claimTokenOf(owner);
      const claim = await deps.stores.deliveries.claim(job.editionId, job.email, claimToken, leaseMs);
      if (!claim.claimed) return settleTaken(job, claim.existing);
      const { deliveries } = deps.stores;
      // After the wait for a token and right before SES: an unsubscribe acknowledged before this read always wins.
      let subscriber: Subscriber | undefined;
      try {
        subscriber = await deps.stores.subscribers.get(job.email);
      } catch (error) {
        // Nothing was sent: the claim goes back, and the record to the queue.
        await deliveries.release(job.editionId, job.email, claimToken);
        throw error;
      }
      if (subscriber?.status !== 'active') {
        const reason = notActive(subscriber);
        return finished(job, await deliveries.markSkipped(job.editionId, job.email, claimToken, reason), { outcome: 'skipped', detail: reason });
      }
      let raw: Buffer;
      try {
        raw = mime.build({ email: job.email, unsubscribeUrl: deps.links.unsubscribeUrl(subscriber.id), preferencesUrl: deps.links.preferencesUrl(subscriber.id), browserUrl: deps.links.archiveUrl(job.editionId) });
      } catch (error) {
        const reason = (error as Error).message;
        return finished(job, await deliveries.markFailed(job.editionId, job.email, claimToken, reason), { outcome: 'failed', detail: reason });
      }
      let messageId: string;
      try {
        messageId = await deps.mailer.send(raw, { destinations: [job.email], tags: { edition: job.editionId } });
      } catch (error) {
        const failure = sendErrorOf(error);
        const reason = `${failure.code}: ${failure.message}`;
        if (failure.kind === 'permanent') return finished(job, await deliveries.markFailed(job.editionId, job.email, claimToken, reason), { outcome: 'failed', detail: reason });
        // SES may have taken it: recorded as such and never sent again on its own (`send --resume --retry-uncertain` does).
        if (failure.kind === 'uncertain') return finished(job, await deliveries.markUncertain(job.editionId, job.email, claimToken, reason), { outcome: 'uncertain', detail: reason });
        // SES certainly did not take it: give the claim back so that the next try (this one's retry, a redelivery, a resume) sends it at once.
        await deliveries.release(job.editionId, job.email, claimToken);
        throw failure;
      }
      // A worker stopping between SES's answer and this write leaves the claim to run out and be recorded as uncertain.
      return finished(job, await deliveries.markSent(job.editionId, job.email, claimToken, messageId), { outcome: 'sent' });
    };

    /** Stops the edition for a SendError of kind `stop` (SES refuses to send; nothing this worker can fix): `send --resume` continues it. */
    const stopEdition = async (job: DeliveryJob, error: SendError): Promise<void> => {
      stopped.add(job.editionId);
      // `Code: message`: whoever reports the stop names the reason from it (the batch's counts below settle the end).
      await deps.stores.editions.setStatus(job.editionId, 'stopped', { from: ['sending'], reason: `${error.code}: ${error.message}` });
      count(job, { outcome: 'dropped', detail: error.code });
    };

    const deliver = async (job: DeliveryJob, listed: Subscriber | undefined): Promise<void> => {
      const [status, mime] = await Promise.all([statusOf(job.editionId), mimeFor(job)]);
      // Compose stores every variant before the edition opens for sending: one missing was removed since (its TTL ran out).
      if (!status || !mime) throw new NotYet(job.variantKey === undefined || !status ? `edition ${job.editionId} is not ready to send` : `variant ${job.variantKey} of edition ${job.editionId} is not stored`);
      if (!sendable.has(status) || stopped.has(job.editionId)) {
        // Paused, stopped, or finished (every recipient has an outcome): `send --resume` queues the recipients again.
        count(job, { outcome: status === 'sent' ? 'duplicates' : 'dropped' });
        return;
      }
      if (mime === uncompiled) {
        log('edition stored without its compiled MIME (composed before compose compiled it): stopped, for send --resume to compile it', { editionId: job.editionId, variantKey: job.variantKey });
        const message = `${job.variantKey === undefined ? `edition ${job.editionId}` : `variant ${job.variantKey} of edition ${job.editionId}`} was stored without its compiled MIME (composed by an earlier version), which a resume compiles`;
        return stopEdition(job, new SendError('stop', 'MimeNotCompiled', message));
      }
      // Not active in the batch's read: skipped without spending a send token (sendOnce reads the status again).
      if (listed?.status !== 'active') return count(job, await skip(job, listed));
      let settled;
      try {
        settled = await withRetry(() => sendOnce(job, mime), {
          ...retry,
          classify: sendErrorOf,
          onRetry: (error, attempt) => log('send retried', { email: job.email, attempt, code: sendErrorOf(error).code }),
        });
      } catch (error) {
        // Only SES refusing to send stops the edition. Anything else — retries run out, NotYet, a store error (which
        // sendErrorOf calls a stop, so withRetry does not retry it) — fails this record alone: the queue brings it back.
        if (!(error instanceof SendError && error.kind === 'stop')) throw error;
        return stopEdition(job, error);
      }
      count(job, settled);
    };

    // One processor per batch: locally several batches run through one deliverer at once.
    const processor = new BatchProcessor(EventType.SQS, { parser: parseRecord, schema: deliveryRecord });
    // A body that is not a job fails its record alone (ParsingError); the queue's redrive policy takes it to the DLQ.
    const handleRecord = async ({ body: job }: z.infer<typeof deliveryRecord>) => deliver(job, await subscriber(job.email));
    try {
      return await processPartialResponse({ Records: [...records] }, handleRecord, processor, { context: context as Context, processInParallel: true, throwOnFullBatchFailure: false });
    } finally {
      for (const [editionId, outcome] of counts) {
        // Every batch counts something, so this record shows any end: the last outcomes (sent), a stop by this batch
        // (its dropped job), or an end another worker reached and did not get to report.
        await settle(await recountIfShort(deps.stores, await deps.stores.editions.addOutcomes(editionId, outcome)));
      }
    }
  };

  return {
    /** The SQS event handler: a partial batch response names the messages to redeliver. */
    handler: (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => handleBatch(event.Records, context),
  };
};
