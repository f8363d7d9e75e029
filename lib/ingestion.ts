import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleTargetInput, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ingestKeySecretArnVariable } from '../lambdas/config/environment.ts';
import type { FeedSource } from '../lambdas/feeds/sources.ts';
import { ingestPath } from '../lambdas/ingest/webhook.ts';
import { BriefingFunction } from './briefing-function.ts';
import { retainedSecret } from './retained-secret.ts';
import type { Storage } from './storage.ts';
import type { SubscriptionApi } from './subscription-api.ts';

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
  /** The REST API (behind the WAF web ACL) that gets the `POST /articles` route. */
  readonly api: SubscriptionApi;
}

/**
 * How stories get into the articles table: a feed poller that EventBridge Scheduler runs every
 * `pollMinutes` over the configured feeds, and `POST /articles` on the subscription API for CMS
 * webhooks, with a bearer key kept in Secrets Manager. Only these two functions may write the table.
 */
export class Ingestion extends Construct {
  /** Absent when no feed is configured. */
  readonly poller?: BriefingFunction;
  readonly pollSchedule?: Schedule;
  readonly ingestApi: BriefingFunction;
  /** The bearer key of `POST /articles`. */
  readonly ingestKey: Secret;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    // Retained: every CMS that posts articles is configured with it.
    this.ingestKey = retainedSecret(this, 'IngestKey', {
      description: 'Briefing: the bearer key of POST /articles (the CMS webhook)',
      length: 48,
      notRotatedBecause:
        'A rotated key must reach every CMS that posts articles at the same moment, which no rotation function can do; an operator changes it by hand (put-secret-value), and the function reads it again within 5 minutes.',
    });
    this.ingestApi = new BriefingFunction(this, 'IngestApi', {
      entry: 'lambdas/handlers/ingest-api.ts',
      description: 'Briefing: POST /articles, article records from CMS webhooks (bearer key)',
      // Within API Gateway's 29 s, so the client always gets the function's own answer.
      timeout: Duration.seconds(25),
      environment: { ...props.environment, [ingestKeySecretArnVariable]: this.ingestKey.secretArn },
    });
    // Writes only, in batches: the webhook never reads the table.
    props.storage.grant(this.ingestApi, 'articles', 'batchWrite');
    this.ingestKey.grantRead(this.ingestApi);
    props.api.addRoute(ingestPath, ['POST'], this.ingestApi, {
      noAuthoriser:
        'The ingest function checks the bearer key itself (kept in Secrets Manager, compared in constant time, the same 401 for a missing or wrong key); a CMS webhook carries a key, not an IAM signature or a Cognito token.',
      noUserPool: 'CMS webhooks are machines with one shared key in Secrets Manager, not users who sign in: there is no Cognito user pool to check them against.',
    });
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
