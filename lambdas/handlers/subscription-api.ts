import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createSesClient } from '../aws/clients.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { createSubscriptionDeps } from '../subscription/deps.ts';
import { handleRequest } from '../subscription/router.ts';
import type { SubscriptionDeps } from '../subscription/routes.ts';
import { tokenSecretFromEnv } from '../aws/token-secret.ts';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { config, configurationSet, documentClient, lambdaHandler, logger, tables } from './runtime.ts';

const mailer = sesMailer(createSesClient(), { configurationSet, sender: config.senderAddress });
const stores = { subscribers: createSubscriberStore(documentClient, tables.subscribers), editions: createEditionStore(documentClient, tables.editions) };

let deps: Promise<SubscriptionDeps> | undefined;
const subscriptionDeps = (): Promise<SubscriptionDeps> => {
  if (!deps) {
    deps = tokenSecretFromEnv().then((secret) => createSubscriptionDeps({ config, stores, mailer, secret, configurationSet }));
    deps.catch(() => (deps = undefined));
  }
  return deps;
};

/** The signup, confirm, unsubscribe and archive pages for one request (API Gateway HTTP API payload 2.0). */
export const servePages = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  handleRequest(event, await subscriptionDeps(), (message, details) => logger.error(message, details));

export const handler = lambdaHandler(servePages);
