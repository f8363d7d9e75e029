import { readFileSync } from 'node:fs';
import { parseFeed } from '../../lambdas/feeds/parse-feed.ts';

/** A fixture's text (test/feeds/fixtures). */
export const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

/** The fixtures, each with the address its publisher serves it from (the base for relative links). */
export const fixtures = {
  bbc: { file: 'bbc-news.xml', url: 'https://feeds.bbci.co.uk/news/rss.xml' },
  guardian: { file: 'guardian-world.xml', url: 'https://www.theguardian.com/world/rss' },
  nyt: { file: 'nyt-world.xml', url: 'https://rss.nytimes.com/services/xml/rss/nyt/World.xml' },
  wordpress: { file: 'newsroom-wordpress.xml', url: 'https://news.example.com/feed/' },
  atom: { file: 'newsroom-atom.xml', url: 'https://www.example.org/feeds/science.atom' },
  json: { file: 'newsroom.json', url: 'https://ledger.example.com/business/feed.json' },
} as const;

export const parsedFixture = (name: keyof typeof fixtures) => parseFeed(fixture(fixtures[name].file), fixtures[name].url);

/** A small RSS 2.0 document around the given <item> elements (and namespace declarations). */
export const rss = (items: string, namespaces = 'xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ${namespaces}><channel><title>Test feed</title><link>https://news.example.com/</link><description>Test</description>${items}</channel></rss>`;

/** One RSS item with the fields a valid record needs; `extra` adds or overrides elements. */
export const rssItem = (slug: string, extra = '', title = `Headline ${slug}`) =>
  `<item><title>${title}</title><link>https://news.example.com/${slug}</link><guid>https://news.example.com/${slug}</guid><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate><description>Summary of ${slug}. It has two sentences.</description>${extra}</item>`;
