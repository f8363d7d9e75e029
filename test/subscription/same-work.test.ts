import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import type { Stores } from '../../lambdas/stores.ts';
import type { ConfirmationJob } from '../../lambdas/subscription/confirmations.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { handleRequest } from '../../lambdas/subscription/router.ts';
import type { SubscriberStatus } from '../../lambdas/subscription/store.ts';
import { newSignupNonce } from '../../lambdas/subscription/tokens.ts';
import { type RecordingClient, recordingClient } from '../helpers/dynamodb-calls.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { apiEvent, form, siteUrl, testClock } from './harness.ts';

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

/** Every state an address can be in when the form is posted, as the routes would have left it. */
const states: { readonly name: string; readonly status?: SubscriberStatus; readonly mailedMinutesAgo?: number }[] = [
  { name: 'new' },
  { name: 'pending, mailed 2 minutes ago', status: 'pending', mailedMinutesAgo: 2 },
  { name: 'pending, mailed an hour ago', status: 'pending', mailedMinutesAgo: 60 },
  { name: 'active', status: 'active' },
  { name: 'unsubscribed', status: 'unsubscribed' },
  { name: 'unsubscribed, signed up again 2 minutes ago', status: 'unsubscribed', mailedMinutesAgo: 2 },
  { name: 'suppressed', status: 'suppressed' },
];

describe('POST /subscribe', () => {
  it('does the same store work and queues one job of the same shape for every state, sending nothing itself', async () => {
    const jobs: ConfirmationJob[] = [];
    const deps = createSubscriptionDeps({
      config: parseConfig({ siteUrl }),
      stores,
      secret: 'same-work-secret',
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
      recording.clear();
      jobs.length = 0;

      const response = await handleRequest(apiEvent('POST', '/subscribe', form({ email })), deps, () => {});

      expect(response.statusCode, state.name).toBe(200);
      work[state.name] = {
        calls: recording.calls.map((call) => call.command),
        jobs: jobs.map((job) => ({ email: job.email === email, signup: job.signup.length })),
      };
    }

    const same = { calls: ['GetItemCommand', 'UpdateItemCommand'], jobs: [{ email: true, signup: 22 }] };
    expect(work).toEqual(Object.fromEntries(states.map((state) => [state.name, same])));
  });
});
