import { EventBridgeEnvelope, SnsEnvelope } from '@aws-lambda-powertools/parser/envelopes';
import * as z from 'zod';
import { BriefingError } from '../errors.ts';

/**
 * SES sending events as a configuration set's event destination publishes them (the `eventType`
 * record AWS documents), reaching the function through SNS or EventBridge. Identity notifications
 * name the same field `notificationType`; both are read.
 */

const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time');

const mailSchema = z.object({
  messageId: z.string(),
  timestamp,
  destination: z.array(z.string()),
  /** Configuration-set events carry the message tags: `edition` names the edition a briefing belongs to. */
  tags: z.record(z.string(), z.array(z.string())).optional(),
});

const bounceSchema = z.object({
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
  bounceSubType: z.string(),
  bouncedRecipients: z
    .array(z.object({ emailAddress: z.string(), action: z.string().optional(), status: z.string().optional(), diagnosticCode: z.string().optional() }))
    .min(1),
  timestamp,
  feedbackId: z.string(),
});

const complaintSchema = z.object({
  complainedRecipients: z.array(z.object({ emailAddress: z.string() })).min(1),
  timestamp,
  feedbackId: z.string(),
  complaintFeedbackType: z.string().optional(),
  complaintSubType: z.string().nullable().optional(),
});

const deliverySchema = z.object({
  timestamp,
  recipients: z.array(z.string()).min(1),
});

const recordSchema = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Bounce'), bounce: bounceSchema, mail: mailSchema }),
  z.object({ eventType: z.literal('Complaint'), complaint: complaintSchema, mail: mailSchema }),
  z.object({ eventType: z.literal('Delivery'), delivery: deliverySchema, mail: mailSchema }),
]);

const handledTypes = new Set(['Bounce', 'Complaint', 'Delivery']);

export interface FeedbackRecipient {
  readonly email: string;
  /** The SMTP status and the receiving server's words, when it gave them. */
  readonly detail?: string;
}

interface FeedbackBase {
  readonly messageId: string;
  /** When the bounce, complaint or delivery happened. */
  readonly at: Date;
  /** The `edition` message tag: which edition the mail was, if it was a briefing. */
  readonly editionId?: string;
}

export type FeedbackEvent =
  | (FeedbackBase & {
      readonly kind: 'bounce';
      readonly bounceType: 'Permanent' | 'Transient' | 'Undetermined';
      readonly subType: string;
      readonly feedbackId: string;
      readonly recipients: readonly FeedbackRecipient[];
    })
  | (FeedbackBase & {
      readonly kind: 'complaint';
      readonly feedbackType?: string;
      readonly subType?: string;
      readonly feedbackId: string;
      readonly recipients: readonly FeedbackRecipient[];
    })
  | (FeedbackBase & { readonly kind: 'delivery'; readonly recipients: readonly FeedbackRecipient[] })
  | { readonly kind: 'ignored'; readonly eventType: string };

/** An event that is not the documented shape: thrown so the delivery is retried and ends in the dead-letter queue. */
export class FeedbackParseError extends BriefingError {
  override name = 'FeedbackParseError';
}

const describe = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`).join('; ');

const detailOf = (recipient: { status?: string; diagnosticCode?: string }): string | undefined =>
  [recipient.status, recipient.diagnosticCode].filter(Boolean).join(' ') || undefined;

const fromRecord = (input: unknown): FeedbackEvent => {
  const record = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const eventType = record.eventType ?? record.notificationType;
  if (typeof eventType !== 'string') throw new FeedbackParseError('not an SES event: no eventType');
  if (!handledTypes.has(eventType)) return { kind: 'ignored', eventType };

  const parsed = recordSchema.safeParse({ ...record, eventType });
  if (!parsed.success) throw new FeedbackParseError(`SES ${eventType} event: ${describe(parsed.error)}`);
  const event = parsed.data;
  const base = { messageId: event.mail.messageId, editionId: event.mail.tags?.edition?.[0] };
  switch (event.eventType) {
    case 'Bounce':
      return {
        ...base,
        kind: 'bounce',
        at: new Date(event.bounce.timestamp),
        bounceType: event.bounce.bounceType,
        subType: event.bounce.bounceSubType,
        feedbackId: event.bounce.feedbackId,
        recipients: event.bounce.bouncedRecipients.map((recipient) => ({ email: recipient.emailAddress, detail: detailOf(recipient) })),
      };
    case 'Complaint':
      return {
        ...base,
        kind: 'complaint',
        at: new Date(event.complaint.timestamp),
        feedbackType: event.complaint.complaintFeedbackType,
        subType: event.complaint.complaintSubType ?? undefined,
        feedbackId: event.complaint.feedbackId,
        recipients: event.complaint.complainedRecipients.map((recipient) => ({ email: recipient.emailAddress })),
      };
    case 'Delivery':
      return { ...base, kind: 'delivery', at: new Date(event.delivery.timestamp), recipients: event.delivery.recipients.map((email) => ({ email })) };
  }
};

/**
 * The SES events in a Lambda invocation: an SNS notification (one or more records whose Message is
 * the event's JSON), an EventBridge event (the record is the `detail`), or a bare record.
 */
export const parseFeedback = (input: unknown): FeedbackEvent[] => {
  // Powertools' envelopes check the SNS and EventBridge wrappers as AWS documents them and unwrap the record(s).
  const sns = SnsEnvelope.safeParse(input, z.string());
  if (sns.success) {
    return sns.data.map((message) => {
      let record: unknown;
      try {
        record = JSON.parse(message);
      } catch {
        throw new FeedbackParseError('SNS message is not JSON');
      }
      return fromRecord(record);
    });
  }
  const bridge = EventBridgeEnvelope.safeParse(input, z.unknown());
  if (bridge.success && (input as { source?: unknown }).source === 'aws.ses') return [fromRecord(bridge.data)];
  return [fromRecord(input)];
};
