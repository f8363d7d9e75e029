import { describe, expect, it } from 'vitest';
import { FeedbackParseError, parseFeedback } from '../../lambdas/feedback/events.ts';
import { type Envelope, sesEvent } from './fixtures.ts';

const envelopes: Envelope[] = ['sns', 'eventbridge'];

describe('parseFeedback', () => {
  it.each(envelopes)('reads a permanent bounce delivered by %s', (envelope) => {
    expect(parseFeedback(sesEvent('bounce-permanent', envelope))).toEqual([
      {
        kind: 'bounce',
        bounceType: 'Permanent',
        subType: 'General',
        feedbackId: '0102019b0c44f053-61b59c11-9236-11e6-8f96-7be8aexample-000000',
        messageId: '0102019b0c1d2e3f-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        editionId: '2026-11-24',
        at: new Date('2026-11-24T06:01:02.669Z'),
        recipients: [{ email: 'recipient@example.com', detail: '5.1.1 smtp; 550 5.1.1 user unknown' }],
      },
    ]);
  });

  it.each(envelopes)('reads a transient bounce, a complaint and a delivery delivered by %s', (envelope) => {
    const [transient] = parseFeedback(sesEvent('bounce-transient', envelope));
    const [complaint] = parseFeedback(sesEvent('complaint', envelope));
    const [delivery] = parseFeedback(sesEvent('delivery', envelope));

    expect(transient).toMatchObject({ kind: 'bounce', bounceType: 'Transient', subType: 'MailboxFull' });
    expect(complaint).toMatchObject({ kind: 'complaint', feedbackType: 'abuse', editionId: '2026-11-24', recipients: [{ email: 'recipient@example.com' }] });
    expect(delivery).toMatchObject({ kind: 'delivery', at: new Date('2026-11-24T06:01:03.133Z'), recipients: [{ email: 'recipient@example.com' }] });
  });

  it('reads a mail that is not a briefing (no edition tag) and ignores event types it does not handle', () => {
    const [untagged] = parseFeedback(sesEvent('bounce-permanent', 'eventbridge', { edition: null }));
    expect(untagged).toMatchObject({ kind: 'bounce' });
    expect((untagged as { editionId?: string }).editionId).toBeUndefined();
    expect(parseFeedback(sesEvent('send', 'sns'))).toEqual([{ kind: 'ignored', eventType: 'Send' }]);
  });

  it('reads identity notifications too, which name the type notificationType', () => {
    const record = (sesEvent('complaint', 'eventbridge') as { detail: Record<string, unknown> }).detail;
    const { eventType, ...rest } = record;

    expect(parseFeedback({ notificationType: eventType, ...rest })[0]).toMatchObject({ kind: 'complaint' });
  });

  it('refuses an event that is not the documented shape, naming the field', () => {
    const broken = sesEvent('bounce-permanent', 'eventbridge', { detail: { bouncedRecipients: [], bounceType: 'Soft' } });

    expect(() => parseFeedback(broken)).toThrow(FeedbackParseError);
    expect(() => parseFeedback(broken)).toThrow(/bounce\.bounceType.*bounce\.bouncedRecipients/);
    expect(() => parseFeedback({ hello: 'world' })).toThrow('not an SES event');
    const sns = sesEvent('bounce-permanent', 'sns') as { Records: { Sns: { Message: string } }[] };
    sns.Records[0]!.Sns.Message = 'not json';
    expect(() => parseFeedback(sns)).toThrow('SNS message is not JSON');
  });
});
