import { relative } from 'node:path';
import type { Command } from 'commander';
import { type BriefingConfig, loadConfig } from '../../lambdas/config/config.ts';
import { configurationSetVariable, endpointVariables } from '../../lambdas/config/environment.ts';
import { BriefingError } from '../../lambdas/errors.ts';
import type { Stores } from '../../lambdas/stores.ts';
import type { ConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { type Emulators, localDataDir } from '../../local/emulators.ts';
import { type LocalServices, withLocalServices } from '../../local/services.ts';

/** `--stack NAME [--region R]`: a deployed stack instead of the local store. */
export interface WhereOptions {
  readonly stack?: string;
  readonly region?: string;
}

/** What the articles and subscribers commands use, wherever they run. */
export interface Services {
  /** Where they read and write, for the lines that say so: `the local store (.briefing/)`, `stack Briefing (eu-west-1)`. */
  readonly where: string;
  readonly stores: Pick<Stores, 'articles' | 'subscribers'>;
  /** Sends sign-ups their confirmation email: the local SES emulator, or SES in the stack's region with its settings, key and configuration set. */
  confirmationSender(): Promise<ConfirmationSender>;
  /** The newsletter's settings (its topics): the local config, or the stack's own. */
  config(): Promise<BriefingConfig>;
  /** The key that signs the links and keys the erased list: the local one, or the stack's from Secrets Manager. */
  tokenSecret(): Promise<string>;
  /** The local emulators this command started or found running; none for a stack. */
  readonly emulators?: Emulators;
  /** The local SES emulator's inbox; none for a stack. */
  readonly inboxUrl?: string;
}

const shownPath = (path: string): string => {
  const shown = relative(process.cwd(), path);
  return `${shown === '' ? '.' : shown.startsWith('..') ? path : shown}/`;
};

/** Where local commands write: the data folder, or the DynamoDB that BRIEFING_DYNAMODB_ENDPOINT names (used as it is, never replaced). */
export const localWhere = (services: Pick<LocalServices, 'settings'>, env: NodeJS.ProcessEnv = process.env): string =>
  env[endpointVariables.dynamodb] ? `the DynamoDB at ${services.settings.dynamodbEndpoint} (${endpointVariables.dynamodb})` : `the local store (${shownPath(localDataDir(env))})`;

/** Made on first use and kept (a sender compiles its template once); a failure is not kept. */
export const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    made.catch(() => (made = undefined));
    return made;
  };
};

const fromLocal = (local: LocalServices): Services => {
  const config = once(async () => loadConfig());
  return {
    where: localWhere(local),
    stores: local.stores,
    emulators: local.emulators,
    inboxUrl: local.inboxUrl,
    // Loaded when a sign-up sends mail (its template engine is large): an import without --pending never does.
    confirmationSender: once(async () =>
      (await import('../../lambdas/subscription/confirmation-email.ts')).createConfirmationSender({
        config: await config(),
        mailer: local.mailer,
        secret: local.tokenSecret,
        configurationSet: process.env[configurationSetVariable] || undefined,
      }),
    ),
    config,
    tokenSecret: async () => local.tokenSecret,
  };
};

/** Runs `fn` against the stack named by `--stack`, else the local store, and closes whatever was opened. */
export const withServices = async <T>(options: WhereOptions, fn: (services: Services) => Promise<T>): Promise<T> => {
  if (options.region && !options.stack) throw new StackOptionError('--region goes with --stack NAME');
  // The stack's clients and helpers are loaded only for --stack: a local command never needs them.
  if (options.stack) return (await import('./stack-services.ts')).withStack(options.stack, options.region, fn);
  return withLocalServices((local) => fn(fromLocal(local)));
};

export class StackOptionError extends BriefingError {
  override name = 'StackOptionError';
}

/** Adds `--stack` and `--region` to a command that can work on a deployed stack. */
export const withStackOptions = (command: Command): Command =>
  command
    .option('--stack <name>', "a deployed stack's tables instead of the local store (its outputs name them; default AWS credentials)")
    .option('--region <region>', 'the region of --stack (default: AWS_REGION or your profile)');
