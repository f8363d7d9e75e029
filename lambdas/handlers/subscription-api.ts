import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createSqsClient } from '../aws/clients.ts';
import { sqsConfirmationQueue } from '../aws/sqs-confirmation-queue.ts';
import { confirmationQueueUrlVariable } from '../config/environment.ts';
import { createSubscriptionDeps } from '../subscription/deps.ts';
import { handleRequest } from '../subscription/router.ts';
import type { SubscriptionDeps } from '../subscription/routes.ts';
import { tokenSecretFromEnv } from '../aws/token-secret.ts';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { config, documentClient, lambdaHandler, logger, requiredEnv, tables } from './runtime.ts';

// Confirmation emails go out from the confirmation-sender function, after this one has answered.
const confirmations = sqsConfirmationQueue(createSqsClient(), requiredEnv(confirmationQueueUrlVariable));
const stores = { subscribers: createSubscriberStore(documentClient, tables.subscribers), editions: createEditionStore(documentClient, tables.editions) };

let deps: Promise<SubscriptionDeps> | undefined;
const subscriptionDeps = (): Promise<SubscriptionDeps> => {
  if (!deps) {
    deps = tokenSecretFromEnv().then((secret) => createSubscriptionDeps({ config, stores, confirmations, secret }));
    deps.catch(() => (deps = undefined));
  }
  return deps;
};

/** The signup, confirm, unsubscribe and archive pages for one request (API Gateway HTTP API payload 2.0). */
export const servePages = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  handleRequest(event, await subscriptionDeps(), (message, details) => logger.error(message, details));

export const handler = lambdaHandler(servePages);
