import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
  Shading,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  editionsLateMetric,
  editionsPausedMetric,
  editionsSentMetric,
  editionsStoppedMetric,
  feedbackMetrics,
  metricsNamespace,
  outcomeMetrics,
  serviceName,
  stopReasonDimension,
} from '../lambdas/metrics.ts';
import { briefingMetric, reputationThresholds } from './alarms.ts';

export interface BriefingDashboardProps {
  readonly deliveryQueue: IQueue;
  readonly feedbackQueue: IQueue;
  readonly api: RestApi;
  /** The SES account's send rate, drawn as the line sending should approach. */
  readonly maxSendRate: number;
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Shown at the top as one status box each. */
  readonly alarms: readonly IAlarm[];
}

const minute = Duration.minutes(1);
const fiveMinutes = Duration.minutes(5);

/** One CloudWatch dashboard for an edition in flight: send rate, outcomes, queues, reputation, the API, the functions. */
export class BriefingDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: BriefingDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    const percent = (id: string, metricName: string, label: string) =>
      new MathExpression({
        expression: `${id} * 100`,
        usingMetrics: { [id]: new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.minutes(15) }) },
        period: Duration.minutes(15),
        label,
      });
    const queueGraph = (title: string, queue: IQueue) =>
      new GraphWidget({
        title,
        width: 8,
        left: [
          queue.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum', label: 'waiting' }),
          queue.metricApproximateNumberOfMessagesNotVisible({ period: minute, statistic: 'Maximum', label: 'being worked on' }),
        ],
        right: [queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum', label: 'oldest message age (s)' })],
      });
    const perFunction = (title: string, metric: (fn: IFunction) => IMetric) =>
      new GraphWidget({ title, width: 12, left: Object.values(props.functions).map(metric) });

    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Send rate (emails per second)',
        width: 8,
        left: [
          new MathExpression({ expression: 'sent / PERIOD(sent)', usingMetrics: { sent: briefingMetric(outcomeMetrics.sent, 'Sum', minute) }, period: minute, label: 'sent per second' }),
        ],
        leftAnnotations: [{ value: props.maxSendRate, label: 'SES send rate budget' }],
      }),
      new GraphWidget({
        title: 'Delivery outcomes',
        width: 8,
        stacked: true,
        // UncertainDeliveries is one of the outcomes.
        left: Object.values(outcomeMetrics).map((name) => briefingMetric(name, 'Sum', fiveMinutes)),
      }),
      new GraphWidget({
        title: 'Editions',
        width: 8,
        left: [editionsSentMetric, editionsLateMetric, editionsPausedMetric].map((name) => briefingMetric(name, 'Sum', Duration.hours(1))),
        right: [
          new MathExpression({
            expression: `SELECT SUM(${editionsStoppedMetric}) FROM SCHEMA("${metricsNamespace}", ${stopReasonDimension}, service) WHERE service = '${serviceName}' GROUP BY ${stopReasonDimension}`,
            usingMetrics: {},
            period: Duration.hours(1),
            label: 'stopped by reason',
          }),
        ],
      }),
    );
    this.dashboard.addWidgets(
      queueGraph('Delivery queue', props.deliveryQueue),
      queueGraph('Feedback queue', props.feedbackQueue),
      new GraphWidget({
        title: 'Bounce and complaint rates (%, SES account)',
        width: 8,
        left: [percent('bounceRate', 'Reputation.BounceRate', 'bounce rate %'), percent('complaintRate', 'Reputation.ComplaintRate', 'complaint rate %')],
        leftAnnotations: [
          { value: reputationThresholds.bounceRate * 100, label: 'SES review: 5 % bounces', fill: Shading.ABOVE },
          { value: reputationThresholds.complaintRate * 100, label: 'SES review: 0.1 % complaints', fill: Shading.ABOVE },
        ],
        right: [feedbackMetrics.bounces, feedbackMetrics.complaints].map((name) => briefingMetric(name, 'Sum', fiveMinutes)),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Subscription API: requests and errors',
        width: 12,
        left: [
          props.api.metricCount({ period: minute, statistic: 'Sum', label: 'requests' }),
          props.api.metricClientError({ period: minute, statistic: 'Sum', label: '4xx (incl. 429 throttled)' }),
          props.api.metricServerError({ period: minute, statistic: 'Sum', label: '5xx' }),
        ],
      }),
      new GraphWidget({
        title: 'Subscription API: latency (ms)',
        width: 12,
        left: ['p50', 'p99'].map((statistic) => props.api.metricLatency({ period: minute, statistic, label: statistic })),
      }),
    );
    this.dashboard.addWidgets(
      perFunction('Function errors', (fn) => fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' })),
      perFunction('Function throttles', (fn) => fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })),
    );
  }
}

