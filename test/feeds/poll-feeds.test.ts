import { describe, expect, it } from 'vitest';
import type { Article } from '../../lambdas/articles/schema.ts';
import { createFeedStateStore } from '../../lambdas/aws/dynamodb/feed-state.ts';
import { FeedFormatError } from '../../lambdas/feeds/feed-item.ts';
import { defaultFetchSettings, FeedFetchError } from '../../lambdas/feeds/fetch-feed.ts';
import { importFeed } from '../../lambdas/feeds/import-feed.ts';
import { pollFeeds, type PollDeps } from '../../lambdas/feeds/poll-feeds.ts';
import type { ArticleWriter } from '../../lambdas/feeds/ports.ts';
import { formatFeedReport } from '../../lambdas/feeds/report.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { conditionalFeed, useFeedServer } from './feed-server.ts';
import { fixture, rss, rssItem } from './fixtures.ts';

const local = useTestEmulators();
const feeds = useFeedServer();
const now = () => new Date('2026-11-24T07:00:00Z');

/** The real article store, counting the records each put writes. */
const countingWriter = () => {
  const writes: string[][] = [];
  const writer: ArticleWriter = {
    getMany: (ids) => local.stores.articles.getMany(ids),
    put: async (articles: readonly Article[]) => {
      writes.push(articles.map((article) => article.id));
      return local.stores.articles.put(articles);
    },
  };
  return { writer, writes };
};

const deps = (overrides: Partial<PollDeps> = {}): PollDeps => ({
  articles: local.stores.articles,
  feedState: createFeedStateStore(local.emulators.doc, local.emulators.tables.feeds),
  now,
  fetchSettings: { ...defaultFetchSettings, timeoutMs: 500 },
  ...overrides,
});

const serveFixture = (path: string, file: string, etag = '"1"') =>
  feeds.server.route(path, conditionalFeed(() => fixture(file), { etag, lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT' }));

const lines = (reports: Parameters<typeof formatFeedReport>[0][]) => reports.flatMap(formatFeedReport);

describe('pollFeeds', () => {
  it('stores every valid item of every feed, reports each feed, and keeps each feed’s validators', async () => {
    serveFixture('/world.xml', 'guardian-world.xml');
    serveFixture('/news.xml', 'bbc-news.xml');
    const world = feeds.server.url('/world.xml');
    const news = feeds.server.url('/news.xml');

    const reports = await pollFeeds([{ url: world, category: 'World' }, { url: news, category: 'UK' }], deps());

    expect(lines(reports)).toEqual([
      `${world}: 2 new, 0 updated, 0 left out`,
      `note: ${world} item 1 (guid https://www.theguardian.com/world/2026/nov/24/ceasefire-talks-resume-cairo-aid-convoys): image: left out: no meaningful alt text (media:description or media:title): https://i.guim.co.uk/img/media/7c1e/0_0_5000_3000/master/5000.jpg?width=460&quality=85&auto=format&fit=max&s=3c4d`,
      `${news}: 2 new, 0 updated, 1 left out`,
      `invalid: ${news} item 3 (guid http://www.bbc.co.uk/sport/football/69012345#2): url: must be an https:// URL, not http:`,
      `note: ${news} item 1 (guid https://www.bbc.co.uk/news/articles/c4gz7y2k3l1o#0): image: left out: no meaningful alt text (media:description or media:title): https://ichef.bbci.co.uk/ace/standard/240/cpsprodpb/8f1c/live/storm-bert-flooding.jpg`,
      `note: ${news} item 2 (guid https://www.bbc.co.uk/news/articles/cx2e8n1q9d7o#1): image: left out: no meaningful alt text (media:description or media:title): https://ichef.bbci.co.uk/ace/standard/240/cpsprodpb/55aa/live/budget-box.jpg`,
    ]);
    const { articles } = await local.stores.articles.list();
    expect(articles.map((article) => article.headline).sort()).toEqual([
      'Ceasefire talks resume in Cairo as aid convoys wait at the border',
      "Q&A: What's in the Budget – and what it means for you",
      'Storm Bert: Thousands without power as flood warnings remain',
      'Wildfires force thousands from homes on Greek island of Evia',
    ]);
    expect(articles.find((article) => article.headline.startsWith('Storm'))?.category).toBe('UK');
    expect(await deps().feedState.get(world)).toEqual({ url: world, etag: '"1"', lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT', polledAt: '2026-11-24T07:00:00.000Z' });
  });

  it('asks with If-None-Match / If-Modified-Since on the next poll, and writes nothing when every feed answers 304', async () => {
    serveFixture('/world.xml', 'guardian-world.xml');
    serveFixture('/science.atom', 'newsroom-atom.xml');
    const sources = [
      { url: feeds.server.url('/world.xml'), category: 'World' },
      { url: feeds.server.url('/science.atom'), category: 'Science' },
    ];
    await pollFeeds(sources, deps());
    const { writer, writes } = countingWriter();

    const reports = await pollFeeds(sources, deps({ articles: writer, now: () => new Date('2026-11-24T07:15:00Z') }));

    expect(lines(reports)).toEqual([`${sources[0]!.url}: not modified`, `${sources[1]!.url}: not modified`]);
    expect(writes).toEqual([]);
    expect(feeds.server.requests.slice(2).map((request) => [request.headers['if-none-match'], request.headers['if-modified-since']])).toEqual([
      ['"1"', 'Tue, 24 Nov 2026 06:00:00 GMT'],
      ['"1"', 'Tue, 24 Nov 2026 06:00:00 GMT'],
    ]);
    expect((await deps().feedState.get(sources[0]!.url))?.polledAt).toBe('2026-11-24T07:15:00.000Z');
  });

  it('updates a changed item in place, adds a new one, and leaves an unchanged one unwritten', async () => {
    let body = rss(rssItem('a') + rssItem('b'));
    let etag = '"1"';
    feeds.server.route('/feed.xml', (request, response) => {
      if (request.headers['if-none-match'] === etag) return void response.writeHead(304).end();
      response.writeHead(200, { etag }).end(body);
    });
    const source = { url: feeds.server.url('/feed.xml'), category: 'News' };
    await pollFeeds([source], deps());
    body = rss(rssItem('a', '', 'Headline a, corrected') + rssItem('b') + rssItem('c'));
    etag = '"2"';
    const { writer, writes } = countingWriter();

    const [report] = await pollFeeds([source], deps({ articles: writer }));

    expect(formatFeedReport(report!)).toEqual([`${source.url}: 1 new, 1 updated, 0 left out`]);
    expect(report!.unchanged).toBe(1);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(2);
    const { articles } = await local.stores.articles.list();
    expect(articles.map((article) => article.headline).sort()).toEqual(['Headline a, corrected', 'Headline b', 'Headline c']);
  });

  it('reports a broken feed as failed and still polls the others', async () => {
    serveFixture('/good.xml', 'newsroom-wordpress.xml');
    feeds.server.route('/error.xml', (_request, response) => void response.writeHead(500).end());
    feeds.server.route('/slow.xml', () => undefined);
    feeds.server.route('/page.html', (_request, response) => void response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Home</body></html>'));
    feeds.server.route('/huge.xml', (_request, response) => void response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }).end());
    const url = (path: string) => feeds.server.url(path);

    const reports = await pollFeeds(
      ['/error.xml', '/slow.xml', '/good.xml', '/page.html', '/huge.xml'].map((path) => ({ url: url(path), category: 'News' })),
      deps(),
    );

    expect(reports.map((report) => formatFeedReport(report)[0])).toEqual([
      `${url('/error.xml')}: failed: HTTP 500 Internal Server Error`,
      `${url('/slow.xml')}: failed: no complete answer within 0.5 s`,
      `${url('/good.xml')}: 2 new, 0 updated, 0 left out`,
      `${url('/page.html')}: failed: not an RSS 2.0, Atom 1.0 or JSON Feed document (root element <html>)`,
      `${url('/huge.xml')}: failed: the feed is larger than 5 MB (Content-Length 10485760)`,
    ]);
    expect(reports.map((report) => report.error?.expected)).toEqual([true, true, undefined, true, true]);
    expect((await local.stores.articles.list()).articles).toHaveLength(2);
    expect(await deps().feedState.get(url('/error.xml'))).toBeUndefined();
  });

  it('keeps the last good state when a poll fails, so the next one is still conditional', async () => {
    serveFixture('/feed.xml', 'nyt-world.xml');
    const source = { url: feeds.server.url('/feed.xml'), category: 'World' };
    await pollFeeds([source], deps());
    feeds.server.route('/feed.xml', (_request, response) => void response.writeHead(503).end());

    await pollFeeds([source], deps({ now: () => new Date('2026-11-24T07:15:00Z') }));

    expect(await deps().feedState.get(source.url)).toMatchObject({ etag: '"1"', polledAt: '2026-11-24T07:00:00.000Z' });
  });

  it('saves no state when the records could not be stored, so the next poll fetches the feed in full', async () => {
    serveFixture('/feed.xml', 'nyt-world.xml');
    const source = { url: feeds.server.url('/feed.xml'), category: 'World' };
    const failing: ArticleWriter = {
      getMany: (ids) => local.stores.articles.getMany(ids),
      put: async () => {
        throw Object.assign(new Error('Throughput exceeds the current capacity of your table'), { name: 'ProvisionedThroughputExceededException' });
      },
    };

    const [failed] = await pollFeeds([source], deps({ articles: failing }));
    const [retried] = await pollFeeds([source], deps());

    expect(failed).toMatchObject({ outcome: 'failed', error: { message: 'Throughput exceeds the current capacity of your table', expected: false } });
    expect(feeds.server.requests[1]!.headers['if-none-match']).toBeUndefined();
    expect(formatFeedReport(retried!)).toEqual([`${source.url}: 2 new, 0 updated, 0 left out`, expect.stringMatching(/^note: .* item 2 .*: image: left out/)]);
  });

  it('writes nothing when a server ignores conditional GET and sends the same feed again', async () => {
    feeds.server.route('/feed.xml', (_request, response) => void response.writeHead(200).end(fixture('newsroom.json')));
    const source = { url: feeds.server.url('/feed.xml'), category: 'Business' };
    await pollFeeds([source], deps());
    const { writer, writes } = countingWriter();

    const [report] = await pollFeeds([source], deps({ articles: writer }));

    expect(formatFeedReport(report!)[0]).toBe(`${source.url}: 0 new, 0 updated, 1 left out`);
    expect(report!.unchanged).toBe(2);
    expect(writes).toEqual([]);
  });

  it('reports a repeated item once, as left out', async () => {
    feeds.server.route('/feed.xml', (_request, response) => void response.writeHead(200).end(rss(rssItem('same') + rssItem('same', '', 'Same story again'))));
    const source = { url: feeds.server.url('/feed.xml'), category: 'News' };

    const [report] = await pollFeeds([source], deps());

    expect(formatFeedReport(report!)).toEqual([
      `${source.url}: 1 new, 0 updated, 1 left out`,
      `invalid: ${source.url} item 2 (guid https://news.example.com/same): id: same guid or link as item 1`,
    ]);
  });
});

describe('importFeed', () => {
  it('imports a local file’s items once, with the given category for items without one', async () => {
    const report = await importFeed({ text: fixture('bbc-news.xml'), name: 'bbc-news.xml' }, 'UK', { articles: local.stores.articles });

    expect(formatFeedReport(report).slice(0, 2)).toEqual([
      'bbc-news.xml: 2 new, 0 updated, 1 left out',
      'invalid: bbc-news.xml item 3 (guid http://www.bbc.co.uk/sport/football/69012345#2): url: must be an https:// URL, not http:',
    ]);
    expect((await local.stores.articles.list()).articles.map((article) => article.category)).toEqual(['UK', 'UK']);
  });

  it('imports from a URL without conditional GET, the same ids as polling would give', async () => {
    serveFixture('/feed.json', 'newsroom.json');
    const url = feeds.server.url('/feed.json');
    await pollFeeds([{ url, category: 'Business' }], deps());

    const report = await importFeed({ url }, 'Business', { articles: local.stores.articles });

    expect(formatFeedReport(report)[0]).toBe(`${url}: 0 new, 0 updated, 1 left out`);
    expect(feeds.server.requests[1]!.headers['if-none-match']).toBeUndefined();
  });

  it('leaves out an item that cannot be read at all (100,000 nested elements) and stores the others', async () => {
    const nested = `<content:encoded>${'&lt;span&gt;'.repeat(100_000)}deep</content:encoded>`;

    const report = await importFeed({ text: rss(rssItem('a') + rssItem('b', nested) + rssItem('c')), name: 'deep.xml' }, 'News', { articles: local.stores.articles });

    expect(formatFeedReport(report)).toEqual([
      'deep.xml: 2 new, 0 updated, 1 left out',
      'invalid: deep.xml item 2 (guid https://news.example.com/b): (item): could not be read: Maximum call stack size exceeded',
    ]);
  });

  it('fails with one line when the source is not a feed or cannot be fetched', async () => {
    feeds.server.route('/missing.xml', (_request, response) => void response.writeHead(404).end());

    await expect(importFeed({ text: '<html><body>hi</body></html>', name: 'page.html' }, undefined, { articles: local.stores.articles })).rejects.toThrow(FeedFormatError);
    await expect(importFeed({ url: feeds.server.url('/missing.xml') }, undefined, { articles: local.stores.articles })).rejects.toThrow(
      new FeedFetchError('HTTP 404 Not Found'),
    );
    expect((await local.stores.articles.list()).articles).toEqual([]);
  });
});
