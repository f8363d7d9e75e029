import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BriefingFunction } from './briefing-function.ts';
import type { Email } from './email.ts';
import { deadLetterQueue, secureQueue } from './queues.ts';
import type { Storage } from './storage.ts';
import type { TokenSecret } from './token-secret.ts';
import { maxSendRateVariable, queueUrlVariable, sendRateBudgetVariable } from '../lambdas/config/environment.ts';
import { jobsPerBatch } from '../lambdas/sending/queue.ts';

/**
 * Recipients per deliver invocation (one SQS message is one recipient): the batches compose queues a variant's
 * jobs in, so that one invocation usually holds one variant.
 */
export const deliverBatchSize = jobsPerBatch;
/** What one deliver container sustains sending one message at a time (SES answers in ~50–100 ms). */
export const workerSendRate = 10;
/** Lambda's bounds for an SQS event source's maximum concurrency. */
const concurrencyBounds = { min: 2, max: 1000 } as const;
/** Redeliveries of one recipient before it is parked in the dead-letter queue. */
export const maxReceiveCount = 5;

/**
 * The deliver workers allowed to run at once for an account send rate: enough to reach the rate,
 * never more than SQS event sources allow. Each worker paces itself to its share of the rate, so
 * together they never exceed it.
 */
export const deliverConcurrency = (maxSendRate: number): { workers: number; ratePerWorker: number } => {
  const workers = Math.min(concurrencyBounds.max, Math.max(concurrencyBounds.min, Math.ceil(maxSendRate / workerSendRate)));
  return { workers, ratePerWorker: maxSendRate / workers };
};

export interface SendingProps {
  readonly storage: Storage;
  readonly email: Email;
  readonly tokenSecret: TokenSecret;
  /** The SES account's maximum send rate (emails per second) that the deliver workers share. */
  readonly maxSendRate: number;
  /** The newsletter settings every function gets. */
  readonly environment: Readonly<Record<string, string>>;
}

/** compose → SQS (one message per recipient, with a dead-letter queue) → deliver. */
export class Sending extends Construct {
  readonly compose: BriefingFunction;
  readonly deliver: BriefingFunction;
  readonly queue: IQueue;
  readonly deadLetters: IQueue;

  constructor(scope: Construct, id: string, props: SendingProps) {
    super(scope, id);
    this.compose = new BriefingFunction(this, 'Compose', {
      entry: 'lambdas/handlers/compose.ts',
      description: 'Briefing: pick the edition, render it once, queue one delivery per active subscriber',
      templates: true,
      // MJML is CPU-bound: memory buys CPU. Enqueueing a large list takes minutes; the edition lock makes a rerun safe.
      memorySize: 1024,
      timeout: Duration.minutes(15),
      // One at a time: a scheduled run and a manual send never enqueue side by side (the lock decides, the second waits or is throttled).
      reservedConcurrentExecutions: 1,
      environment: props.environment,
    });

    // Worst case a batch takes deliverBatchSize / ratePerWorker seconds plus SES backoff; the timeout leaves room for both.
    const deliverTimeout = Duration.minutes(2);
    this.deadLetters = deadLetterQueue(this, 'DeliveryDeadLetters', 'the delivery queue');
    this.queue = secureQueue(this, 'DeliveryQueue', {
      // At least 6× the function timeout, so a batch still being sent is never handed to a second worker.
      visibilityTimeout: Duration.seconds(deliverTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount },
      // The SQS maximum: an edition stopped by SES (quota, account paused) keeps its queued recipients until it is resumed.
      retentionPeriod: Duration.days(14),
    });

    const { workers, ratePerWorker } = deliverConcurrency(props.maxSendRate);
    this.deliver = new BriefingFunction(this, 'Deliver', {
      entry: 'lambdas/handlers/deliver.ts',
      description: 'Briefing: personalise and send queued deliveries, each recipient exactly once',
      timeout: deliverTimeout,
      environment: { ...props.environment, [maxSendRateVariable]: String(ratePerWorker), [sendRateBudgetVariable]: String(props.maxSendRate) },
    });
    this.deliver.addEventSource(
      new SqsEventSource(this.queue, { batchSize: deliverBatchSize, maxConcurrency: workers, reportBatchItemFailures: true }),
    );

    props.storage.grant(this.compose, 'articles', 'read');
    props.storage.grant(this.compose, 'subscribers', 'read');
    props.storage.grant(this.compose, 'editions', 'read', 'write');
    // A resume counts the outcomes again from the deliveries table and marks uncertain ones for a retry (--retry-uncertain).
    props.storage.grant(this.compose, 'deliveries', 'read', 'write');
    // The edition's topic variants: written in batches (BatchWriteItem), listed again by a resume to map readers to them.
    props.storage.grant(this.compose, 'variants', 'read', 'batchWrite');
    this.queue.grantSendMessages(this.compose);
    this.compose.addEnvironment(queueUrlVariable, this.queue.queueUrl);
    // Test copies (MIME), and the report of an edition compose ends.
    props.email.grantSend(this.compose, ['raw', 'simple']);
    // The quota pre-check: an edition larger than what is left of the 24-hour quota stops before it starts.
    props.email.grantReadQuota(this.compose);

    props.storage.grant(this.deliver, 'subscribers', 'read');
    props.storage.grant(this.deliver, 'editions', 'read', 'write');
    // release() gives a claim back with a conditional DeleteItem when SES certainly did not take the message.
    props.storage.grant(this.deliver, 'deliveries', 'read', 'write', 'delete');
    // The variant a job names, read once per container (the archive reads the full edition from the editions table).
    props.storage.grant(this.deliver, 'variants', 'read');
    props.email.grantSend(this.deliver, ['raw', 'simple']);
    props.tokenSecret.grantRead(this.deliver);

    // Whichever function ends an edition reports it: compose (no recipients, the quota, a failure), deliver (the last
    // batch, an SES stop) and feedback (a pause). The report names the stories (articles, read) and compares the rate
    // achieved with the account's. It is a simple message SES composes (SendEmail): feedback sends nothing else.
    const feedback = props.email.feedback;
    props.storage.grant(this.deliver, 'articles', 'read');
    props.storage.grant(feedback, 'articles', 'read');
    props.email.grantSend(feedback, ['simple']);
    for (const fn of [this.compose, feedback]) fn.addEnvironment(sendRateBudgetVariable, String(props.maxSendRate));
  }
}
