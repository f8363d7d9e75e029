import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { PublicHostedZone } from 'aws-cdk-lib/aws-route53';
import {
  ConfigurationSet,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BriefingFunction } from './briefing-function.ts';
import { deadLetterQueue } from './queues.ts';
import type { Storage } from './storage.ts';

export const configurationSetVariable = 'BRIEFING_CONFIGURATION_SET';

/** The SES events the feedback function handles, as EventBridge names them. */
export const feedbackDetailTypes = ['Email Bounced', 'Email Complaint Received', 'Email Delivered'] as const;

export interface EmailProps {
  /** The domain SES verifies and signs for (Easy DKIM). */
  readonly domain: string;
  /** The MAIL FROM (Return-Path) domain, a subdomain of `domain`. */
  readonly mailFromDomain: string;
  /** The Route 53 public hosted zone serving `domain`; the DKIM and MAIL FROM records are created in it. @default - none: add the records by hand */
  readonly hostedZoneId?: string;
  readonly storage: Storage;
  /** The newsletter settings every function gets. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The SES domain identity, the configuration set every briefing is sent with, and the feedback
 * path: SES bounce, complaint and delivery events → default event bus → rule → feedback function.
 */
export class Email extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly feedback: BriefingFunction;
  /** Events the feedback function failed on after EventBridge's retries. */
  readonly feedbackDeadLetters: IQueue;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // Defence in depth: SES itself refuses addresses on the account suppression list.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const zone =
      props.hostedZoneId === undefined
        ? undefined
        : PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.domain });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: zone ? Identity.publicHostedZone(zone) : Identity.domain(props.domain),
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      mailFromDomain: props.mailFromDomain,
      configurationSet: this.configurationSet,
    });

    this.feedback = new BriefingFunction(this, 'Feedback', {
      entry: 'lambdas/handlers/feedback.ts',
      description: 'Briefing: SES bounce, complaint and delivery events → suppression and edition counts',
      memorySize: 256,
      environment: props.environment,
    });
    props.storage.grantReadWrite(this.feedback, 'subscribers', 'editions');

    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(defaultBus),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY],
    });
    this.feedbackDeadLetters = deadLetterQueue(this, 'FeedbackDeadLetters', 'the SES feedback rule');
    new Rule(this, 'FeedbackRule', {
      description: "Briefing: this stack's SES events to the feedback function",
      eventBus: defaultBus,
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...feedbackDetailTypes],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [
        new LambdaTarget(this.feedback, {
          deadLetterQueue: this.feedbackDeadLetters,
          retryAttempts: 20,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }

  /**
   * Lets a function send raw email from this identity with this configuration set, and nothing
   * else: SES authorises SendRawEmail against both the identity and the configuration set.
   */
  grantSend(fn: LambdaFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName }),
        ],
      }),
    );
    fn.addEnvironment(configurationSetVariable, this.configurationSet.configurationSetName);
  }
}
