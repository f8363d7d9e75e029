import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ingestKeySecretArnVariable, ingestKeyVariable } from '../config/environment.ts';
import { fetchTokenSecret } from './token-secret.ts';

/** How long a key read from Secrets Manager is used before it is read again: a changed key is in use within this. */
export const ingestKeyLifetimeMs = 5 * 60_000;

/**
 * The bearer key of `POST /articles` as the deployed function finds it: Secrets Manager by ARN, read
 * again every five minutes so a key changed there (`aws secretsmanager put-secret-value`) takes over
 * without a deploy; else the key itself (BRIEFING_INGEST_KEY). A failed read is not kept.
 */
export const ingestKeyFromEnv = (env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): (() => Promise<string>) => {
  const arn = env[ingestKeySecretArnVariable];
  const plain = env[ingestKeyVariable];
  if (!arn) {
    if (!plain) throw new Error(`no ingest key: set ${ingestKeySecretArnVariable} (deployed) or ${ingestKeyVariable}`);
    return async () => plain;
  }
  const client = new SecretsManagerClient({});
  let cached: { key: Promise<string>; at: number } | undefined;
  return () => {
    if (!cached || now() - cached.at >= ingestKeyLifetimeMs) {
      const entry = { key: fetchTokenSecret(arn, client), at: now() };
      entry.key.catch(() => {
        if (cached === entry) cached = undefined;
      });
      cached = entry;
    }
    return cached.key;
  };
};
