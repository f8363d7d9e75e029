import { join } from 'node:path';
import { ingestKeyVariable } from '../lambdas/config/environment.ts';
import { localDataDir } from './emulators.ts';
import { localTokenSecret } from './token-secret.ts';

/** Where the generated local ingest key is kept. */
export const localIngestKeyFile = (env: NodeJS.ProcessEnv = process.env): string => join(localDataDir(env), 'ingest-key');

/** The bearer key of the local `POST /articles`: BRIEFING_INGEST_KEY, else one generated once into `.briefing/ingest-key` (kept across restarts, like the token key). */
export const localIngestKey = (env: NodeJS.ProcessEnv = process.env): string => env[ingestKeyVariable] || localTokenSecret(localIngestKeyFile(env));
