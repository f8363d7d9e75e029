import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientSettings, createDocumentClient } from '../lambdas/aws/clients.ts';
import { createSubscriberStore } from '../lambdas/aws/dynamodb/subscribers.ts';
import type { TableNames } from '../lambdas/aws/dynamodb/tables.ts';
import type { SubscriberStatus } from '../lambdas/subscription/store.ts';
import { newSignupNonce } from '../lambdas/subscription/tokens.ts';
import { startBenchProcess } from './child-process.ts';
import { median, report } from './stats.ts';

const samples = 50;
const warmup = 10;
/** A pause between requests, after the previous sign-up's email (sent after its answer) has arrived. */
const pauseMs = 20;

/** The states an address can be in when the form is posted; `new` is an address never seen. */
const states = ['new', 'pending', 'active', 'unsubscribed', 'suppressed'] as const;
type State = (typeof states)[number];
/** The states whose sign-up is recorded and mailed. */
const mailed = new Set<State>(['new', 'pending', 'unsubscribed']);

const addressOf = (state: State, index: number) => `${state}-${index}@timing.example.org`;

const shuffled = <T>(values: readonly T[]): T[] => {
  const copy = [...values];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
};

/**
 * POST /subscribe for addresses in each state, 50 samples each, interleaved in a random order per round
 * against the local server (in its own process, as `briefing dev` runs it): the median answer time per
 * state, and the largest median over the smallest (target ≤ 1.15, so a stranger timing the form cannot
 * tell who reads). A pending address was last mailed an hour ago, so each state that sends does so.
 */
export const benchSubscribeTiming = async (): Promise<void> => {
  console.log(`\n## Sign-up answer time by the address's state (${samples} interleaved samples each, local server in its own process)`);
  const server = await startBenchProcess<{ url: string; settings: ClientSettings; tables: TableNames }>('bench/subscribe-server.ts');
  const doc = createDocumentClient(server.ready.settings);
  try {
    const subscribers = createSubscriberStore(doc, server.ready.tables.subscribers);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (let index = 0; index < samples + warmup; index += 1) {
      for (const state of states) {
        if (state === 'new') continue;
        const status: SubscriberStatus = state;
        const waiting = status === 'pending' ? { confirmationSentAt: hourAgo.toISOString(), signupNonce: newSignupNonce(), expiresAt: Math.floor(Date.now() / 1000) + 86_400 } : undefined;
        await subscribers.add(addressOf(state, index), { status, reason: 'bench', at: hourAgo, set: waiting });
      }
    }

    const inboxCount = async () => ((await (await fetch(`${server.ready.settings.sesEndpoint}/store`)).json()) as { emails: unknown[] }).emails.length;
    let expectedMails = 0;
    /**
     * Each sample is timed alone: the previous sign-up's email, sent by the server after its answer, has
     * arrived before the next request goes out (the email's work would otherwise land on a random later sample).
     */
    const settle = async () => {
      for (let waited = 0; (await inboxCount()) < expectedMails && waited < 2000; waited += 5) await sleep(5);
      await sleep(pauseMs);
    };

    const signUp = async (state: State, index: number): Promise<number> => {
      const email = addressOf(state, index);
      const start = performance.now();
      const response = await fetch(`${server.ready.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email }).toString(),
      });
      await response.arrayBuffer();
      const elapsed = performance.now() - start;
      if (response.status !== 200) throw new Error(`POST /subscribe for ${email} answered ${response.status}`);
      if (mailed.has(state)) expectedMails += 1;
      await settle();
      return elapsed;
    };

    for (let index = samples; index < samples + warmup; index += 1) for (const state of states) await signUp(state, index);
    const times: Record<State, number[]> = { new: [], pending: [], active: [], unsubscribed: [], suppressed: [] };
    for (let index = 0; index < samples; index += 1) {
      for (const state of shuffled(states)) times[state].push(await signUp(state, index));
    }
    const arrived = await inboxCount();
    if (arrived !== expectedMails) console.log(`MISS confirmation emails: ${arrived} arrived, ${expectedMails} expected (one per new, pending and unsubscribed sign-up)`);

    const medians = Object.fromEntries(states.map((state) => [state, median(times[state])])) as Record<State, number>;
    console.log(states.map((state) => `${state} ${medians[state].toFixed(2)} ms`).join(', '));
    const values = Object.values(medians);
    report('largest median / smallest median', Math.max(...values) / Math.min(...values), '×', { value: 1.15, better: 'lower' });
  } finally {
    doc.destroy();
    await server.stop();
  }
};
