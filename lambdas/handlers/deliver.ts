import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { createSesClient } from '../aws/clients.ts';
import { createDeliveryStore } from '../aws/dynamodb/deliveries.ts';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { storyHeadlines } from '../aws/dynamodb/story-headlines.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { createVariantStore } from '../aws/dynamodb/variants.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { tokenSecretFromEnv } from '../aws/token-secret.ts';
import { maxSendRateVariable } from '../config/environment.ts';
import { outcomeMetrics } from '../metrics.ts';
import { createDeliverer } from '../sending/deliver.ts';
import { TokenBucket } from '../sending/token-bucket.ts';
import { subscriptionLinks } from '../subscription/links.ts';
import { lambdaEnding } from './edition-ending.ts';
import { config, configurationSet, documentClient, lambdaHandler, logger, logTo, metrics, tables } from './runtime.ts';

const mailer = sesMailer(createSesClient(), { configurationSet, sender: config.senderAddress });
const stores = {
  subscribers: createSubscriberStore(documentClient, tables.subscribers),
  editions: createEditionStore(documentClient, tables.editions),
  deliveries: createDeliveryStore(documentClient, tables.deliveries),
  variants: createVariantStore(documentClient, tables.variants),
};
// This worker's share of the account's send rate (the stack divides it by the SQS maximum concurrency).
const bucket = new TokenBucket({ ratePerSecond: Number(process.env[maxSendRateVariable] ?? '1') });
// The batch that finishes or stops an edition reports it (the report's stories from the articles table).
const ending = lambdaEnding({ metrics, logger, config, editions: stores.editions, sender: mailer, stories: storyHeadlines(documentClient, tables.articles) });
let deliverer: ReturnType<typeof createDeliverer> | undefined;

/** One SQS batch: a partial batch response names the messages to redeliver; each recipient's outcome is a metric. */
const deliverBatch = async (event: SQSEvent, context: Context) => {
  deliverer ??= createDeliverer({
    stores,
    links: subscriptionLinks(config, await tokenSecretFromEnv()),
    bucket,
    mailer,
    // One container, one log stream: a claim names the worker that holds it.
    owner: `lambda:${context.logStreamName}`,
    ending,
    log: logTo(logger),
    onOutcome: (outcome) => metrics.addMetric(outcomeMetrics[outcome], MetricUnit.Count, 1),
  });
  return deliverer.handler(event, context);
};

export const handler = lambdaHandler(deliverBatch, { publishMetrics: true });
