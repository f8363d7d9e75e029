import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientSettings } from '../lambdas/aws/clients.ts';
import { createDocumentClient } from '../lambdas/aws/clients.ts';
import { tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { tableVariables } from '../lambdas/config/environment.ts';
import { ensureTables } from '../local/tables.ts';
import { processCpuSeconds, startBenchProcess } from './child-process.ts';
import { report } from './stats.ts';

const rows = 100_000;

/** A CSV as a newsroom would bring it from another platform: address, name, and a status for some. */
const csvOf = (count: number): string => {
  const statuses = ['', '', '', 'unsubscribed', ''];
  const lines = ['email,name,status'];
  for (let index = 0; index < count; index += 1) lines.push(`reader${index}@example.org,Reader ${index},${statuses[index % statuses.length]}`);
  return `${lines.join('\n')}\n`;
};

const runCli = (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; ms: number }> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', './bench/max-rss.mjs', 'bin/briefing.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - started }));
  });

/** `briefing subscribers import` of 100,000 rows, the CLI in its own process against the DynamoDB emulator in another: time and peak memory. */
export const benchSubscriberImport = async (): Promise<void> => {
  console.log(`\n## Subscriber import (${rows.toLocaleString('en')} CSV rows through the CLI, DynamoDB emulator in its own process)`);
  const emulators = await startBenchProcess<ClientSettings>('bench/emulator-process.ts');
  const dir = await mkdtemp(join(tmpdir(), 'briefing-import-bench-'));
  try {
    const tables = tableNamesFromEnv({}, 'bench');
    await ensureTables(createDocumentClient(emulators.ready), tables);
    const file = join(dir, 'readers.csv');
    await writeFile(file, csvOf(rows));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BRIEFING_DYNAMODB_ENDPOINT: emulators.ready.dynamodbEndpoint,
      BRIEFING_SES_ENDPOINT: emulators.ready.sesEndpoint,
      BRIEFING_DATA_DIR: join(dir, '.briefing'),
      BRIEFING_TOKEN_SECRET: 'bench',
      ...Object.fromEntries(Object.entries(tableVariables).map(([store, variable]) => [variable, tables[store as keyof typeof tables]])),
    };
    const emulatorCpu = processCpuSeconds(emulators.pid);
    const result = await runCli(['subscribers', 'import', file], env);
    if (result.code !== 0) throw new Error(`import failed (${result.code}): ${result.stderr.slice(-500)}`);
    const { maxRssKb, cpuMs } = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as { maxRssKb: number; cpuMs: number };
    console.log(result.stdout.trim());
    // The emulator is one process on one core: when its CPU is close to the wall time, it is what the import waits for.
    console.log(`CPU used by the CLI ${(cpuMs / 1000).toFixed(1)} s, by the DynamoDB emulator ${(processCpuSeconds(emulators.pid) - emulatorCpu).toFixed(1)} s`);
    report('import of 100,000 rows', result.ms / 1000, 's', { value: 20, better: 'lower' });
    report('peak memory of the CLI process', maxRssKb / 1024, 'MB', { value: 200, better: 'lower' });
  } finally {
    await emulators.stop();
    await rm(dir, { recursive: true, force: true });
  }
};
