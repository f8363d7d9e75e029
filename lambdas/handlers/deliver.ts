import type { Context, SQSEvent } from 'aws-lambda';
import { createSesClient } from '../aws/clients.ts';
import { sendRaw } from '../mail/mailer.ts';
import { createDeliverer } from '../pipeline/deliver.ts';
import { TokenBucket } from '../pipeline/token-bucket.ts';
import { subscriptionLinks } from '../subscription/links.ts';
import { tokenSecretFromEnv } from '../subscription/token-secret.ts';
import { config, configurationSet, logger, logTo, stores } from './runtime.ts';

const ses = createSesClient();
// This worker's share of the account's send rate (the stack divides it by the SQS maximum concurrency).
const bucket = new TokenBucket({ ratePerSecond: Number(process.env.BRIEFING_MAX_SEND_RATE ?? '1') });
let deliverer: ReturnType<typeof createDeliverer> | undefined;

export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  deliverer ??= createDeliverer({
    stores,
    config,
    links: subscriptionLinks(config, await tokenSecretFromEnv()),
    bucket,
    send: (raw, options) => sendRaw(ses, raw, options),
    configurationSet,
    log: logTo(logger),
  });
  return deliverer.handler(event, context);
};
