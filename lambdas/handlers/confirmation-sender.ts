import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createSesClient } from '../aws/clients.ts';
import { createSubscriberStore } from '../aws/dynamodb/subscribers.ts';
import { sesMailer } from '../aws/ses-mailer.ts';
import { tokenSecretFromEnv } from '../aws/token-secret.ts';
import { createConfirmationSender } from '../subscription/confirmation-email.ts';
import { type ConfirmationContext, decodeConfirmationJob, sendConfirmationFor } from '../subscription/confirmations.ts';
import { config, configurationSet, documentClient, lambdaHandler, tables } from './runtime.ts';

const mailer = sesMailer(createSesClient(), { configurationSet, sender: config.senderAddress });
const subscribers = createSubscriberStore(documentClient, tables.subscribers);
const processor = new BatchProcessor(EventType.SQS);

let context: Promise<ConfirmationContext> | undefined;
const confirmationContext = (): Promise<ConfirmationContext> => {
  if (!context) {
    context = tokenSecretFromEnv().then((secret) => ({ subscribers, sendConfirmation: createConfirmationSender({ config, mailer, secret, configurationSet }) }));
    context.catch(() => (context = undefined));
  }
  return context;
};

const sendRecord = async (record: SQSRecord) => sendConfirmationFor(await confirmationContext(), decodeConfirmationJob(record.body));

/**
 * The confirmation queue → one confirmation email per sign-up still waiting, after the subscription API
 * has answered. A record that fails goes back to the queue alone (partial batch response), and to the
 * dead-letter queue after its last try.
 */
export const handler = lambdaHandler(async (event: SQSEvent, lambdaContext: Context) => processPartialResponse(event, sendRecord, processor, { context: lambdaContext }));
