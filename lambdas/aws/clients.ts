import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { endpointVariables } from '../config/environment.ts';

/**
 * Where the clients connect. In AWS nothing is set and the SDK resolves region and credentials
 * itself (the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables work too); locally the endpoints
 * point at the emulators, which accept any credentials.
 */
export interface ClientSettings {
  readonly region?: string;
  readonly dynamodbEndpoint?: string;
  readonly sesEndpoint?: string;
  readonly sqsEndpoint?: string;
}

export const clientSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): ClientSettings => ({
  region: env.AWS_REGION || undefined,
  dynamodbEndpoint: env[endpointVariables.dynamodb] || undefined,
  sesEndpoint: env[endpointVariables.ses] || undefined,
  sqsEndpoint: env[endpointVariables.sqs] || undefined,
});

// Emulators check no signature; fixed keys keep a laptop without AWS credentials working.
const emulatorCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const connection = (settings: ClientSettings, endpoint: string | undefined) =>
  endpoint
    ? { endpoint, region: settings.region ?? 'eu-west-1', credentials: emulatorCredentials }
    : { region: settings.region };

export const createDocumentClient = (settings: ClientSettings = clientSettingsFromEnv()): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(connection(settings, settings.dynamodbEndpoint)), {
    marshallOptions: { removeUndefinedValues: true },
  });

/**
 * How long an SES call may take, in milliseconds. A connection not made in `connectionTimeout` never carried the
 * request (retryable); a call without an answer after `requestTimeout` (SES answers in ~50–100 ms) may have been
 * taken, and is recorded as uncertain instead of hanging until the function times out.
 */
const sesTimeouts = { connectionTimeout: 3_000, requestTimeout: 20_000 } as const;

/**
 * One attempt per call: a retried SendRawEmail after a timeout may mail a copy SES had already
 * accepted, so retrying is the deliver step's decision (withRetry + classifySendError), not the SDK's.
 */
export const createSesClient = (settings: ClientSettings = clientSettingsFromEnv(), timeouts: { readonly connectionTimeout: number; readonly requestTimeout: number } = sesTimeouts): SESClient =>
  new SESClient({
    ...connection(settings, settings.sesEndpoint),
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout runs out, and keeps waiting.
    requestHandler: { ...timeouts, throwOnRequestTimeout: true },
  });

export const createSqsClient = (settings: ClientSettings = clientSettingsFromEnv()): SQSClient =>
  new SQSClient(connection(settings, settings.sqsEndpoint));
