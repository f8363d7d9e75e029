import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import type { Stores } from '../../lambdas/stores.ts';
import type { ConfirmationJob } from '../../lambdas/subscription/confirmations.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { handleRequest } from '../../lambdas/subscription/router.ts';
import type { SubscriberStatus } from '../../lambdas/subscription/store.ts';
import { erasureKeys } from '../../lambdas/subscription/data-requests.ts';
import { newSignupNonce } from '../../lambdas/subscription/tokens.ts';
import { type RecordingClient, recordingClient } from '../helpers/dynamodb-calls.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { apiEvent, siteUrl, testClock } from './harness.ts';

let emulators: TestEmulators;
let recording: RecordingClient;
let stores: Stores;

beforeAll(async () => {
  emulators = await startTestEmulators();
  recording = recordingClient(emulators.settings);
});
afterAll(async () => {
  recording.destroy();
  await emulators.close();
});
beforeEach(async () => {
  stores = createStores(recording.doc, await emulators.freshTables());
});

const clock = testClock();
const minute = 60_000;
const secret = 'same-work-secret';

/** Every state an address can be in when the form is posted, as the routes would have left it. */
const states: { readonly name: string; readonly status?: SubscriberStatus; readonly mailedMinutesAgo?: number; readonly erased?: 'active' | 'suppressed' }[] = [
  { name: 'new' },
  { name: 'pending, mailed 2 minutes ago', status: 'pending', mailedMinutesAgo: 2 },
  { name: 'pending, mailed an hour ago', status: 'pending', mailedMinutesAgo: 60 },
  { name: 'active', status: 'active' },
  { name: 'unsubscribed', status: 'unsubscribed' },
  { name: 'unsubscribed, signed up again 2 minutes ago', status: 'unsubscribed', mailedMinutesAgo: 2 },
  { name: 'suppressed', status: 'suppressed' },
  { name: 'erased by its reader', erased: 'active' },
  { name: 'erased by its reader while suppressed', erased: 'suppressed' },
];

describe('POST /subscribe', () => {
  it('does the same store work and queues one job of the same shape for every state, sending nothing itself', async () => {
    const jobs: ConfirmationJob[] = [];
    const deps = createSubscriptionDeps({
      config: parseConfig({ siteUrl }),
      stores,
      secret,
      confirmations: { enqueue: async (job) => void jobs.push(job) },
      now: clock.now,
    });
    const work: Record<string, unknown> = {};

    for (const [index, state] of states.entries()) {
      const email = `reader${index}@example.org`;
      if (state.status) {
        const mailed = state.mailedMinutesAgo === undefined ? undefined : new Date(clock.now().getTime() - state.mailedMinutesAgo * minute);
        await stores.subscribers.add(email, {
          status: state.status,
          reason: 'set up by the test',
          set: mailed && { confirmationSentAt: mailed.toISOString(), signupNonce: newSignupNonce() },
        });
      }
      if (state.erased) {
        const subscriber = (await stores.subscribers.add(email, { status: state.erased, reason: 'set up by the test' }))!;
        await stores.subscribers.erase(subscriber, { key: erasureKeys(secret)(email), erasedAt: clock.now().toISOString(), suppressed: state.erased === 'suppressed' });
      }
      recording.clear();
      jobs.length = 0;

      const response = await handleRequest(apiEvent('POST', '/subscribe', { body: new URLSearchParams([['email', email], ['topics', 'world'], ['topics', 'science']]).toString(), contentType: 'application/x-www-form-urlencoded' }), deps, () => {});

      expect(response.statusCode, state.name).toBe(200);
      work[state.name] = {
        calls: recording.calls.map((call) => call.command),
        jobs: jobs.map((job) => ({ email: job.email === email, signup: job.signup.length })),
      };
    }

    const same = { calls: ['BatchGetItemCommand', 'UpdateItemCommand'], jobs: [{ email: true, signup: 22 }] };
    expect(work).toEqual(Object.fromEntries(states.map((state) => [state.name, same])));
  });
});
