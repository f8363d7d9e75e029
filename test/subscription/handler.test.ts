import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { apiEvent, form } from './harness.ts';

let emulators: TestEmulators;
let handler: typeof import('../../lambdas/handlers/subscription-api.ts').handler;

beforeAll(async () => {
  emulators = await startTestEmulators();
  // The deployed function's settings, as the stack passes them (the secret directly instead of by ARN).
  const env = {
    ...emulators.env,
    BRIEFING_TOKEN_SECRET: 'handler-test-secret',
    BRIEFING_SITE_URL: 'https://briefing.example.com',
    BRIEFING_CONFIGURATION_SET: 'BriefingConfigurationSet',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  ({ handler } = await import('../../lambdas/handlers/subscription-api.ts'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await emulators.close();
});

describe('subscription API handler (HTTP API payload 2.0)', () => {
  it('serves the signup page and signs a reader up through the configured stores and SES', async () => {
    const page = await handler(apiEvent('GET', '/'), lambdaContext('subscription-api'));
    const signup = await handler(apiEvent('POST', '/subscribe', form({ email: 'handler@example.org' })), lambdaContext('subscription-api'));

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/subscribe">');
    expect(signup.statusCode).toBe(200);
    const subscriber = await createStores(emulators.doc, emulators.tables).subscribers.get('handler@example.org');
    expect(subscriber?.status).toBe('pending');
    // The confirmation email goes out after the answer.
    const confirmation = async () => (await emulators.inbox()).find((message) => message.destination.to.includes('handler@example.org'))?.body.text ?? '';
    await expect.poll(confirmation).toContain('https://briefing.example.com/confirm?token=');
  });
});
