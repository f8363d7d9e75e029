import type { StoreName } from '../aws/dynamodb/tables.ts';

/*
 * The environment variables a deployed function reads, named once: the stack (lib/) sets them, the
 * handlers and adapters read them, local tooling sets the same ones. The newsletter's own settings
 * (BRIEFING_NEWSLETTER_NAME, …) are named in config.ts, next to their schema.
 */

/** Each store's table name. */
export const tableVariables = {
  articles: 'BRIEFING_ARTICLES_TABLE',
  subscribers: 'BRIEFING_SUBSCRIBERS_TABLE',
  editions: 'BRIEFING_EDITIONS_TABLE',
  deliveries: 'BRIEFING_DELIVERIES_TABLE',
  feeds: 'BRIEFING_FEEDS_TABLE',
  variants: 'BRIEFING_VARIANTS_TABLE',
} as const satisfies Readonly<Record<StoreName, string>>;

/** The delivery queue's URL, where compose puts the jobs. */
export const queueUrlVariable = 'BRIEFING_QUEUE_URL';
/** The confirmation queue's URL, where the subscription API puts each sign-up's confirmation email. */
export const confirmationQueueUrlVariable = 'BRIEFING_CONFIRMATION_QUEUE_URL';
/** Emails per second for one deliver worker: the account's rate divided by the workers that share it. */
export const maxSendRateVariable = 'BRIEFING_MAX_SEND_RATE';
/** The account's whole send rate, which deliver's workers share: the budget an edition report compares the achieved rate with. */
export const sendRateBudgetVariable = 'BRIEFING_SEND_RATE_BUDGET';
/** The SES configuration set every message goes out with. */
export const configurationSetVariable = 'BRIEFING_CONFIGURATION_SET';
/** The Secrets Manager secret holding the key that signs confirm and unsubscribe links. */
export const tokenSecretArnVariable = 'BRIEFING_TOKEN_SECRET_ARN';
/** The key itself, where there is no Secrets Manager (local runs, tests). */
export const tokenSecretVariable = 'BRIEFING_TOKEN_SECRET';
/** The Secrets Manager secret holding the bearer key of `POST /articles` (the ingest function). */
export const ingestKeySecretArnVariable = 'BRIEFING_INGEST_KEY_SECRET_ARN';
/** The ingest key itself, where there is no Secrets Manager (`briefing dev`, tests); else `.briefing/ingest-key`. */
export const ingestKeyVariable = 'BRIEFING_INGEST_KEY';
/** Where the templates are: set for the functions that render, whose bundle carries a copy. */
export const templatesDirVariable = 'BRIEFING_TEMPLATES_DIR';
/** Endpoint overrides: the local emulators. In AWS none is set (the SDK's own AWS_ENDPOINT_URL_<SERVICE> works too). */
export const endpointVariables = {
  dynamodb: 'BRIEFING_DYNAMODB_ENDPOINT',
  ses: 'BRIEFING_SES_ENDPOINT',
  sqs: 'BRIEFING_SQS_ENDPOINT',
} as const;
