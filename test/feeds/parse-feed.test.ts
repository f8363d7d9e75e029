import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { FeedFormatError } from '../../lambdas/feeds/feed-item.ts';
import { parseFeed } from '../../lambdas/feeds/parse-feed.ts';
import { parsedFixture, rss, rssItem } from './fixtures.ts';

describe('RSS 2.0', () => {
  it('reads guid, link, title, description, content:encoded, dc:creator, categories, pubDate, media and enclosures', () => {
    const feed = parsedFixture('wordpress');

    expect(feed.format).toBe('RSS 2.0');
    expect(feed.items).toHaveLength(2);
    const [bridge, library] = feed.items;
    expect(bridge).toMatchObject({
      guid: 'https://news.example.com/?p=48213',
      link: 'https://news.example.com/2026/11/24/old-town-bridge-closure/',
      title: { type: 'html', value: 'Old Town Bridge to close for six months from January' },
      authors: ['Priya Natarajan'],
      categories: ['Transport', 'Old Town'],
      published: 'Tue, 24 Nov 2026 06:30:00 +0000',
    });
    expect(bridge!.summary?.value).toContain('<p>The council has confirmed');
    expect(bridge!.content?.value).toContain('<h2>What do you need to know?</h2>');
    expect(bridge!.images).toEqual([
      { source: 'media:content', url: 'https://news.example.com/wp-content/uploads/2026/11/bridge.jpg', width: 2048, height: 1365, alt: { type: 'text', value: 'The Old Town Bridge at dusk, seen from the river path' } },
    ]);
    expect(library!.images).toEqual([{ source: 'enclosure', url: 'https://news.example.com/wp-content/uploads/2026/11/library.jpg' }]);
  });

  it('finds Media RSS and Dublin Core elements by namespace URI, whatever prefix the feed declares', () => {
    const feed = parseFeed(
      rss(
        rssItem('prefixed', '<m:content url="https://img.example.com/a.jpg" medium="image" width="800"><m:description>A lighthouse in fog</m:description><m:credit>Photo: A. Keeper</m:credit></m:content><creators:creator>Sam Field</creators:creator>'),
        'xmlns:m="http://search.yahoo.com/mrss" xmlns:creators="http://purl.org/dc/elements/1.1/"',
      ),
    );

    expect(feed.items[0]).toMatchObject({
      authors: ['Sam Field'],
      images: [{ source: 'media:content', url: 'https://img.example.com/a.jpg', width: 800, alt: { value: 'A lighthouse in fog' }, credit: 'Photo: A. Keeper' }],
    });
  });

  it('takes media:thumbnail (BBC) and item-level media:credit / media:description (NYT) for the item’s images', () => {
    const [storm] = parsedFixture('bbc').items;
    const [summit] = parsedFixture('nyt').items;

    expect(storm!.images).toEqual([{ source: 'media:thumbnail', url: 'https://ichef.bbci.co.uk/ace/standard/240/cpsprodpb/8f1c/live/storm-bert-flooding.jpg', width: 240, height: 135 }]);
    expect(summit!.images[0]).toMatchObject({
      source: 'media:content',
      width: 1800,
      height: 1800,
      credit: 'Olivier Hoslet/EPA, via Shutterstock',
      alt: { value: 'President Emmanuel Macron of France, center, arriving for the summit in Brussels on Monday.' },
    });
  });

  it('leaves out media:content that is not an image and decodes references in attributes', () => {
    const feed = parseFeed(
      rss(
        rssItem(
          'media',
          '<media:content url="https://cdn.example.com/clip.mp4" medium="video"/><media:content url="https://cdn.example.com/a.mp3" type="audio/mpeg"/><media:content url="https://img.example.com/crop?w=460&amp;h=276&amp;fit=crop" width="460"/>',
        ),
      ),
    );

    expect(feed.items[0]!.images.map((image) => image.url)).toEqual(['https://img.example.com/crop?w=460&h=276&fit=crop']);
  });

  it('uses a permalink guid as the link when the item has none, and resolves relative links against the feed address', () => {
    const feed = parseFeed(
      rss('<item><title>A</title><guid>https://news.example.com/a</guid></item><item><title>B</title><link>/b</link><guid isPermaLink="false">b-1</guid></item>'),
      'https://news.example.com/feed/',
    );

    expect(feed.items.map((item) => item.link)).toEqual(['https://news.example.com/a', 'https://news.example.com/b']);
  });

  it('takes the name from an RSS <author> address and ignores a bare address', () => {
    const feed = parseFeed(rss(rssItem('a', '<author>desk@example.com (Maria Lopez)</author>') + rssItem('b', '<author>desk@example.com</author>')));

    expect(feed.items.map((item) => item.authors)).toEqual([['Maria Lopez'], []]);
  });
});

describe('Atom 1.0', () => {
  it('resolves xml:base on the feed and the entry for rel="alternate" links, enclosures and media', () => {
    const [comet, reef] = parsedFixture('atom').items;

    expect(comet!.link).toBe('https://www.example.org/news/2026/11/24/comet-brightens.html');
    expect(reef!.link).toBe('https://www.example.org/news/2026/11/23/reef-recovery');
    expect(comet!.images.map((image) => [image.source, image.url])).toEqual([
      ['media:content', 'https://www.example.org/media/comet.jpg'],
      ['enclosure', 'https://www.example.org/media/comet-wide.jpg'],
    ]);
  });

  it('reads id, published, updated, category terms and text constructs by their type', () => {
    const [comet, reef] = parsedFixture('atom').items;

    expect(comet).toMatchObject({
      guid: 'tag:www.example.org,2026:/news/science/comet-brightens',
      published: '2026-11-24T06:00:00+01:00',
      updated: '2026-11-24T06:40:00+01:00',
      categories: ['Space', 'Astronomy'],
      authors: ['Dr Amara Okafor'],
      title: { type: 'html', value: 'Comet <em>Tsuchinshan</em> brightens &amp; may be visible to the naked eye' },
    });
    // type="xhtml" keeps the markup as written, for the HTML reader.
    expect(comet!.content).toMatchObject({ type: 'html' });
    expect(comet!.content!.value).toContain('<h2>Where should you look?</h2>');
    expect(reef).toMatchObject({ title: { type: 'text', value: 'Why 3 < 5 matters for reef recovery' }, published: undefined, updated: '2026-11-23T18:00:00Z' });
  });

  it('gives an entry without an author the feed’s author', () => {
    expect(parsedFixture('atom').items[1]!.authors).toEqual(['Example Times Science Desk']);
  });

  it('prefers the text/html alternate link and resolves xml:base on the link itself', () => {
    const feed = parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example.com/"><entry><id>x</id>
        <link rel="alternate" type="application/pdf" href="x.pdf"/><link rel="alternate" type="text/html" xml:base="https://b.example.com/news/" href="x"/><link rel="self" href="self"/>
      </entry></feed>`,
    );

    expect(feed.items[0]!.link).toBe('https://b.example.com/news/x');
  });
});

describe('JSON Feed 1.1', () => {
  it('reads id, url, title, summary, content_html / content_text, image, dates, authors and tags', () => {
    const feed = parsedFixture('json');

    expect(feed.format).toBe('JSON Feed 1.1');
    expect(feed.items[0]).toMatchObject({
      guid: 'https://ledger.example.com/business/2026/11/24/interest-rates-hold',
      summary: { type: 'text', value: 'The central bank kept rates unchanged for a third month. Markets expect a cut in the spring.' },
      content: { type: 'html' },
      authors: ['Hannah Cole', 'Ravi Shah'],
      categories: ['Economy', 'Interest rates'],
      published: '2026-11-24T07:00:00+00:00',
      updated: '2026-11-24T07:05:00+00:00',
      images: [{ source: 'image', url: 'https://ledger.example.com/images/rates-board.jpg' }],
    });
    expect(feed.items[1]).toMatchObject({ guid: '90211', content: { type: 'text' }, authors: ['Ledger Business Desk'] });
  });

  it('reads a version 1.0 feed’s single author', () => {
    const feed = parseFeed(JSON.stringify({ version: 'https://jsonfeed.org/version/1', items: [{ id: 'a', url: 'https://x.example/a', author: { name: 'Old Style' } }] }));

    expect(feed.items[0]!.authors).toEqual(['Old Style']);
  });
});

describe('documents that are not feeds', () => {
  it.each([
    ['an HTML page', '<!doctype html><html><head><title>Home</title></head><body></body></html>', /not an RSS 2.0, Atom 1.0 or JSON Feed document \(root element <html>\)|not well-formed XML/],
    ['RSS 1.0 (RDF)', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><channel/></rdf:RDF>', /root element <rdf:RDF>/],
    ['a feed element outside the Atom namespace', '<feed><entry/></feed>', /root element <feed>/],
    ['JSON that is not a feed', '{"hello": "world"}', /not a JSON Feed/],
    ['broken JSON', '{"version": ', /not valid JSON/],
  ])('refuses %s with a FeedFormatError', (_name, text, message) => {
    expect(() => parseFeed(text)).toThrow(FeedFormatError);
    expect(() => parseFeed(text)).toThrow(message);
  });
});

describe('entities', () => {
  it('decodes the five XML entities and numeric references, and nothing else', () => {
    const feed = parseFeed(rss(rssItem('e', '', 'Tom &amp; Jerry&#8217;s &#x2018;day&#x2019; &lt;out&gt; &nbsp;&copy;')));

    expect(feed.items[0]!.title!.value).toBe('Tom & Jerry’s ‘day’ <out> &nbsp;&copy;');
  });

  it('never expands an entity bomb: the document is read in well under a second and the references stay as written', () => {
    const levels = Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n${rss(rssItem('bomb', '', 'Laughs &lol9;'))}`.replace(/<\?xml version="1.0" encoding="UTF-8"\?>\n/, '');

    const start = performance.now();
    const feed = parseFeed(bomb);
    const elapsed = performance.now() - start;

    expect(elapsed).toBeLessThan(1000);
    expect(feed.items[0]!.title!.value).toBe('Laughs &lol9;');
    expect(JSON.stringify(feed)).not.toContain('lollol');
  });

  it('never expands a quadratic blowup (one long entity referenced many times)', () => {
    const references = '&big;'.repeat(10_000);
    const document = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "${'x'.repeat(9_000)}">]>${rss(rssItem('q', '', references))}`.replace(/<\?xml version="1.0" encoding="UTF-8"\?>\n/, '');

    const start = performance.now();
    const feed = parseFeed(document);

    expect(performance.now() - start).toBeLessThan(1000);
    expect(feed.items[0]!.title!.value).toBe(references);
  });

  it('never expands a simple internal entity either', () => {
    const feed = parseFeed(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY brand "Injected">]>${rss(rssItem('x', '', 'Hello &brand;'))}`.replace(/<\?xml version="1.0" encoding="UTF-8"\?>\n/, ''));

    expect(feed.items[0]!.title!.value).toBe('Hello &brand;');
  });

  it('refuses an external entity (XXE) in well under a second, without reading the file or fetching the address', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'briefing-xxe-'));
    const secret = join(folder, 'secret.txt');
    writeFileSync(secret, 'TOP-SECRET-CONTENT');
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.end('REMOTE-CONTENT');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      for (const target of [`file://${secret}`, `http://127.0.0.1:${port}/entity`]) {
        const document = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "${target}">]>${rss(rssItem('x', '', 'Leak: &xxe;'))}`.replace(/<\?xml version="1.0" encoding="UTF-8"\?>\n/, '');
        const start = performance.now();
        let outcome: string;
        try {
          outcome = JSON.stringify(parseFeed(document));
        } catch (error) {
          outcome = (error as Error).message;
          expect(error).toBeInstanceOf(FeedFormatError);
        }
        expect(performance.now() - start).toBeLessThan(1000);
        expect(outcome).not.toContain('TOP-SECRET-CONTENT');
        expect(outcome).not.toContain('REMOTE-CONTENT');
      }
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });
});
