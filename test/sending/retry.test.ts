import { MessageRejected, SESServiceException } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { classifySendError } from '../../lambdas/aws/ses-errors.ts';
import { withRetry } from '../../lambdas/sending/retry.ts';

const throttled = () =>
  new SESServiceException({ name: 'Throttling', message: 'Maximum sending rate exceeded.', $fault: 'client', $metadata: { httpStatusCode: 400 } });

/** A call that fails with the given errors in turn, then succeeds; it counts its calls. */
const failing = (...errors: unknown[]) => {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    const error = errors.shift();
    if (error !== undefined) throw error;
    return 'sent';
  };
  return { fn, calls };
};

const recordSleeps = () => {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
};

describe('withRetry', () => {
  it('retries retryable errors with exponential backoff and full jitter, then returns the result', async () => {
    const { fn, calls } = failing(throttled(), throttled(), throttled(), throttled());
    const { delays, sleep } = recordSleeps();

    const result = await withRetry(fn, { classify: classifySendError, maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 500, sleep, random: () => 0.5 });

    expect(result).toBe('sent');
    expect(calls).toEqual([1, 2, 3, 4, 5]);
    // half of min(500, 100 × 2^(n−1)): 100, 200, 400, then the 500 cap
    expect(delays).toEqual([50, 100, 200, 250]);
  });

  it('waits anywhere from nothing up to the backoff ceiling', async () => {
    const low = recordSleeps();
    const high = recordSleeps();

    await withRetry(failing(throttled(), throttled()).fn, { classify: classifySendError, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000, sleep: low.sleep, random: () => 0 });
    await withRetry(failing(throttled(), throttled()).fn, { classify: classifySendError, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000, sleep: high.sleep, random: () => 0.999 });

    expect(low.delays).toEqual([0, 0]);
    expect(high.delays).toEqual([expect.closeTo(99.9, 6), expect.closeTo(199.8, 6)]);
  });

  it('rethrows a permanent error at once, without waiting', async () => {
    const rejected = new MessageRejected({ message: 'Address blacklisted.', $metadata: {} });
    const { fn, calls } = failing(rejected);
    const { delays, sleep } = recordSleeps();

    await expect(withRetry(fn, { classify: classifySendError, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, sleep })).rejects.toBe(rejected);

    expect(calls).toEqual([1]);
    expect(delays).toEqual([]);
  });

  it('rethrows an error that stops the edition at once', async () => {
    const quota = new SESServiceException({ name: 'Throttling', message: 'Daily message quota exceeded.', $fault: 'client', $metadata: {} });
    const { fn, calls } = failing(throttled(), quota);
    const { sleep } = recordSleeps();

    await expect(withRetry(fn, { classify: classifySendError, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, sleep })).rejects.toBe(quota);

    expect(calls).toEqual([1, 2]);
  });

  it('gives up after maxAttempts calls with the last error', async () => {
    const last = throttled();
    const { fn, calls } = failing(throttled(), throttled(), last, throttled());
    const { delays, sleep } = recordSleeps();

    await expect(withRetry(fn, { classify: classifySendError, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 1000, sleep, random: () => 1 })).rejects.toBe(last);

    expect(calls).toEqual([1, 2, 3]);
    expect(delays).toEqual([10, 20]);
  });

  it('tells onRetry about each wait', async () => {
    const first = throttled();
    const seen: Array<[unknown, number, number]> = [];
    const { sleep } = recordSleeps();

    await withRetry(failing(first).fn, {
      classify: classifySendError,
      maxAttempts: 2,
      baseDelayMs: 40,
      maxDelayMs: 1000,
      sleep,
      random: () => 0.25,
      onRetry: (error, attempt, delayMs) => seen.push([error, attempt, delayMs]),
    });

    expect(seen).toEqual([[first, 1, 10]]);
  });

  it('refuses a number of attempts below one', async () => {
    await expect(withRetry(async () => 'x', { classify: classifySendError, maxAttempts: 0, baseDelayMs: 1, maxDelayMs: 1 })).rejects.toThrow(
      'maxAttempts must be a whole number of at least 1, got 0',
    );
  });
});
