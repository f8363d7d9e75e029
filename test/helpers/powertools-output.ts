import { vi } from 'vitest';

/**
 * The JSON lines Powertools writes from now on, in order: its Logger's lines (warnings and errors on
 * stderr) and the embedded metric format documents (stdout). Nothing reaches the terminal;
 * `vi.restoreAllMocks()` ends the capture.
 */
export const capturePowertoolsOutput = (): Record<string, unknown>[] => {
  const lines: Record<string, unknown>[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    });
  }
  return lines;
};

/** Whether a captured line is an embedded metric format document rather than a log line. */
export const isMetricDocument = (line: Record<string, unknown>): boolean => '_aws' in line;
