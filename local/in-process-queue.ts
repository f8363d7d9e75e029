import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DeliveryQueue, encodeJob } from '../lambdas/sending/queue.ts';

/** The deliver Lambda's entry point, called with the same event shape SQS sends. */
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface InProcessQueueOptions {
  readonly handler: SqsHandler;
  /** Records per handler call, like the event source mapping's BatchSize. @default 10 */
  readonly batchSize?: number;
  /** Handler calls in flight at once, like the event source mapping's MaximumConcurrency. @default 2 */
  readonly concurrency?: number;
  /** Receives before a message goes to the dead-letter list. @default 5 */
  readonly maxReceiveCount?: number;
  /** How long a failed message stays invisible before it is received again. @default 200 */
  readonly visibilityTimeoutMs?: number;
}

interface Message {
  readonly id: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
}

export interface InProcessQueue extends DeliveryQueue {
  /** Resolves once every message was handled successfully or dead-lettered. */
  drained(): Promise<void>;
  readonly deadLetters: readonly string[];
  close(): void;
}

const queueArn = 'arn:aws:sqs:local:000000000000:briefing-deliveries';

const toRecord = (message: Message): SQSRecord => ({
  messageId: message.id,
  receiptHandle: `${message.id}:${message.receiveCount}`,
  body: message.body,
  attributes: {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(Date.now()),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: 'local',
});

/**
 * Stands in for SQS and its Lambda event source locally: batches, concurrent handler calls,
 * partial batch responses, redelivery after a visibility timeout, and a dead-letter list.
 */
export const createInProcessQueue = (options: InProcessQueueOptions): InProcessQueue => {
  const batchSize = options.batchSize ?? 10;
  const concurrency = options.concurrency ?? 2;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 200;
  const waiting: Message[] = [];
  const deadLetters: string[] = [];
  let inFlight = 0;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const settleIfIdle = () => {
    if (waiting.length === 0 && inFlight === 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  };

  const retryOrDeadLetter = (message: Message) => {
    if (message.receiveCount >= maxReceiveCount) deadLetters.push(message.body);
    else waiting.push({ ...message, visibleAt: Date.now() + visibilityTimeoutMs });
  };

  const runBatch = async (batch: Message[]) => {
    for (const message of batch) message.receiveCount += 1;
    try {
      const response = await options.handler({ Records: batch.map(toRecord) });
      const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      for (const message of batch) if (failed.has(message.id)) retryOrDeadLetter(message);
    } catch {
      // A thrown handler fails the whole batch, as with a Lambda error.
      for (const message of batch) retryOrDeadLetter(message);
    }
  };

  const pump = async (): Promise<void> => {
    while (!closed && inFlight < concurrency && waiting.length > 0) {
      const now = Date.now();
      const ready = waiting.filter((message) => message.visibleAt <= now).slice(0, batchSize);
      if (ready.length === 0) {
        const nextVisible = Math.min(...waiting.map((message) => message.visibleAt));
        await sleep(Math.max(1, nextVisible - now));
        continue;
      }
      for (const message of ready) waiting.splice(waiting.indexOf(message), 1);
      inFlight += 1;
      void runBatch(ready).finally(() => {
        inFlight -= 1;
        void pump();
        settleIfIdle();
      });
    }
    settleIfIdle();
  };

  return {
    async enqueue(jobs) {
      for (const job of jobs) waiting.push({ id: randomUUID(), body: encodeJob(job), receiveCount: 0, visibleAt: 0 });
      void pump();
    },
    drained: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIfIdle();
      }),
    deadLetters,
    close() {
      closed = true;
    },
  };
};
