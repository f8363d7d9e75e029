import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableLayouts } from '../../lambdas/aws/dynamodb/tables.ts';
import { BriefingFunction } from '../../lib/briefing-function.ts';
import { Confirmations, confirmationMaxReceiveCount } from '../../lib/confirmations.ts';
import { Email } from '../../lib/email.ts';
import { Storage } from '../../lib/storage.ts';
import { TokenSecret } from '../../lib/token-secret.ts';
import { logicalId, resource } from './synth.ts';

let template: Template;
let ids: { api: string; sender: string; queue: string; deadLetters: string; subscribers: string };

beforeAll(() => {
  // Templates only: no function is bundled (as in synth.ts).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Confirmations', { env: { account: '123456789012', region: 'eu-west-2' } });
  const storage = new Storage(stack, 'Storage', { layouts: tableLayouts });
  const email = new Email(stack, 'Email', { domain: 'news.example.org', mailFromDomain: 'mail.news.example.org', identity: 'create', sandbox: false, storage, environment: {} });
  const api = new BriefingFunction(stack, 'Api', { entry: 'lambdas/handlers/subscription-rest-api.ts', description: 'the subscription API' });
  new Confirmations(stack, 'Confirmations', { api, storage, email, tokenSecret: new TokenSecret(stack, 'TokenSecret'), environment: { BRIEFING_SITE_URL: 'https://news.example.org' } });
  template = Template.fromStack(stack);
  ids = {
    api: logicalId(template, 'AWS::Lambda::Function', 'Api'),
    sender: logicalId(template, 'AWS::Lambda::Function', 'ConfirmationsSender'),
    queue: logicalId(template, 'AWS::SQS::Queue', 'ConfirmationsQueue'),
    deadLetters: logicalId(template, 'AWS::SQS::Queue', 'ConfirmationsDeadLetters'),
    subscribers: logicalId(template, 'AWS::DynamoDB::Table', 'StorageSubscribers'),
  };
});

type Statement = { Action: string | string[]; Resource: unknown };
const statementsOf = (functionId: string): Statement[] => {
  const role = (template.toJSON().Resources[functionId].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((entry) => entry.Ref === role))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
};
const actionsOf = (functionId: string) => statementsOf(functionId).flatMap((statement) => [statement.Action].flat());
const resourcesText = (functionId: string, action: string) =>
  JSON.stringify(statementsOf(functionId).filter((statement) => [statement.Action].flat().includes(action)).map((statement) => statement.Resource));

describe('confirmations', () => {
  it('queue each job with a dead-letter queue after 5 receives, invisible for at least 6× the sender timeout', () => {
    const queue = resource(template, 'AWS::SQS::Queue', 'ConfirmationsQueue').Properties as Record<string, unknown>;
    const timeout = (template.toJSON().Resources[ids.sender].Properties as { Timeout: number }).Timeout;

    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [ids.deadLetters, 'Arn'] }, maxReceiveCount: confirmationMaxReceiveCount });
    expect(queue.SqsManagedSseEnabled).toBe(true);
  });

  it('are sent by their own function, fed by the queue with partial batch responses and at most 2 workers', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.sender },
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ BRIEFING_SITE_URL: 'https://news.example.org', BRIEFING_TEMPLATES_DIR: '/var/task/templates', BRIEFING_CONFIGURATION_SET: Match.anyValue(), BRIEFING_TOKEN_SECRET_ARN: Match.anyValue() }) },
      Description: Match.stringLikeRegexp('confirmation email'),
    });
  });

  it('let the sender read and update the subscribers table only, send raw email and read the token key', () => {
    const dynamodb = actionsOf(ids.sender).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamodb.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(resourcesText(ids.sender, 'dynamodb:UpdateItem')).toContain(ids.subscribers);
    expect(actionsOf(ids.sender)).toEqual(expect.arrayContaining(['ses:SendRawEmail', 'secretsmanager:GetSecretValue']));
  });

  it('let the API put jobs on the queue and tell it where the queue is', () => {
    expect(actionsOf(ids.api)).toContain('sqs:SendMessage');
    expect(resourcesText(ids.api, 'sqs:SendMessage')).toContain(ids.queue);
    expect(actionsOf(ids.api).filter((action) => action.startsWith('sqs:Receive'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'the subscription API',
      Environment: { Variables: Match.objectLike({ BRIEFING_CONFIRMATION_QUEUE_URL: { Ref: ids.queue } }) },
    });
  });
});
