import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type ClientSettings, createDocumentClient, createSesClient } from '../../lambdas/aws/clients.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import type { Mailer, SimpleMailer } from '../../lambdas/mail/mailer.ts';
import { startEmulators } from '../../local/emulators.ts';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { type TableNames, tableNamesFromEnv } from '../../lambdas/aws/dynamodb/tables.ts';
import { ensureTables } from '../../local/tables.ts';

/** A message as aws-ses-v2-local keeps it (parsed from the raw MIME; most headers dropped). */
export interface InboxMessage {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly at: number;
}

export interface TestEmulators {
  readonly settings: ClientSettings;
  readonly tables: TableNames;
  readonly doc: DynamoDBDocumentClient;
  readonly ses: SESClient;
  /** The SES mailer over `ses`: raw MIME, and simple messages (the edition report). */
  readonly mailer: Mailer & SimpleMailer;
  /** aws-ses-v2-local's base URL (its inbox page is `/`). */
  readonly sesEndpoint: string;
  /** Environment variables that point the CLI and the handlers at these emulators and tables. */
  readonly env: Record<string, string>;
  inbox(): Promise<InboxMessage[]>;
  /** A stored message read back as a mail client would (mailparser over the emulator's .eml export, which keeps no List-* headers). */
  parsed(messageId: string): Promise<ParsedMail>;
  clearInbox(): Promise<void>;
  /** Fresh tables (a new name prefix) for the next test. */
  freshTables(): Promise<TableNames>;
  close(): Promise<void>;
}

/** In-memory dynalite and aws-ses-v2-local on free loopback ports, with the tables created under a unique prefix. */
export const startTestEmulators = async (): Promise<TestEmulators> => {
  const emulators = await startEmulators({ ports: { dynamodb: 0, ses: 0 }, reuseRunning: false });
  const doc = createDocumentClient(emulators.settings);
  const ses = createSesClient(emulators.settings);
  let tables: TableNames;
  const freshTables = async () => {
    tables = tableNamesFromEnv({}, `t${randomUUID().slice(0, 8)}`);
    await ensureTables(doc, tables);
    return tables;
  };
  await freshTables();
  const env = (): Record<string, string> => ({
    BRIEFING_DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
    BRIEFING_SES_ENDPOINT: emulators.sesEndpoint,
    BRIEFING_ARTICLES_TABLE: tables.articles,
    BRIEFING_SUBSCRIBERS_TABLE: tables.subscribers,
    BRIEFING_EDITIONS_TABLE: tables.editions,
    BRIEFING_DELIVERIES_TABLE: tables.deliveries,
    BRIEFING_VARIANTS_TABLE: tables.variants,
  });
  return {
    settings: emulators.settings,
    get tables() {
      return tables;
    },
    doc,
    ses,
    mailer: sesMailer(ses),
    sesEndpoint: emulators.sesEndpoint,
    get env() {
      return env();
    },
    async inbox() {
      const response = await fetch(`${emulators.sesEndpoint}/store`);
      return ((await response.json()) as { emails: InboxMessage[] }).emails;
    },
    async parsed(messageId: string) {
      const response = await fetch(`${emulators.sesEndpoint}/get-emlContent?messageId=${encodeURIComponent(messageId)}`);
      const { body } = (await response.json()) as { body: { data: number[] } };
      return simpleParser(Buffer.from(body.data));
    },
    async clearInbox() {
      await fetch(`${emulators.sesEndpoint}/clear-store`, { method: 'POST' });
    },
    freshTables,
    async close() {
      doc.destroy();
      ses.destroy();
      await emulators.close();
    },
  };
};

/**
 * The emulators for one test file: started once, with fresh tables (and their stores) and an empty
 * inbox before each test. Read `emulators` and `stores` inside tests and hooks.
 */
export const useTestEmulators = () => {
  const context = {} as { emulators: TestEmulators; stores: Stores };
  beforeAll(async () => {
    context.emulators = await startTestEmulators();
  });
  afterAll(() => context.emulators.close());
  beforeEach(async () => {
    context.stores = createStores(context.emulators.doc, await context.emulators.freshTables());
    await context.emulators.clearInbox();
  });
  return context;
};
