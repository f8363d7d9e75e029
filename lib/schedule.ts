import { Duration, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BriefingFunction } from './briefing-function.ts';
import { deadLetterQueue } from './queues.ts';
import { deadlineCron } from './schedule-cron.ts';
import type { Storage } from './storage.ts';

export interface BriefingScheduleProps {
  readonly compose: LambdaFunction;
  /** Six EventBridge Scheduler cron fields, e.g. `0 6 * * ? *`. */
  readonly cron: string;
  /** The IANA time zone the cron is read in (daylight saving time included). */
  readonly timeZone: string;
  /** Minutes after the scheduled time by which the edition must be sent. */
  readonly deadlineMinutes: number;
  /** The watchdog reads the editions table. */
  readonly storage: Storage;
  /** The newsletter settings every function gets (the watchdog reads the time zone). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The daily send: EventBridge Scheduler invokes compose at the cron time in the newsletter's time
 * zone. Scheduler's retries and Lambda's own asynchronous retries can both run compose again; that
 * is safe because compose takes a per-edition lock.
 *
 * A second schedule, the same days `deadlineMinutes` later, invokes the edition watchdog, which
 * publishes `EditionsLate` unless that day's edition is `sent`. Reading the outcome at the deadline
 * catches every way a day can go wrong — no news (skipped), compose crashing (stopped, or no edition
 * at all), the schedule never firing, a send too slow or stopped or paused — where a metric published
 * on success would need an alarm shaped to the cron, its time zone and its daylight saving time.
 */
export class BriefingSchedule extends Construct {
  readonly schedule: Schedule;
  readonly deadline: Schedule;
  readonly watchdog: BriefingFunction;
  /** Scheduled runs that could not be handed to compose or the watchdog, or that they failed after their retries. */
  readonly deadLetters: IQueue;

  constructor(scope: Construct, id: string, props: BriefingScheduleProps) {
    super(scope, id);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters', 'the schedules and of the compose and watchdog functions');
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    const timeZone = TimeZone.of(props.timeZone);
    this.schedule = new Schedule(this, 'Daily', {
      description: 'Briefing: compose and send the edition',
      schedule: ScheduleExpression.expression(`cron(${props.cron})`, timeZone),
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

    this.watchdog = new BriefingFunction(this, 'Watchdog', {
      entry: 'lambdas/handlers/edition-watchdog.ts',
      description: "Briefing: at the deadline, EditionsLate unless the day's edition is sent",
      memorySize: 256,
      environment: props.environment,
    });
    props.storage.grant(this.watchdog, 'editions', 'read');
    this.deadline = new Schedule(this, 'Deadline', {
      description: `Briefing: check that the edition was sent ${props.deadlineMinutes} minutes after its scheduled time`,
      schedule: ScheduleExpression.expression(`cron(${deadlineCron(props.cron, props.deadlineMinutes)})`, timeZone),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(this.watchdog, {
        role,
        // The check's own scheduled time, not the time it ran: a retried check still checks its day.
        input: ScheduleTargetInput.fromObject({ scheduledTime: ContextAttribute.scheduledTime, deadlineMinutes: props.deadlineMinutes }),
        retryAttempts: 10,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetters,
      }),
    });

    // After the schedules: their targets add the role's policy, which the suppression must reach.
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: '/^Resource::<.*(Compose|Watchdog).*\\.Arn>:\\*$/' }],
          reason: 'lambda:InvokeFunction on the compose and watchdog functions and their versions (the ":*" of grantInvoke), nothing else.',
        },
      ],
      true,
    );
    props.compose.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetters) });
    this.watchdog.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetters) });
  }
}
