import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// zod/mini: the config is parsed in every Lambda, and the mini build keeps zod's share of a bundle small.
import * as z from 'zod/mini';
import { BriefingError } from '../errors.ts';
import { feedSourcesSchema } from '../feeds/sources.ts';
import { defaultTopics, noTopicNewsSchema, topicsSchema } from './topics.ts';

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const isLanguageTag = (tag: string): boolean => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

// http is allowed for loopback only, so local links work while deployed links stay https.
const siteUrl = z.url().check(
  z.refine((value: string) => {
    const url = new URL(value);
    return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }, 'must be an https:// URL (http:// only for localhost)'),
);

// A list given as text (an environment variable, `cdk -c key=…`) is JSON; one from a file or cdk.json is already a list.
const jsonText = (example: string) => z.transform((value: unknown, context) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    context.issues.push({ code: 'custom', input: value, message: `must be JSON, e.g. ${example}: ${(error as Error).message}` });
    return z.NEVER;
  }
});

const singleLine = (max = Infinity) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max), z.regex(/^[^\r\n]*$/, 'must be a single line'));

export const configSchema = z.object({
  newsletterName: z._default(singleLine(80), 'The Morning Briefing'),
  description: z._default(z.string().check(z.trim(), z.minLength(1)), 'The stories you need to know, every morning in five minutes.'),
  senderName: z._default(singleLine(80), 'The Morning Briefing'),
  senderAddress: z._default(z.email(), 'briefing@example.com'),
  replyTo: z.optional(z.email()),
  /** The mailto: half of List-Unsubscribe; mail to it lands in that mailbox for a person to act on. */
  unsubscribeMailto: z.optional(z.email()),
  timeZone: z._default(z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as Europe/London')), 'Europe/London'),
  siteUrl: z.pipe(z._default(siteUrl, 'http://localhost:3000'), z.transform((value: string) => value.replace(/\/+$/, ''))),
  postalAddress: z._default(singleLine(), 'Briefing Newsroom, 1 Example Street, London EC1A 1AA, United Kingdom'),
  language: z._default(z.string().check(z.refine(isLanguageTag, 'must be a language tag such as en-GB')), 'en-GB'),
  maxStories: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(30)), 10),
  /** Where the edition report goes when an edition is sent, paused or stopped (the editors); unset: no report mail. */
  reportAddress: z.optional(z.email()),
  /** Liquid, filled with the edition (`lead`, `stories`, `edition`, `newsletter`); unset: the lead headline shortened to 78 characters. */
  subjectTemplate: z.optional(singleLine(500)),
  /** The feeds the poller reads (`[{ "url": "https://…", "category": "World" }]`, see docs/feeds.md); none by default. */
  feeds: z.pipe(jsonText('[{"url": "https://www.example.com/rss", "category": "World"}]'), feedSourcesSchema),
  /** Minutes between two polls of the feeds (the deployed schedule, and `briefing dev`). */
  feedPollMinutes: z._default(
    z.coerce.number().check(
      z.int('must be a whole number of minutes'),
      z.minimum(5, 'must be at least 5 minutes (polite polling)'),
      // Three polls in a row alarm when they all fail; CloudWatch looks back one day at most.
      z.maximum(480, 'must be at most 480 minutes (8 hours)'),
    ),
    15,
  ),
  /** Reader-facing topics, `[{ "id": "world", "label": "World", "categories": ["World", "UK"] }]` (see topics.ts); one per sample category by default. */
  topics: z.pipe(jsonText('[{"id": "world", "label": "World", "categories": ["World", "UK"]}]'), z._default(topicsSchema, defaultTopics)),
  /** A reader none of whose topics has a story that day gets no email (`skip`) or the full briefing (`all`). */
  noTopicNews: z._default(noTopicNewsSchema, 'skip'),
});

export type BriefingConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

const envNames: Record<keyof BriefingConfig, string> = {
  newsletterName: 'BRIEFING_NEWSLETTER_NAME',
  description: 'BRIEFING_DESCRIPTION',
  senderName: 'BRIEFING_SENDER_NAME',
  senderAddress: 'BRIEFING_SENDER_ADDRESS',
  replyTo: 'BRIEFING_REPLY_TO',
  unsubscribeMailto: 'BRIEFING_UNSUBSCRIBE_MAILTO',
  timeZone: 'BRIEFING_TIME_ZONE',
  siteUrl: 'BRIEFING_SITE_URL',
  postalAddress: 'BRIEFING_POSTAL_ADDRESS',
  language: 'BRIEFING_LANGUAGE',
  maxStories: 'BRIEFING_MAX_STORIES',
  reportAddress: 'BRIEFING_REPORT_ADDRESS',
  subjectTemplate: 'BRIEFING_SUBJECT_TEMPLATE',
  feeds: 'BRIEFING_FEEDS',
  feedPollMinutes: 'BRIEFING_FEED_POLL_MINUTES',
  topics: 'BRIEFING_TOPICS',
  noTopicNews: 'BRIEFING_NO_TOPIC_NEWS',
};

export const configEnvironmentNames = envNames;
export const defaultConfigFile = 'briefing.config.json';

export class ConfigError extends BriefingError {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** @default BRIEFING_CONFIG, else briefing.config.json in the working directory when present */
  readonly file?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

const readConfigFile = (path: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path}: must hold one JSON object`);
  }
  return parsed as Record<string, unknown>;
};

/** Validates a config object; every problem is named by its key and, where it came from the environment, the variable. */
export const parseConfig = (input: Record<string, unknown>, source = 'config'): BriefingConfig => {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const variable = envNames[key as keyof BriefingConfig];
    // A problem inside a list names its place too: feeds[1].url.
    const where = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').slice(1);
    return `  ${where}${variable ? ` (${variable})` : ''}: ${issue.message}`;
  });
  throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`);
};

/** Defaults, then the config file, then environment variables: later sources win. */
export const loadConfig = (options: LoadConfigOptions = {}): BriefingConfig => {
  const env = options.env ?? process.env;
  const explicitFile = options.file ?? env.BRIEFING_CONFIG;
  const file = resolve(explicitFile ?? defaultConfigFile);
  if (explicitFile && !existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  const fromFile = existsSync(file) ? readConfigFile(file) : {};
  const fromEnv = Object.fromEntries(
    Object.entries(envNames)
      .filter(([, variable]) => env[variable] !== undefined && env[variable] !== '')
      .map(([key, variable]) => [key, env[variable]]),
  );
  return parseConfig({ ...fromFile, ...fromEnv }, existsSync(file) ? `config (${file} and environment)` : 'config (environment)');
};
