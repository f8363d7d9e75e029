import * as z from 'zod/mini';

/** One recipient of one edition: the unit the queue carries and the deliver step sends. */
export interface DeliveryJob {
  readonly editionId: string;
  /** The subscriber's normalised address (the subscribers table key). */
  readonly email: string;
}

/** Where compose puts the jobs: SQS in AWS, an in-process queue locally. */
export interface DeliveryQueue {
  enqueue(jobs: readonly DeliveryJob[]): Promise<void>;
}

export const encodeJob = (job: DeliveryJob): string => JSON.stringify({ editionId: job.editionId, email: job.email });

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
  z.object({ editionId: text, email: text }, 'must be a JSON object'),
) satisfies z.ZodMiniType<DeliveryJob, string>;

/** The job a message body holds; throws when it holds none. */
export const decodeJob = (body: string): DeliveryJob => {
  const parsed = jobBody.safeParse(body);
  if (!parsed.success) throw new Error(`not a delivery job: ${body.slice(0, 200)}`);
  return parsed.data;
};
