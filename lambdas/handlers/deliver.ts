import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { createSesClient } from '../aws/clients.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { metricsNamespace } from '../metrics.ts';
import { createDeliverer } from '../sending/deliver.ts';
import { TokenBucket } from '../sending/token-bucket.ts';
import { subscriptionLinks } from '../subscription/links.ts';
import { tokenSecretFromEnv } from '../aws/token-secret.ts';
import { createDeliveryStore } from '../aws/dynamodb/deliveries.ts';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { config, configurationSet, documentClient, logger, logTo, tables } from './runtime.ts';

const mailer = sesMailer(createSesClient(), { configurationSet, sender: config.senderAddress });
const stores = {
  subscribers: createSubscriberStore(documentClient, tables.subscribers),
  editions: createEditionStore(documentClient, tables.editions),
  deliveries: createDeliveryStore(documentClient, tables.deliveries),
};
// This worker's share of the account's send rate (the stack divides it by the SQS maximum concurrency).
const bucket = new TokenBucket({ ratePerSecond: Number(process.env.BRIEFING_MAX_SEND_RATE ?? '1') });
// Sent, Skipped, Failed, Duplicates and Dropped per invocation, as CloudWatch metrics (embedded metric format in the log).
const metrics = new Metrics({ namespace: metricsNamespace });
const metricNames = { sent: 'Sent', skipped: 'Skipped', failed: 'Failed', duplicates: 'Duplicates', dropped: 'Dropped' } as const;
let deliverer: ReturnType<typeof createDeliverer> | undefined;

export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  deliverer ??= createDeliverer({
    stores,
    config,
    links: subscriptionLinks(config, await tokenSecretFromEnv()),
    bucket,
    mailer,
    configurationSet,
    log: logTo(logger),
    onOutcome: (outcome) => metrics.addMetric(metricNames[outcome], MetricUnit.Count, 1),
  });
  try {
    return await deliverer.handler(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
