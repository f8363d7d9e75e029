import type { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sqsConfirmationQueue } from '../../lambdas/aws/sqs-confirmation-queue.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { createConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { type ConfirmationContext, decodeConfirmationJob, encodeConfirmationJob, sendConfirmationFor } from '../../lambdas/subscription/confirmations.ts';
import { erasureKeys } from '../../lambdas/subscription/data-requests.ts';
import { confirmSubscription, recordSignup, unsubscribe } from '../../lambdas/subscription/signup.ts';
import { verifyToken } from '../../lambdas/subscription/tokens.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';
import { siteUrl, testClock, testSecret } from './harness.ts';

const local = useTestEmulators();
const minute = 60_000;

const context = (): ConfirmationContext => ({
  subscribers: local.stores.subscribers,
  sendConfirmation: createConfirmationSender({ config: parseConfig({ siteUrl }), mailer: local.emulators.mailer, secret: testSecret }),
});
const erasureKey = erasureKeys(testSecret);
const signUp = (email: string, now: Date) => recordSignup({ subscribers: local.stores.subscribers, erasureKey }, email, { reason: 'signed up on the web page', topics: [], now });
const mailsTo = async (email: string) => (await local.emulators.inbox()).filter((message) => message.destination.to.includes(email));

describe('sendConfirmationFor', () => {
  it("sends the email for a sign-up that is waiting, its confirm link carrying the sign-up's nonce and dated from the sign-up", async () => {
    const clock = testClock();
    const { job } = await signUp('new@example.org', clock.now());

    expect(await sendConfirmationFor(context(), job)).toBe('sent');

    const [mail] = await mailsTo('new@example.org');
    const token = /confirm\?token=([\w.-]+)/.exec(mail?.body.text ?? '')![1]!;
    const check = verifyToken(testSecret, token, 'confirm', clock.now());
    expect(check).toMatchObject({ ok: true, claims: { signup: job.signup, expiresAt: Math.floor(clock.now().getTime() / 1000) + 7 * 86_400 } });
  });

  it('sends nothing for a refused sign-up, a replaced one, a confirmed one or one whose address unsubscribed since', async () => {
    const clock = testClock();
    await local.stores.subscribers.add('active@example.org', { status: 'active', reason: 'confirmed' });
    const refused = await signUp('active@example.org', clock.now());
    const replaced = await signUp('twice@example.org', clock.now());
    clock.advance(11 * minute);
    await signUp('twice@example.org', clock.now());
    const confirmed = await signUp('done@example.org', clock.now());
    const done = (await local.stores.subscribers.get('done@example.org'))!;
    await confirmSubscription({ subscribers: local.stores.subscribers, now: clock.now, erasureKey }, { subscriberId: done.id, signup: confirmed.job.signup });
    const left = await signUp('left@example.org', clock.now());
    await unsubscribe({ subscribers: local.stores.subscribers, now: clock.now }, (await local.stores.subscribers.get('left@example.org'))!.id, 'one-click unsubscribe');

    for (const { job } of [refused, replaced, confirmed, left]) expect(await sendConfirmationFor(context(), job), job.email).toBe('not-waiting');
    expect(await local.emulators.inbox()).toEqual([]);
  });

  it('throws when the email cannot be sent, and releases the ten-minute throttle so that the next sign-up sends at once', async () => {
    const clock = testClock();
    const { job } = await signUp('unlucky@example.org', clock.now());
    const failing: ConfirmationContext = { ...context(), sendConfirmation: async () => Promise.reject(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' })) };

    await expect(sendConfirmationFor(failing, job)).rejects.toThrow('Service unavailable');

    expect((await local.stores.subscribers.get('unlucky@example.org'))?.confirmationSentAt).toBeUndefined();
    clock.advance(minute);
    const again = await signUp('unlucky@example.org', clock.now());
    expect(again.outcome).toBe('confirmation-sent');
    expect(await sendConfirmationFor(context(), again.job)).toBe('sent');
  });
});

describe('confirmation jobs on a queue', () => {
  it('are JSON with the address and the sign-up, and anything else is refused by name', () => {
    const job = { email: 'reader@example.org', signup: 'Xq3v9LrT0aYb2cDeFgHiJw' };

    expect(decodeConfirmationJob(encodeConfirmationJob(job))).toEqual(job);
    expect(() => decodeConfirmationJob('{"email": ')).toThrow('not a confirmation job (not JSON): {"email": ');
    expect(() => decodeConfirmationJob('{"email": "reader@example.org"}')).toThrow(/^not a confirmation job \(it needs a non-empty email and signup\)/);
  });

  it('go to SQS as one SendMessage each, the job as the body', async () => {
    const sent: SendMessageCommand['input'][] = [];
    const client = { send: async (command: SendMessageCommand) => (sent.push(command.input), { MessageId: 'm1' }) } as unknown as SQSClient;
    const queueUrl = 'https://sqs.eu-west-2.amazonaws.com/123456789012/Briefing-ConfirmationQueue';

    await sqsConfirmationQueue(client, queueUrl).enqueue({ email: 'reader@example.org', signup: 'nonce' });

    expect(sent).toEqual([{ QueueUrl: queueUrl, MessageBody: '{"email":"reader@example.org","signup":"nonce"}' }]);
  });
});

describe('confirmation-sender handler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const queued = (messageId: string, body: string) => sqsRecord('Briefing-ConfirmationQueue', messageId, body);

  it('sends the queued confirmations, handing back only the record it could not read', async () => {
    for (const [name, value] of Object.entries({ ...local.emulators.env, BRIEFING_TOKEN_SECRET: testSecret, BRIEFING_SITE_URL: siteUrl })) vi.stubEnv(name, value);
    const { handler } = await import('../../lambdas/handlers/confirmation-sender.ts');
    const { job } = await signUp('queued@example.org', new Date());
    const event: SQSEvent = { Records: [queued('good', encodeConfirmationJob(job)), queued('garbled', 'not json')] };

    const result = await handler(event, lambdaContext('confirmation-sender'));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'garbled' }] });
    const [mail] = await mailsTo('queued@example.org');
    expect(mail?.body.text).toContain(`${siteUrl}/confirm?token=`);
  });
});
