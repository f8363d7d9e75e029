import { Duration, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { deadLetterQueue } from './queues.ts';

export interface BriefingScheduleProps {
  readonly compose: LambdaFunction;
  /** Six EventBridge Scheduler cron fields, e.g. `0 6 * * ? *`. */
  readonly cron: string;
  /** The IANA time zone the cron is read in (daylight saving time included). */
  readonly timeZone: string;
}

/**
 * The daily send: EventBridge Scheduler invokes compose at the cron time in the newsletter's time
 * zone. Scheduler's retries and Lambda's own asynchronous retries can both run compose again; that
 * is safe because compose takes a per-edition lock.
 */
export class BriefingSchedule extends Construct {
  readonly schedule: Schedule;
  /** Scheduled runs that could not be handed to compose, or that compose failed after its retries. */
  readonly deadLetters: IQueue;

  constructor(scope: Construct, id: string, props: BriefingScheduleProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters', 'the schedule and of the compose function');
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.schedule = new Schedule(this, 'Daily', {
      description: 'Briefing: compose and send the edition',
      schedule: ScheduleExpression.expression(`cron(${props.cron})`, TimeZone.of(props.timeZone)),
      // On time, not "some time within the window": readers expect the briefing at the hour.
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(props.compose, {
        role,
        // No date: compose sends the edition of the day in the newsletter's time zone.
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: 10,
        // A morning briefing that could not start within two hours is better skipped than sent at noon.
        maxEventAge: Duration.hours(2),
        deadLetterQueue: this.deadLetters,
      }),
    });
    // After the schedule: its target adds the role's policy, which the suppression must reach.
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: '/^Resource::<.*Compose.*\\.Arn>:\\*$/' }],
          reason: 'lambda:InvokeFunction on the compose function and its versions (the ":*" of grantInvoke), nothing else.',
        },
      ],
      true,
    );
    props.compose.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetters) });
  }
}
