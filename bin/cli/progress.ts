import { SingleBar } from 'cli-progress';

export interface SendCounts {
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
}

export interface Progress {
  update(counts: SendCounts): void;
  stop(): void;
}

const done = (counts: SendCounts) => counts.sent + counts.skipped + counts.failed;

/**
 * A bar with sent/total, rate and ETA on a terminal; elsewhere (CI, a pipe, a log file) a plain
 * line every few seconds and at the end, so the output stays readable.
 */
export const createProgress = (total: number, stream: NodeJS.WriteStream = process.stderr, lineIntervalMs = 2000): Progress => {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: 'sending {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | skipped {skipped} · failed {failed}',
        hideCursor: true,
        etaBuffer: 50,
      },
      undefined,
    );
    bar.start(total, 0, { rate: '0', skipped: 0, failed: 0 });
    return {
      update(counts) {
        const seconds = Math.max(0.001, (Date.now() - started) / 1000);
        bar.update(done(counts), { rate: (counts.sent / seconds).toFixed(1), skipped: counts.skipped, failed: counts.failed });
      },
      stop: () => bar.stop(),
    };
  }
  let lastLine = 0;
  let last: SendCounts = { sent: 0, skipped: 0, failed: 0 };
  const line = (counts: SendCounts) => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    stream.write(
      `progress: ${done(counts)}/${total} (sent ${counts.sent}, skipped ${counts.skipped}, failed ${counts.failed}) at ${(counts.sent / seconds).toFixed(1)}/s\n`,
    );
    lastLine = Date.now();
  };
  return {
    update(counts) {
      last = counts;
      if (Date.now() - lastLine >= lineIntervalMs) line(counts);
    },
    stop: () => line(last),
  };
};
