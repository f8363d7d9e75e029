import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';

/** A record of the queue named `queue` as Lambda's SQS event source documents it, received once, carrying `body` as it was queued. */
export const sqsRecord = (queue: string, messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `AQEB${messageId}`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764000062669', SenderId: 'AIDAIENQZJOLO23YVJ4VO', ApproximateFirstReceiveTimestamp: '1764000062700' },
  messageAttributes: {},
  md5OfBody: createHash('md5').update(body).digest('hex'),
  eventSource: 'aws:sqs',
  eventSourceARN: `arn:aws:sqs:eu-west-2:123456789012:${queue}`,
  awsRegion: 'eu-west-2',
});
