import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { confirmationQueueUrlVariable } from '../lambdas/config/environment.ts';
import { BriefingFunction } from './briefing-function.ts';
import type { Email } from './email.ts';
import { deadLetterQueue, secureQueue } from './queues.ts';
import type { Storage } from './storage.ts';
import type { TokenSecret } from './token-secret.ts';

/** Receives before a confirmation job is parked in the dead-letter queue. */
export const confirmationMaxReceiveCount = 5;

export interface ConfirmationsProps {
  /** The function that takes sign-ups: it may put jobs on the queue, and is told where the queue is. */
  readonly api: LambdaFunction;
  readonly storage: Storage;
  readonly email: Email;
  readonly tokenSecret: TokenSecret;
  /** The newsletter settings, with the site URL the confirm links point to. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Each sign-up's confirmation email, sent after the sign-up page has answered: the subscription API
 * puts one job per sign-up on the queue (whatever the address's state, so the answer takes as long
 * for everybody), and the sender function mails those whose sign-up is still waiting.
 */
export class Confirmations extends Construct {
  readonly queue: IQueue;
  /** Jobs that failed every receive: an alarm on it says confirmation emails are not going out. */
  readonly deadLetters: IQueue;
  readonly sender: BriefingFunction;

  constructor(scope: Construct, id: string, props: ConfirmationsProps) {
    super(scope, id);
    const timeout = Duration.seconds(30);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters', 'the confirmation queue');
    this.queue = secureQueue(this, 'Queue', {
      // At least 6× the function timeout, as AWS advises for an SQS event source.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      // A confirm link works for 7 days from the sign-up; a job older than a day is better left to a new sign-up.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: confirmationMaxReceiveCount },
    });
    this.sender = new BriefingFunction(this, 'Sender', {
      entry: 'lambdas/handlers/confirmation-sender.ts',
      description: 'Briefing: the confirmation email of each sign-up, after the sign-up page has answered',
      templates: true,
      // MJML renders the template once per container: memory buys the CPU for it.
      memorySize: 1024,
      timeout,
      environment: props.environment,
    });
    // Two workers (the fewest SQS allows) keep sign-up bursts from taking the send rate deliveries need.
    this.sender.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }));
    // read: the sign-up waiting; write: releasing the ten-minute throttle when an email could not be sent.
    props.storage.grant(this.sender, 'subscribers', 'read', 'write');
    props.email.grantSend(this.sender, ['raw']);
    props.tokenSecret.grantRead(this.sender);

    this.queue.grantSendMessages(props.api);
    props.api.addEnvironment(confirmationQueueUrlVariable, this.queue.queueUrl);
  }
}
