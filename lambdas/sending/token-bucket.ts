import { setTimeout as delay } from 'node:timers/promises';

export interface TokenBucketOptions {
  /** Tokens added per second: the sustained send rate. */
  readonly ratePerSecond: number;
  /**
   * Tokens that can be saved up while nobody is waiting, so the most that may go at once after a pause; any
   * window of T seconds holds at most `burst + ratePerSecond × T` grants. A bucket starts with one token.
   * @default ratePerSecond / 100, at least 1: room for the 10 ms or so a timer may fire late, which a
   *   bucket of 1 would lose (87 % of 1,000/s reached against 100 % with this default).
   */
  readonly burst?: number;
  /** Milliseconds on a monotonic clock. @default performance.now */
  readonly now?: () => number;
  /** @default setTimeout from node:timers/promises */
  readonly sleep?: (ms: number) => Promise<void>;
}

// Tokens are fractional; a wait computed to the exact refill can land a hair short of a whole token.
const whole = 1 - 1e-9;

/**
 * Paces callers to a send rate: each `take()` resolves when a token is free, in the order the calls came.
 * One bucket is shared by every worker in a process.
 *
 * Across Lambda invocations nothing is shared, so the account's budget is split by the deliver function's
 * SQS maximum concurrency: each invocation paces itself to `maxSendRate / maxConcurrency`.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #waiting: Array<() => void> = [];
  #tokens: number;
  #updatedAt: number;
  #pumping = false;

  constructor(options: TokenBucketOptions) {
    const { ratePerSecond, burst = Math.max(1, ratePerSecond / 100) } = options;
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
    if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError(`burst must be a number of at least 1, got ${burst}`);
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => delay(ms));
    this.#tokens = 1;
    this.#updatedAt = this.#now();
  }

  take(): Promise<void> {
    this.#refill();
    if (this.#waiting.length === 0 && this.#tokens >= whole) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      void this.#pump();
    });
  }

  #refill(): void {
    const now = this.#now();
    // Capped when the time is counted, not when it is spent: a timer that fires late cannot add a burst.
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate);
    this.#updatedAt = now;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiting.length > 0) {
        this.#refill();
        while (this.#waiting.length > 0 && this.#tokens >= whole) {
          this.#tokens -= 1;
          this.#waiting.shift()!();
        }
        if (this.#waiting.length > 0) await this.#sleep(((1 - this.#tokens) / this.#rate) * 1000);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
