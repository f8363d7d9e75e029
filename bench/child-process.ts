import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface BenchProcess<T> {
  /** What the script printed as its first line, parsed as JSON: where it listens. */
  readonly ready: T;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Runs a bench script in its own process (tsx), so the code measured does not share an event loop or a
 * CPU clock with what serves it, and waits for the JSON line the script prints when it is ready.
 */
export const startBenchProcess = async <T>(script: string): Promise<BenchProcess<T>> => {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return {
    ready: JSON.parse(line) as T,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

/** CPU seconds a process has used so far (Linux /proc; utime + stime in clock ticks of 1/100 s). */
export const processCpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
