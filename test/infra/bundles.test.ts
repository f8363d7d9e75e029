import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSettings, esbuildOptions } from '../../lib/bundling.ts';
import { functionIds, projectRoot } from './synth.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/aws/clients.ts';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { tableNamesFromEnv } from '../../lambdas/aws/dynamodb/tables.ts';
import { ensureTables } from '../../local/tables.ts';
import { article } from '../helpers/articles.ts';
import { restApiEvent } from '../helpers/rest-event.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';

const run = promisify(execFile);

interface FunctionResource {
  Type: string;
  Metadata?: Record<string, string>;
  Properties: { Environment: { Variables: Record<string, unknown> } };
}

// dynalite ships no types; its whole API is this one call.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

let outdir: string;
let dynamo: Server;
let dynamoUrl: string;
let secrets: Server;
let secretsUrl: string;

/**
 * Secrets Manager has no emulator: this answers GetSecretValue with the response shape AWS
 * documents, and refuses anything else.
 */
const secretsManagerStub = () =>
  createServer((request, response) => {
    const target = request.headers['x-amz-target'];
    request.resume();
    request.on('end', () => {
      if (target !== 'secretsmanager.GetSecretValue') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InvalidRequestException', message: `unexpected ${target}` }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
        JSON.stringify({
          ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:token-AbCdEf',
          Name: 'token',
          SecretString: 'k'.repeat(64),
          VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1764000000,
        }),
      );
    });
  });

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
};
/** Each function's bundle folder in the cloud assembly, by the id part that names it. */
const bundles: Record<string, string> = {};
const environments: Record<string, Record<string, unknown>> = {};

/** What a deploy must say (cdk.json's example.com and a stack that alarms nobody are refused at synth), and a feed, so the poller is built too. */
const deployContext = [
  ...['-c', 'domain=news.example.org', '-c', 'senderAddress=briefing@news.example.org', '-c', 'alarmEmail=ops@example.org'],
  ...['-c', `feeds=${JSON.stringify([{ url: 'https://www.example.com/world/rss', category: 'World' }])}`],
];

/** Runs `handler(event)` of a bundle in a fresh `node` (no tsx, no vitest), as Lambda's runtime would import it. */
const invokeBundle = async (bundle: string, event: unknown, env: Record<string, string>) => {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    try {
      const result = await handler(${JSON.stringify(event)}, { functionName: 'test', awsRequestId: 'test-request', getRemainingTimeInMillis: () => 60000 });
      console.log(JSON.stringify({ result }));
    } catch (error) {
      console.log(JSON.stringify({ error: { name: error.name, message: error.message } }));
    }`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-2', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', ...env },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { result?: unknown; error?: { name: string; message: string } };
};

/** The source files esbuild put in a bundle, from its source map. */
const bundledSources = async (dir: string): Promise<string[]> =>
  (JSON.parse(await readFile(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;

beforeAll(async () => {
  dynamo = dynalite({ createTableMs: 0 });
  dynamoUrl = await listen(dynamo);
  secrets = secretsManagerStub();
  secretsUrl = await listen(secrets);
  outdir = await mkdtemp(join(tmpdir(), 'briefing-synth-'));
  // The real command on the real cdk.json, with what a deploy must add: this also proves `npx cdk synth` works offline.
  await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir, ...deployContext], {
    cwd: projectRoot,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  const template = JSON.parse(await readFile(join(outdir, 'Briefing.template.json'), 'utf8')) as { Resources: Record<string, FunctionResource> };
  for (const [name, idPart] of Object.entries(functionIds)) {
    const [, fn] = Object.entries(template.Resources).find(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith(idPart))!;
    bundles[name] = join(outdir, fn.Metadata!['aws:asset:path']!);
    environments[name] = fn.Properties.Environment.Variables;
  }
}, 120_000);

afterAll(async () => {
  for (const server of [dynamo, secrets]) await new Promise((resolveClose) => server.close(resolveClose));
  await rm(outdir, { recursive: true, force: true });
});

/**
 * The function's own environment from the template, with the deploy-time references replaced by
 * plain names, and DynamoDB and Secrets Manager pointed at the local stand-ins (the SDK's standard
 * endpoint variables).
 */
const lambdaEnvironment = (name: string): Record<string, string> => ({
  ...Object.fromEntries(
    Object.entries(environments[name]!).map(([key, value]) => [key, typeof value === 'string' ? value : key.toLowerCase().replace(/^briefing_/, '')]),
  ),
  BRIEFING_TEMPLATES_DIR: join(bundles[name]!, 'templates'),
  BRIEFING_SITE_URL: 'https://briefing.example.com',
  BRIEFING_QUEUE_URL: 'http://127.0.0.1:9/queue/delivery',
  AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
});

describe('Lambda bundles', () => {
  it('are built by `cdk synth` as ES modules with source maps, one per function', () => {
    for (const [name, dir] of Object.entries(bundles)) {
      expect(existsSync(join(dir, 'index.mjs')), name).toBe(true);
      expect(existsSync(join(dir, 'index.mjs.map')), name).toBe(true);
    }
  });

  it('carry the templates where the functions that render look for them, and only there', () => {
    for (const name of ['compose', 'subscriptionApi', 'confirmationSender']) {
      expect(existsSync(join(bundles[name]!, 'templates/briefing.mjml')), name).toBe(true);
      expect(environments[name]!.BRIEFING_TEMPLATES_DIR).toBe('/var/task/templates');
    }
    for (const name of ['deliver', 'feedback', 'watchdog', 'feedPoller', 'ingestApi']) expect(existsSync(join(bundles[name]!, 'templates')), name).toBe(false);
  });

  it('import the modules left out of them (unused credential providers, TypeScript) only lazily, never at load', async () => {
    for (const [name, dir] of Object.entries(bundles)) {
      const code = await readFile(join(dir, 'index.mjs'), 'utf8');
      for (const external of bundleSettings.externalModules) {
        expect(code.includes(`from"${external}"`) || code.includes(`require("${external}")`), `${name} loads ${external} at start`).toBe(false);
      }
    }
  });

  it('keep MJML out of the deliver bundle', async () => {
    const sources = await bundledSources(bundles.deliver!);
    expect(sources.filter((source) => /node_modules\/mjml/.test(source))).toEqual([]);
    expect(await readFile(join(bundles.deliver!, 'index.mjs'), 'utf8')).not.toMatch(/mj-column|mjml-core/);
  });

  it('render MJML correctly under esbuild with the same settings (mjml issue 2132) in a plain node process', async () => {
    const probe = join(outdir, 'render-probe', 'index.mjs');
    await build(esbuildOptions(resolve(import.meta.dirname, 'fixtures/render-probe.ts'), probe));
    expect((await bundledSources(join(outdir, 'render-probe'))).some((source) => source.includes('node_modules/mjml-core/'))).toBe(true);

    const { result, error } = await invokeBundle(probe, { articles: resolve(projectRoot, 'samples/articles') }, {
      BRIEFING_TEMPLATES_DIR: resolve(projectRoot, 'templates'),
    });

    expect(error).toBeUndefined();
    const { subject, html } = result as { subject: string; html: string };
    expect(subject).toBe('Climate summit ends with a deal on the loss and damage fund after an…');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('What do you need to know?');
    expect(html).not.toMatch(/<mj-/);
  });

  it('compose runs in a plain node process as deployed, reaching the store (no table here, so a clean DynamoDB error)', async () => {
    const { result, error } = await invokeBundle(join(bundles.compose!, 'index.mjs'), { date: '2026-11-24' }, lambdaEnvironment('compose'));

    expect(result).toBeUndefined();
    expect(error?.name).toBe('ResourceNotFoundException');
  });

  it('deliver runs in a plain node process as deployed, handing the recipient it could not send back to the queue', async () => {
    const messageId = '059f36b4-87a3-44ab-83d2-661975830a7d';
    const event = { Records: [sqsRecord('delivery', messageId, JSON.stringify({ editionId: '2026-11-24', email: 'reader@example.org' }))] };

    const { result, error } = await invokeBundle(join(bundles.deliver!, 'index.mjs'), event, lambdaEnvironment('deliver'));

    // Deliver asks Powertools not to throw when every record failed (throwOnFullBatchFailure: false), so even
    // a batch whose only record failed comes back as a partial-batch response naming it.
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: messageId }] });
  });

  it('compose invoked twice for one edition (a Lambda async retry of the schedule) queues the edition once', async () => {
    // SQS has no emulator here: this answers SendMessageBatch in the AWS JSON protocol shape AWS documents, and records it.
    const received: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] }[] = [];
    const sqs = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (request.headers['x-amz-target'] !== 'AmazonSQS.SendMessageBatch') {
          response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: 'unexpected' }));
          return;
        }
        const input = JSON.parse(body) as (typeof received)[number];
        received.push(input);
        const md5 = (text: string) => createHash('md5').update(text).digest('hex');
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(
          JSON.stringify({ Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: md5(entry.MessageBody) })), Failed: [] }),
        );
      });
    });
    const sqsUrl = await listen(sqs);
    try {
      const env = { ...lambdaEnvironment('compose'), BRIEFING_ARTICLES_TABLE: 'retry-articles', BRIEFING_SUBSCRIBERS_TABLE: 'retry-subscribers', BRIEFING_EDITIONS_TABLE: 'retry-editions', BRIEFING_DELIVERIES_TABLE: 'retry-deliveries', BRIEFING_VARIANTS_TABLE: 'retry-variants', BRIEFING_QUEUE_URL: `${sqsUrl}/123456789012/delivery`, AWS_ENDPOINT_URL_SQS: sqsUrl };
      const doc = createDocumentClient({ dynamodbEndpoint: dynamoUrl });
      const tables = tableNamesFromEnv(env);
      await ensureTables(doc, tables);
      const stores = createStores(doc, tables);
      await stores.articles.put([article({ id: 'lead', publishedAt: '2026-11-24T05:00:00Z' })]);
      for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) await stores.subscribers.add(email, { status: 'active', reason: 'test' });
      await doc.send(new PutCommand({ TableName: tables.subscribers, Item: { email: 'gone@example.org', id: 'x', status: 'unsubscribed', history: [] } }));

      const first = await invokeBundle(join(bundles.compose!, 'index.mjs'), { date: '2026-11-24' }, env);
      const retry = await invokeBundle(join(bundles.compose!, 'index.mjs'), { date: '2026-11-24' }, env);
      doc.destroy();

      expect(first.result).toMatchObject({ kind: 'sending', editionId: '2026-11-24', recipients: 3 });
      expect(retry.result).toEqual({ kind: 'already', editionId: '2026-11-24', status: 'sending' });
      expect(received.flatMap((request) => request.Entries.map((entry) => JSON.parse(entry.MessageBody).email)).sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
      expect(received[0]!.QueueUrl).toBe(`${sqsUrl}/123456789012/delivery`);
    } finally {
      await new Promise((resolveClose) => sqs.close(resolveClose));
    }
  });

  it('subscription-api serves the signup page to the REST API (payload 1.0) in a plain node process as deployed', async () => {
    const event = restApiEvent({ method: 'GET', path: '/', headers: { Accept: 'text/html' } });

    const { result, error } = await invokeBundle(join(bundles.subscriptionApi!, 'index.mjs'), event, lambdaEnvironment('subscriptionApi'));

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ statusCode: 200, headers: expect.objectContaining({ 'content-type': expect.stringContaining('text/html') }) });
    expect((result as { body: string }).body).toMatch(/<form[^>]+action="[^"]*\/subscribe"/);
  });

  it('feedback suppresses a permanently bounced subscriber in a plain node process as deployed', async () => {
    const env = { ...lambdaEnvironment('feedback'), BRIEFING_SUBSCRIBERS_TABLE: 'fb-subscribers', BRIEFING_EDITIONS_TABLE: 'fb-editions', BRIEFING_ARTICLES_TABLE: 'fb-articles', BRIEFING_DELIVERIES_TABLE: 'fb-deliveries' };
    const doc = createDocumentClient({ dynamodbEndpoint: dynamoUrl });
    const tables = tableNamesFromEnv(env);
    await ensureTables(doc, tables);
    const stores = createStores(doc, tables);
    await stores.subscribers.add('recipient@example.com', { status: 'active', reason: 'test' });
    // The EventBridge rule puts the SES event on the feedback queue; the function gets it as an SQS record's body.
    const body = await readFile(resolve(import.meta.dirname, '../fixtures/ses-events/bounce-permanent.eventbridge.json'), 'utf8');
    const record = sqsRecord('feedback', 'a1f0d1c6-0c39-4d4e-9a1e-2f5e8a7b9c10', body);

    const { result, error } = await invokeBundle(join(bundles.feedback!, 'index.mjs'), { Records: [record] }, env);
    const subscriber = await stores.subscribers.get('recipient@example.com');
    doc.destroy();

    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    expect(subscriber?.status).toBe('suppressed');
  });

  it('the feed poller stores a feed’s items in a plain node process as deployed, and answers 304s the next time', async () => {
    const env = { ...lambdaEnvironment('feedPoller'), BRIEFING_ARTICLES_TABLE: 'fp-articles', BRIEFING_FEEDS_TABLE: 'fp-feeds' };
    const doc = createDocumentClient({ dynamodbEndpoint: dynamoUrl });
    await ensureTables(doc, tableNamesFromEnv(env));
    const feed = await readFile(resolve(import.meta.dirname, '../feeds/fixtures/newsroom-atom.xml'), 'utf8');
    const cms = createServer((request, response) => {
      if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304).end();
      response.writeHead(200, { 'content-type': 'application/atom+xml', etag: '"v1"' }).end(feed);
    });
    const feedUrl = `${await listen(cms)}/science.atom`;
    try {
      const first = await invokeBundle(join(bundles.feedPoller!, 'index.mjs'), { feeds: [{ url: feedUrl, category: 'Science' }] }, env);
      const second = await invokeBundle(join(bundles.feedPoller!, 'index.mjs'), { feeds: [{ url: feedUrl, category: 'Science' }] }, env);
      const { articles } = await createStores(doc, tableNamesFromEnv(env)).articles.list();

      expect(first).toEqual({ result: { feeds: 1, added: 2, updated: 0, leftOut: 0, failed: [] } });
      expect(second).toEqual({ result: { feeds: 1, added: 0, updated: 0, leftOut: 0, failed: [] } });
      expect(articles).toHaveLength(2);
    } finally {
      doc.destroy();
      await new Promise((resolveClose) => cms.close(resolveClose));
    }
  });

  it('the ingest API stores a posted record in a plain node process as deployed, with the key from Secrets Manager', async () => {
    const env = { ...lambdaEnvironment('ingestApi'), BRIEFING_ARTICLES_TABLE: 'in-articles' };
    const doc = createDocumentClient({ dynamodbEndpoint: dynamoUrl });
    await ensureTables(doc, tableNamesFromEnv(env));
    const event = (authorization: string) =>
      restApiEvent({ method: 'POST', path: '/articles', headers: { 'Content-Type': 'application/json', Authorization: authorization }, body: JSON.stringify([article({ id: 'posted-story' })]), userAgent: 'cms' });

    const refused = await invokeBundle(join(bundles.ingestApi!, 'index.mjs'), event('Bearer wrong'), env);
    const stored = await invokeBundle(join(bundles.ingestApi!, 'index.mjs'), event(`Bearer ${'k'.repeat(64)}`), env);
    const { articles } = await createStores(doc, tableNamesFromEnv(env)).articles.list();
    doc.destroy();

    expect(refused.result).toMatchObject({ statusCode: 401 });
    expect(stored.result).toMatchObject({ statusCode: 200, body: JSON.stringify({ stored: ['posted-story'], problems: [] }) });
    expect(articles.map((record) => record.id)).toEqual(['posted-story']);
  });

  it('the edition watchdog reads the day’s edition in a plain node process as deployed, and calls a missing one late', async () => {
    const env = { ...lambdaEnvironment('watchdog'), BRIEFING_EDITIONS_TABLE: 'wd-editions', BRIEFING_TIME_ZONE: 'America/New_York' };
    const doc = createDocumentClient({ dynamodbEndpoint: dynamoUrl });
    await ensureTables(doc, { ...tableNamesFromEnv(env), editions: 'wd-editions' });
    doc.destroy();

    const { result, error } = await invokeBundle(join(bundles.watchdog!, 'index.mjs'), { scheduledTime: '2026-11-24T12:30:00Z', deadlineMinutes: 60 }, env);

    expect(error).toBeUndefined();
    expect(result).toMatchObject({ editionId: '2026-11-24', sent: false, status: 'missing' });
  });
});
