import * as z from 'zod';
import { configEnvironmentNames, configSchema, type BriefingConfig } from '../lambdas/config/config.ts';
import { feedPollerTimeoutSeconds } from './ingestion.ts';
import { deadlineCron } from './schedule-cron.ts';

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as news.example.com');

// EventBridge Scheduler's cron: six fields, and exactly one of day-of-month and day-of-week is "?".
const scheduleCron = z
  .string()
  .trim()
  .transform((value) => value.replace(/^cron\((.*)\)$/, '$1').trim())
  .refine((value) => {
    const fields = value.split(/\s+/);
    return fields.length === 6 && (fields[2] === '?') !== (fields[4] === '?');
  }, 'must be six cron fields "minutes hours day-of-month month day-of-week year" with "?" in day-of-month or day-of-week, e.g. "0 6 ? * * *"');

// The site URL is a deploy-time value here (the API's URL unless given); the rest are the runtime's own keys.
const { siteUrl: _runtimeSiteUrl, ...newsletterShape } = configSchema.shape;

/** What `cdk deploy -c key=value` (or cdk.json's `context`) configures; the newsletter keys are those of `lambdas/config/config.ts`. */
const contextSchema = z.object({
  ...newsletterShape,
  // The From name: the newsletter's name unless told otherwise.
  senderName: z.optional(configSchema.shape.senderName.def.innerType),
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name: letters, digits and hyphens, starting with a letter')
    .default('Briefing'),
  domain: domainName,
  mailFromDomain: domainName.optional(),
  hostedZoneId: z
    .string()
    .trim()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ')
    .optional(),
  scheduleCron: scheduleCron.default('0 6 * * ? *'),
  siteUrl: z
    .url({ protocol: /^https$/, error: 'must be an https:// URL' })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  maxSendRate: z.coerce
    .number({ error: 'must be a number of emails per second' })
    .min(1, 'must be at least 1 email per second (the SES minimum)')
    .max(10_000, 'must be at most 10000 emails per second')
    .default(1),
  alarmEmail: z.email().optional(),
  /** An SNS topic that already reaches people (on-call, chat): the alarms publish to it instead of a topic of their own. */
  alarmTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN such as arn:aws:sns:eu-west-2:123456789012:ops')
    .optional(),
  /** `none`: deploy knowingly without anyone told of alarms (a warning instead of an error). */
  alarms: z.enum(['none'], { error: 'must be "none" (deploy without an alarm recipient), or leave it unset' }).optional(),
  /** Minutes after the scheduled time by which the edition must be sent; later (or skipped, stopped, never started) alarms. */
  editionDeadlineMinutes: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(5, 'must be at least 5 minutes')
    .max(1380, 'must be less than a day (at most 1380 minutes)')
    .default(60),
  /** `create`: the stack creates the SES domain identity (kept on delete); `existing`: it uses one already verified in the account. */
  identity: z.enum(['create', 'existing'], { error: 'must be "create" or "existing"' }).default('create'),
  /** While the SES account is in the sandbox, SES also authorises each send against the recipient's identity. */
  sesSandbox: z
    .union([z.boolean(), z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true')])
    .default(false),
  /** A custom domain for the subscription pages (with `certificateArn`, an ACM certificate for it in the stack's region). */
  apiDomain: domainName.optional(),
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, 'must be an ACM certificate ARN such as arn:aws:acm:eu-west-2:123456789012:certificate/…')
    .optional(),
});

/** Every context key the app reads. */
export const contextKeys = Object.keys(contextSchema.shape) as (keyof typeof contextSchema.shape)[];

/** Lambda's longest run. */
const lambdaMaxSeconds = 900;

const infraConfigSchema = contextSchema
  .superRefine((config, context) => {
    const inDomain = (address: string) => {
      const host = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
      return host === config.domain || host.endsWith(`.${config.domain}`);
    };
    if (!inDomain(config.senderAddress)) {
      context.addIssue({ code: 'custom', path: ['senderAddress'], message: `must be an address at ${config.domain} (the domain SES verifies)` });
    }
    if (config.mailFromDomain && !config.mailFromDomain.endsWith(`.${config.domain}`)) {
      context.addIssue({ code: 'custom', path: ['mailFromDomain'], message: `must be a subdomain of ${config.domain}` });
    }
    if ((config.apiDomain === undefined) !== (config.certificateArn === undefined)) {
      const missing = config.apiDomain === undefined ? 'apiDomain' : 'certificateArn';
      context.addIssue({ code: 'custom', path: [missing], message: 'apiDomain and certificateArn go together: the custom domain needs its certificate' });
    }
    if (config.alarmEmail && config.alarmTopicArn) {
      context.addIssue({ code: 'custom', path: ['alarmTopicArn'], message: 'give alarmEmail or alarmTopicArn, not both (subscribe the address to your topic instead)' });
    }
    const pollSeconds = feedPollerTimeoutSeconds(config.feeds.length);
    const pollLimit = Math.min(lambdaMaxSeconds, config.feedPollMinutes * 60);
    if (config.feeds.length > 0 && pollSeconds > pollLimit) {
      context.addIssue({
        code: 'custom',
        path: ['feeds'],
        message: `${config.feeds.length} feeds may take ${pollSeconds} s to poll (4 at a time, 10 s each and their writes), more than ${
          pollLimit === lambdaMaxSeconds ? `a Lambda function may run (${lambdaMaxSeconds} s): list fewer feeds` : `the ${config.feedPollMinutes} minutes between polls: raise feedPollMinutes`
        }`,
      });
    }
    try {
      deadlineCron(config.scheduleCron, config.editionDeadlineMinutes);
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['editionDeadlineMinutes'], message: (error as Error).message });
    }
  })
  .transform((config) => ({
    ...config,
    senderName: config.senderName ?? config.newsletterName,
    mailFromDomain: config.mailFromDomain ?? `bounce.${config.domain}`,
    siteUrl: config.siteUrl ?? (config.apiDomain ? `https://${config.apiDomain}` : undefined),
  }));

export type InfraConfig = z.infer<typeof infraConfigSchema>;

export class InfraConfigError extends Error {
  override name = 'InfraConfigError';
}

/** Validates the context before any construct exists; every problem names its key. */
export const parseInfraConfig = (context: (key: string) => unknown): InfraConfig => {
  // `-c key=` unsets a key from cdk.json.
  const input = Object.fromEntries(contextKeys.map((key) => [key, context(key) === '' ? undefined : context(key)]));
  const result = infraConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    // Inside a list (feeds[1].url), the place says which entry.
    if (issue.path.length > 1) return `  ${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').slice(1)}: ${issue.message}`;
    if (input[key] === undefined && issue.code !== 'custom') return `  ${key}: required (set it in cdk.json or with -c ${key}=…)`;
    if (input[key] === undefined) return `  ${key}: ${issue.message}`;
    return `  ${key}: ${issue.message} (got ${JSON.stringify(input[key])})`;
  });
  throw new InfraConfigError(`invalid CDK context (cdk.json "context" or -c key=value):\n${lines.join('\n')}`);
};

/**
 * Not in every function's environment: the site URL is a deploy-time value, and the feeds reach the
 * poller in its schedule's input (a long list would outgrow Lambda's 4 KB of environment).
 */
const notInEnvironment = ['siteUrl', 'feeds', 'feedPollMinutes'] as const;
type NewsletterKey = Exclude<keyof BriefingConfig, (typeof notInEnvironment)[number]>;

/**
 * The newsletter settings the functions run with, by config key, as text: a list as the JSON that
 * `loadConfig()` reads back. The stack output NewsletterSettings carries them for the CLI's `--stack`.
 */
export const newsletterSettings = (config: InfraConfig): Partial<Record<NewsletterKey, string>> => {
  const keys = Object.keys(configEnvironmentNames).filter((key): key is NewsletterKey => !(notInEnvironment as readonly string[]).includes(key));
  const settings: Partial<Record<NewsletterKey, string>> = {};
  for (const key of keys) {
    const value = config[key];
    if (value !== undefined) settings[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return settings;
};

/** The newsletter settings as the `BRIEFING_*` variables `loadConfig()` reads at run time. */
export const newsletterEnvironment = (config: InfraConfig): Record<string, string> =>
  Object.fromEntries(Object.entries(newsletterSettings(config)).map(([key, value]) => [configEnvironmentNames[key as NewsletterKey], value]));
