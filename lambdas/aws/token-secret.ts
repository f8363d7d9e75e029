import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { tokenSecretArnVariable, tokenSecretVariable } from '../config/environment.ts';

/** Reads the key from Secrets Manager (in AWS, once per cold start); the caller caches the promise. */
export const fetchTokenSecret = async (arn: string, client: SecretsManagerClient = new SecretsManagerClient({})): Promise<string> => {
  const output = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!output.SecretString) throw new Error(`secret ${arn} has no string value`);
  return output.SecretString;
};

let cached: Promise<string> | undefined;

/** The signing key as a deployed function finds it: Secrets Manager by ARN, else the key itself (local runs, tests). */
export const tokenSecretFromEnv = (env: NodeJS.ProcessEnv = process.env): Promise<string> => {
  cached ??= (async () => {
    const arn = env[tokenSecretArnVariable];
    if (arn) return fetchTokenSecret(arn);
    const secret = env[tokenSecretVariable];
    if (secret) return secret;
    throw new Error(`no token secret: set ${tokenSecretArnVariable} (deployed) or ${tokenSecretVariable}`);
  })();
  cached.catch(() => (cached = undefined));
  return cached;
};
