import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BriefingFunction } from './briefing-function.ts';
import type { Email } from './email.ts';
import { deadLetterQueue, secureQueue } from './queues.ts';
import type { Storage } from './storage.ts';
import type { TokenSecret } from './token-secret.ts';

export const queueUrlVariable = 'BRIEFING_QUEUE_URL';
export const maxSendRateVariable = 'BRIEFING_MAX_SEND_RATE';

/** Recipients per deliver invocation (one SQS message is one recipient). */
export const deliverBatchSize = 10;
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
      environment: props.environment,
    });

    // Worst case a batch takes deliverBatchSize / ratePerWorker seconds plus SES backoff; the timeout leaves room for both.
    const deliverTimeout = Duration.minutes(2);
    this.deadLetters = deadLetterQueue(this, 'DeliveryDeadLetters', 'the delivery queue');
    this.queue = secureQueue(this, 'DeliveryQueue', {
      // At least 6× the function timeout, so a batch still being sent is never handed to a second worker.
      visibilityTimeout: Duration.seconds(deliverTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount },
    });

    const { workers, ratePerWorker } = deliverConcurrency(props.maxSendRate);
    this.deliver = new BriefingFunction(this, 'Deliver', {
      entry: 'lambdas/handlers/deliver.ts',
      description: 'Briefing: personalise and send queued deliveries, each recipient exactly once',
      timeout: deliverTimeout,
      environment: { ...props.environment, [maxSendRateVariable]: String(ratePerWorker) },
    });
    this.deliver.addEventSource(
      new SqsEventSource(this.queue, { batchSize: deliverBatchSize, maxConcurrency: workers, reportBatchItemFailures: true }),
    );

    props.storage.grantRead(this.compose, 'articles', 'subscribers');
    props.storage.grantReadWrite(this.compose, 'editions');
    this.queue.grantSendMessages(this.compose);
    this.compose.addEnvironment(queueUrlVariable, this.queue.queueUrl);
    props.email.grantSend(this.compose);

    props.storage.grantRead(this.deliver, 'subscribers');
    props.storage.grantReadWrite(this.deliver, 'editions', 'deliveries');
    props.email.grantSend(this.deliver);
    props.tokenSecret.grantRead(this.deliver);
  }
}
