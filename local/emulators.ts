import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ClientSettings } from '../lambdas/aws/clients.ts';

/** The loopback ports of the local services, each overridable by its variable. */
export interface LocalPorts {
  readonly api: number;
  readonly preview: number;
  readonly ses: number;
  readonly dynamodb: number;
}

export const portVariables: Readonly<Record<keyof LocalPorts, string>> = {
  api: 'BRIEFING_API_PORT',
  preview: 'BRIEFING_PREVIEW_PORT',
  ses: 'BRIEFING_SES_PORT',
  dynamodb: 'BRIEFING_DYNAMODB_PORT',
};

const defaultPorts: LocalPorts = { api: 3000, preview: 3001, ses: 8005, dynamodb: 8000 };

export const localPorts = (env: NodeJS.ProcessEnv = process.env): LocalPorts => {
  const port = (name: keyof LocalPorts): number => {
    const raw = env[portVariables[name]];
    if (raw === undefined || raw === '') return defaultPorts[name];
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${portVariables[name]}=${raw} is not a port number`);
    return value;
  };
  return { api: port('api'), preview: port('preview'), ses: port('ses'), dynamodb: port('dynamodb') };
};

/** Where the local data lives: `.briefing/` in the working directory unless BRIEFING_DATA_DIR says otherwise. */
export const localDataDir = (env: NodeJS.ProcessEnv = process.env): string => env.BRIEFING_DATA_DIR || join(process.cwd(), '.briefing');

export interface Emulators {
  readonly settings: ClientSettings;
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  /** aws-ses-v2-local's web inbox. */
  readonly inboxUrl: string;
  /** Which emulators this process started (the others were already running). */
  readonly started: { readonly dynamodb: boolean; readonly ses: boolean };
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** Port 0 picks a free port. */
  readonly ports: Pick<LocalPorts, 'ses' | 'dynamodb'>;
  /** The folder for dynalite's LevelDB files; in memory when absent. */
  readonly dataDir?: string;
  /** Use an emulator already listening on its port instead of starting one. @default true */
  readonly reuseRunning?: boolean;
  /**
   * Endpoints named elsewhere (BRIEFING_DYNAMODB_ENDPOINT, BRIEFING_SES_ENDPOINT): used as they are,
   * never probed, started or replaced. @default - none: both are emulated here
   */
  readonly endpoints?: { readonly dynamodb?: string; readonly ses?: string };
}

const require = createRequire(import.meta.url);
// Both are CommonJS without types for these entry points; these are the calls used.
// Loaded only when an emulator is started here: a command that finds them running (or is pointed
// elsewhere) does not carry their ~25 MB.
const dynalite = (options: Record<string, unknown>) => (require('dynalite') as (options: Record<string, unknown>) => Server)(options);
const startSes = (config: { host: string; port: number }) =>
  (require('aws-ses-v2-local') as { default: (config: { host: string; port: number }) => Promise<Server> }).default(config);

const host = '127.0.0.1';

/** What answers on a port: dynalite answers a GET with "healthy: dynamodb…", aws-ses-v2-local has a health check. */
const running = async (url: string, check: (response: Response) => Promise<boolean>): Promise<boolean> => {
  try {
    return await check(await fetch(url, { signal: AbortSignal.timeout(1000) }));
  } catch {
    return false;
  }
};

const dynamodbRunning = (port: number) =>
  running(`http://${host}:${port}/`, async (response) => (await response.text()).includes('dynamodb'));
const sesRunning = (port: number) => running(`http://${host}:${port}/health-check`, async (response) => response.ok);

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is in use by another program: free it or choose another port (see ${Object.values(portVariables).join(', ')})`) : error),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/**
 * The DynamoDB and SES emulators on loopback: the ones already running (another `briefing dev`) are
 * used as they are, the others are started in this process and stopped by `close()`.
 */
export const startEmulators = async (options: EmulatorOptions): Promise<Emulators> => {
  const reuse = options.reuseRunning ?? true;
  const servers: Server[] = [];
  const started = { dynamodb: false, ses: false };

  let dynamodbPort = options.ports.dynamodb;
  if (!options.endpoints?.dynamodb && !(reuse && dynamodbPort !== 0 && (await dynamodbRunning(dynamodbPort)))) {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const server = dynalite({ path: options.dataDir && join(options.dataDir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    dynamodbPort = await listen(server, dynamodbPort);
    servers.push(server);
    started.dynamodb = true;
  }

  let sesPort = options.ports.ses;
  if (!options.endpoints?.ses && !(reuse && sesPort !== 0 && (await sesRunning(sesPort)))) {
    try {
      const server = await startSes({ host, port: sesPort });
      sesPort = (server.address() as AddressInfo).port;
      servers.push(server);
      started.ses = true;
    } catch (error) {
      await Promise.all(servers.map(closeServer));
      throw error;
    }
  }

  const dynamodbEndpoint = options.endpoints?.dynamodb ?? `http://${host}:${dynamodbPort}`;
  const sesEndpoint = options.endpoints?.ses ?? `http://${host}:${sesPort}`;
  return {
    settings: { dynamodbEndpoint, sesEndpoint },
    dynamodbEndpoint,
    sesEndpoint,
    inboxUrl: `${sesEndpoint}/`,
    started,
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
};
