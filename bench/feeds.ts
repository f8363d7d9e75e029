import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type ClientSettings, createDocumentClient } from '../lambdas/aws/clients.ts';
import { createArticleStore } from '../lambdas/aws/dynamodb/articles.ts';
import { createFeedStateStore } from '../lambdas/aws/dynamodb/feed-state.ts';
import { tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { pollFeeds } from '../lambdas/feeds/poll-feeds.ts';
import { ensureTables } from '../local/tables.ts';
import { startBenchProcess } from './child-process.ts';
import { report } from './stats.ts';

const feedCount = 20;
const itemsPerFeed = 50;

/** One item the size and shape of a newsroom's: summary, content with key points, sections and related links, two image widths. */
const item = (feed: number, index: number): string => {
  const slug = `feed-${feed}-story-${index}`;
  const url = `https://news.example.com/2026/11/24/${slug}`;
  const published = new Date(Date.UTC(2026, 10, 24, 6, 0, 0) - (feed * itemsPerFeed + index) * 60_000).toUTCString();
  const content = `<p>Opening paragraph of story ${index}, which sets out what happened and why it matters to readers this morning.</p>
<h2>What do you need to know?</h2><ul><li>First fact of story ${index}</li><li>Second fact, with a number: ${index * 7}</li><li>Third fact and what comes next</li></ul>
<h2>What happened?</h2><p>${'A paragraph of reporting with names, places and quotes. '.repeat(6)}</p><p>${'Another paragraph adding context and background. '.repeat(5)}</p>
<h3>What happens next?</h3><p>${'The outlook, with dates and the people who decide. '.repeat(4)}</p>
<h2>Related</h2><ul><li><a href="https://news.example.com/related/${slug}-1">Earlier: the background</a></li><li><a href="https://news.example.com/related/${slug}-2">Explainer: the key terms</a></li></ul>`;
  return `<item><title>Story ${index} of feed ${feed}: a headline of ordinary length for the front page</title><link>${url}</link><guid>${url}</guid><pubDate>${published}</pubDate>
<description><![CDATA[<p>The standfirst of story ${index}: two sentences that summarise it. The second adds a detail.</p> <a href="${url}">Continue reading...</a>]]></description>
<content:encoded><![CDATA[${content}]]></content:encoded><category>Category ${feed % 5}</category><dc:creator>Reporter ${index % 9}</dc:creator>
<media:content width="140" url="https://img.example.com/${slug}.jpg?width=140"><media:credit>Photograph: Agency</media:credit><media:description>A scene from story ${index}, described for readers who cannot see it</media:description></media:content>
<media:content width="460" url="https://img.example.com/${slug}.jpg?width=460"><media:credit>Photograph: Agency</media:credit><media:description>A scene from story ${index}, described for readers who cannot see it</media:description></media:content></item>`;
};

const feedDocument = (feed: number): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Feed ${feed}</title><link>https://news.example.com/</link><description>Bench feed</description>${Array.from({ length: itemsPerFeed }, (_, index) => item(feed, index)).join('\n')}</channel></rss>`;

/**
 * 20 feeds of 50 items from a local server into DynamoDB (dynalite in its own process), polled twice:
 * the first poll stores every item, the second finds every feed unchanged (304 to the conditional GET).
 */
export const benchFeeds = async (): Promise<void> => {
  console.log(`\n## Feeds (${feedCount} RSS feeds of ${itemsPerFeed} items from a local server into dynalite in a separate process; polled twice)`);
  const bodies = Array.from({ length: feedCount }, (_, feed) => Buffer.from(feedDocument(feed)));
  const server = createServer((request, response) => {
    const feed = Number(/^\/feed-(\d+)\.xml$/.exec(request.url ?? '')?.[1]);
    const etag = `"feed-${feed}-v1"`;
    if (!bodies[feed]) return void response.writeHead(404).end();
    if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
    response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag, 'last-modified': 'Tue, 24 Nov 2026 06:00:00 GMT' }).end(bodies[feed]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const emulators = await startBenchProcess<ClientSettings>('bench/emulator-process.ts');
  const doc = createDocumentClient(emulators.ready);
  try {
    const tables = tableNamesFromEnv({}, 'bench');
    await ensureTables(doc, tables);
    const deps = { articles: createArticleStore(doc, tables.articles), feedState: createFeedStateStore(doc, tables.feeds) };
    const feeds = Array.from({ length: feedCount }, (_, feed) => ({ url: `http://127.0.0.1:${port}/feed-${feed}.xml`, category: 'News' }));

    const poll = async () => {
      const start = performance.now();
      const reports = await pollFeeds(feeds, deps);
      return { reports, ms: performance.now() - start };
    };
    const first = await poll();
    const second = await poll();

    const stored = first.reports.reduce((sum, feed) => sum + feed.added, 0);
    const leftOut = first.reports.reduce((sum, feed) => sum + feed.leftOut.length, 0);
    const notModified = second.reports.filter((feed) => feed.outcome === 'not-modified').length;
    console.log(`first poll: ${stored} new, ${leftOut} left out, ${first.reports.filter((feed) => feed.outcome === 'failed').length} feeds failed (${(bodies.reduce((sum, body) => sum + body.length, 0) / 1024 / 1024).toFixed(1)} MB of feeds)`);
    report('first poll, every item new', first.ms, 'ms', { value: 5000, better: 'lower' });
    report('second poll, unchanged', second.ms, 'ms', { value: 500, better: 'lower' });
    console.log(`${stored === feedCount * itemsPerFeed ? 'ok  ' : 'MISS'} items stored: ${stored} (target ${feedCount * itemsPerFeed})`);
    console.log(`${notModified === feedCount ? 'ok  ' : 'MISS'} feeds answered 304 on the second poll: ${notModified} of ${feedCount}`);
  } finally {
    doc.destroy();
    await emulators.stop();
    server.close();
  }
};
