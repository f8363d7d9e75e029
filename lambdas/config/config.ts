import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

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
const siteUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}, 'must be an https:// URL (http:// only for localhost)');

const singleLine = z.string().trim().min(1).regex(/^[^\r\n]*$/, 'must be a single line');

export const configSchema = z.object({
  newsletterName: singleLine.max(80).default('The Morning Briefing'),
  description: z.string().trim().min(1).default('The stories you need to know, every morning in five minutes.'),
  senderName: singleLine.max(80).default('The Morning Briefing'),
  senderAddress: z.email().default('briefing@example.com'),
  replyTo: z.email().optional(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London').default('Europe/London'),
  siteUrl: siteUrl.default('http://localhost:3000').transform((value) => value.replace(/\/+$/, '')),
  postalAddress: singleLine.default('Briefing Newsroom, 1 Example Street, London EC1A 1AA, United Kingdom'),
  language: z.string().refine(isLanguageTag, 'must be a language tag such as en-GB').default('en-GB'),
  maxStories: z.coerce.number().int().min(1).max(30).default(10),
});

export type BriefingConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

const envNames: Record<keyof BriefingConfig, string> = {
  newsletterName: 'BRIEFING_NEWSLETTER_NAME',
  description: 'BRIEFING_DESCRIPTION',
  senderName: 'BRIEFING_SENDER_NAME',
  senderAddress: 'BRIEFING_SENDER_ADDRESS',
  replyTo: 'BRIEFING_REPLY_TO',
  timeZone: 'BRIEFING_TIME_ZONE',
  siteUrl: 'BRIEFING_SITE_URL',
  postalAddress: 'BRIEFING_POSTAL_ADDRESS',
  language: 'BRIEFING_LANGUAGE',
  maxStories: 'BRIEFING_MAX_STORIES',
};

export const configEnvironmentNames = envNames;
export const defaultConfigFile = 'briefing.config.json';

export class ConfigError extends Error {
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
    return `  ${key}${variable ? ` (${variable})` : ''}: ${issue.message}`;
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
