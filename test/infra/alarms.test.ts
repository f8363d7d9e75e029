import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { Alarms } from '../../lib/alarms.ts';
import { logicalId, productionContext, resource, synthesize } from './synth.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
});

const ref = (type: string, idPart: string) => ({ Ref: logicalId(template, type, idPart) });
const topic = () => ref('AWS::SNS::Topic', 'AlarmsTopic');
const alarmNamed = (name: string) => resource(template, 'AWS::CloudWatch::Alarm', `Alarms${name}`).Properties as Record<string, unknown>;

const functions = ['SendingCompose', 'SendingDeliver', 'SubscriptionApiHandler', 'EmailFeedback', 'ScheduleWatchdog'];

describe('the alarm topic', () => {
  it('receives every alarm of the stack', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(20);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic()]);
  });

  it('emails alarmEmail, which confirms the subscription once', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: productionContext.alarmEmail, TopicArn: topic() });
  });

  it('is an existing topic instead when alarmTopicArn is given: no topic of its own, every alarm publishes there', () => {
    const { alarmEmail: _, ...withoutEmail } = productionContext;
    const arn = 'arn:aws:sns:eu-west-2:123456789012:ops-pager';
    const existing = synthesize({ context: { ...withoutEmail, alarmTopicArn: arn } });

    existing.template.resourceCountIs('AWS::SNS::Topic', 0);
    existing.template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const alarm of Object.values(existing.template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual([arn]);
    existing.template.hasOutput('AlarmTopicArn', { Value: arn });
    Annotations.fromStack(existing.stack).hasNoError('*', Match.anyValue());
  });
});

describe('nobody to tell', () => {
  const { alarmEmail: _, ...withoutEmail } = productionContext;

  it('refuses the deploy without alarmEmail or alarmTopicArn (an error annotation, which stops cdk synth and deploy)', () => {
    const { stack, template: bare } = synthesize({ context: withoutEmail });

    Annotations.fromStack(stack).hasError('/Briefing/Alarms', Match.stringLikeRegexp('no alarmEmail or alarmTopicArn.*-c alarms=none'));
    bare.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('only warns with alarms=none, the knowing opt-out', () => {
    const { stack } = synthesize({ context: { ...withoutEmail, alarms: 'none' } });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Briefing/Alarms', Match.stringLikeRegexp('would notify nobody \\(alarms=none\\)'));
  });

  it('stays silent when someone is told', () => {
    const annotations = Annotations.fromStack(synthesize().stack);
    annotations.hasNoError('*', Match.anyValue());
    annotations.hasNoWarning('*', Match.anyValue());
  });
});

describe('the edition deadline', () => {
  it('runs the watchdog the same days, editionDeadlineMinutes after the send, in the same time zone, with its scheduled time', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      // 06:30 + 60 minutes, Monday to Friday, as the send.
      ScheduleExpression: 'cron(30 7 ? * MON-FRI *)',
      ScheduleExpressionTimezone: productionContext.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'ScheduleWatchdog'), 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>', deadlineMinutes: 60 }),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'ScheduleDeadLetters'), 'Arn'] } },
      }),
    });
  });

  it('follows a configured deadline', () => {
    synthesize({ context: { ...productionContext, editionDeadlineMinutes: '150' } }).template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      Target: Match.objectLike({ Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>', deadlineMinutes: 150 }) }),
    });
  });

  it('alarms when the watchdog finds the edition not sent', () => {
    expect(alarmNamed('EditionLate')).toMatchObject({
      Namespace: 'Briefing',
      MetricName: 'EditionsLate',
      Dimensions: [{ Name: 'service', Value: 'briefing' }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('failures that stop or blur an edition', () => {
  it('alarms on any edition stopped by SES, whatever the reason dimension says', () => {
    expect(alarmNamed('EditionStopped')).toMatchObject({
      Metrics: [
        {
          Id: expect.any(String),
          Expression: `SELECT SUM(EditionsStopped) FROM SCHEMA("Briefing", reason, service) WHERE service = 'briefing'`,
          Period: 300,
          ReturnData: true,
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on uncertain deliveries and on an edition paused for its bounces or complaints', () => {
    for (const [name, metric] of [
      ['UncertainDeliveries', 'UncertainDeliveries'],
      ['EditionPaused', 'EditionsPaused'],
    ]) {
      expect(alarmNamed(name!), name).toMatchObject({ Namespace: 'Briefing', MetricName: metric, Dimensions: [{ Name: 'service', Value: 'briefing' }], Statistic: 'Sum', Threshold: 1 });
    }
  });

  it('alarms on a message in any dead-letter queue', () => {
    for (const part of ['DeliveryDeadLetters', 'ScheduleDeadLetters', 'FeedbackDeadLetters']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', part), 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topic()],
      });
    }
  });

  it('alarms when the delivery or feedback queue holds a 15-minute-old message and nothing was consumed in those 15 minutes', () => {
    for (const [name, queue] of [
      ['DeliveryQueueStuck', 'SendingDeliveryQueue'],
      ['FeedbackQueueStuck', 'EmailFeedbackQueue'],
    ] as const) {
      const queueName = { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', queue), 'QueueName'] } };
      expect(alarmNamed(name).Metrics).toEqual([
        { Id: 'expr_1', Expression: 'IF(age >= 900 AND FILL(deleted, 0) == 0, 1, 0)', Label: expect.any(String), ReturnData: true },
        { Id: 'age', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [queueName] }, Period: 900, Stat: 'Maximum' }, ReturnData: false },
        { Id: 'deleted', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'NumberOfMessagesDeleted', Dimensions: [queueName] }, Period: 900, Stat: 'Sum' }, ReturnData: false },
      ]);
    }
  });

  it('alarms on errors and on throttles of every function', () => {
    for (const part of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(template, 'AWS::Lambda::Function', part) } }],
          Threshold: 1,
          AlarmActions: [topic()],
        });
      }
    }
  });

  it('alarms at a 5 % bounce rate and a 0.1 % complaint rate of the SES account', () => {
    for (const [metric, threshold] of [
      ['Reputation.BounceRate', 0.05],
      ['Reputation.ComplaintRate', 0.001],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: metric, Threshold: threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });
});

describe('the feed poller (when ingestion adds one)', () => {
  const withPoller = () => {
    const stack = new Stack(new App(), 'Poller');
    const poller = new LambdaFunction(stack, 'FeedPoller', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = () => {}') });
    new Alarms(stack, 'Alarms', { email: 'ops@example.org', deadLetterQueues: {}, workQueues: {}, functions: {}, feedPoller: { function: poller, pollMinutes: 15 } });
    return { template: Template.fromStack(stack), poller: stack.getLogicalId(poller.node.defaultChild as never) };
  };

  it('alarms when feeds fail three polls in a row, and on the poller’s own errors and throttles', () => {
    const { template: polled, poller } = withPoller();

    polled.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Briefing',
      MetricName: 'FeedPollFailures',
      Dimensions: [{ Name: 'service', Value: 'briefing' }],
      Period: Duration.minutes(15).toSeconds(),
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
    });
    for (const metric of ['Errors', 'Throttles']) {
      polled.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { Ref: poller } }] });
    }
  });

  it('has no feed alarm in the stack until a poller is passed in', () => {
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'FeedPollFailures' }, 0);
  });
});

describe('the dashboard', () => {
  const widgets = () => {
    const body = resource(template, 'AWS::CloudWatch::Dashboard', 'Dashboard').Properties!.DashboardBody as { 'Fn::Join': [string, unknown[]] };
    return body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
  };

  it('shows the send rate, outcomes, queue depth and age, bounce and complaint rates, API 4xx/5xx and latency', () => {
    const json = widgets();
    for (const title of [
      'Send rate (emails per second)',
      'Delivery outcomes',
      'Editions',
      'Delivery queue',
      'Feedback queue',
      'Bounce and complaint rates (%, SES account)',
      'Subscription API: requests and errors',
      'Subscription API: latency (ms)',
      'Function errors',
      'Function throttles',
      'Alarms',
    ]) {
      expect(json, title).toContain(`"title":"${title}"`);
    }
    for (const metric of [
      '"Briefing","Sent"',
      '"Briefing","UncertainDeliveries"',
      '"AWS/SQS","ApproximateAgeOfOldestMessage"',
      '"AWS/SQS","ApproximateNumberOfMessagesVisible"',
      '"AWS/SES","Reputation.BounceRate"',
      '"AWS/SES","Reputation.ComplaintRate"',
      '"AWS/ApiGateway","4XXError"',
      '"AWS/ApiGateway","5XXError"',
      '"AWS/ApiGateway","Latency"',
    ]) {
      expect(json, metric).toContain(`[${metric}`);
    }
  });

  it('draws each delivery outcome once (uncertain deliveries among them)', () => {
    const json = widgets();
    for (const name of ['Sent', 'Skipped', 'Failed', 'UncertainDeliveries', 'Duplicates', 'Dropped']) expect(json.split(`["Briefing","${name}"`).length - 1, name).toBe(name === 'Sent' ? 2 : 1);
  });
});
