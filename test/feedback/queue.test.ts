import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendRateBudgetVariable } from '../../lambdas/config/environment.ts';
import { FeedbackParseError } from '../../lambdas/feedback/events.ts';
import { parseQueuedFeedback } from '../../lambdas/feedback/queue.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';
import { sesEvent } from './fixtures.ts';

/** A record of the feedback queue; the body is what the EventBridge rule put there. */
const queued = (messageId: string, body: string) => sqsRecord('Briefing-EmailFeedbackQueue', messageId, body);

describe('parseQueuedFeedback', () => {
  it('reads the EventBridge event in the body of a queued record', () => {
    const events = parseQueuedFeedback(queued('m1', JSON.stringify(sesEvent('bounce-permanent', 'eventbridge'))));

    expect(events).toEqual([
      expect.objectContaining({ kind: 'bounce', bounceType: 'Permanent', editionId: '2026-11-24', recipients: [{ email: 'recipient@example.com', detail: '5.1.1 smtp; 550 5.1.1 user unknown' }] }),
    ]);
  });

  it('reads a complaint and a delivery the same way', () => {
    expect(parseQueuedFeedback(queued('m2', JSON.stringify(sesEvent('complaint', 'eventbridge'))))).toEqual([expect.objectContaining({ kind: 'complaint' })]);
    expect(parseQueuedFeedback(queued('m3', JSON.stringify(sesEvent('delivery', 'eventbridge'))))).toEqual([expect.objectContaining({ kind: 'delivery' })]);
  });

  it('refuses a body that is not JSON, naming the message', () => {
    expect(() => parseQueuedFeedback(queued('m4', '{"detail-type": '))).toThrow(new FeedbackParseError('SQS message m4: body is not JSON'));
  });

  it('refuses a body that is not an SES event, naming the message and the field', () => {
    const broken = sesEvent('bounce-permanent', 'eventbridge', { detail: { bounceType: 'Sideways' } });

    expect(() => parseQueuedFeedback(queued('m5', JSON.stringify(broken)))).toThrow(/^SQS message m5: SES Bounce event: bounce\.bounceType: /);
  });

  it('refuses something that is not an SQS record', () => {
    expect(() => parseQueuedFeedback(sesEvent('bounce-permanent', 'eventbridge'))).toThrow(/^not an SQS record: /);
  });
});

describe('feedback handler', () => {
  const local = useTestEmulators();
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('applies a batch from the queue as deployed, handing back only the record it could not read', async () => {
    for (const [name, value] of Object.entries(local.emulators.env)) vi.stubEnv(name, value);
    // As the stack sets it for the functions that report an edition's end.
    vi.stubEnv(sendRateBudgetVariable, '14');
    const { handler } = await import('../../lambdas/handlers/feedback.ts');
    await local.stores.subscribers.add('gone@example.org', { status: 'active', reason: 'confirmed' });
    await local.stores.subscribers.add('full@example.org', { status: 'active', reason: 'confirmed' });
    const event: SQSEvent = {
      Records: [
        queued('bounce', JSON.stringify(sesEvent('bounce-permanent', 'eventbridge', { recipient: 'gone@example.org' }))),
        queued('garbled', 'not json'),
        queued('soft', JSON.stringify(sesEvent('bounce-transient', 'eventbridge', { recipient: 'full@example.org' }))),
      ],
    };

    const result = await handler(event, { functionName: 'feedback', awsRequestId: 'r1', getRemainingTimeInMillis: () => 30_000 } as never);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'garbled' }] });
    expect((await local.stores.subscribers.get('gone@example.org'))?.status).toBe('suppressed');
    expect((await local.stores.subscribers.get('full@example.org'))?.status).toBe('active');
  });
});
