import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';
import { startSqsStub } from '../helpers/sqs-stub.ts';
import { apiEvent, form } from './harness.ts';

let emulators: TestEmulators;
let sqs: Awaited<ReturnType<typeof startSqsStub>>;
let handler: typeof import('../../lambdas/handlers/subscription-api.ts').handler;
let sender: typeof import('../../lambdas/handlers/confirmation-sender.ts').handler;
const queueUrl = 'https://sqs.eu-west-2.amazonaws.com/123456789012/Briefing-ConfirmationQueue';

beforeAll(async () => {
  emulators = await startTestEmulators();
  sqs = await startSqsStub();
  // The deployed functions' settings, as the stack passes them (the secret directly instead of by ARN).
  const env = {
    ...emulators.env,
    BRIEFING_SQS_ENDPOINT: sqs.endpoint,
    BRIEFING_CONFIRMATION_QUEUE_URL: queueUrl,
    BRIEFING_TOKEN_SECRET: 'handler-test-secret',
    BRIEFING_SITE_URL: 'https://briefing.example.com',
    BRIEFING_CONFIGURATION_SET: 'BriefingConfigurationSet',
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  ({ handler } = await import('../../lambdas/handlers/subscription-api.ts'));
  ({ handler: sender } = await import('../../lambdas/handlers/confirmation-sender.ts'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await sqs.close();
  await emulators.close();
});

describe('subscription API handler (HTTP API payload 2.0)', () => {
  it('serves the signup page, signs a reader up and queues the confirmation, which the sender function mails', async () => {
    const page = await handler(apiEvent('GET', '/'), lambdaContext('subscription-api'));
    const signup = await handler(apiEvent('POST', '/subscribe', form({ email: 'handler@example.org' })), lambdaContext('subscription-api'));

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/subscribe">');
    expect(signup.statusCode).toBe(200);
    const subscriber = await createStores(emulators.doc, emulators.tables).subscribers.get('handler@example.org');
    expect(subscriber?.status).toBe('pending');
    // Nothing is mailed inside the request: one job went to the confirmation queue.
    expect(await emulators.inbox()).toEqual([]);
    expect(sqs.messages.map((message) => message.queueUrl)).toEqual([queueUrl]);

    const records = sqs.messages.map((message, index) => sqsRecord('Briefing-ConfirmationQueue', `m-${index}`, message.body));
    expect(await sender({ Records: records }, lambdaContext('confirmation-sender'))).toEqual({ batchItemFailures: [] });
    const confirmation = (await emulators.inbox()).find((message) => message.destination.to.includes('handler@example.org'));
    expect(confirmation?.body.text).toContain('https://briefing.example.com/confirm?token=');
  });
});
