import { readAtom } from './atom.ts';
import { FeedFormatError, type ParsedFeed } from './feed-item.ts';
import { readJsonFeed } from './json-feed.ts';
import { readRss } from './rss.ts';
import { attribute, parseXml } from './xml.ts';

const atomNamespace = 'http://www.w3.org/2005/Atom';

/**
 * Reads an RSS 2.0, Atom 1.0 or JSON Feed document. `base` is the address the document came from,
 * against which relative links are resolved (none for a local file).
 */
export const parseFeed = (text: string, base?: string): ParsedFeed => {
  const document = text.replace(/^\uFEFF/, '').trimStart();
  if (document.startsWith('{')) return readJsonFeed(document, base);
  const { name, root } = parseXml(document);
  if (name === 'rss') return readRss(root, base);
  if (name === 'feed' && attribute(root, 'xmlns') === atomNamespace) return readAtom(root, base);
  throw new FeedFormatError(`not an RSS 2.0, Atom 1.0 or JSON Feed document (root element <${name}>)`);
};
