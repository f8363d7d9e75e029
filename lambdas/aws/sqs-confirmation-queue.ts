import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ConfirmationQueue, encodeConfirmationJob } from '../subscription/confirmations.ts';

/** The SQS implementation of the confirmation queue: one message per sign-up, sent by the confirmation-sender function. */
export const sqsConfirmationQueue = (client: SQSClient, queueUrl: string): ConfirmationQueue => ({
  async enqueue(job) {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: encodeConfirmationJob(job) }));
  },
});
