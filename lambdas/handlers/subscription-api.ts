import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createDocumentClient, createSesClient } from '../aws/clients.ts';
import { loadConfig } from '../config/config.ts';
import { createStores } from '../stores/stores.ts';
import { tableNamesFromEnv } from '../stores/tables.ts';
import { createSubscriptionDeps } from '../subscription/deps.ts';
import { handleRequest } from '../subscription/router.ts';
import type { SubscriptionDeps } from '../subscription/routes.ts';
import { tokenSecretFromEnv } from '../subscription/token-secret.ts';

// Once per container: a bad setting fails the cold start with its name, not a request later.
const config = loadConfig();
const stores = createStores(createDocumentClient(), tableNamesFromEnv());
const ses = createSesClient();
const configurationSet = process.env.BRIEFING_CONFIGURATION_SET || undefined;
const logger = new Logger();

let deps: Promise<SubscriptionDeps> | undefined;
const subscriptionDeps = (): Promise<SubscriptionDeps> => {
  if (!deps) {
    deps = tokenSecretFromEnv().then((secret) => createSubscriptionDeps({ config, stores, ses, secret, configurationSet }));
    deps.catch(() => (deps = undefined));
  }
  return deps;
};

/** API Gateway HTTP API (payload 2.0): the signup, confirm, unsubscribe and archive pages. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  handleRequest(event, await subscriptionDeps(), (message, details) => logger.error(message, details));
