import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { pauseThresholds } from '../lambdas/feedback/apply.ts';
import { editionsPausedMetric, metricsNamespace, serviceName } from '../lambdas/metrics.ts';

/** SES reviews an account at a 5 % bounce rate and a 0.1 % complaint rate: hear about it first. */
export const reputationThresholds = { bounceRate: pauseThresholds.bounceRate, complaintRate: pauseThresholds.complaintRate } as const;

export interface AlarmsProps {
  /** Who gets the alarm emails (they confirm the SNS subscription once). @default - no subscription; subscribe to the topic later */
  readonly email?: string;
  /** Dead-letter queues by a readable name; any message in one is an alarm. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Functions by a readable name; any error is an alarm. */
  readonly functions: Readonly<Record<string, IFunction>>;
}

/** Everything that needs a person: failed work parked in a DLQ, function errors, SES reputation. */
export class Alarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'Briefing alarms', enforceSSL: true });
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry no personal data, and CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key; a customer-managed key would cost more than the topic.',
      },
    ]);
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));

    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number) =>
      new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DeadLetters`,
        `Briefing: ${name} has messages in its dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, `Briefing: the ${name} function failed`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1);
    }
    const reputation = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.minutes(15) });
    alarm('BounceRate', 'Briefing: the SES account bounce rate reached 5 %', reputation('Reputation.BounceRate'), reputationThresholds.bounceRate);
    alarm(
      'ComplaintRate',
      'Briefing: the SES account complaint rate reached 0.1 %',
      reputation('Reputation.ComplaintRate'),
      reputationThresholds.complaintRate,
    );
    alarm(
      'EditionPaused',
      'Briefing: an edition was paused for its bounce or complaint rate; fix the cause, then briefing send --date <id> --resume',
      new Metric({ namespace: metricsNamespace, metricName: editionsPausedMetric, dimensionsMap: { service: serviceName }, statistic: 'Sum', period: Duration.minutes(5) }),
      1,
    );
  }
}
