import * as z from 'zod/mini';

/** One recipient of one edition: the unit the queue carries and the deliver step sends. */
export interface DeliveryJob {
  readonly editionId: string;
  /** The subscriber's normalised address (the subscribers table key). */
  readonly email: string;
  /** The topic variant the reader gets (a key in the variants table); absent: the full edition, as jobs queued before variants have it. */
  readonly variantKey?: string;
}

/** Where compose puts the jobs: SQS in AWS, an in-process queue locally. */
export interface DeliveryQueue {
  enqueue(jobs: readonly DeliveryJob[]): Promise<void>;
}

export const encodeJob = (job: DeliveryJob): string => JSON.stringify({ editionId: job.editionId, email: job.email, variantKey: job.variantKey });

const text = z.string('must be a string').check(z.minLength(1, 'must not be empty'));

/** A message body as the queue carries it: the job as JSON. */
export const jobBody = z.pipe(
  z.pipe(
    z.string('must be a string'),
    z.transform((body: string, context) => {
      try {
        return JSON.parse(body) as unknown;
      } catch {
        context.issues.push({ code: 'custom', message: 'is not JSON', input: body });
        return z.NEVER;
      }
    }),
  ),
  z.object({ editionId: text, email: text, variantKey: z.optional(text) }, 'must be a JSON object'),
) satisfies z.ZodMiniType<DeliveryJob, string>;

/** The job a message body holds; throws when it holds none. */
export const decodeJob = (body: string): DeliveryJob => {
  const parsed = jobBody.safeParse(body);
  if (!parsed.success) throw new Error(`not a delivery job: ${body.slice(0, 200)}`);
  return parsed.data;
};

/** Jobs queued together: what one SQS SendMessageBatch carries, and what one deliver batch takes. */
export const jobsPerBatch = 10;

/**
 * Puts each variant's jobs together on the queue, in whole batches of `jobsPerBatch`, so that a deliver batch
 * usually holds one variant (whose compiled MIME its worker then has at hand). Jobs that do not fill a batch wait for
 * more of their variant, at most `jobsPerBatch - 1` per variant, until `flush`.
 */
export const variantBatches = (queue: DeliveryQueue) => {
  const waiting = new Map<string, DeliveryJob[]>();
  const take = (all: boolean): DeliveryJob[] => {
    const ready: DeliveryJob[] = [];
    for (const [variant, jobs] of waiting) {
      const whole = all ? jobs.length : jobs.length - (jobs.length % jobsPerBatch);
      ready.push(...jobs.splice(0, whole));
      if (jobs.length === 0) waiting.delete(variant);
    }
    return ready;
  };
  return {
    /** Queues the whole batches among these jobs and those waiting (every waiting job with `flush`); how many it queued. */
    async add(jobs: readonly DeliveryJob[], flush = false): Promise<number> {
      for (const job of jobs) {
        const variant = job.variantKey ?? '';
        let same = waiting.get(variant);
        if (!same) waiting.set(variant, (same = []));
        same.push(job);
      }
      const ready = take(flush);
      if (ready.length > 0) await queue.enqueue(ready);
      return ready.length;
    },
  };
};
