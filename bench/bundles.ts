import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import {
  configurationSetVariable,
  maxSendRateVariable,
  queueUrlVariable,
  sendRateBudgetVariable,
  tableVariables,
  templatesDirVariable,
  tokenSecretArnVariable,
} from '../lambdas/config/environment.ts';
import { esbuildOptions } from '../lib/bundling.ts';
import { median, report } from './stats.ts';

const root = resolve(import.meta.dirname, '..');

export const handlerEntries = {
  compose: 'lambdas/handlers/compose.ts',
  deliver: 'lambdas/handlers/deliver.ts',
  'subscription-api': 'lambdas/handlers/subscription-api.ts',
  feedback: 'lambdas/handlers/feedback.ts',
} as const;
type Bundle = keyof typeof handlerEntries;

/** Builds every handler with the deployed esbuild settings into `outdir/<name>/index.mjs`; returns each bundle's path. */
export const buildBundles = async (outdir: string): Promise<Record<Bundle, string>> => {
  const paths = {} as Record<Bundle, string>;
  for (const [name, entry] of Object.entries(handlerEntries) as [Bundle, string][]) {
    paths[name] = join(outdir, name, 'index.mjs');
    await build(esbuildOptions(resolve(root, entry), paths[name]));
  }
  return paths;
};

// What Lambda gives the process, so module-scope code (config, clients) starts as it would there.
const lambdaLikeEnvironment = {
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'briefing',
  [templatesDirVariable]: resolve(root, 'templates'),
  ...Object.fromEntries(Object.entries(tableVariables).map(([store, variable]) => [variable, store])),
  [queueUrlVariable]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/delivery',
  [configurationSetVariable]: 'briefing',
  [tokenSecretArnVariable]: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:token',
  [maxSendRateVariable]: '7',
  [sendRateBudgetVariable]: '14',
  BRIEFING_SITE_URL: 'https://briefing.example.com',
};

/** Milliseconds a fresh `node` process takes to import the bundle (module evaluation included). */
export const coldImport = async (bundle: string): Promise<number> => {
  const script = `const start = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(performance.now() - start);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...lambdaLikeEnvironment },
  });
  return Number(stdout.trim().split('\n').at(-1));
};

/** Each bundle's size, and the cold import time of deliver and compose (median of 7 fresh processes). */
export const benchBundles = async (): Promise<void> => {
  console.log('\n## Lambda bundles (esbuild with the deployed settings: ESM, minified, node22, SDK bundled)');
  const outdir = await mkdtemp(join(tmpdir(), 'briefing-bundles-'));
  try {
    const bundles = await buildBundles(outdir);
    for (const [name, path] of Object.entries(bundles) as [Bundle, string][]) {
      const kb = (await stat(path)).size / 1024;
      if (name === 'deliver') report('deliver bundle size', kb, 'KB', { value: 500, better: 'lower' });
      else console.log(`${name} bundle size: ${kb.toFixed(0)} KB`);
    }
    for (const name of ['deliver', 'compose'] as const) {
      const times: number[] = [];
      for (let run = 0; run < 7; run += 1) times.push(await coldImport(bundles[name]));
      if (name === 'deliver') report('deliver cold import', median(times), 'ms', { value: 150, better: 'lower' });
      else console.log(`compose cold import: ${median(times).toFixed(0)} ms median (MJML and its CSS tooling load here, once per container)`);
    }
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
};
