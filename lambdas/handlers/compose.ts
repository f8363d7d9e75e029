import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { createSesClient, createSqsClient } from '../aws/clients.ts';
import { compose, type ComposeResult } from '../sending/compose.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { sqsDeliveryQueue } from '../aws/sqs-queue.ts';
import { loadMjml } from '../render/engine.ts';
import { createStores } from '../aws/dynamodb/stores.ts';
import { config, configurationSet, documentClient, logger, logTo, requiredEnv, tables } from './runtime.ts';

/** The schedule sends `{}`; `briefing send --stack` sends the CLI's options. Anything else is refused before work starts. */
const composeEvent = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
  articleIds: z.array(z.string().min(1)).optional(),
  to: z.email().optional(),
  dryRun: z.boolean().optional(),
  resume: z.boolean().optional(),
});

// Every compose renders: MJML loads during the cold start's init phase, not inside the first invocation.
await loadMjml();
const stores = createStores(documentClient, tables);
const mailer = sesMailer(createSesClient(), { configurationSet, sender: config.senderAddress });
const queue = sqsDeliveryQueue(createSqsClient(), requiredEnv('BRIEFING_QUEUE_URL'));

export const handler = async (event: unknown, context: Context): Promise<ComposeResult> => {
  logger.addContext(context);
  const request = composeEvent.parse(event ?? {});
  const result = await compose(request, { stores, queue, config, mailer, configurationSet, owner: `lambda:${context.awsRequestId}`, log: logTo(logger) });
  logger.info('compose finished', { result });
  return result;
};
