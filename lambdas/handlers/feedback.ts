import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { editionsPausedMetric, metricsNamespace } from '../metrics.ts';
import { applyFeedback, type FeedbackSummary } from '../feedback/apply.ts';
import { parseFeedback } from '../feedback/events.ts';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { documentClient, logger, tables } from './runtime.ts';

const stores = { subscribers: createSubscriberStore(documentClient, tables.subscribers), editions: createEditionStore(documentClient, tables.editions) };

const metrics = new Metrics({ namespace: metricsNamespace });

/** Log lines and metrics for one batch; addresses stay out of the logs (the subscriber's history has them). */
const report = (summary: FeedbackSummary): void => {
  for (const edition of summary.paused) {
    logger.warn(`edition ${edition.editionId} paused: ${edition.reason}; once the cause is fixed: briefing send --date ${edition.editionId} --resume`, { ...edition });
  }
  if (summary.suppressed.length > 0) logger.info('addresses suppressed', { reasons: summary.suppressed.map((entry) => entry.reason) });
  metrics.addMetric('Bounces', MetricUnit.Count, summary.bounces);
  metrics.addMetric('TransientBounces', MetricUnit.Count, summary.transientBounces);
  metrics.addMetric('Complaints', MetricUnit.Count, summary.complaints);
  metrics.addMetric('Suppressions', MetricUnit.Count, summary.suppressed.length);
  metrics.addMetric(editionsPausedMetric, MetricUnit.Count, summary.paused.length);
  metrics.publishStoredMetrics();
};

/** SES bounce, complaint and delivery events (EventBridge or SNS) → suppressions, edition counts, pauses. */
export const handler = async (event: unknown) => {
  const summary = await applyFeedback(parseFeedback(event), stores);
  report(summary);
  return { suppressed: summary.suppressed.length, paused: summary.paused.map((edition) => edition.editionId), skipped: summary.skipped };
};
