import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';

/** An encrypted, TLS-only queue; every queue of the stack is made here. */
export const secureQueue = (scope: Construct, id: string, props: QueueProps = {}): Queue =>
  new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });

/** A dead-letter queue: kept 14 days (the SQS maximum) so there is time to look at what failed. */
export const deadLetterQueue = (scope: Construct, id: string, usedBy: string): Queue => {
  const queue = secureQueue(scope, id, { retentionPeriod: Duration.days(14) });
  NagSuppressions.addResourceSuppressions(queue, [
    { id: 'AwsSolutions-SQS3', reason: `This queue is itself the dead-letter queue of ${usedBy}; an alarm fires when it holds a message.` },
  ]);
  return queue;
};
