import { performance } from 'node:perf_hooks';

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** Runs `fn` `runs` times after `warmup` runs and returns each run's duration in milliseconds. */
export const timeRuns = async (fn: () => unknown, runs: number, warmup = 3): Promise<number[]> => {
  for (let index = 0; index < warmup; index += 1) await fn();
  const durations: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const start = performance.now();
    await fn();
    durations.push(performance.now() - start);
  }
  return durations;
};

/** One line of a bench report: the figure, the target and how the figure compares to it. */
export const report = (label: string, value: number, unit: string, target: { value: number; better: 'lower' | 'higher' }): void => {
  const ratio = value / target.value;
  const ok = target.better === 'lower' ? value <= target.value : value >= target.value;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  console.log(
    `${ok ? 'ok  ' : 'MISS'} ${label}: ${value.toFixed(digits)} ${unit} (target ${target.better === 'lower' ? '≤' : '≥'} ${target.value} ${unit}; ratio ${ratio.toFixed(2)})`,
  );
};
