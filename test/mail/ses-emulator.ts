import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';
import type { Config } from 'aws-ses-v2-local';

/** A message as aws-ses-v2-local keeps it (it parses the raw MIME and drops the other headers). */
export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly replyTo: string[];
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
}

export interface SesEmulator {
  readonly endpoint: string;
  /** A real SES client for the emulator, with the SDK's own retries off as in the deployed functions. */
  readonly client: SESClient;
  store(): Promise<StoredEmail[]>;
  close(): Promise<void>;
}

// A CommonJS package whose server is `exports.default`; loaders disagree on what its default import is, require() does not.
const { default: startServer } = createRequire(import.meta.url)('aws-ses-v2-local') as {
  default: (config: Partial<Config>) => Promise<Server>;
};

/** aws-ses-v2-local in this process, on a free loopback port. */
export const startSesEmulator = async (): Promise<SesEmulator> => {
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SESClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    async store() {
      const response = await fetch(`${endpoint}/store`);
      return ((await response.json()) as { emails: StoredEmail[] }).emails;
    },
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error?: Error) => (error ? reject(error) : resolve())));
    },
  };
};
