import * as z from 'zod/mini';
import type { ConfirmationSender } from './confirmation-email.ts';
import type { SubscriberStore } from './store.ts';

/**
 * One sign-up's confirmation email, sent after the sign-up is answered. Every sign-up puts one on the
 * queue, whatever became of it, so that the answer costs the same for every address: the sender sends
 * only when the sign-up it names is the one waiting.
 */
export interface ConfirmationJob {
  /** The normalised address. */
  readonly email: string;
  /** The sign-up's nonce; a refused sign-up's nonce was never stored, and its job sends nothing. */
  readonly signup: string;
}

/** Where the sign-up route puts confirmation jobs: SQS in AWS, this process locally. */
export interface ConfirmationQueue {
  enqueue(job: ConfirmationJob): Promise<void>;
}

export const encodeConfirmationJob = (job: ConfirmationJob): string => JSON.stringify({ email: job.email, signup: job.signup });

const text = z.string().check(z.minLength(1));
const jobShape = z.object({ email: text, signup: text });

/** The job a queued message body holds; throws, naming what is wrong, when it holds none. */
export const decodeConfirmationJob = (body: string): ConfirmationJob => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`not a confirmation job (not JSON): ${body.slice(0, 200)}`);
  }
  const parsed = jobShape.safeParse(json);
  if (!parsed.success) throw new Error(`not a confirmation job (it needs a non-empty email and signup): ${body.slice(0, 200)}`);
  return parsed.data;
};

export interface ConfirmationContext {
  readonly subscribers: Pick<SubscriberStore, 'get' | 'clearConfirmationSent'>;
  readonly sendConfirmation: ConfirmationSender;
}

export type ConfirmationJobOutcome = 'sent' | 'not-waiting';

/**
 * Sends the confirmation email a job asks for, when its sign-up is still the one waiting (not refused,
 * confirmed, replaced, unsubscribed or suppressed since). The links are dated from the sign-up, so the
 * confirm link expires with it. When sending fails, the ten-minute throttle is released (a new sign-up
 * can send at once) and the error thrown, so the queue tries again.
 */
export const sendConfirmationFor = async (context: ConfirmationContext, job: ConfirmationJob): Promise<ConfirmationJobOutcome> => {
  const subscriber = await context.subscribers.get(job.email);
  if (!subscriber || subscriber.signupNonce !== job.signup || (subscriber.status !== 'pending' && subscriber.status !== 'unsubscribed')) return 'not-waiting';
  const signedUpAt = subscriber.confirmationSentAt;
  try {
    await context.sendConfirmation(subscriber, signedUpAt ? new Date(signedUpAt) : new Date());
  } catch (error) {
    if (signedUpAt) await context.subscribers.clearConfirmationSent(job.email, signedUpAt);
    throw error;
  }
  return 'sent';
};

export interface InProcessConfirmations extends ConfirmationQueue {
  /** Resolves once every job queued so far has been sent or has failed. */
  settled(): Promise<void>;
}

const logToConsole = (message: string, details: Record<string, unknown>) => console.error(JSON.stringify({ level: 'ERROR', message, ...details }));

/**
 * The queue in this process (`briefing dev`, tests): a job is taken up once the current request has
 * been answered, and a failure is logged (the reader can sign up again at once). Not for a Lambda
 * function, whose container is frozen as soon as it has answered.
 */
export const inProcessConfirmations = (context: ConfirmationContext, log = logToConsole): InProcessConfirmations => {
  const inFlight = new Set<Promise<void>>();
  return {
    async enqueue(job) {
      const work: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => sendConfirmationFor(context, job))
        .then(
          () => undefined,
          // The address stays out of the log, as in the router's.
          (error: unknown) => log('confirmation email failed', { error: String((error as Error).stack ?? error) }),
        )
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
};
