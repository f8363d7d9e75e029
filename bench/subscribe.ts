import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDocumentClient } from '../lambdas/aws/clients.ts';
import type { ClientSettings } from '../lambdas/aws/clients.ts';
import { createSubscriberStore } from '../lambdas/aws/dynamodb/subscribers.ts';
import { startBenchProcess } from './child-process.ts';
import type { TableNames } from '../lambdas/aws/dynamodb/tables.ts';

interface AutocannonResult {
  readonly '2xx': number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number };
}

interface AutocannonOptions {
  readonly url: string;
  readonly amount: number;
  readonly connections: number;
  readonly overallRate: number;
  readonly requests: readonly { readonly method: string; readonly path: string; readonly headers: Record<string, string>; readonly setupRequest: (request: { body?: string }) => { body?: string } }[];
}

// autocannon is CommonJS without types; this is the one call used.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

const rate = 200;
const seconds = 10;

/** POST /subscribe at 200 requests/s for 10 s, each a new address: errors, latency, and every accepted sign-up stored as pending. */
export const benchSubscribe = async (): Promise<void> => {
  console.log(`\n## Subscribe (POST /subscribe at ${rate}/s for ${seconds} s, local server in its own process)`);
  const server = await startBenchProcess<{ url: string; settings: ClientSettings; tables: TableNames }>('bench/subscribe-server.ts');
  try {
    let sequence = 0;
    const result = await autocannon({
      url: server.ready.url,
      // A fixed number of requests rather than a duration: autocannon then waits for every answer, so none is cut off uncounted.
      amount: rate * seconds,
      connections: 20,
      overallRate: rate,
      requests: [
        {
          method: 'POST',
          path: '/subscribe',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (request) => ({ ...request, body: `email=bench-${(sequence += 1)}%40example.com` }),
        },
      ],
    });
    const subscribers = createSubscriberStore(createDocumentClient(server.ready.settings), server.ready.tables.subscribers);
    let pending = 0;
    let cursor: string | undefined;
    do {
      const page = await subscribers.pageByStatus('pending', { cursor, limit: 1000 });
      pending += page.items.length;
      cursor = page.cursor;
    } while (cursor);

    // The confirmation emails go out after the answers: give the last of them a moment to arrive.
    const inboxCount = async () => ((await (await fetch(`${server.ready.settings.sesEndpoint}/store`)).json()) as { emails: unknown[] }).emails.length;
    let mailed = await inboxCount();
    for (let waited = 0; mailed < result['2xx'] && waited < 10_000; waited += 100) {
      await sleep(100);
      mailed = await inboxCount();
    }

    const failed = result.errors + result.timeouts + result.non2xx;
    console.log(
      `${result.requests.total} requests (${result.requests.average.toFixed(0)}/s): ${result['2xx']} accepted, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(`${failed === 0 ? 'ok  ' : 'MISS'} failed requests: ${failed} (target 0)`);
    console.log(`${pending === result['2xx'] ? 'ok  ' : 'MISS'} stored pending sign-ups: ${pending} (accepted: ${result['2xx']})`);
    console.log(`${mailed === result['2xx'] ? 'ok  ' : 'MISS'} confirmation emails in the local inbox: ${mailed}`);
  } finally {
    await server.stop();
  }
};
