import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { type FeedbackEvent, FeedbackParseError, parseFeedback } from './events.ts';

/**
 * The SES events of one record of the feedback queue. The EventBridge rule puts each SES event on the
 * queue as is, so the record's body is the EventBridge event; the queue hands the function up to a
 * batch of them, and a record that cannot be read fails alone (and ends in the dead-letter queue).
 */
export const parseQueuedFeedback = (record: unknown): FeedbackEvent[] => {
  // Powertools' schema checks the record as AWS documents it, so a stray invocation is refused by name.
  const parsed = SqsRecordSchema.safeParse(record);
  if (!parsed.success) throw new FeedbackParseError(`not an SQS record: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`).join('; ')}`);
  let body: unknown;
  try {
    body = JSON.parse(parsed.data.body);
  } catch {
    throw new FeedbackParseError(`SQS message ${parsed.data.messageId}: body is not JSON`);
  }
  try {
    return parseFeedback(body);
  } catch (error) {
    if (error instanceof FeedbackParseError) throw new FeedbackParseError(`SQS message ${parsed.data.messageId}: ${error.message}`, { cause: error });
    throw error;
  }
};
