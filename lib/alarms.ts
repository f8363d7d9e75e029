import { Annotations, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { pauseThresholds } from '../lambdas/feedback/apply.ts';
import {
  editionsLateMetric,
  editionsPausedMetric,
  editionsStoppedMetric,
  feedPollFailuresMetric,
  metricsNamespace,
  serviceName,
  stopReasonDimension,
  uncertainDeliveriesMetric,
} from '../lambdas/metrics.ts';

/** SES reviews an account at a 5 % bounce rate and a 0.1 % complaint rate: hear about it first. */
export const reputationThresholds = { bounceRate: pauseThresholds.bounceRate, complaintRate: pauseThresholds.complaintRate } as const;

/** A work queue is stuck when its oldest message has waited this long and nothing was taken off it meanwhile. */
export const stuckQueueMinutes = 15;

/** Feed polls in a row that must fail before a broken feed alarms (one timeout is not news). */
export const feedPollFailuresInARow = 3;

/** A metric one of the functions publishes (Powertools adds the `service` dimension). */
export const briefingMetric = (metricName: string, statistic = 'Sum', period = Duration.minutes(5)): Metric =>
  new Metric({ namespace: metricsNamespace, metricName, dimensionsMap: { service: serviceName }, statistic, period });

/**
 * Every stop, whatever its reason: one Metrics Insights query sums `EditionsStopped` over all its
 * `reason` values, so a reason nobody listed in advance still alarms (an alarm on a plain metric
 * needs the exact dimension values).
 */
export const editionsStoppedAnyReason = (period = Duration.minutes(5)): MathExpression =>
  new MathExpression({
    expression: `SELECT SUM(${editionsStoppedMetric}) FROM SCHEMA("${metricsNamespace}", ${stopReasonDimension}, service) WHERE service = '${serviceName}'`,
    usingMetrics: {},
    period,
    label: 'editions stopped',
  });

export interface AlarmsProps {
  /** Who gets the alarm emails (they confirm the SNS subscription once). @default - nobody, unless `topicArn` */
  readonly email?: string;
  /** An SNS topic that already reaches people; the alarms publish to it instead of a topic of their own. @default - a topic of the stack's own */
  readonly topicArn?: string;
  /** Without `email` or `topicArn` nobody hears of an alarm: refused (an error) unless this says it is on purpose (a warning). @default false */
  readonly noRecipientOnPurpose?: boolean;
  /** Dead-letter queues by a readable name; any message in one is an alarm. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Queues whose consumer must keep up, by a readable name; an old message while nothing is consumed is an alarm. */
  readonly workQueues: Readonly<Record<string, IQueue>>;
  /** Functions by a readable name; any error or throttle is an alarm. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * The feed poller: its errors, and `FeedPollFailures` (one per feed it could not read in a poll) in
   * `feedPollFailuresInARow` polls in a row. @default - no feed poller
   */
  readonly feedPoller?: { readonly function: IFunction; readonly pollMinutes: number };
}

/** Everything that needs a person, on one SNS topic: failed work, late or stopped editions, stuck queues, function errors, SES reputation. */
export class Alarms extends Construct {
  readonly topic: ITopic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    if (!props.email && !props.topicArn) {
      const nobody = 'no alarmEmail or alarmTopicArn: every alarm of this stack would notify nobody';
      if (props.noRecipientOnPurpose) Annotations.of(this).addWarningV2('briefing:alarms-none', `${nobody} (alarms=none)`);
      else Annotations.of(this).addError(`${nobody}. Set -c alarmEmail=ops@example.org or -c alarmTopicArn=arn:aws:sns:…, or -c alarms=none to deploy so knowingly.`);
    }
    if (props.topicArn) {
      this.topic = Topic.fromTopicArn(this, 'Topic', props.topicArn);
    } else {
      const topic = new Topic(this, 'Topic', { displayName: 'Briefing alarms', enforceSSL: true });
      NagSuppressions.addResourceSuppressions(topic, [
        {
          id: 'AwsSolutions-SNS2',
          reason:
            'Alarm notifications carry no personal data, and CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key; a customer-managed key would cost more than the topic.',
        },
      ]);
      if (props.email) topic.addSubscription(new EmailSubscription(props.email));
      this.topic = topic;
    }

    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number, periods = 1) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };

    alarm(
      'EditionLate',
      "Briefing: the day's edition was not sent by its deadline (skipped for lack of news, stopped, paused, still sending, or never started); the edition watchdog's log line says which",
      briefingMetric(editionsLateMetric, 'Maximum'),
      1,
    );
    alarm(
      'EditionStopped',
      'Briefing: SES refused to send and an edition stopped (the reason dimension says why: DailyQuotaExceeded, AccessDenied, AccountSendingPausedException…); fix it, then briefing send --date <id> --resume',
      editionsStoppedAnyReason(),
      1,
    );
    alarm(
      'EditionPaused',
      'Briefing: an edition was paused for its bounce or complaint rate; fix the cause, then briefing send --date <id> --resume',
      briefingMetric(editionsPausedMetric),
      1,
    );
    alarm(
      'UncertainDeliveries',
      'Briefing: SES may or may not have sent some deliveries (a timeout or reset after the request left); they are not retried: see the edition report',
      briefingMetric(uncertainDeliveriesMetric),
      1,
    );
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `${name}DeadLetters`,
        `Briefing: ${name} has messages in its dead-letter queue`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
      );
    }
    const stuckPeriod = Duration.minutes(stuckQueueMinutes);
    for (const [name, queue] of Object.entries(props.workQueues)) {
      alarm(
        `${name}QueueStuck`,
        `Briefing: the oldest message of the ${name} queue has waited ${stuckQueueMinutes} minutes and none was consumed meanwhile (function failing, throttled or disabled)`,
        new MathExpression({
          expression: `IF(age >= ${stuckPeriod.toSeconds()} AND FILL(deleted, 0) == 0, 1, 0)`,
          usingMetrics: {
            age: queue.metricApproximateAgeOfOldestMessage({ period: stuckPeriod, statistic: 'Maximum' }),
            deleted: queue.metricNumberOfMessagesDeleted({ period: stuckPeriod, statistic: 'Sum' }),
          },
          period: stuckPeriod,
          label: `${name} queue stuck`,
        }),
        1,
      );
    }
    const functions = props.feedPoller ? { ...props.functions, FeedPoller: props.feedPoller.function } : props.functions;
    for (const [name, fn] of Object.entries(functions)) {
      alarm(`${name}Errors`, `Briefing: the ${name} function failed`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1);
      alarm(`${name}Throttles`, `Briefing: the ${name} function was throttled (concurrency limit reached)`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1);
    }
    if (props.feedPoller) {
      alarm(
        'FeedPollFailures',
        `Briefing: a feed could not be read in ${feedPollFailuresInARow} polls in a row; the feed poller's log names it`,
        briefingMetric(feedPollFailuresMetric, 'Sum', Duration.minutes(props.feedPoller.pollMinutes)),
        1,
        feedPollFailuresInARow,
      );
    }
    const reputation = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.minutes(15) });
    alarm('BounceRate', 'Briefing: the SES account bounce rate reached 5 %', reputation('Reputation.BounceRate'), reputationThresholds.bounceRate);
    alarm('ComplaintRate', 'Briefing: the SES account complaint rate reached 0.1 %', reputation('Reputation.ComplaintRate'), reputationThresholds.complaintRate);
  }
}
