import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { ingestKeyFromEnv, ingestKeyLifetimeMs } from '../../lambdas/aws/ingest-key.ts';
import { article } from '../helpers/articles.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { restApiEvent } from '../helpers/rest-event.ts';

/**
 * Secrets Manager has no emulator: this answers GetSecretValue (AWS JSON 1.1) with the response shape
 * AWS documents for the secret it holds, and counts the reads.
 */
const secretsManager = () => {
  const secret = { arn: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:IngestionIngestKey-AbCdEf', value: 'first-key', failing: false, reads: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const input = JSON.parse(body || '{}') as { SecretId?: string };
      const json = (status: number, payload: unknown) => response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || input.SecretId !== secret.arn) {
        return json(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      }
      secret.reads += 1;
      if (secret.failing) return json(500, { __type: 'InternalServiceError', message: 'An error occurred on the server side.' });
      json(200, { ARN: secret.arn, Name: 'IngestionIngestKey', SecretString: secret.value, VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE', VersionStages: ['AWSCURRENT'], CreatedDate: 1764000000 });
    });
  });
  return { secret, server };
};

describe('the ingest key as the deployed function reads it', () => {
  const { secret, server } = secretsManager();
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    vi.stubEnv('AWS_REGION', 'eu-west-2');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads Secrets Manager once per five minutes, so a key changed there is in use within five minutes, and keeps no failed read', async () => {
    let now = 0;
    const key = ingestKeyFromEnv({ BRIEFING_INGEST_KEY_SECRET_ARN: secret.arn }, () => now);

    expect([await key(), await key()]).toEqual(['first-key', 'first-key']);
    expect(secret.reads).toBe(1);
    secret.value = 'second-key';
    now = ingestKeyLifetimeMs - 1;
    expect(await key()).toBe('first-key');
    now = ingestKeyLifetimeMs;
    expect(await key()).toBe('second-key');
    expect(secret.reads).toBe(2);

    secret.failing = true;
    now = 2 * ingestKeyLifetimeMs;
    await expect(key()).rejects.toThrow();
    secret.failing = false;
    expect(await key()).toBe('second-key');
  });

  it('uses BRIEFING_INGEST_KEY where there is no secret, and refuses to start with neither', async () => {
    expect(await ingestKeyFromEnv({ BRIEFING_INGEST_KEY: 'plain-key' })()).toBe('plain-key');
    expect(() => ingestKeyFromEnv({})).toThrow('no ingest key: set BRIEFING_INGEST_KEY_SECRET_ARN (deployed) or BRIEFING_INGEST_KEY');
  });
});

/** POST /articles through the REST API, as the CMS's webhook sends it. */
const restEvent = (body: string, authorization?: string) =>
  restApiEvent({ method: 'POST', path: '/articles', headers: { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) }, body, userAgent: 'cms-webhook/2.1' });

describe('the ingest function', () => {
  let emulators: TestEmulators;
  let ingest: typeof import('../../lambdas/handlers/ingest-api.ts');
  beforeAll(async () => {
    emulators = await startTestEmulators();
    for (const [name, value] of Object.entries({ ...emulators.env, BRIEFING_INGEST_KEY: 'deployed-key' })) vi.stubEnv(name, value);
    ingest = await import('../../lambdas/handlers/ingest-api.ts');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await emulators.close();
  });
  afterEach(() => vi.restoreAllMocks());

  it('takes the REST API event and answers it as the REST API expects, storing the records', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    const refused = await ingest.handler(restEvent(JSON.stringify(article({ id: 'sneaky' }))), lambdaContext('ingest-api'));
    const answered = await ingest.handler(restEvent(JSON.stringify([article({ id: 'rail-strike-called-off' })]), 'Bearer deployed-key'), lambdaContext('ingest-api'));

    expect(refused).toMatchObject({ statusCode: 401, isBase64Encoded: false });
    expect(answered).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({ stored: ['rail-strike-called-off'], problems: [] }),
      isBase64Encoded: false,
    });
    const { articles } = await createStores(emulators.doc, emulators.tables).articles.list();
    expect(articles.map((record) => record.id)).toEqual(['rail-strike-called-off']);
  });
});
