import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { editionsPausedMetric, feedbackMetrics } from '../metrics.ts';
import { applyFeedback, type FeedbackSummary } from '../feedback/apply.ts';
import { parseQueuedFeedback } from '../feedback/queue.ts';
import { createSesClient } from '../aws/clients.ts';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { storyHeadlines } from '../aws/dynamodb/story-headlines.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { lambdaEnding } from './edition-ending.ts';
import { config, configurationSet, documentClient, lambdaHandler, logger, metrics, tables } from './runtime.ts';

const stores = { subscribers: createSubscriberStore(documentClient, tables.subscribers), editions: createEditionStore(documentClient, tables.editions) };
// A pause is an end: the feedback function reports it (and any end its worker did not get to report).
const ending = lambdaEnding({
  metrics,
  logger,
  config,
  editions: stores.editions,
  sender: sesMailer(createSesClient(), { configurationSet, sender: config.senderAddress }),
  stories: storyHeadlines(documentClient, tables.articles),
});

const processor = new BatchProcessor(EventType.SQS);

/** Log lines and metrics for one queued event (a pause is logged by the ending); addresses stay out of the logs (the subscriber's history has them). */
const report = (summary: FeedbackSummary): void => {
  if (summary.suppressed.length > 0) logger.info('addresses suppressed', { reasons: summary.suppressed.map((entry) => entry.reason) });
  metrics.addMetric(feedbackMetrics.bounces, MetricUnit.Count, summary.bounces);
  metrics.addMetric(feedbackMetrics.transientBounces, MetricUnit.Count, summary.transientBounces);
  metrics.addMetric(feedbackMetrics.complaints, MetricUnit.Count, summary.complaints);
  metrics.addMetric(feedbackMetrics.suppressions, MetricUnit.Count, summary.suppressed.length);
  metrics.addMetric(editionsPausedMetric, MetricUnit.Count, summary.paused.length);
};

const applyRecord = async (record: SQSRecord) => report(await applyFeedback(parseQueuedFeedback(record), stores, ending));

/**
 * SES bounce, complaint and delivery events from the feedback queue, a batch at a time → suppressions,
 * edition counts, pauses. A record that fails goes back to the queue alone (partial batch response).
 */
export const handler = lambdaHandler(async (event: SQSEvent, context: Context) => processPartialResponse(event, applyRecord, processor, { context }), { publishMetrics: true });
