import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { TableNames } from '../../lambdas/aws/dynamodb/tables.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { verifyToken } from '../../lambdas/subscription/tokens.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';

/*
 * The CLI against a deployed stack, run as a user runs it. CloudFormation and Secrets Manager have no
 * emulator: one local server answers DescribeStacks (query protocol, the XML AWS documents) and
 * GetSecretValue (AWS JSON 1.1), and records every request. DynamoDB and SES are dynalite and
 * aws-ses-v2-local, reached through the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables, as the real
 * services would be. The local emulator ports are held by listeners that record any request, so a
 * command that probed for or started a local emulator would show.
 */

const projectRoot = resolve(import.meta.dirname, '../..');
const tokenSecret = 'stack-token-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const tokenSecretArn = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:TokenSecretKey-AbCdEf';
const apiUrl = 'https://abc123.execute-api.eu-west-2.amazonaws.com/prod';
const settings = { newsletterName: 'The Example Briefing', senderName: 'The Example Briefing', senderAddress: 'briefing@news.example.org', postalAddress: 'Example News, 1 Main Street, Springfield', timeZone: 'America/New_York' };

interface Recorded {
  readonly target: string;
  readonly body: string;
}

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return (server.address() as { port: number }).port;
};

const xml = (text: string) => text.replace(/[<>&]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[char]!);

/** DescribeStacks and GetSecretValue as AWS answers them, for one stack named Briefing whose tables are `tables`. */
const fakeAws = (tables: () => TableNames) => {
  const requests: Recorded[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? new URLSearchParams(body).get('Action'));
      requests.push({ target, body });
      if (target === 'secretsmanager.GetSecretValue') {
        const input = JSON.parse(body) as { SecretId: string };
        if (input.SecretId !== tokenSecretArn) {
          return void response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        }
        return void response
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ ARN: tokenSecretArn, Name: 'TokenSecretKey', SecretString: tokenSecret, VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE', VersionStages: ['AWSCURRENT'], CreatedDate: 1764000000 }));
      }
      const stackName = new URLSearchParams(body).get('StackName');
      if (target !== 'DescribeStacks' || stackName !== 'Briefing') {
        return void response
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(stackName ?? '')} does not exist</Message></Error><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ErrorResponse>`,
          );
      }
      const outputs: Record<string, string> = {
        ComposeFunctionName: 'Briefing-SendingCompose0239E86F-AbCdEf',
        ApiUrl: apiUrl,
        ArticlesTableName: tables().articles,
        SubscribersTableName: tables().subscribers,
        TokenSecretArn: tokenSecretArn,
        ConfigurationSetName: 'EmailConfigurationSet6A762543-AbCdEf',
        NewsletterSettings: JSON.stringify(settings),
      };
      const members = Object.entries(outputs)
        .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${xml(value)}</OutputValue><Description>${key}</Description></member>`)
        .join('');
      response.writeHead(200, { 'content-type': 'text/xml' }).end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
          `<StackName>Briefing</StackName><StackId>arn:aws:cloudformation:eu-west-2:123456789012:stack/Briefing/5b8c1f40-ca5e-11f0-9a1e-0a1b2c3d4e5f</StackId>` +
          `<CreationTime>2026-11-20T10:00:00.000Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
          `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  return { server, requests };
};

/** Something listening where a local emulator would be, recording whoever knocks. */
const sentinel = () => {
  const knocks: string[] = [];
  const server = createServer((request, response) => {
    knocks.push(`${request.method} ${request.url}`);
    response.writeHead(418).end();
  });
  return { server, knocks };
};

let emulators: TestEmulators;
let stores: Stores;
let dir: string;
let home: string;
const aws = fakeAws(() => emulators.tables);
const localDynamo = sentinel();
const localSes = sentinel();
let awsUrl: string;
let ports: { dynamodb: string; ses: string };

beforeAll(async () => {
  emulators = await startTestEmulators();
  awsUrl = `http://127.0.0.1:${await listen(aws.server)}`;
  ports = { dynamodb: String(await listen(localDynamo.server)), ses: String(await listen(localSes.server)) };
});
afterAll(async () => {
  await emulators.close();
  for (const server of [aws.server, localDynamo.server, localSes.server]) await new Promise((resolveClose) => server.close(resolveClose));
});
beforeEach(async () => {
  stores = createStores(emulators.doc, await emulators.freshTables());
  await emulators.clearInbox();
  aws.requests.length = 0;
  dir = await mkdtemp(join(tmpdir(), 'briefing-stack-cli-'));
  home = await mkdtemp(join(tmpdir(), 'briefing-stack-home-'));
  return async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  };
});

/** An operator's shell: credentials and region from the environment, no Briefing endpoint set, nothing in ~/.aws. */
const operatorEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
  HOME: home,
  AWS_CONFIG_FILE: join(home, '.aws/config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws/credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: '',
  AWS_REGION: 'eu-west-2',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_ENDPOINT_URL_CLOUDFORMATION: awsUrl,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
  AWS_ENDPOINT_URL_DYNAMODB: emulators.settings.dynamodbEndpoint!,
  AWS_ENDPOINT_URL_SES: emulators.sesEndpoint,
  BRIEFING_DYNAMODB_ENDPOINT: '',
  BRIEFING_SES_ENDPOINT: '',
  BRIEFING_DYNAMODB_PORT: ports.dynamodb,
  BRIEFING_SES_PORT: ports.ses,
  BRIEFING_DATA_DIR: '',
  BRIEFING_TOKEN_SECRET: '',
  ...overrides,
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env: operatorEnv(env) });
const where = 'stack Briefing (eu-west-2)';

/** Nothing local was touched: no emulator probed or started, no .briefing/ made, nothing written in the home folder. */
const expectNothingLocal = async () => {
  expect(localDynamo.knocks).toEqual([]);
  expect(localSes.knocks).toEqual([]);
  expect(existsSync(join(dir, '.briefing'))).toBe(false);
  expect(await readdir(home)).toEqual([]);
};

describe('briefing articles … --stack', () => {
  it("imports records into the stack's articles table, found through its outputs, and lists them from there", async () => {
    const imported = await cli(['articles', 'import', join(projectRoot, 'samples/articles'), '--stack', 'Briefing']);
    const listed = await cli(['articles', 'list', '--stack', 'Briefing']);

    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toBe(`Imported 10 article(s) from ${join(projectRoot, 'samples/articles')} into ${where}: 10 new, 0 updated.\n`);
    expect((await stores.articles.list()).articles).toHaveLength(10);
    expect(listed.stdout).toContain('climate-summit-loss-fund-deal');
    expect(listed.stdout).toContain(`10 article(s) in ${where}`);
    expect(aws.requests.map((request) => request.target)).toEqual(['DescribeStacks', 'DescribeStacks']);
    expect(new URLSearchParams(aws.requests[0]!.body).get('StackName')).toBe('Briefing');
    await expectNothingLocal();
  });

  it("imports a feed's items into the stack", async () => {
    const result = await cli(['articles', 'import-feed', join(projectRoot, 'test/feeds/fixtures/newsroom-atom.xml'), '--category', 'Science', '--stack', 'Briefing']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Stored 2 new and 0 updated article(s) into ${where}.`);
    expect((await stores.articles.list()).articles).toHaveLength(2);
    await expectNothingLocal();
  });

  it('says the region it used when given --region', async () => {
    const result = await cli(['articles', 'list', '--stack', 'Briefing', '--region', 'eu-central-1']);

    expect(result.stdout).toBe('No articles in stack Briefing (eu-central-1) yet: npx briefing articles import PATH\n');
  });

  it('ignores BRIEFING_DYNAMODB_ENDPOINT: with --stack a local emulator is never written', async () => {
    const result = await cli(['articles', 'import', join(projectRoot, 'samples/articles/03-comet.json'), '--stack', 'Briefing'], {
      BRIEFING_DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamodb}`,
      BRIEFING_SES_ENDPOINT: `http://127.0.0.1:${ports.ses}`,
    });

    expect(result.code).toBe(0);
    expect((await stores.articles.list()).articles).toHaveLength(1);
    await expectNothingLocal();
  });
});

describe('briefing subscribers … --stack', () => {
  it("adds, lists, shows, exports and removes subscribers in the stack's table", async () => {
    const added = await cli(['subscribers', 'add', 'Ada@Example.com', '--confirmed', '--stack', 'Briefing']);
    const listed = await cli(['subscribers', 'list', '--stack', 'Briefing']);
    const shown = await cli(['subscribers', 'show', 'ada@example.com', '--stack', 'Briefing']);
    const exported = await cli(['subscribers', 'export', '--stack', 'Briefing']);
    const removed = await cli(['subscribers', 'remove', 'ada@example.com', '--stack', 'Briefing']);

    expect(added).toMatchObject({ code: 0, stdout: `ada@example.com is active in ${where}\n` });
    expect(listed.stdout).toContain(`1 subscribers in ${where}`);
    expect(shown.stdout).toContain('added with briefing subscribers add --confirmed');
    expect(exported.stdout.split('\n')[1]).toMatch(/^ada@example\.com,/);
    expect(removed.stdout).toBe(`Removed ada@example.com (was active) and its history from ${where}\n`);
    expect(await stores.subscribers.get('ada@example.com')).toBeUndefined();
    // Only add read the token key (it keys the erased list, which every addition checks); the others need none.
    expect(aws.requests.filter((request) => request.target === 'secretsmanager.GetSecretValue')).toHaveLength(1);
    await expectNothingLocal();
  });

  it("signs up an address with a confirmation email sent as the stack sends it: its sender, its key, links to its pages", async () => {
    const result = await cli(['subscribers', 'add', 'grace@example.org', '--stack', 'Briefing']);

    expect(result).toMatchObject({ code: 0, stdout: `grace@example.org is pending in ${where}: a confirmation email is on its way\n` });
    expect(aws.requests.filter((request) => request.target === 'secretsmanager.GetSecretValue').map((request) => JSON.parse(request.body))).toEqual([{ SecretId: tokenSecretArn }]);
    const [message] = await emulators.inbox();
    expect(message!.from).toContain('briefing@news.example.org');
    expect(message!.subject).toBe('Confirm your subscription to The Example Briefing');
    const link = new URL(/https:\/\/\S+\/confirm\?token=\S+/.exec(message!.body.text!)![0]);
    expect(link.origin + link.pathname).toBe(`${apiUrl}/confirm`);
    expect(verifyToken(tokenSecret, link.searchParams.get('token')!, 'confirm')).toMatchObject({ ok: true });
    expect((await stores.subscribers.get('grace@example.org'))?.status).toBe('pending');
    await expectNothingLocal();
  });

  it('imports a CSV file into the stack', async () => {
    const file = join(dir, 'readers.csv');
    await writeFile(file, 'email,name\nada@example.com,Ada\nlinus@example.net,Linus\n');

    const result = await cli(['subscribers', 'import', file, '--stack', 'Briefing']);

    expect(result.stdout).toContain(`Imported 2 active subscriber(s) from ${file} into ${where}.`);
    expect((await stores.subscribers.get('linus@example.net'))?.status).toBe('active');
    expect(localDynamo.knocks).toEqual([]);
  });
});

describe('--stack without what it needs', () => {
  const noCredentials = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' };

  it.each([
    ['articles import', ['articles', 'import', join(projectRoot, 'samples/articles')]],
    ['articles import-feed', ['articles', 'import-feed', join(projectRoot, 'test/feeds/fixtures/newsroom-atom.xml'), '--category', 'Science']],
    ['subscribers add', ['subscribers', 'add', 'ada@example.com', '--confirmed']],
    ['subscribers import', ['subscribers', 'import', join(projectRoot, 'package.json')]],
  ])('%s fails without AWS credentials in one line, exit 1, having written nothing anywhere', async (_name, args) => {
    const result = await cli([...args, '--stack', 'Briefing'], noCredentials);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'briefing: no AWS credentials: --stack signs in with the default AWS chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws, SSO); sign in (aws configure, aws sso login) or leave out --stack to use the local store\n',
    );
    expect(aws.requests).toEqual([]);
    expect((await stores.articles.list()).articles).toEqual([]);
    expect(await stores.subscribers.get('ada@example.com')).toBeUndefined();
    await expectNothingLocal();
  });

  it('fails in one line without a region', async () => {
    const result = await cli(['articles', 'list', '--stack', 'Briefing'], { AWS_REGION: '', AWS_DEFAULT_REGION: '' });

    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'briefing: no AWS region: pass --region or set AWS_REGION\n' });
  });

  it('says so of a region that is not one', async () => {
    const result = await cli(['articles', 'list', '--stack', 'Briefing', '--region', 'eu west 2']);

    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'briefing: "eu west 2" is not an AWS region: pass --region (e.g. eu-west-2) or set AWS_REGION\n' });
  });

  it('names a stack that does not exist in the region', async () => {
    const result = await cli(['subscribers', 'list', '--stack', 'Nope']);

    expect(result).toMatchObject({ code: 1, stderr: 'briefing: no stack named "Nope" in region eu-west-2: deploy it (docs/deploy.md) or pass --region\n' });
    await expectNothingLocal();
  });

  it('refuses --region without --stack', async () => {
    const result = await cli(['articles', 'list', '--region', 'eu-west-2']);

    expect(result).toMatchObject({ code: 1, stderr: 'briefing: --region goes with --stack NAME\n' });
  });
});
