import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { configEnvironmentNames } from '../lambdas/config/config.ts';
import { tableLayouts } from '../lambdas/aws/dynamodb/tables.ts';
import { Alarms } from './alarms.ts';
import { type InfraConfig, newsletterEnvironment } from './config.ts';
import { Email } from './email.ts';
import { stackOutputs } from './outputs.ts';
import { BriefingSchedule } from './schedule.ts';
import { Sending } from './sending.ts';
import { Storage } from './storage.ts';
import { SubscriptionApi } from './subscription-api.ts';
import { TokenSecret } from './token-secret.ts';

export interface BriefingStackProps extends StackProps {
  /** The validated context (`parseInfraConfig`). */
  readonly config: InfraConfig;
}

/** The whole newsletter: storage, sending, the daily schedule, the subscription pages, SES and alarms. */
export class BriefingStack extends Stack {
  constructor(scope: Construct, id: string, props: BriefingStackProps) {
    super(scope, id, props);
    const { config } = props;
    const newsletter = newsletterEnvironment(config);

    const storage = new Storage(this, 'Storage', { layouts: tableLayouts });
    const tokenSecret = new TokenSecret(this, 'TokenSecret');
    const email = new Email(this, 'Email', {
      domain: config.domain,
      mailFromDomain: config.mailFromDomain,
      hostedZoneId: config.hostedZoneId,
      storage,
      environment: newsletter,
    });
    const subscriptionApi = new SubscriptionApi(this, 'SubscriptionApi', {
      storage,
      email: email,
      tokenSecret,
      environment: newsletter,
      siteUrl: config.siteUrl,
    });
    // The site URL is the API's own unless configured, so it is known only once the API exists.
    const withSite = { ...newsletter, [configEnvironmentNames.siteUrl]: subscriptionApi.siteUrl };
    email.feedback.addEnvironment(configEnvironmentNames.siteUrl, subscriptionApi.siteUrl);
    const sending = new Sending(this, 'Sending', {
      storage,
      email: email,
      tokenSecret,
      maxSendRate: config.maxSendRate,
      environment: withSite,
    });
    const schedule = new BriefingSchedule(this, 'Schedule', { compose: sending.compose, cron: config.scheduleCron, timeZone: config.timeZone });

    new Alarms(this, 'Alarms', {
      email: config.alarmEmail,
      deadLetterQueues: {
        Delivery: sending.deadLetters,
        Schedule: schedule.deadLetters,
        Feedback: email.feedbackDeadLetters,
      },
      functions: {
        Compose: sending.compose,
        Deliver: sending.deliver,
        SubscriptionApi: subscriptionApi.handler,
        Feedback: email.feedback,
      },
    });

    new CfnOutput(this, stackOutputs.composeFunctionName, {
      value: sending.compose.functionName,
      description: 'The compose function `briefing send --stack` invokes',
    });
    new CfnOutput(this, stackOutputs.apiUrl, { value: subscriptionApi.api.apiEndpoint, description: 'The subscription pages (the signup form is at /)' });
    new CfnOutput(this, stackOutputs.queueUrl, { value: sending.queue.queueUrl, description: 'The delivery queue' });
    new CfnOutput(this, stackOutputs.articlesTable, { value: storage.tables.articles.tableName, description: 'Where the newsroom puts article records' });
    new CfnOutput(this, stackOutputs.subscribersTable, { value: storage.tables.subscribers.tableName, description: 'The subscribers (for imports and exports)' });
  }
}
