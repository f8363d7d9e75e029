import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createInProcessQueue } from '../../local/in-process-queue.ts';
import { decodeJob, type DeliveryJob, encodeJob, variantBatches } from '../../lambdas/sending/queue.ts';
import { sqsDeliveryQueue } from '../../lambdas/aws/sqs-queue.ts';

const jobs = (count: number) => Array.from({ length: count }, (_, index) => ({ editionId: '2026-11-24', email: `r${index}@example.com` }));

/** A stand-in SQS client that records each request and answers like SQS. */
const recordingClient = (answer: (entries: { Id: string }[], call: number) => { Failed?: object[] } = () => ({})) => {
  const requests: SendMessageBatchCommand[] = [];
  const client = {
    send: async (command: SendMessageBatchCommand) => {
      requests.push(command);
      const entries = command.input.Entries as { Id: string }[];
      return { Successful: [], ...answer(entries, requests.length) };
    },
  } as unknown as SQSClient;
  return { client, requests };
};

describe('SQS delivery queue', () => {
  it('sends SendMessageBatch requests of at most 10 entries with unique ids and JSON bodies', async () => {
    const { client, requests } = recordingClient();
    await sqsDeliveryQueue(client, 'https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries').enqueue(jobs(23));
    expect(requests.every((request) => request instanceof SendMessageBatchCommand)).toBe(true);
    expect(requests.map((request) => request.input.Entries?.length)).toEqual([10, 10, 3]);
    expect(requests[0]!.input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/deliveries');
    const entries = requests.flatMap((request) => request.input.Entries ?? []);
    expect(new Set(entries.map((entry) => entry.Id)).size).toBe(23);
    expect(entries.every((entry) => /^[A-Za-z0-9_-]{1,80}$/.test(entry.Id!))).toBe(true);
    expect(entries.map((entry) => decodeJob(entry.MessageBody!).email)).toEqual(jobs(23).map((job) => job.email));
  });

  it('keeps up to 10 SendMessageBatch calls in flight, and every job is sent once', async () => {
    let inFlight = 0;
    let most = 0;
    const bodies: string[] = [];
    const client = {
      send: async (command: SendMessageBatchCommand) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        bodies.push(...(command.input.Entries ?? []).map((entry) => entry.MessageBody!));
        return { Successful: [] };
      },
    } as unknown as SQSClient;

    await sqsDeliveryQueue(client, 'https://queue').enqueue(jobs(250));

    expect(most).toBe(10);
    expect(bodies.map((body) => decodeJob(body).email).sort()).toEqual(jobs(250).map((job) => job.email).sort());
  });

  it('sends again only the entries SQS reported as failed', async () => {
    const { client, requests } = recordingClient((entries, call) =>
      call === 1 ? { Failed: [{ Id: entries[2]!.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' }] } : {},
    );
    await sqsDeliveryQueue(client, 'https://queue').enqueue(jobs(5));
    expect(requests).toHaveLength(2);
    expect(requests[1]!.input.Entries?.map((entry) => entry.Id)).toEqual(['2']);
  });

  it('stops with the reason when SQS rejects an entry as the sender’s fault', async () => {
    const { client } = recordingClient((entries) => ({
      Failed: [{ Id: entries[0]!.Id, Code: 'InvalidMessageContents', SenderFault: true, Message: 'bad body' }],
    }));
    await expect(sqsDeliveryQueue(client, 'https://queue').enqueue(jobs(1))).rejects.toThrow(/InvalidMessageContents: bad body/);
  });
});

describe('in-process queue', () => {
  it('delivers every job in SQS-shaped batches', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    const queue = createInProcessQueue({
      batchSize: 4,
      handler: async (event: SQSEvent) => {
        sizes.push(event.Records.length);
        for (const record of event.Records) {
          expect(record.eventSource).toBe('aws:sqs');
          seen.push(decodeJob(record.body).email);
        }
        return { batchItemFailures: [] };
      },
    });
    await queue.enqueue(jobs(10));
    await queue.drained();
    expect(seen.sort()).toEqual(jobs(10).map((job) => job.email).sort());
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  });

  it('redelivers the records a partial batch response names, with a higher receive count', async () => {
    const receives = new Map<string, number[]>();
    const queue = createInProcessQueue({
      visibilityTimeoutMs: 5,
      handler: async (event) => {
        const failures = [];
        for (const record of event.Records) {
          const email = decodeJob(record.body).email;
          receives.set(email, [...(receives.get(email) ?? []), Number(record.attributes.ApproximateReceiveCount)]);
          if (email === 'r1@example.com' && receives.get(email)!.length < 3) failures.push({ itemIdentifier: record.messageId });
        }
        return { batchItemFailures: failures };
      },
    });
    await queue.enqueue(jobs(3));
    await queue.drained();
    expect(receives.get('r1@example.com')).toEqual([1, 2, 3]);
    expect(receives.get('r0@example.com')).toEqual([1]);
    expect(queue.deadLetters).toEqual([]);
  });

  it('dead-letters a message that keeps failing, after maxReceiveCount receives', async () => {
    let calls = 0;
    const queue = createInProcessQueue({
      maxReceiveCount: 3,
      visibilityTimeoutMs: 1,
      handler: async () => {
        calls += 1;
        throw new Error('worker crashed');
      },
    });
    await queue.enqueue(jobs(1));
    await queue.drained();
    expect(calls).toBe(3);
    expect(queue.deadLetters.map(decodeJob)).toEqual(jobs(1));
  });
});

describe('delivery jobs with topic variants', () => {
  it('carry the variant a reader gets, and a job without one (queued before variants) still reads as the full edition', () => {
    expect(decodeJob(encodeJob({ editionId: '2026-11-24', email: 'r@example.com', variantKey: 'k1' }))).toEqual({ editionId: '2026-11-24', email: 'r@example.com', variantKey: 'k1' });
    expect(encodeJob({ editionId: '2026-11-24', email: 'r@example.com' })).toBe('{"editionId":"2026-11-24","email":"r@example.com"}');
    expect(decodeJob('{"editionId":"2026-11-24","email":"r@example.com"}')).toEqual({ editionId: '2026-11-24', email: 'r@example.com' });
    expect(() => decodeJob('{"editionId":"2026-11-24","email":"r@example.com","variantKey":""}')).toThrow(/not a delivery job/);
  });

  it("queue each variant's jobs together in whole SendMessageBatch calls, holding the rest of a batch until the last page", async () => {
    const { client, requests } = recordingClient();
    const batches = variantBatches(sqsDeliveryQueue(client, 'https://queue'));
    // Pages as compose reads them: readers of three variants (and the full edition) in address order, mixed.
    const variants = ['a', 'b', undefined, 'c'];
    const page = (from: number, count: number): DeliveryJob[] =>
      Array.from({ length: count }, (_, index) => {
        const variantKey = variants[(from + index) % variants.length];
        return { editionId: '2026-11-24', email: `r${from + index}@example.com`, ...(variantKey ? { variantKey } : {}) };
      });

    const queued = [await batches.add(page(0, 50)), await batches.add(page(50, 50)), await batches.add(page(100, 3), true)];

    const sent = requests.map((request) => (request.input.Entries ?? []).map((entry) => decodeJob(entry.MessageBody!)));
    // 12 or 13 of each variant in the first page: one whole batch each, the rest held; 25 of each after the second: two
    // whole batches each; then whatever is left.
    expect(queued).toEqual([40, 40, 23]);
    expect(sent.flat().map((job) => job.email).sort()).toEqual(page(0, 103).map((job) => job.email).sort());
    const wholeBatches = sent.slice(0, 8);
    expect(wholeBatches.map((batch) => batch.length)).toEqual(Array(8).fill(10));
    for (const batch of wholeBatches) expect(new Set(batch.map((job) => job.variantKey)).size).toBe(1);
  });
});
