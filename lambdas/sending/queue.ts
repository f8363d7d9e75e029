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

export const decodeJob = (body: string): DeliveryJob => {
  const parsed = JSON.parse(body) as Partial<DeliveryJob>;
  if (typeof parsed.editionId !== 'string' || typeof parsed.email !== 'string') {
    throw new Error(`not a delivery job: ${body.slice(0, 200)}`);
  }
  return { editionId: parsed.editionId, email: parsed.email };
};
