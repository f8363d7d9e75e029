import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { type DeliveryJob, type DeliveryQueue, encodeJob } from '../sending/queue.ts';

/** SQS accepts at most 10 entries per SendMessageBatch call. */
const maxEntries = 10;
const maxAttempts = 5;
const batchesInFlight = 10;

/** The SQS implementation of the queue port: batched sends, with entries SQS reports as failed sent again. */
export const sqsDeliveryQueue = (client: SQSClient, queueUrl: string): DeliveryQueue => {
  const sendBatch = async (jobs: readonly DeliveryJob[], firstId: number) => {
    let entries: SendMessageBatchRequestEntry[] = jobs.map((job, index) => ({ Id: String(firstId + index), MessageBody: encodeJob(job) }));
    for (let attempt = 1; entries.length > 0; attempt += 1) {
      const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
      const permanent = (result.Failed ?? []).find((failure) => failure.SenderFault);
      if (permanent) throw new Error(`SQS rejected a delivery job: ${permanent.Code}: ${permanent.Message}`);
      entries = entries.filter((entry) => failed.has(entry.Id));
      if (entries.length > 0 && attempt >= maxAttempts) {
        throw new Error(`SQS kept failing ${entries.length} delivery job(s) after ${maxAttempts} attempts`);
      }
      if (entries.length > 0) await sleep(50 * 2 ** attempt);
    }
  };
  return {
    // Several batches in flight at once: a list of a million is queued well inside compose's 15 minutes.
    async enqueue(jobs) {
      const perRound = maxEntries * batchesInFlight;
      for (let start = 0; start < jobs.length; start += perRound) {
        const round: Promise<void>[] = [];
        for (let offset = start; offset < Math.min(start + perRound, jobs.length); offset += maxEntries) {
          round.push(sendBatch(jobs.slice(offset, offset + maxEntries), offset));
        }
        await Promise.all(round);
      }
    },
  };
};
