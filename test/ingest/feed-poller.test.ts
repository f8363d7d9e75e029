import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFeedStateStore } from '../../lambdas/aws/dynamodb/feed-state.ts';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { conditionalFeed, useFeedServer } from '../feeds/feed-server.ts';
import { fixture } from '../feeds/fixtures.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { capturePowertoolsOutput, isMetricDocument } from '../helpers/powertools-output.ts';

// The deployed handler as Lambda runs it: its module reads the table names and the DynamoDB endpoint
// from the environment when it loads, so it is imported once the emulators are up.
let emulators: TestEmulators;
let poller: typeof import('../../lambdas/handlers/feed-poller.ts');
beforeAll(async () => {
  emulators = await startTestEmulators();
  for (const [name, value] of Object.entries({ ...emulators.env, BRIEFING_FEEDS_TABLE: emulators.tables.feeds })) vi.stubEnv(name, value);
  poller = await import('../../lambdas/handlers/feed-poller.ts');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await emulators.close();
});
afterEach(() => vi.restoreAllMocks());

const feeds = useFeedServer();

/** What the poller wrote: its log lines, and the FeedPollFailures of each metric document. */
const captureOutput = () => {
  const lines = capturePowertoolsOutput();
  return {
    logs: () => lines.filter((line) => !isMetricDocument(line)).map((line) => [line.level, line.message]),
    failures: () => lines.filter(isMetricDocument).map((line) => line.FeedPollFailures),
  };
};

const serve = (path: string, file: string) =>
  feeds.server.route(path, conditionalFeed(() => fixture(file), { etag: `"${file}"`, lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT' }));

describe('the feed poller function', () => {
  it('polls the feeds of its event, logs every report line (a failed feed as a warning) and publishes FeedPollFailures', async () => {
    serve('/feed/', 'newsroom-wordpress.xml');
    serve('/science.atom', 'newsroom-atom.xml');
    feeds.server.route('/down.xml', (_request, response) => void response.writeHead(503).end());
    const sources = [
      { url: feeds.server.url('/feed/'), category: 'News' },
      { url: feeds.server.url('/down.xml'), category: 'News' },
      { url: feeds.server.url('/science.atom'), category: 'Science' },
    ];
    const output = captureOutput();

    const first = await poller.handler({ feeds: sources }, lambdaContext('feed-poller'));
    const second = await poller.handler({ feeds: sources }, lambdaContext('feed-poller'));

    expect(first).toEqual({ feeds: 3, added: 4, updated: 0, leftOut: 0, failed: [sources[1]!.url] });
    expect(second).toEqual({ feeds: 3, added: 0, updated: 0, leftOut: 0, failed: [sources[1]!.url] });
    expect(output.logs()).toEqual([
      ['INFO', `${sources[0]!.url}: 2 new, 0 updated, 0 left out`],
      ['INFO', `note: ${sources[0]!.url} item 2 (guid https://news.example.com/?p=48190): image: left out: an enclosure carries no alt text: https://news.example.com/wp-content/uploads/2026/11/library.jpg`],
      ['WARN', `${sources[1]!.url}: failed: HTTP 503 Service Unavailable`],
      ['INFO', `${sources[2]!.url}: 2 new, 0 updated, 0 left out`],
      ['INFO', `${sources[0]!.url}: not modified`],
      ['WARN', `${sources[1]!.url}: failed: HTTP 503 Service Unavailable`],
      ['INFO', `${sources[2]!.url}: not modified`],
    ]);
    expect(output.failures()).toEqual([1, 1]);
    const stores = createStores(emulators.doc, emulators.tables);
    expect((await stores.articles.list()).articles).toHaveLength(4);
    expect(await createFeedStateStore(emulators.doc, emulators.tables.feeds).get(sources[2]!.url)).toMatchObject({ etag: '"newsroom-atom.xml"' });
  });

  it('logs the items it left out, and publishes 0 failures when every feed was read', async () => {
    feeds.server.route('/bbc.xml', (_request, response) => void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('bbc-news.xml')));
    const source = { url: feeds.server.url('/bbc.xml'), category: 'UK' };
    const output = captureOutput();

    await poller.handler({ feeds: [source] }, lambdaContext('feed-poller'));

    expect(output.logs().slice(0, 2)).toEqual([
      ['INFO', `${source.url}: 2 new, 0 updated, 1 left out`],
      ['INFO', `invalid: ${source.url} item 3 (guid http://www.bbc.co.uk/sport/football/69012345#2): url: must be an https:// URL, not http:`],
    ]);
    expect(output.failures()).toEqual([0]);
  });

  it('refuses an event without a list of feeds, naming what is wrong', async () => {
    captureOutput();

    await expect(poller.handler({ feeds: [{ url: 'feed.xml', category: 'News' }] }, lambdaContext('feed-poller'))).rejects.toThrow(
      'poll request: feeds.0.url: must be an http:// or https:// URL',
    );
  });
});
