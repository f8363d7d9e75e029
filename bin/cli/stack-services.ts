import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDocumentClient, createSesClient } from '../../lambdas/aws/clients.ts';
import { createArticleStore } from '../../lambdas/aws/dynamodb/articles.ts';
import { createSubscriberStore } from '../../lambdas/aws/dynamodb/subscribers.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { fetchTokenSecret } from '../../lambdas/aws/token-secret.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { createConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { stackOutputs } from '../../lib/outputs.ts';
import { once, type Services } from './services.ts';
import { explainAwsAccess, readStackOutputs, requireOutput } from './stack.ts';

/**
 * A deployed stack's tables, found through its outputs, with the default AWS credentials. Nothing local
 * is started, read or written: no emulator, no `.briefing/`. The token key and the newsletter settings
 * are read only when a command signs someone up.
 */
const openStack = async (stack: string, region: string | undefined): Promise<Services & { close(): Promise<void> }> => {
  const cloudFormation = new CloudFormationClient({ region });
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

/** Runs `fn` against the deployed stack, explains an AWS access failure, and closes the clients. */
export const withStack = async <T>(stack: string, region: string | undefined, fn: (services: Services) => Promise<T>): Promise<T> => {
  const services = await openStack(stack, region);
  try {
    return await fn(services);
  } catch (error) {
    throw explainAwsAccess(error);
  } finally {
    await services.close();
  }
};
