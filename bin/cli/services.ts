import { relative } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { createDocumentClient, createSesClient } from '../../lambdas/aws/clients.ts';
import { createArticleStore } from '../../lambdas/aws/dynamodb/articles.ts';
import { createSubscriberStore } from '../../lambdas/aws/dynamodb/subscribers.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { fetchTokenSecret } from '../../lambdas/aws/token-secret.ts';
import { type BriefingConfig, loadConfig, parseConfig } from '../../lambdas/config/config.ts';
import { configurationSetVariable, endpointVariables } from '../../lambdas/config/environment.ts';
import { BriefingError } from '../../lambdas/errors.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { type ConfirmationSender, createConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { stackOutputs } from '../../lib/outputs.ts';
import { type Emulators, localDataDir } from '../../local/emulators.ts';
import { type LocalServices, openLocalServices } from '../../local/services.ts';
import { explainAwsAccess, readStackOutputs, requireOutput, stackClients } from './stack.ts';

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
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
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
    confirmationSender: once(async () =>
      createConfirmationSender({ config: await config(), mailer: local.mailer, secret: local.tokenSecret, configurationSet: process.env[configurationSetVariable] || undefined }),
    ),
    config,
    tokenSecret: async () => local.tokenSecret,
  };
};

/**
 * A deployed stack's tables, found through its outputs, with the default AWS credentials. Nothing local
 * is started, read or written: no emulator, no `.briefing/`. The token key and the newsletter settings
 * are read only when a command signs someone up.
 */
const openStack = async (stack: string, region: string | undefined): Promise<Services & { close(): Promise<void> }> => {
  const { cloudFormation } = stackClients(region);
  const outputs = await readStackOutputs(cloudFormation, stack);
  const resolvedRegion = await cloudFormation.config.region();
  cloudFormation.destroy();
  const output = (key: string) => requireOutput(outputs, key, stack);
  const doc = createDocumentClient({ region: resolvedRegion });
  const ses = createSesClient({ region: resolvedRegion });
  // The deployed functions' own settings, so the mail comes from the verified sender and its links lead to the stack's pages.
  const config = once(async () =>
    parseConfig({ ...(JSON.parse(output(stackOutputs.newsletterSettings)) as Record<string, unknown>), siteUrl: output(stackOutputs.apiUrl) }, `settings of stack ${stack}`),
  );
  const tokenSecret = once(async () => {
    const secrets = new SecretsManagerClient({ region: resolvedRegion });
    try {
      return await fetchTokenSecret(output(stackOutputs.tokenSecretArn), secrets).catch((error: unknown) => {
        throw explainAwsAccess(error);
      });
    } finally {
      secrets.destroy();
    }
  });
  return {
    where: `stack ${stack} (${resolvedRegion})`,
    stores: {
      articles: createArticleStore(doc, output(stackOutputs.articlesTable)),
      subscribers: createSubscriberStore(doc, output(stackOutputs.subscribersTable)),
    },
    confirmationSender: once(async () => {
      const settings = await config();
      const secret = await tokenSecret();
      const configurationSet = output(stackOutputs.configurationSetName);
      return createConfirmationSender({ config: settings, mailer: sesMailer(ses, { configurationSet, sender: settings.senderAddress }), secret, configurationSet });
    }),
    config,
    tokenSecret,
    close: async () => {
      doc.destroy();
      ses.destroy();
    },
  };
};

/** Runs `fn` against the stack named by `--stack`, else the local store, and closes whatever was opened. */
export const withServices = async <T>(options: WhereOptions, fn: (services: Services) => Promise<T>): Promise<T> => {
  if (options.region && !options.stack) throw new StackOptionError('--region goes with --stack NAME');
  if (options.stack) {
    const services = await openStack(options.stack, options.region);
    try {
      return await fn(services);
    } catch (error) {
      throw explainAwsAccess(error);
    } finally {
      await services.close();
    }
  }
  const local = await openLocalServices();
  try {
    return await fn(fromLocal(local));
  } finally {
    await local.close();
  }
};

export class StackOptionError extends BriefingError {
  override name = 'StackOptionError';
}

/** Adds `--stack` and `--region` to a command that can work on a deployed stack. */
export const withStackOptions = (command: Command): Command =>
  command
    .option('--stack <name>', "a deployed stack's tables instead of the local store (its outputs name them; default AWS credentials)")
    .option('--region <region>', 'the region of --stack (default: AWS_REGION or your profile)');
