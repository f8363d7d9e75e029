import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../lambdas/sending/token-bucket.ts';

/** A clock that only moves when the bucket sleeps, each sleep landing `late()` ms after it was due, as timers do. */
const fakeClock = (late: () => number = () => 0) => {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      // Time passes after the callers already let through have run, as with a real timer.
      await new Promise((resolve) => setImmediate(resolve));
      now += ms + late();
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
};

/** The most grants in any window [t, t + 1 s). */
const busiestSecond = (times: readonly number[]): number => {
  let most = 0;
  for (let start = 0, end = 0; start < times.length; start += 1) {
    while (end < times.length && times[end]! < times[start]! + 1000) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
};

/** `workers` callers taking `each` tokens as fast as they are given; the grant times in order. */
const drain = async (bucket: TokenBucket, now: () => number, workers: number, each: number): Promise<number[]> => {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let index = 0; index < each; index += 1) {
        await bucket.take();
        times.push(now());
      }
    }),
  );
  return times;
};

describe('TokenBucket', () => {
  it('paces concurrent workers to the rate, one token every 1/rate seconds', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 50, burst: 1, now: clock.now, sleep: clock.sleep });

    const times = await drain(bucket, clock.now, 10, 30);

    expect(times).toHaveLength(300);
    expect(times.at(-1)).toBeCloseTo((299 / 50) * 1000, 6);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(Math.min(...gaps)).toBeCloseTo(20, 6);
    expect(Math.max(...gaps)).toBeCloseTo(20, 6);
    expect(busiestSecond(times)).toBe(50);
  });

  it('saves up to the burst while idle and no more', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5, now: clock.now, sleep: clock.sleep });
    await bucket.take();

    clock.advance(60_000);
    const times = await drain(bucket, clock.now, 1, 8);

    expect(times.map((time) => time - 60_000)).toEqual([0, 0, 0, 0, 0, 100, 200, 300].map((ms) => expect.closeTo(ms, 6)));
  });

  it('starts with a single token, so a cold start does not burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5, now: clock.now, sleep: clock.sleep });

    const times = await drain(bucket, clock.now, 3, 1);

    expect(times).toEqual([0, 100, 200].map((ms) => expect.closeTo(ms, 6)));
  });

  it('serves callers in the order they asked', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 5, now: clock.now, sleep: clock.sleep });
    const order: string[] = [];

    await Promise.all(['a', 'b', 'c', 'd'].map((name) => bucket.take().then(() => order.push(name))));

    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('stays within rate + burst in every second and reaches at least 90 % of the rate when timers fire late', async () => {
    let seed = 7;
    const lateness = () => {
      seed = (seed * 48271) % 2147483647;
      return (seed / 2147483647) * 4;
    };
    const clock = fakeClock(lateness);
    const bucket = new TokenBucket({ ratePerSecond: 500, now: clock.now, sleep: clock.sleep });

    const times = await drain(bucket, clock.now, 20, 250);

    const achieved = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
    expect(achieved).toBeGreaterThanOrEqual(450);
    expect(achieved).toBeLessThanOrEqual(500);
    expect(busiestSecond(times)).toBeLessThanOrEqual(500 + 5);
  });

  it('refuses a rate or burst that cannot pace anything', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow('ratePerSecond must be a positive number, got 0');
    expect(() => new TokenBucket({ ratePerSecond: Number.NaN })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 10, burst: 0.5 })).toThrow('burst must be a number of at least 1, got 0.5');
  });

  // The one test on the real clock and timers, so it asserts only what no scheduling delay can break:
  // a timer may fire late but the bucket grants by the clock, so 11 takes at 100/s span at least 100 ms.
  it('waits on the real clock by default', async () => {
    const start = performance.now();
    const bucket = new TokenBucket({ ratePerSecond: 100 });

    for (let index = 0; index < 11; index += 1) await bucket.take();

    expect(performance.now() - start).toBeGreaterThanOrEqual(100 - 1e-6);
  });
});
