import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BriefingStack } from '../../lib/briefing-stack.ts';
import { parseInfraConfig } from '../../lib/config.ts';

export const projectRoot = resolve(import.meta.dirname, '../..');

/** cdk.json's context: the defaults a fresh clone deploys with. */
export const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(resolve(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** A realistic deploy: own domain with a hosted zone, alarm email, weekday schedule, production send rate. */
export const productionContext = {
  domain: 'news.example.org',
  senderAddress: 'briefing@news.example.org',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  alarmEmail: 'ops@example.org',
  scheduleCron: '30 6 ? * MON-FRI *',
  timeZone: 'America/New_York',
  // Context values given with -c arrive as strings.
  maxSendRate: '14',
  newsletterName: 'The Example Briefing',
  postalAddress: 'Example News, 1 Main Street, Springfield',
};

/** The production deploy with two feeds (one a CMS's plain-http internal feed), polled every 30 minutes. */
export const feedsContext = {
  ...productionContext,
  // As `-c feeds='[…]'` gives it.
  feeds: JSON.stringify([
    { url: 'https://www.example.com/world/rss', category: 'World' },
    { url: 'http://cms.internal:8080/feeds/business.json', category: 'Business' },
  ]),
  feedPollMinutes: '30',
};

/** Each deployed function by name, and the construct path its logical id starts with. */
export const functionIds = {
  compose: 'SendingCompose',
  deliver: 'SendingDeliver',
  subscriptionApi: 'SubscriptionApiHandler',
  feedback: 'EmailFeedback',
  watchdog: 'ScheduleWatchdog',
  feedPoller: 'IngestionFeedPoller',
  ingestApi: 'IngestionIngestApi',
  confirmationSender: 'ConfirmationsSender',
} as const;
export type FunctionName = keyof typeof functionIds;

export interface SynthOptions {
  /** Overrides on top of cdk.json's context. @default productionContext */
  readonly context?: Record<string, unknown>;
  /** Apply the cdk-nag AwsSolutions pack. @default false */
  readonly nag?: boolean;
}

/**
 * Synthesises the stack as `cdk synth` would, but without bundling the functions (CDK's
 * `aws:cdk:bundling-stacks` set to none): the template is the same, and it takes a second
 * instead of a bundle per function. The bundles have their own test.
 */
export const synthesize = (options: SynthOptions = {}) => {
  const app = new App({ context: { ...cdkJsonContext(), ...(options.context ?? productionContext), 'aws:cdk:bundling-stacks': [] } });
  if (options.nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const config = parseInfraConfig((key) => app.node.tryGetContext(key));
  const stack = new BriefingStack(app, config.stackName, { config, env: { account: '123456789012', region: 'eu-west-2' } });
  return { app, stack, config, template: Template.fromStack(stack) };
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

/** The logical id of the one resource of `type` whose id contains `idPart` (ids carry their construct path). */
export const logicalId = (template: Template, type: string, idPart: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(idPart));
  if (ids.length !== 1) throw new Error(`expected one ${type} with "${idPart}" in its id, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0]!;
};

export const resource = (template: Template, type: string, idPart: string) => {
  const resources = template.findResources(type) as Resources;
  return resources[logicalId(template, type, idPart)]!;
};
