import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configEnvironmentNames } from '../../lambdas/config/config.ts';
import { defaultTopics } from '../../lambdas/config/topics.ts';
import { feedPollerTimeoutSeconds } from '../../lib/ingestion.ts';
import { deliverConcurrency } from '../../lib/sending.ts';
import { feedsContext, functionIds, type FunctionName, logicalId, productionContext, resource, synthesize } from './synth.ts';

let template: Template;

beforeAll(() => {
  // The whole stack: with feeds, so the feed poller and its schedule are there too.
  ({ template } = synthesize({ context: feedsContext }));
});

const ref = (template: Template, type: string, idPart: string) => ({ Ref: logicalId(template, type, idPart) });
const arnOf = (template: Template, type: string, idPart: string) => ({ 'Fn::GetAtt': [logicalId(template, type, idPart), 'Arn'] });

const environmentOf = (name: FunctionName): Record<string, unknown> =>
  (resource(template, 'AWS::Lambda::Function', functionIds[name]).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment
    .Variables;

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

const statementsOf = (name: FunctionName): Statement[] => {
  const role = (resource(template, 'AWS::Lambda::Function', functionIds[name]).Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role[
    'Fn::GetAtt'
  ][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
};

const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

/** The logical ids of the resources a function may use `action` on (a DynamoDB index ARN counts as its table). */
const resourcesFor = (name: FunctionName, action: string): string[] => {
  const ids = Object.keys(template.toJSON().Resources as object);
  const granted = statementsOf(name)
    .filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action))
    .map((statement) => JSON.stringify(statement.Resource));
  return ids.filter((id) => granted.some((json) => json.includes(`"${id}"`))).sort();
};

const tableIds = (...parts: string[]) => parts.map((part) => logicalId(template, 'AWS::DynamoDB::Table', part)).sort();

describe('schedule', () => {
  it('invokes compose at the configured cron in the configured time zone, on time, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: `cron(${productionContext.scheduleCron})`,
      ScheduleExpressionTimezone: productionContext.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: arnOf(template, 'AWS::Lambda::Function', functionIds.compose),
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: arnOf(template, 'AWS::SQS::Queue', 'ScheduleDeadLetters') },
      },
    });
  });

  it("sends compose's and the watchdog's own failed asynchronous runs to the same dead-letter queue", () => {
    for (const fn of [functionIds.compose, functionIds.watchdog]) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(template, 'AWS::Lambda::Function', fn),
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(template, 'AWS::SQS::Queue', 'ScheduleDeadLetters') } },
      });
    }
  });

  it('polls the configured feeds every feedPollMinutes, handing the poller the feeds in its input; a failed poll waits for the next', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: arnOf(template, 'AWS::Lambda::Function', functionIds.feedPoller),
        Input: JSON.stringify({ feeds: JSON.parse(feedsContext.feeds) }),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: ref(template, 'AWS::Lambda::Function', functionIds.feedPoller), MaximumRetryAttempts: 0 });
  });

  it('gives the poller time for every round of four feeds (10 s each) and their writes', () => {
    const feeds = (JSON.parse(feedsContext.feeds) as unknown[]).length;
    const timeout = (resource(template, 'AWS::Lambda::Function', functionIds.feedPoller).Properties as { Timeout: number }).Timeout;
    expect(timeout).toBe(feedPollerTimeoutSeconds(feeds));
    expect(timeout).toBeGreaterThanOrEqual(Math.ceil(feeds / 4) * 10 + 5);
    expect(feedPollerTimeoutSeconds(200)).toBeGreaterThanOrEqual(Math.ceil(200 / 4) * 10 + 50 * 5);
  });

  it('alarms on feeds failing three polls in a row, each poll period long', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FeedPollFailures', Period: 30 * 60, EvaluationPeriods: 3, Threshold: 1 });
  });

  it('has no poller and no poll schedule without feeds', () => {
    const { template: plain } = synthesize();
    expect(Object.keys(plain.findResources('AWS::Lambda::Function')).filter((id) => id.includes('FeedPoller'))).toEqual([]);
    plain.resourceCountIs('AWS::Scheduler::Schedule', 2);
  });

  it('runs compose one at a time (reserved concurrency 1)', () => {
    expect(resource(template, 'AWS::Lambda::Function', functionIds.compose).Properties).toMatchObject({ ReservedConcurrentExecutions: 1 });
  });
});

describe('sending', () => {
  it('feeds deliver from the queue in batches, at most as many workers as the send rate needs, reporting partial failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(template, 'AWS::SQS::Queue', 'SendingDeliveryQueue'),
      FunctionName: ref(template, 'AWS::Lambda::Function', functionIds.deliver),
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // 14 emails/s shared by 2 workers: each paces itself to 7/s.
    expect(environmentOf('deliver').BRIEFING_MAX_SEND_RATE).toBe('7');
  });

  it.each([
    [1, 2, 0.5],
    [14, 2, 7],
    [250, 25, 10],
    [10_000, 1000, 10],
  ])('a %d/s account send rate gives %d workers of %d/s each (never more in total, 2–1000 workers)', (rate, workers, ratePerWorker) => {
    expect(deliverConcurrency(rate)).toEqual({ workers, ratePerWorker });
  });

  it('keeps a queued recipient invisible for at least 6× the deliver timeout, and parks it after 5 receives', () => {
    const queue = resource(template, 'AWS::SQS::Queue', 'SendingDeliveryQueue').Properties as Record<string, unknown>;
    const deliverTimeout = (resource(template, 'AWS::Lambda::Function', functionIds.deliver).Properties as { Timeout: number }).Timeout;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * deliverTimeout);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(template, 'AWS::SQS::Queue', 'DeliveryDeadLetters'), maxReceiveCount: 5 });
  });

  it('keeps queued recipients 14 days (the SQS maximum), so a stopped edition can be resumed days later', () => {
    expect(resource(template, 'AWS::SQS::Queue', 'SendingDeliveryQueue').Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400 });
  });

  it('encrypts every queue and refuses plain-HTTP access to it', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(7);
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } },
      7,
    );
  });
});

describe('functions', () => {
  it('run Node 22 on arm64 with X-Ray tracing, source maps and an explicit log group kept three months', () => {
    const all = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(all)).toHaveLength(Object.keys(functionIds).length);
    for (const [id, fn] of Object.entries(all)) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'briefing', POWERTOOLS_LOG_LEVEL: 'INFO' } },
      });
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } });
    }
  });

  const newsletter = {
    BRIEFING_NEWSLETTER_NAME: productionContext.newsletterName,
    BRIEFING_SENDER_NAME: productionContext.newsletterName,
    BRIEFING_SENDER_ADDRESS: productionContext.senderAddress,
    BRIEFING_TIME_ZONE: productionContext.timeZone,
    BRIEFING_POSTAL_ADDRESS: productionContext.postalAddress,
    BRIEFING_LANGUAGE: 'en-GB',
    BRIEFING_MAX_STORIES: '10',
    BRIEFING_TOPICS: JSON.stringify(defaultTopics),
    BRIEFING_NO_TOPIC_NEWS: 'skip',
    BRIEFING_DESCRIPTION: expect.any(String),
    BRIEFING_SITE_URL: {
      'Fn::Join': ['', ['https://', { Ref: expect.stringMatching(/^SubscriptionApi[0-9A-F]{8}$/) }, '.execute-api.eu-west-2.', { Ref: 'AWS::URLSuffix' }, '/prod']],
    },
  };
  const shared = { POWERTOOLS_SERVICE_NAME: 'briefing', POWERTOOLS_LOG_LEVEL: 'INFO', NODE_OPTIONS: '--enable-source-maps', ...newsletter };
  const table = (part: string) => ref(template, 'AWS::DynamoDB::Table', part);
  const configurationSet = () => ref(template, 'AWS::SES::ConfigurationSet', 'EmailConfigurationSet');
  const secret = () => ref(template, 'AWS::SecretsManager::Secret', 'TokenSecret');

  it('give compose the templates, the tables it reads and writes, the queue, the configuration set and the report\'s rate budget, and nothing else', () => {
    expect(environmentOf('compose')).toEqual({
      ...shared,
      BRIEFING_TEMPLATES_DIR: '/var/task/templates',
      BRIEFING_ARTICLES_TABLE: table('Articles'),
      BRIEFING_SUBSCRIBERS_TABLE: table('Subscribers'),
      BRIEFING_EDITIONS_TABLE: table('Editions'),
      BRIEFING_DELIVERIES_TABLE: table('Deliveries'),
      BRIEFING_VARIANTS_TABLE: table('Variants'),
      BRIEFING_QUEUE_URL: ref(template, 'AWS::SQS::Queue', 'SendingDeliveryQueue'),
      BRIEFING_CONFIGURATION_SET: configurationSet(),
      BRIEFING_SEND_RATE_BUDGET: '14',
    });
  });

  it('give deliver its share of the send rate, the token key, the articles (for the report) and no templates', () => {
    expect(environmentOf('deliver')).toEqual({
      ...shared,
      BRIEFING_ARTICLES_TABLE: table('Articles'),
      BRIEFING_SUBSCRIBERS_TABLE: table('Subscribers'),
      BRIEFING_EDITIONS_TABLE: table('Editions'),
      BRIEFING_DELIVERIES_TABLE: table('Deliveries'),
      BRIEFING_VARIANTS_TABLE: table('Variants'),
      BRIEFING_CONFIGURATION_SET: configurationSet(),
      BRIEFING_TOKEN_SECRET_ARN: secret(),
      BRIEFING_MAX_SEND_RATE: '7',
      BRIEFING_SEND_RATE_BUDGET: '14',
    });
  });

  it('give the subscription API the templates, subscribers, editions and the token key', () => {
    expect(environmentOf('subscriptionApi')).toEqual({
      ...shared,
      BRIEFING_TEMPLATES_DIR: '/var/task/templates',
      BRIEFING_SUBSCRIBERS_TABLE: table('Subscribers'),
      BRIEFING_EDITIONS_TABLE: table('Editions'),
      BRIEFING_TOKEN_SECRET_ARN: secret(),
      BRIEFING_CONFIRMATION_QUEUE_URL: ref(template, 'AWS::SQS::Queue', 'ConfirmationsQueue'),
    });
  });

  it('give the confirmation sender the templates, subscribers, the token key and the configuration set', () => {
    expect(environmentOf('confirmationSender')).toEqual({
      ...shared,
      BRIEFING_TEMPLATES_DIR: '/var/task/templates',
      BRIEFING_SUBSCRIBERS_TABLE: table('Subscribers'),
      BRIEFING_CONFIGURATION_SET: configurationSet(),
      BRIEFING_TOKEN_SECRET_ARN: secret(),
    });
  });

  it('give feedback the subscribers and editions, and what reporting a paused edition takes: the articles, the configuration set and the rate budget', () => {
    expect(environmentOf('feedback')).toEqual({
      ...shared,
      BRIEFING_ARTICLES_TABLE: table('Articles'),
      BRIEFING_SUBSCRIBERS_TABLE: table('Subscribers'),
      BRIEFING_EDITIONS_TABLE: table('Editions'),
      BRIEFING_CONFIGURATION_SET: configurationSet(),
      BRIEFING_SEND_RATE_BUDGET: '14',
    });
  });

  it('give the watchdog the editions table only', () => {
    expect(environmentOf('watchdog')).toEqual({ ...shared, BRIEFING_EDITIONS_TABLE: table('Editions') });
  });

  it('give the ingest API the articles table and where its key is, nothing else', () => {
    expect(environmentOf('ingestApi')).toEqual({
      ...shared,
      BRIEFING_ARTICLES_TABLE: table('Articles'),
      BRIEFING_INGEST_KEY_SECRET_ARN: ref(template, 'AWS::SecretsManager::Secret', 'IngestionIngestKey'),
    });
  });

  it('give the ingest API an answer within API Gateway\'s 29 seconds', () => {
    expect((resource(template, 'AWS::Lambda::Function', functionIds.ingestApi).Properties as { Timeout: number }).Timeout).toBeLessThan(29);
  });

  it('give the feed poller the articles and feeds tables only, and the feeds through its schedule rather than its environment', () => {
    expect(environmentOf('feedPoller')).toEqual({ ...shared, BRIEFING_ARTICLES_TABLE: table('Articles'), BRIEFING_FEEDS_TABLE: table('Feeds') });
  });

  it('tell every function the report address when one is configured (CDK context reportAddress)', () => {
    const reported = synthesize({ context: { ...productionContext, reportAddress: 'editors@news.example.org' } }).template;
    for (const fn of Object.values(reported.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.BRIEFING_REPORT_ADDRESS).toBe('editors@news.example.org');
    }
    expect(environmentOf('deliver')).not.toHaveProperty('BRIEFING_REPORT_ADDRESS');
  });

  it('use a custom site URL in every function when one is configured', () => {
    const custom = synthesize({ context: { ...productionContext, siteUrl: 'https://briefing.example.org/' } }).template;
    for (const fn of Object.values(custom.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.BRIEFING_SITE_URL).toBe('https://briefing.example.org');
    }
  });
});

describe('least privilege', () => {
  it('never grants an SES, DynamoDB or SQS action on every resource, but GetSendQuota, which has no resource-level permission, to compose', () => {
    const everywhere: string[] = [];
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        if (!actionsOf(statement).some((action) => /^(ses|dynamodb|sqs):/.test(action))) continue;
        if ([statement.Resource].flat().includes('*')) everywhere.push(`${id}: ${actionsOf(statement).join(', ')}`);
      }
    }
    expect(everywhere).toEqual([expect.stringMatching(/^SendingComposeRoleDefaultPolicy[0-9A-F]{8}: ses:GetSendQuota$/)]);
  });

  it('lets each function read only the tables it reads and write only the tables it writes', () => {
    expect(resourcesFor('compose', 'dynamodb:Query')).toEqual(tableIds('Articles', 'Subscribers', 'Editions', 'Deliveries', 'Variants'));
    expect(resourcesFor('compose', 'dynamodb:PutItem')).toEqual(tableIds('Editions', 'Deliveries'));
    expect(resourcesFor('compose', 'dynamodb:UpdateItem')).toEqual(tableIds('Editions', 'Deliveries'));
    expect(resourcesFor('deliver', 'dynamodb:GetItem')).toEqual(tableIds('Articles', 'Subscribers', 'Editions', 'Deliveries', 'Variants'));
    expect(resourcesFor('deliver', 'dynamodb:PutItem')).toEqual(tableIds('Editions', 'Deliveries'));
    expect(resourcesFor('deliver', 'dynamodb:BatchWriteItem')).toEqual([]);
    expect(resourcesFor('subscriptionApi', 'dynamodb:GetItem')).toEqual(tableIds('Subscribers', 'Editions'));
    expect(resourcesFor('subscriptionApi', 'dynamodb:PutItem')).toEqual(tableIds('Subscribers'));
    expect(resourcesFor('subscriptionApi', 'dynamodb:UpdateItem')).toEqual(tableIds('Subscribers', 'Editions'));
    expect(resourcesFor('feedback', 'dynamodb:BatchGetItem')).toEqual(tableIds('Articles', 'Subscribers', 'Editions'));
    expect(resourcesFor('feedback', 'dynamodb:UpdateItem')).toEqual(tableIds('Subscribers', 'Editions'));
    expect(resourcesFor('watchdog', 'dynamodb:GetItem')).toEqual(tableIds('Editions'));
    expect(resourcesFor('watchdog', 'dynamodb:UpdateItem')).toEqual([]);
    expect(resourcesFor('watchdog', 'dynamodb:PutItem')).toEqual([]);
    expect(resourcesFor('feedPoller', 'dynamodb:BatchGetItem')).toEqual(tableIds('Articles', 'Feeds'));
    expect(resourcesFor('feedPoller', 'dynamodb:PutItem')).toEqual(tableIds('Feeds'));
  });

  it('lets only the article writers (the feed poller and the ingest API) write the articles table, and only in batches; compose reads it', () => {
    const writers = (Object.keys(functionIds) as FunctionName[]).filter((name) =>
      ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'].some((action) => resourcesFor(name, action).includes(tableIds('Articles')[0]!)),
    );
    expect(writers).toEqual(['feedPoller', 'ingestApi']);
    expect(resourcesFor('feedPoller', 'dynamodb:BatchWriteItem')).toEqual(tableIds('Articles'));
    expect(resourcesFor('ingestApi', 'dynamodb:BatchWriteItem')).toEqual(tableIds('Articles'));
    // The webhook only writes: no read of any table.
    expect(statementsOf('ingestApi').flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:BatchWriteItem']);
    expect(resourcesFor('compose', 'dynamodb:BatchGetItem')).toContain(tableIds('Articles')[0]);
  });

  it('grants no Scan, no batch write but the article writers\' and compose\'s of the variants, and no delete, but the conditional DeleteItem deliver uses to give a claim back and the subscription API\'s for "Delete my data"', () => {
    const batchWrites: Partial<Record<FunctionName, string[]>> = { feedPoller: tableIds('Articles'), ingestApi: tableIds('Articles'), compose: tableIds('Variants') };
    for (const name of Object.keys(functionIds) as FunctionName[]) {
      const actions = statementsOf(name).flatMap(actionsOf);
      expect(actions.filter((action) => ['dynamodb:Scan', 'dynamodb:*'].includes(action)), name).toEqual([]);
      expect(resourcesFor(name, 'dynamodb:BatchWriteItem'), name).toEqual(batchWrites[name] ?? []);
      expect(resourcesFor(name, 'dynamodb:DeleteItem'), name).toEqual(name === 'deliver' ? tableIds('Deliveries') : name === 'subscriptionApi' ? tableIds('Subscribers') : []);
    }
  });

  it('lets only compose enqueue and only deliver consume the delivery queue', () => {
    const queue = [logicalId(template, 'AWS::SQS::Queue', 'SendingDeliveryQueue')];
    // Lambda parks compose's failed asynchronous runs with compose's own role.
    const composeFailures = logicalId(template, 'AWS::SQS::Queue', 'ScheduleDeadLetters');
    expect(resourcesFor('compose', 'sqs:SendMessage')).toEqual([...queue, composeFailures].sort());
    expect(resourcesFor('compose', 'sqs:ReceiveMessage')).toEqual([]);
    expect(resourcesFor('deliver', 'sqs:ReceiveMessage')).toEqual(queue);
    expect(resourcesFor('deliver', 'sqs:SendMessage')).toEqual([]);
    for (const name of ['subscriptionApi', 'feedback', 'watchdog', 'feedPoller', 'ingestApi'] as const) {
      expect(resourcesFor(name, 'sqs:SendMessage'), name).not.toContain(queue[0]);
      expect(resourcesFor(name, 'sqs:ReceiveMessage'), name).not.toContain(queue[0]);
    }
  });

  it('lets only feedback consume the feedback queue, and nobody but EventBridge put events on it', () => {
    const feedbackQueue = [logicalId(template, 'AWS::SQS::Queue', 'EmailFeedbackQueue')];
    expect(resourcesFor('feedback', 'sqs:ReceiveMessage')).toEqual(feedbackQueue);
    expect(resourcesFor('feedback', 'sqs:SendMessage')).toEqual([]);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(template, 'AWS::SQS::Queue', 'EmailFeedbackQueue')],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': arnOf(template, 'AWS::Events::Rule', 'EmailFeedbackRule') } },
          }),
        ]),
      },
    });
  });

  it('lets the senders send from the identity with the configuration set only: raw email (MIME) what they build, simple email (SendEmail) the edition report', () => {
    const sesResources = [logicalId(template, 'AWS::SES::ConfigurationSet', 'EmailConfigurationSet'), logicalId(template, 'AWS::SES::EmailIdentity', 'EmailIdentity')].sort();
    const sends = { compose: ['ses:SendRawEmail', 'ses:SendEmail'], deliver: ['ses:SendRawEmail', 'ses:SendEmail'], confirmationSender: ['ses:SendRawEmail'], feedback: ['ses:SendEmail'] } as const;
    for (const [name, actions] of Object.entries(sends) as [keyof typeof sends, readonly string[]][]) {
      for (const action of actions) expect(resourcesFor(name, action), `${name} ${action}`).toEqual(sesResources);
      const sesActions = statementsOf(name).flatMap(actionsOf).filter((action) => action.startsWith('ses:'));
      expect(sesActions, name).toEqual(name === 'compose' ? [...actions, 'ses:GetSendQuota'] : actions);
    }
    for (const name of ['subscriptionApi', 'watchdog', 'feedPoller', 'ingestApi'] as const) expect(statementsOf(name).flatMap(actionsOf).filter((action) => action.startsWith('ses:')), name).toEqual([]);
  });

  it('lets only the functions that sign or check tokens read the token key', () => {
    const key = [logicalId(template, 'AWS::SecretsManager::Secret', 'TokenSecret')];
    expect(resourcesFor('deliver', 'secretsmanager:GetSecretValue')).toEqual(key);
    expect(resourcesFor('subscriptionApi', 'secretsmanager:GetSecretValue')).toEqual(key);
    expect(resourcesFor('confirmationSender', 'secretsmanager:GetSecretValue')).toEqual(key);
    expect(resourcesFor('compose', 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(resourcesFor('feedback', 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(resourcesFor('watchdog', 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(resourcesFor('feedPoller', 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(resourcesFor('ingestApi', 'secretsmanager:GetSecretValue')).toEqual([logicalId(template, 'AWS::SecretsManager::Secret', 'IngestionIngestKey')]);
  });

  it('lets only the ingest API read the ingest key', () => {
    const key = logicalId(template, 'AWS::SecretsManager::Secret', 'IngestionIngestKey');
    const readers = (Object.keys(functionIds) as FunctionName[]).filter((name) => resourcesFor(name, 'secretsmanager:GetSecretValue').includes(key));
    expect(readers).toEqual(['ingestApi']);
  });
});

describe('storage', () => {
  it('keeps six on-demand tables with point-in-time recovery, retained when the stack is deleted', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(6);
    for (const [id, table] of Object.entries(tables)) {
      expect(table.DeletionPolicy, id).toBe('Retain');
      expect(table.UpdateReplacePolicy, id).toBe('Retain');
      expect(table.Properties, id).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it('expires delivery records through their TTL attribute', () => {
    expect(resource(template, 'AWS::DynamoDB::Table', 'Deliveries').Properties).toMatchObject({
      TimeToLiveSpecification: { AttributeName: expect.any(String), Enabled: true },
    });
  });

  it('keeps the topic variants by edition and variant key, and expires them through their TTL attribute', () => {
    expect(resource(template, 'AWS::DynamoDB::Table', 'Variants').Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'editionId', KeyType: 'HASH' },
        { AttributeName: 'variantKey', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('SES', () => {
  it('creates the domain identity with Easy DKIM and a MAIL FROM subdomain, kept on delete, and not as the default of the configuration set', () => {
    const identity = resource(template, 'AWS::SES::EmailIdentity', 'EmailIdentity');
    expect(identity).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        EmailIdentity: productionContext.domain,
        DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
        MailFromAttributes: { MailFromDomain: `bounce.${productionContext.domain}` },
      },
    });
    expect(identity.Properties).not.toHaveProperty('ConfigurationSetAttributes');
  });

  it('uses a domain already verified in the account with identity=existing: no identity resource, no DNS records, the grant names it', () => {
    const existing = synthesize({ context: { ...productionContext, identity: 'existing' } }).template;

    existing.resourceCountIs('AWS::SES::EmailIdentity', 0);
    existing.resourceCountIs('AWS::Route53::RecordSet', 0);
    existing.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendRawEmail',
            Resource: Match.arrayWith([
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ses:eu-west-2:123456789012:identity/${productionContext.domain}`]] },
            ]),
          }),
        ]),
      },
    });
  });

  it('widens the send grant to recipient identities only with sesSandbox=true', () => {
    const recipients = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-2:123456789012:identity/*']] };
    const sendResources = (context: Record<string, unknown>) =>
      Object.values(synthesize({ context }).template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
        (policy.Properties.PolicyDocument.Statement as Statement[]).filter((statement) => actionsOf(statement).some((action) => /^ses:Send(Raw)?Email$/.test(action))).flatMap((statement) => [statement.Resource].flat()),
      );

    const sandbox = sendResources({ ...productionContext, sesSandbox: 'true' });
    expect(sandbox.filter((arn) => JSON.stringify(arn) === JSON.stringify(recipients))).toHaveLength(4);
    expect(sendResources({ ...productionContext, sesSandbox: 'false' }).map((arn) => JSON.stringify(arn))).not.toContain(JSON.stringify(recipients));
    expect(sendResources(productionContext).map((arn) => JSON.stringify(arn))).not.toContain(JSON.stringify(recipients));
  });

  it('publishes DKIM and MAIL FROM records in the hosted zone when one is given', () => {
    const records = Object.values(template.findResources('AWS::Route53::RecordSet'));
    expect(records.every((record) => record.Properties.HostedZoneId === productionContext.hostedZoneId)).toBe(true);
    expect(records.filter((record) => record.Properties.Type === 'CNAME')).toHaveLength(3);
    expect(records.map((record) => record.Properties.Type).sort()).toEqual(['CNAME', 'CNAME', 'CNAME', 'MX', 'TXT']);
  });

  it('leaves DNS alone without a hosted zone', () => {
    const { hostedZoneId: _, ...withoutZone } = productionContext;
    synthesize({ context: withoutZone }).template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('keeps reputation metrics, requires TLS and sends bounce, complaint and delivery events to the default event bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
    const destination = resource(template, 'AWS::SES::ConfigurationSetEventDestination', 'EmailConfigurationSet').Properties as {
      EventDestination: { MatchingEventTypes: string[]; Enabled: boolean; EventBridgeDestination: { EventBusArn: unknown } };
    };
    expect(destination.EventDestination.MatchingEventTypes.sort()).toEqual(['bounce', 'complaint', 'delivery']);
    expect(JSON.stringify(destination.EventDestination.EventBridgeDestination.EventBusArn)).toContain(':event-bus/default');
  });

  it("routes this configuration set's events to the feedback queue, with retries and a dead-letter queue", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': ['Email Bounced', 'Email Complaint Received', 'Email Delivered'],
        detail: { mail: { tags: { 'ses:configuration-set': [ref(template, 'AWS::SES::ConfigurationSet', 'EmailConfigurationSet')] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: arnOf(template, 'AWS::SQS::Queue', 'EmailFeedbackQueue'),
          DeadLetterConfig: { Arn: arnOf(template, 'AWS::SQS::Queue', 'FeedbackDeadLetters') },
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
  });

  it('feeds the feedback function in batches of up to 100 events, reporting partial failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(template, 'AWS::SQS::Queue', 'EmailFeedbackQueue'),
      FunctionName: ref(template, 'AWS::Lambda::Function', functionIds.feedback),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('parks events the feedback function failed on five times in its dead-letter queue (its on-failure destination), kept 14 days', () => {
    const queue = resource(template, 'AWS::SQS::Queue', 'EmailFeedbackQueue').Properties as Record<string, unknown>;
    const timeout = (resource(template, 'AWS::Lambda::Function', functionIds.feedback).Properties as { Timeout: number }).Timeout;
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(template, 'AWS::SQS::Queue', 'FeedbackDeadLetters'), maxReceiveCount: 5 });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(resource(template, 'AWS::SQS::Queue', 'FeedbackDeadLetters').Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400 });
  });
});

describe('keys', () => {
  it.each([
    ['ingest', 'IngestionIngestKey', 48],
    ['token', 'TokenSecret', 64],
  ])('the %s key (%s) is generated by Secrets Manager, %d characters, and kept when the stack is deleted or the secret replaced', (_, idPart, length) => {
    expect(resource(template, 'AWS::SecretsManager::Secret', idPart)).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { GenerateSecretString: { PasswordLength: length, ExcludePunctuation: true } },
    });
  });

  it('names the ingest key by the IngestKeySecretArn output', () => {
    template.hasOutput('IngestKeySecretArn', { Value: ref(template, 'AWS::SecretsManager::Secret', 'IngestionIngestKey') });
  });
});

describe('outputs', () => {
  it('name the compose function, the site URL, the queue URL, the tables people load, the alarm topic and the dashboard', () => {
    template.hasOutput('ComposeFunctionName', { Value: ref(template, 'AWS::Lambda::Function', functionIds.compose) });
    template.hasOutput('ApiUrl', { Value: environmentOf('compose').BRIEFING_SITE_URL });
    template.hasOutput('DeliveryQueueUrl', { Value: ref(template, 'AWS::SQS::Queue', 'SendingDeliveryQueue') });
    template.hasOutput('ArticlesTableName', { Value: ref(template, 'AWS::DynamoDB::Table', 'Articles') });
    template.hasOutput('SubscribersTableName', { Value: ref(template, 'AWS::DynamoDB::Table', 'Subscribers') });
    template.hasOutput('AlarmTopicArn', { Value: ref(template, 'AWS::SNS::Topic', 'AlarmsTopic') });
    template.hasOutput('DashboardUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  it('name what the CLI needs with --stack to send a confirmation email as the stack does: the token key, the configuration set, the newsletter settings', () => {
    template.hasOutput('TokenSecretArn', { Value: ref(template, 'AWS::SecretsManager::Secret', 'TokenSecretKey') });
    template.hasOutput('ConfigurationSetName', { Value: ref(template, 'AWS::SES::ConfigurationSet', 'EmailConfigurationSet') });
    const settings = JSON.parse(template.findOutputs('NewsletterSettings').NewsletterSettings!.Value as string) as Record<string, string>;
    expect(settings).toMatchObject({
      newsletterName: productionContext.newsletterName,
      senderAddress: productionContext.senderAddress,
      timeZone: productionContext.timeZone,
      postalAddress: productionContext.postalAddress,
    });
    // The feeds reach the poller through its schedule; the site URL is the ApiUrl output.
    expect(settings).not.toHaveProperty('feeds');
    expect(settings).not.toHaveProperty('siteUrl');
    // Every function runs with the same settings.
    expect(Object.fromEntries(Object.entries(settings).map(([key, value]) => [configEnvironmentNames[key as keyof typeof configEnvironmentNames], value]))).toEqual(
      Object.fromEntries(Object.entries(environmentOf('deliver')).filter(([name]) => Object.values(configEnvironmentNames).includes(name as never) && name !== 'BRIEFING_SITE_URL')),
    );
  });
});
