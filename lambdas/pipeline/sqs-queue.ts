import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { type DeliveryJob, type DeliveryQueue, encodeJob } from './queue.ts';

/** SQS accepts at most 10 entries per SendMessageBatch call. */
const maxEntries = 10;
const maxAttempts = 5;

/** The SQS implementation of the queue port: batched sends, with entries SQS reports as failed sent again. */
export const sqsDeliveryQueue = (client: SQSClient, queueUrl: string): DeliveryQueue => ({
  async enqueue(jobs) {
    for (let start = 0; start < jobs.length; start += maxEntries) {
      let entries: SendMessageBatchRequestEntry[] = jobs
        .slice(start, start + maxEntries)
        .map((job: DeliveryJob, index) => ({ Id: String(start + index), MessageBody: encodeJob(job) }));
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
    }
  },
});
