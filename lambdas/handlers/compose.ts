import type { Context } from 'aws-lambda';
import { createSesClient, createSqsClient } from '../aws/clients.ts';
import { compose, type ComposeResult } from '../sending/compose.ts';
import { parseComposeRequest } from '../sending/compose-request.ts';
import { getSendQuota } from '../aws/ses-quota.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { sqsDeliveryQueue } from '../aws/sqs-queue.ts';
import { queueUrlVariable } from '../config/environment.ts';
import { storiesFromArticles } from '../edition/ending.ts';
import { loadMjml } from '../render/engine.ts';
import { createStores } from '../aws/dynamodb/stores.ts';
import { lambdaEnding, sendRateBudget } from './edition-ending.ts';
import { config, configurationSet, documentClient, lambdaHandler, logger, logTo, metrics, requiredEnv, tables } from './runtime.ts';

// Every compose renders: MJML loads during the cold start's init phase, not inside the first invocation.
await loadMjml();
const stores = createStores(documentClient, tables);
const ses = createSesClient();
const mailer = sesMailer(ses, { configurationSet, sender: config.senderAddress });
const queue = sqsDeliveryQueue(createSqsClient(), requiredEnv(queueUrlVariable));
// An edition with no recipients is sent here, and one the quota or a failure stops is stopped here: compose reports those.
const ending = lambdaEnding({ metrics, logger, config, editions: stores.editions, sender: mailer, stories: storiesFromArticles(stores.articles) });
const sendQuota = () => getSendQuota(ses);
const rateBudget = sendRateBudget();

/** The schedule sends `{}`; `briefing send --stack` sends the CLI's options. */
const composeEdition = async (event: unknown, context: Context): Promise<ComposeResult> => {
  const result = await compose(parseComposeRequest(event ?? {}), {
    stores,
    queue,
    config,
    mailer,
    configurationSet,
    owner: `lambda:${context.awsRequestId}`,
    sendQuota,
    sendRateBudget: rateBudget,
    ending,
    log: logTo(logger),
    warn: (message, details) => logger.warn(message, details ?? {}),
  });
  logger.info('compose finished', { result });
  return result;
};

export const handler = lambdaHandler(composeEdition);
