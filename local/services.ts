import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientSettings, clientSettingsFromEnv, createDocumentClient, createSesClient } from '../lambdas/aws/clients.ts';
import { sesMailer } from '../lambdas/aws/ses-mailer.ts';
import { tokenSecretVariable } from '../lambdas/config/environment.ts';
import type { Mailer, SimpleMailer } from '../lambdas/mail/mailer.ts';
import { type Emulators, localDataDir, localPorts, startEmulators } from './emulators.ts';
import { createStores } from '../lambdas/aws/dynamodb/stores.ts';
import type { Stores } from '../lambdas/stores.ts';
import { type TableNames, tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { ensureTables } from './tables.ts';
import { localTokenSecret } from './token-secret.ts';

export interface LocalServices {
  readonly settings: ClientSettings;
  readonly tables: TableNames;
  readonly doc: DynamoDBDocumentClient;
  readonly stores: Stores;
  /** SES (the emulator, or the endpoint the environment names): raw MIME, and the simple messages of the edition report. */
  readonly mailer: Mailer & SimpleMailer;
  /** The emulators this command started or found running; undefined when the environment names the endpoints. */
  readonly emulators: Emulators | undefined;
  /** aws-ses-v2-local's web inbox. */
  readonly inboxUrl: string | undefined;
  /** The key that signs confirm and unsubscribe links: BRIEFING_TOKEN_SECRET, else the one generated in the data folder. */
  readonly tokenSecret: string;
}

/**
 * The stores and the mailer as a local command uses them. Endpoints set in the environment
 * (BRIEFING_DYNAMODB_ENDPOINT, BRIEFING_SES_ENDPOINT) are used as they are; otherwise the running
 * `briefing dev` emulators are reused, or started here on the same ports and data folder. Missing
 * tables are created either way.
 */
export const openLocalServices = async (env: NodeJS.ProcessEnv = process.env): Promise<LocalServices & { close(): Promise<void> }> => {
  const fromEnv = clientSettingsFromEnv(env);
  const dataDir = localDataDir(env);
  // An endpoint the environment names is used as it is; only the other one is emulated here.
  const emulators =
    fromEnv.dynamodbEndpoint && fromEnv.sesEndpoint
      ? undefined
      : await startEmulators({ ports: localPorts(env), dataDir, endpoints: { dynamodb: fromEnv.dynamodbEndpoint, ses: fromEnv.sesEndpoint } });
  const settings: ClientSettings = {
    ...fromEnv,
    dynamodbEndpoint: fromEnv.dynamodbEndpoint ?? emulators?.dynamodbEndpoint,
    sesEndpoint: fromEnv.sesEndpoint ?? emulators?.sesEndpoint,
  };
  const doc = createDocumentClient(settings);
  const ses = createSesClient(settings);
  const close = async () => {
    doc.destroy();
    ses.destroy();
    await emulators?.close();
  };
  try {
    const tables = tableNamesFromEnv(env);
    await ensureTables(doc, tables);
    return {
      settings,
      tables,
      doc,
      stores: createStores(doc, tables),
      mailer: sesMailer(ses),
      emulators,
      inboxUrl: settings.sesEndpoint && `${settings.sesEndpoint}/`,
      tokenSecret: env[tokenSecretVariable] || localTokenSecret(join(dataDir, 'token-secret')),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};

/** Runs `fn` with the local services and shuts down whatever it started, whether `fn` succeeds or throws. */
export const withLocalServices = async <T>(fn: (services: LocalServices) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> => {
  const services = await openLocalServices(env);
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
};
