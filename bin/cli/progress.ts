import { SingleBar } from 'cli-progress';

export interface Progress<T = SendCounts> {
  update(value: T): void;
  stop(): void;
}

interface MeterOptions<T> {
  /** The word before the bar: "sending", "importing". */
  readonly label: string;
  readonly total: number;
  /** How far along a value is, out of `total`. */
  readonly done: (value: T) => number;
  /** What follows the count: rates, and the outcomes that are not progress. */
  readonly details: (value: T, seconds: number) => string;
  readonly initial: T;
  readonly stream: NodeJS.WriteStream;
  readonly lineIntervalMs: number;
}

/**
 * A bar with done/total, the details and an ETA on a terminal; elsewhere (CI, a pipe, a log file) a plain
 * line every few seconds and at the end, so the output stays readable.
 */
const createMeter = <T>(options: MeterOptions<T>): Progress<T> => {
  const started = Date.now();
  const seconds = () => Math.max(0.001, (Date.now() - started) / 1000);
  if (options.stream.isTTY) {
    const bar = new SingleBar({ stream: options.stream, format: `${options.label} {bar} {value}/{total} | {details} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50 });
    bar.start(options.total, options.done(options.initial), { details: options.details(options.initial, seconds()) });
    return {
      update: (value) => bar.update(options.done(value), { details: options.details(value, seconds()) }),
      stop: () => bar.stop(),
    };
  }
  let lastLine = 0;
  let last = options.initial;
  const line = (value: T) => {
    options.stream.write(`progress: ${options.done(value)}/${options.total} ${options.details(value, seconds())}\n`);
    lastLine = Date.now();
  };
  return {
    update(value) {
      last = value;
      if (Date.now() - lastLine >= options.lineIntervalMs) line(value);
    },
    stop: () => line(last),
  };
};

export interface SendCounts {
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  readonly uncertain: number;
}

/** Progress of a send: recipients handled, the send rate, and what was skipped, failed or left uncertain. */
export const createProgress = (total: number, stream: NodeJS.WriteStream = process.stderr, lineIntervalMs = 2000): Progress<SendCounts> =>
  createMeter<SendCounts>({
    label: 'sending',
    total,
    done: (counts) => counts.sent + counts.skipped + counts.failed + counts.uncertain,
    details: (counts, seconds) =>
      `(sent ${counts.sent}, skipped ${counts.skipped}, failed ${counts.failed}${counts.uncertain ? `, uncertain ${counts.uncertain}` : ''}) at ${(counts.sent / seconds).toFixed(1)}/s`,
    initial: { sent: 0, skipped: 0, failed: 0, uncertain: 0 },
    stream,
    lineIntervalMs,
  });

/** Progress through the rows of a file. */
export const createRowProgress = (label: string, total: number, stream: NodeJS.WriteStream = process.stderr, lineIntervalMs = 2000): Progress<number> =>
  createMeter<number>({ label, total, done: (rows) => rows, details: (rows, seconds) => `rows at ${Math.round(rows / seconds)}/s`, initial: 0, stream, lineIntervalMs });
