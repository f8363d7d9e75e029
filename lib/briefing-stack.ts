import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { configEnvironmentNames } from '../lambdas/config/config.ts';
import { tableLayouts } from '../lambdas/aws/dynamodb/tables.ts';
import { Alarms } from './alarms.ts';
import { type InfraConfig, newsletterEnvironment, newsletterSettings } from './config.ts';
import { Confirmations } from './confirmations.ts';
import { BriefingDashboard } from './dashboard.ts';
import { Email } from './email.ts';
import { Ingestion } from './ingestion.ts';
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

/** The whole newsletter: storage, sending, the daily schedule, the subscription pages, SES, alarms and a dashboard. */
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
      identity: config.identity,
      sandbox: config.sesSandbox,
      storage,
      environment: newsletter,
    });
    const subscriptionApi = new SubscriptionApi(this, 'SubscriptionApi', {
      storage,
      tokenSecret,
      environment: newsletter,
      maxSendRate: config.maxSendRate,
      siteUrl: config.siteUrl,
      customDomain: config.apiDomain && config.certificateArn ? { domainName: config.apiDomain, certificateArn: config.certificateArn } : undefined,
      zone: email.zone,
    });
    // The site URL is the API's own unless configured, so it is known only once the API exists.
    const withSite = { ...newsletter, [configEnvironmentNames.siteUrl]: subscriptionApi.siteUrl };
    email.feedback.addEnvironment(configEnvironmentNames.siteUrl, subscriptionApi.siteUrl);
    const confirmations = new Confirmations(this, 'Confirmations', { api: subscriptionApi.handler, storage, email, tokenSecret, environment: withSite });
    const sending = new Sending(this, 'Sending', {
      storage,
      email,
      tokenSecret,
      maxSendRate: config.maxSendRate,
      environment: withSite,
    });
    const schedule = new BriefingSchedule(this, 'Schedule', {
      compose: sending.compose,
      cron: config.scheduleCron,
      timeZone: config.timeZone,
      deadlineMinutes: config.editionDeadlineMinutes,
      storage,
      environment: withSite,
    });

    const ingestion = new Ingestion(this, 'Ingestion', {
      storage,
      feeds: config.feeds,
      pollMinutes: config.feedPollMinutes,
      environment: withSite,
      api: subscriptionApi,
    });

    const functions = {
      Compose: sending.compose,
      Deliver: sending.deliver,
      SubscriptionApi: subscriptionApi.handler,
      ConfirmationSender: confirmations.sender,
      Feedback: email.feedback,
      EditionWatchdog: schedule.watchdog,
      IngestApi: ingestion.ingestApi,
    };
    const alarms = new Alarms(this, 'Alarms', {
      email: config.alarmEmail,
      topicArn: config.alarmTopicArn,
      noRecipientOnPurpose: config.alarms === 'none',
      deadLetterQueues: {
        Delivery: sending.deadLetters,
        Schedule: schedule.deadLetters,
        Feedback: email.feedbackDeadLetters,
        Confirmation: confirmations.deadLetters,
      },
      workQueues: { Delivery: sending.queue, Feedback: email.feedbackQueue, Confirmation: confirmations.queue },
      functions,
      feedPoller: ingestion.poller && { function: ingestion.poller, pollMinutes: config.feedPollMinutes },
    });
    const dashboard = new BriefingDashboard(this, 'Dashboard', {
      deliveryQueue: sending.queue,
      feedbackQueue: email.feedbackQueue,
      api: subscriptionApi.api,
      maxSendRate: config.maxSendRate,
      functions,
      alarms: alarms.alarms,
    });

    new CfnOutput(this, stackOutputs.composeFunctionName, {
      value: sending.compose.functionName,
      description: 'The compose function `briefing send --stack` invokes',
    });
    new CfnOutput(this, stackOutputs.apiUrl, { value: subscriptionApi.siteUrl, description: 'The subscription pages (the signup form is at /)' });
    new CfnOutput(this, stackOutputs.queueUrl, { value: sending.queue.queueUrl, description: 'The delivery queue' });
    new CfnOutput(this, stackOutputs.articlesTable, { value: storage.tables.articles.tableName, description: 'Where the newsroom puts article records' });
    new CfnOutput(this, stackOutputs.subscribersTable, { value: storage.tables.subscribers.tableName, description: 'The subscribers (for imports and exports)' });
    new CfnOutput(this, stackOutputs.ingestKeySecretArn, {
      value: ingestion.ingestKey.secretArn,
      description: 'The bearer key of POST <ApiUrl>/articles: aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text',
    });
    // What `briefing subscribers add --stack` needs to send a confirmation email as the deployed functions do.
    new CfnOutput(this, stackOutputs.tokenSecretArn, { value: tokenSecret.secretArn, description: 'The key that signs confirm and unsubscribe links' });
    new CfnOutput(this, stackOutputs.configurationSetName, { value: email.configurationSet.configurationSetName, description: 'The SES configuration set every message goes out with' });
    new CfnOutput(this, stackOutputs.newsletterSettings, { value: JSON.stringify(newsletterSettings(config)), description: 'The newsletter settings the functions run with (the CLI reads them with --stack)' });
    new CfnOutput(this, stackOutputs.alarmTopicArn, { value: alarms.topic.topicArn, description: 'Every alarm is published here: subscribe more people or tools to it' });
    new CfnOutput(this, stackOutputs.dashboardUrl, {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${dashboard.dashboard.dashboardName}`,
      description: 'The CloudWatch dashboard: send rate, outcomes, queues, reputation, the API',
    });
    if (subscriptionApi.domain) {
      new CfnOutput(this, stackOutputs.apiDomainTarget, {
        value: subscriptionApi.domain.domainNameAliasDomainName,
        description: `Point ${config.apiDomain} here (CNAME, or a Route 53 alias) unless the stack made the record in your hosted zone`,
      });
    }
  }
}
