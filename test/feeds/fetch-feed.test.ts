import { describe, expect, it } from 'vitest';
import { defaultFetchSettings, FeedFetchError, type FetchSettings, fetchFeed } from '../../lambdas/feeds/fetch-feed.ts';
import { conditionalFeed, useFeedServer } from './feed-server.ts';
import { rss, rssItem } from './fixtures.ts';

const local = useFeedServer();
const feed = rss(rssItem('one'));
const validators = { etag: '"v1"', lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT' };
const quick: FetchSettings = { ...defaultFetchSettings, timeoutMs: 300 };

const failure = async (promise: Promise<unknown>): Promise<FeedFetchError> => {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(FeedFetchError);
  return error as FeedFetchError;
};

describe('conditional GET', () => {
  it('fetches the feed with a User-Agent naming Briefing and keeps its ETag and Last-Modified', async () => {
    local.server.route('/feed.xml', conditionalFeed(() => feed, validators));

    const fetched = await fetchFeed(local.server.url('/feed.xml'), undefined);

    expect(fetched).toEqual({ status: 'fetched', text: feed, url: local.server.url('/feed.xml'), validators });
    expect(local.server.requests[0]!.headers['user-agent']).toMatch(/^Briefing\//);
    expect(local.server.requests[0]!.headers['if-none-match']).toBeUndefined();
  });

  it('sends If-None-Match and If-Modified-Since from the last poll, and reads a 304 as not modified', async () => {
    local.server.route('/feed.xml', conditionalFeed(() => feed, validators));

    const fetched = await fetchFeed(local.server.url('/feed.xml'), validators);

    expect(fetched).toEqual({ status: 'not-modified', validators });
    expect(local.server.requests[0]!.headers).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': 'Tue, 24 Nov 2026 06:00:00 GMT' });
  });

  it('keeps the new ETag a 304 carries', async () => {
    local.server.route('/feed.xml', (_request, response) => void response.writeHead(304, { etag: '"v2"' }).end());

    expect(await fetchFeed(local.server.url('/feed.xml'), validators)).toEqual({ status: 'not-modified', validators: { ...validators, etag: '"v2"' } });
  });
});

describe('redirects', () => {
  const chain = (hops: number) => {
    for (let hop = 0; hop < hops; hop += 1) {
      local.server.route(`/hop${hop}`, (_request, response) => void response.writeHead(hop % 2 ? 301 : 302, { location: hop + 1 === hops ? '/feed.xml' : `/hop${hop + 1}` }).end());
    }
    local.server.route('/feed.xml', conditionalFeed(() => feed, validators));
  };

  it('follows up to 5, relative ones included, and reports the final address', async () => {
    chain(5);

    const fetched = await fetchFeed(local.server.url('/hop0'), undefined);

    expect(fetched).toMatchObject({ status: 'fetched', text: feed, url: local.server.url('/feed.xml') });
    expect(local.server.requests.map((request) => request.path)).toEqual(['/hop0', '/hop1', '/hop2', '/hop3', '/hop4', '/feed.xml']);
  });

  it('refuses a sixth, without requesting it', async () => {
    chain(6);

    const error = await failure(fetchFeed(local.server.url('/hop0'), undefined));

    expect(error.message).toBe(`more than 5 redirects (the last to ${local.server.url('/feed.xml')})`);
    expect(local.server.requests).toHaveLength(6);
  });

  it('refuses a redirect loop the same way', async () => {
    local.server.route('/loop', (_request, response) => void response.writeHead(307, { location: '/loop' }).end());

    expect((await failure(fetchFeed(local.server.url('/loop'), undefined))).message).toMatch(/^more than 5 redirects/);
  });

  it('refuses a redirect to anything but http(s), and one without a Location', async () => {
    local.server.route('/ftp', (_request, response) => void response.writeHead(302, { location: 'file:///etc/passwd' }).end());
    local.server.route('/nowhere', (_request, response) => void response.writeHead(302).end());

    expect((await failure(fetchFeed(local.server.url('/ftp'), undefined))).message).toBe('redirected to file:///etc/passwd: only http(s) is followed');
    expect((await failure(fetchFeed(local.server.url('/nowhere'), undefined))).message).toBe('HTTP 302 redirect without a Location');
  });
});

describe('failures', () => {
  it('reports an HTTP error status', async () => {
    local.server.route('/feed.xml', (_request, response) => void response.writeHead(500).end('oops'));

    expect((await failure(fetchFeed(local.server.url('/feed.xml'), undefined))).message).toBe('HTTP 500 Internal Server Error');
  });

  it('gives up when no answer comes within the time limit', async () => {
    local.server.route('/silent', () => undefined);

    const started = Date.now();
    const error = await failure(fetchFeed(local.server.url('/silent'), undefined, quick));

    expect(error.message).toBe('no complete answer within 0.3 s');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up when the body stops arriving within the time limit', async () => {
    local.server.route('/stalls', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.write(feed.slice(0, 100));
    });

    expect((await failure(fetchFeed(local.server.url('/stalls'), undefined, quick))).message).toBe('no complete answer within 0.3 s');
  });

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    local.server.route('/big', (_request, response) => {
      response.writeHead(200, { 'content-length': String(6 * 1024 * 1024) });
      response.write('x'.repeat(1024));
    });

    const error = await failure(fetchFeed(local.server.url('/big'), undefined));

    expect(error.message).toBe(`the feed is larger than 5 MB (Content-Length ${6 * 1024 * 1024})`);
  });

  it('stops reading a streamed body once it passes the limit', async () => {
    let written = 0;
    let closedEarly = false;
    local.server.route('/endless', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.on('close', () => (closedEarly = !response.writableEnded));
      const chunk = 'x'.repeat(64 * 1024);
      const write = () => {
        // 64 KB at a time up to 50 MB: the client must stop long before.
        while (written < 50 * 1024 * 1024 && response.write(chunk)) written += chunk.length;
        if (written < 50 * 1024 * 1024) response.once('drain', write);
        else response.end();
      };
      write();
    });

    const error = await failure(fetchFeed(local.server.url('/endless'), undefined, { ...defaultFetchSettings, maxBytes: 1024 * 1024 }));
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(error.message).toBe('the feed is larger than 1 MB; stopped reading');
    expect(closedEarly).toBe(true);
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  it('refuses a source that is not an http(s) URL before fetching anything', async () => {
    expect((await failure(fetchFeed('file:///etc/passwd', undefined))).message).toBe('file:///etc/passwd is not an http:// or https:// URL');
    expect((await failure(fetchFeed('feeds/world.xml', undefined))).message).toBe('feeds/world.xml is not an http:// or https:// URL');
  });

  it('says when the server cannot be reached', async () => {
    const address = local.server.url('/feed.xml');
    await local.server.close();

    expect((await failure(fetchFeed(address, undefined))).message).toBe('could not be reached: ECONNREFUSED');
  });
});

describe('character sets', () => {
  const latin1 = Buffer.from(rss(rssItem('caf\u00e9', '', 'Caf\u00e9 cr\u00e8me')), 'latin1');

  it('decodes the charset the Content-Type names', async () => {
    local.server.route('/feed.xml', (_request, response) => void response.writeHead(200, { 'content-type': 'application/rss+xml; charset=ISO-8859-1' }).end(latin1));

    const fetched = await fetchFeed(local.server.url('/feed.xml'), undefined);

    expect(fetched.status === 'fetched' && fetched.text).toContain('Caf\u00e9 cr\u00e8me');
  });

  it('else the encoding the XML declaration names', async () => {
    const declared = Buffer.from(rss(rssItem('cafe', '', 'Caf\u00e9')).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    local.server.route('/feed.xml', (_request, response) => void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(declared));

    const fetched = await fetchFeed(local.server.url('/feed.xml'), undefined);

    expect(fetched.status === 'fetched' && fetched.text).toContain('<title>Caf\u00e9</title>');
  });
});
