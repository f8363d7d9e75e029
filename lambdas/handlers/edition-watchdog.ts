import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { createEditionStore } from '../aws/dynamodb/editions.ts';
import { checkEditionDeadline } from '../edition/watchdog.ts';
import { editionsLateMetric } from '../metrics.ts';
import { config, documentClient, lambdaHandler, logger, metrics, tables } from './runtime.ts';

/** What the deadline schedule sends: its own scheduled time (`<aws.scheduler.scheduled-time>`) and the deadline. */
const watchdogEvent = z.strictObject({
  scheduledTime: z.iso.datetime({ offset: true }),
  deadlineMinutes: z.number().int().positive(),
});

const editions = createEditionStore(documentClient, tables.editions);

/** At the scheduled time plus the deadline: EditionsLate 1 (and an error log saying why) unless the day's edition is sent. */
export const handler = lambdaHandler(async (event: unknown) => {
  const request = watchdogEvent.parse(event);
  const check = await checkEditionDeadline({ scheduledTime: new Date(request.scheduledTime), deadlineMinutes: request.deadlineMinutes }, { editions, timeZone: config.timeZone });
  if (check.sent) logger.info(check.message, { editionId: check.editionId });
  else logger.error(check.message, { editionId: check.editionId, status: check.status });
  metrics.addMetric(editionsLateMetric, MetricUnit.Count, check.sent ? 0 : 1);
  return check;
}, { publishMetrics: true });
