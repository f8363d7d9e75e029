import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { conditionalFeed, useFeedServer } from '../feeds/feed-server.ts';
import { fixture } from '../feeds/fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';

const fixtures = resolve(import.meta.dirname, '../feeds/fixtures');
let emulators: TestEmulators;
let stores: Stores;
let dir: string;
const feeds = useFeedServer();

// Something listening on the local DynamoDB emulator's port, recording whoever knocks.
const knocks: string[] = [];
const localDynamo: Server = createServer((request, response) => {
  knocks.push(`${request.method} ${request.url}`);
  response.writeHead(418).end();
});
let localDynamoPort: number;

beforeAll(async () => {
  emulators = await startTestEmulators();
  await new Promise<void>((resolveListen) => localDynamo.listen(0, '127.0.0.1', resolveListen));
  localDynamoPort = (localDynamo.address() as { port: number }).port;
});
afterAll(async () => {
  await emulators.close();
  await new Promise((resolveClose) => localDynamo.close(resolveClose));
});
beforeEach(async () => {
  stores = createStores(emulators.doc, await emulators.freshTables());
  dir = await mkdtemp(join(tmpdir(), 'briefing-feeds-cli-'));
  return () => rm(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env: { ...emulators.env, BRIEFING_FEEDS_TABLE: emulators.tables.feeds, BRIEFING_DATA_DIR: join(dir, '.briefing'), ...env } });
const where = () => `the DynamoDB at ${emulators.settings.dynamodbEndpoint} (BRIEFING_DYNAMODB_ENDPOINT)`;

describe('briefing articles import-feed', () => {
  it('imports the items of a local file, with the report lines and where they were stored', async () => {
    const file = join(fixtures, 'guardian-world.xml');

    const result = await cli(['articles', 'import-feed', file, '--category', 'World']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual([
      `${file}: 2 new, 0 updated, 0 left out`,
      expect.stringMatching(new RegExp(`^note: ${file} item 1 \\(guid https://www\\.theguardian\\.com/.*\\): image: left out: no meaningful alt text`)),
      `Stored 2 new and 0 updated article(s) into ${where()}.`,
      '',
    ]);
    expect((await stores.articles.list()).articles).toHaveLength(2);
  });

  it('fetches a URL, and a second import of the same feed writes nothing', async () => {
    feeds.server.route('/feed.json', (_request, response) => void response.writeHead(200, { 'content-type': 'application/feed+json' }).end(fixture('newsroom.json')));
    const url = feeds.server.url('/feed.json');

    await cli(['articles', 'import-feed', url]);
    const again = await cli(['articles', 'import-feed', url]);

    expect(again.stdout).toMatch(new RegExp(`^${url.replace(/[.?]/g, '\\$&')}: 0 new, 0 updated, \\d left out\\n`));
    expect(again.stdout).toContain(`Stored 0 new and 0 updated article(s) into ${where()}; `);
    expect(feeds.server.requests[1]!.headers['user-agent']).toBe('Briefing/0.1 (newsletter feed poller)');
  });

  it('fails in one line for a missing file, a page that is not a feed, and a feed whose every item is left out', async () => {
    feeds.server.route('/page', (_request, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Home</body></html>'));
    feeds.server.route('/http-only.xml', (_request, response) =>
      void response
        .writeHead(200)
        .end(
          '<rss version="2.0"><channel><title>t</title><item><title>Plain</title><link>http://news.example.com/a</link><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate><description>One. Two.</description><category>News</category></item></channel></rss>',
        ),
    );

    const missing = await cli(['articles', 'import-feed', 'nowhere.xml']);
    const page = await cli(['articles', 'import-feed', feeds.server.url('/page')]);
    const useless = await cli(['articles', 'import-feed', feeds.server.url('/http-only.xml')]);

    expect(missing).toMatchObject({ code: 1, stderr: 'briefing: nowhere.xml: no such file (give a file, or an http:// or https:// URL)\n' });
    expect(page).toMatchObject({ code: 1, stderr: 'briefing: not an RSS 2.0, Atom 1.0 or JSON Feed document (root element <html>)\n' });
    expect(useless.code).toBe(1);
    expect(useless.stdout).toContain('url: must be an https:// URL, not http:');
    expect(useless.stderr).toContain(`no item of ${feeds.server.url('/http-only.xml')} could be stored`);
  });

  it('uses the DynamoDB that BRIEFING_DYNAMODB_ENDPOINT names and never the local emulator, which it neither probes nor starts', async () => {
    const result = await cli(['articles', 'import-feed', join(fixtures, 'newsroom-atom.xml'), '--category', 'Science'], { BRIEFING_DYNAMODB_PORT: String(localDynamoPort), BRIEFING_SES_ENDPOINT: '', BRIEFING_SES_PORT: '0' });

    expect(result.code).toBe(0);
    expect((await stores.articles.list()).articles).toHaveLength(2);
    expect(knocks).toEqual([]);
    expect(existsSync(join(dir, '.briefing', 'dynamodb'))).toBe(false);
  });
});

describe('briefing feeds poll', () => {
  it('polls the configured feeds as the poller does: conditional GET the second time, a failed feed reported and exit 1', async () => {
    feeds.server.route('/world.xml', conditionalFeed(() => fixture('guardian-world.xml'), { etag: '"w1"', lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT' }));
    feeds.server.route('/down.xml', (_request, response) => void response.writeHead(500).end());
    const world = feeds.server.url('/world.xml');
    const down = feeds.server.url('/down.xml');
    const env = { BRIEFING_FEEDS: JSON.stringify([{ url: world, category: 'World' }, { url: down, category: 'News' }]) };

    const first = await cli(['feeds', 'poll'], env);
    const second = await cli(['feeds', 'poll'], env);

    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`${world}: 2 new, 0 updated, 0 left out\n`);
    expect(first.stdout).toContain(`${down}: failed: HTTP 500 Internal Server Error\n`);
    expect(first.stdout).toContain(`Stored 2 new and 0 updated article(s) into ${where()}.`);
    expect(first.stderr).toBe('1 of 2 feed(s) could not be read (listed above); the others were stored.\n');
    expect(second.stdout.split('\n').slice(0, 2)).toEqual([`${world}: not modified`, `${down}: failed: HTTP 500 Internal Server Error`]);
    expect(feeds.server.requests.filter((request) => request.path === '/world.xml').map((request) => request.headers['if-none-match'])).toEqual([undefined, '"w1"']);
  });

  it('says how to configure feeds when there are none', async () => {
    const result = await cli(['feeds', 'poll']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^No feeds configured: add them to briefing\.config\.json/);
  });
});
