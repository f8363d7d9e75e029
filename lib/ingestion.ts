import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { FeedSource } from '../lambdas/feeds/sources.ts';
import { BriefingFunction } from './briefing-function.ts';
import type { Storage } from './storage.ts';

/** Feeds fetched at once by one poll (pollFeeds' concurrency), and the most one fetch may take. */
const feedsAtOnce = 4;
const fetchSeconds = 10;
/** Per round of feeds: reading what is stored, writing the changed records and the feeds' state. */
const writeSeconds = 5;

/**
 * The longest a poll of `feedCount` feeds may take, which the poller's timeout allows: every round of
 * four feeds fetched in at most 10 s each, and their writes, plus a start-up margin.
 */
export const feedPollerTimeoutSeconds = (feedCount: number): number => Math.ceil(feedCount / feedsAtOnce) * (fetchSeconds + writeSeconds) + 15;

export interface IngestionProps {
  readonly storage: Storage;
  /** The feeds the poller reads (context `feeds`). @default - none: no poller, no schedule */
  readonly feeds: readonly FeedSource[];
  /** Minutes between two polls (context `feedPollMinutes`). */
  readonly pollMinutes: number;
  /** The newsletter settings every function gets. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * How stories get into the articles table: a feed poller that EventBridge Scheduler runs every
 * `pollMinutes` over the configured feeds. Only these functions may write the table.
 */
export class Ingestion extends Construct {
  /** Absent when no feed is configured. */
  readonly poller?: BriefingFunction;
  readonly pollSchedule?: Schedule;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    if (props.feeds.length > 0) {
      this.poller = new BriefingFunction(this, 'FeedPoller', {
        entry: 'lambdas/handlers/feed-poller.ts',
        description: 'Briefing: polls the configured feeds (conditional GET) and stores their items as article records',
        timeout: Duration.seconds(feedPollerTimeoutSeconds(props.feeds.length)),
        environment: props.environment,
      });
      // getMany before put (BatchGetItem), put in batches (BatchWriteItem); the feeds' validators by URL.
      props.storage.grant(this.poller, 'articles', 'read', 'batchWrite');
      props.storage.grant(this.poller, 'feeds', 'read', 'write');
      // A failed poll is not retried: the next one, minutes later, is its retry.
      this.poller.configureAsyncInvoke({ retryAttempts: 0 });

      const role = new Role(this, 'ScheduleRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
      this.pollSchedule = new Schedule(this, 'PollSchedule', {
        description: `Briefing: poll ${props.feeds.length} feed(s) every ${props.pollMinutes} minutes`,
        schedule: ScheduleExpression.rate(Duration.minutes(props.pollMinutes)),
        timeWindow: TimeWindow.off(),
        target: new LambdaInvoke(this.poller, {
          role,
          input: ScheduleTargetInput.fromObject({ feeds: props.feeds }),
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      });
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            appliesTo: [{ regex: '/^Resource::<.*FeedPoller.*\\.Arn>:\\*$/' }],
            reason: 'lambda:InvokeFunction on the feed poller and its versions (the ":*" of grantInvoke), nothing else.',
          },
        ],
        true,
      );
    }
  }
}
