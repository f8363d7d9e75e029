import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { productionContext, synthesize } from './synth.ts';

/**
 * Every resource that holds something a redeploy must not lose, by its logical id. CloudFormation
 * replaces a resource whose logical id changes (a renamed construct, a construct moved to another
 * parent): a new, empty table; a new token key that invalidates every link already mailed; new queues
 * without the recipients still queued; a new identity or configuration set. A change here must be on
 * purpose, with a migration.
 */
const pinned: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': ['StorageArticles861864AA', 'StorageSubscribers73F6E21D', 'StorageEditions378A453C', 'StorageDeliveriesE42B5069', 'StorageFeedsA21A19FB', 'StorageVariantsB56C9CDB'],
  // The ingest key too: every CMS that posts articles is configured with it.
  'AWS::SecretsManager::Secret': ['TokenSecretKey432A8E73', 'IngestionIngestKey1EAA77BA'],
  'AWS::SQS::Queue': [
    'SendingDeliveryQueue1C6888FE',
    'SendingDeliveryDeadLetters6430D928',
    'ScheduleDeadLetters4CA0E1C2',
    'EmailFeedbackQueue9A456A14',
    'EmailFeedbackDeadLetters427417CD',
    'ConfirmationsQueueF6F99D6E',
    'ConfirmationsDeadLetters60369916',
  ],
  'AWS::SES::EmailIdentity': ['EmailIdentityCD6BD173'],
  'AWS::SES::ConfigurationSet': ['EmailConfigurationSet6A762543'],
};

/** What outlives the stack: deleting the stack (or replacing the resource) must leave these in the account. */
const retained = ['AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret', 'AWS::SES::EmailIdentity'];

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
});

describe('stateful resources', () => {
  it.each(Object.entries(pinned))('keep their logical ids: %s', (type, ids) => {
    expect(Object.keys(template.findResources(type)).sort()).toEqual([...ids].sort());
  });

  it.each(retained)('are kept when the stack is deleted or the resource replaced: %s', (type) => {
    for (const [id, found] of Object.entries(template.findResources(type))) {
      expect(found.DeletionPolicy, id).toBe('Retain');
      expect(found.UpdateReplacePolicy, id).toBe('Retain');
    }
  });
});

describe('the placeholder domain', () => {
  it("refuses cdk.json's example.com outside tests (an error annotation stops cdk synth and deploy)", () => {
    const { domain: _domain, senderAddress: _sender, hostedZoneId: _zone, ...ownSettings } = productionContext;
    const { stack } = synthesize({ context: ownSettings });

    Annotations.fromStack(stack).hasError('/Briefing/Email', Match.stringLikeRegexp('domain is example.com, the placeholder of cdk.json: set your own with -c domain='));
  });

  it('accepts a real domain', () => {
    Annotations.fromStack(synthesize().stack).hasNoError('/Briefing/Email', Match.anyValue());
  });
});
