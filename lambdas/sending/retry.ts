import { setTimeout as delay } from 'node:timers/promises';

export interface RetryOptions {
  /** Only `retryable` errors are tried again; any other kind is rethrown at once. */
  readonly classify: (error: unknown) => { readonly kind: string };
  /** Calls in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** @default setTimeout from node:timers/promises */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Told before each wait, for logs and metrics. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Calls `fn` until it succeeds, waiting between tries with exponential backoff and full jitter (a random
 * wait between 0 and min(maxDelayMs, baseDelayMs × 2^(attempt − 1))), so workers throttled together do not
 * come back together. When the attempts run out the last error is thrown.
 *
 * Each try is a new send: pace it inside `fn` (take a token there), not around the whole call.
 */
export const withRetry = async <T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> => {
  const { classify, maxAttempts, baseDelayMs, maxDelayMs, sleep = (ms: number) => delay(ms), random = Math.random } = options;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || classify(error).kind !== 'retryable') throw error;
      const delayMs = random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
};
