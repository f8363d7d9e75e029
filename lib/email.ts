import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type IHostedZone, PublicHostedZone } from 'aws-cdk-lib/aws-route53';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  type IEmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { BriefingFunction } from './briefing-function.ts';
import { deadLetterQueue, secureQueue } from './queues.ts';
import type { Storage } from './storage.ts';
import { configurationSetVariable } from '../lambdas/config/environment.ts';

/** The SES events the feedback function handles, as EventBridge names them. */
export const feedbackDetailTypes = ['Email Bounced', 'Email Complaint Received', 'Email Delivered'] as const;

/** SES events per feedback invocation, and how long the queue gathers them: a million deliveries are ~10,000 invocations, not a million. */
export const feedbackBatch = { size: 100, windowSeconds: 10 } as const;

/** The domain cdk.json ships with: deploying it would verify a domain nobody owns. */
export const placeholderDomain = 'example.com';

export interface EmailProps {
  /** The domain SES verifies and signs for (Easy DKIM). */
  readonly domain: string;
  /** The MAIL FROM (Return-Path) domain, a subdomain of `domain`. */
  readonly mailFromDomain: string;
  /** The Route 53 public hosted zone serving `domain`; the DKIM and MAIL FROM records are created in it. @default - none: add the records by hand */
  readonly hostedZoneId?: string;
  /**
   * `create`: the stack creates the domain identity (and keeps it when the stack is deleted);
   * `existing`: it sends from an identity already verified in the account and leaves it alone.
   */
  readonly identity: 'create' | 'existing';
  /** While the account is in the SES sandbox, SES authorises each send against the recipient's identity too. */
  readonly sandbox: boolean;
  readonly storage: Storage;
  /** The newsletter settings every function gets. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The SES domain identity, the configuration set every briefing is sent with, and the feedback
 * path: SES bounce, complaint and delivery events → default event bus → rule → feedback queue →
 * feedback function, in batches.
 */
export class Email extends Construct {
  readonly identity: IEmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly zone?: IHostedZone;
  readonly feedback: BriefingFunction;
  /** SES events waiting for the feedback function. */
  readonly feedbackQueue: IQueue;
  /**
   * Events that never got applied: the rule could not put them on the queue after its retries, or the
   * function failed on them five times. This is the feedback function's on-failure destination (for an
   * SQS event source Lambda has no OnFailure setting: the queue's redrive policy is it).
   */
  readonly feedbackDeadLetters: IQueue;
  private readonly sandbox: boolean;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.sandbox = props.sandbox;
    if (props.domain === placeholderDomain || props.domain.endsWith(`.${placeholderDomain}`)) {
      Annotations.of(this).addError(
        `domain is ${props.domain}, the placeholder of cdk.json: set your own with -c domain=news.example.org -c senderAddress=briefing@news.example.org (docs/deploy.md, "Configure")`,
      );
    }
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // Defence in depth: SES itself refuses addresses on the account suppression list.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      // A briefing is never delivered over a connection a network observer could read.
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.zone =
      props.hostedZoneId === undefined
        ? undefined
        : PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    if (props.identity === 'existing') {
      this.identity = EmailIdentity.fromEmailIdentityName(this, 'Identity', props.domain);
    } else {
      // Not the identity's default configuration set: other senders of the domain keep their own events,
      // and every send here names this set itself (ConfigurationSetName).
      const identity = new EmailIdentity(this, 'Identity', {
        identity: this.zone ? Identity.publicHostedZone(this.zone) : Identity.domain(props.domain),
        dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
        mailFromDomain: props.mailFromDomain,
      });
      // Deleting it would unverify the domain for every sender in the account and drop its DKIM keys.
      identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.identity = identity;
    }

    const feedbackTimeout = Duration.seconds(30);
    this.feedback = new BriefingFunction(this, 'Feedback', {
      entry: 'lambdas/handlers/feedback.ts',
      description: 'Briefing: SES bounce, complaint and delivery events → suppression and edition counts',
      memorySize: 256,
      timeout: feedbackTimeout,
      environment: props.environment,
    });
    props.storage.grant(this.feedback, 'subscribers', 'read', 'write');
    props.storage.grant(this.feedback, 'editions', 'read', 'write');

    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(defaultBus),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY],
    });
    this.feedbackDeadLetters = deadLetterQueue(this, 'FeedbackDeadLetters', 'the feedback queue and of the SES feedback rule');
    this.feedbackQueue = secureQueue(this, 'FeedbackQueue', {
      // At least 6× the function timeout, as AWS advises for an SQS event source.
      visibilityTimeout: Duration.seconds(feedbackTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.feedbackDeadLetters, maxReceiveCount: 5 },
    });
    new Rule(this, 'FeedbackRule', {
      description: "Briefing: this stack's SES events to the feedback queue",
      eventBus: defaultBus,
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...feedbackDetailTypes],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [new SqsQueue(this.feedbackQueue, { deadLetterQueue: this.feedbackDeadLetters, retryAttempts: 20, maxEventAge: Duration.hours(24) })],
    });
    this.feedback.addEventSource(
      new SqsEventSource(this.feedbackQueue, {
        batchSize: feedbackBatch.size,
        maxBatchingWindow: Duration.seconds(feedbackBatch.windowSeconds),
        reportBatchItemFailures: true,
      }),
    );
  }

  /**
   * Lets a function send email from this identity with this configuration set, and nothing else:
   * `raw`, the MIME it builds (SendRawEmail: briefings, test copies, confirmations); `simple`, messages
   * SES composes (SendEmail: the edition report, from whichever function ends an edition). SES
   * authorises both against the identity and the configuration set; in the sandbox also against the
   * recipient's identity, which the account verified.
   */
  grantSend(fn: LambdaFunction, sends: readonly ('raw' | 'simple')[]): void {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: sends.map((send) => (send === 'raw' ? 'ses:SendRawEmail' : 'ses:SendEmail')),
        resources: [
          this.identity.emailIdentityArn,
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
          ...(this.sandbox ? [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })] : []),
        ],
      }),
    );
    if (this.sandbox && fn.role) {
      NagSuppressions.addResourceSuppressions(
        fn.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ses:[^:]+:[^:]+:identity\\/\\*$/' }],
            reason:
              'sesSandbox=true: in the SES sandbox sending is also authorised against each recipient address, a verified identity of this account; deploy with sesSandbox=false once production access is granted.',
          },
        ],
        true,
      );
    }
    fn.addEnvironment(configurationSetVariable, this.configurationSet.configurationSetName);
  }

  /** Lets a function read the account's sending quota (GetSendQuota has no resource-level permission). */
  grantReadQuota(fn: LambdaFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetSendQuota'], resources: ['*'] }));
  }
}
