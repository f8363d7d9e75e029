import { type FeedItem, type Markup, type ParsedFeed, resolveUrl } from './feed-item.ts';
import { enclosureImage, mediaImages } from './media.ts';
import { attribute, child, children, namespacedNames, type NamespacedNames, namespaces, textOf, type XmlElement } from './xml.ts';

const html = (value: string | undefined): Markup | undefined => (value ? { type: 'html', value } : undefined);

// RSS 2.0's <author> is an address, "jo@example.com (Jo Bloggs)": the name is the part in brackets.
const authorName = (value: string): string | undefined => {
  const named = /\(([^()]+)\)\s*$/.exec(value)?.[1]?.trim();
  if (named) return named;
  return /^\S+@\S+$/.test(value) ? undefined : value;
};

const item = (element: XmlElement, names: NamespacedNames, base: string | undefined): FeedItem => {
  const guidElement = child(element, 'guid');
  const guid = textOf(guidElement);
  // A guid that is a permalink (the default) stands in for a missing link.
  const permalink = attribute(guidElement, 'isPermaLink')?.toLowerCase() !== 'false' ? guid : undefined;
  const creators = children(element, ...names(namespaces.dc, 'creator')).map(textOf).filter((name) => name !== undefined);
  const author = textOf(child(element, 'author'));
  const enclosures = children(element, 'enclosure').map((enclosure) => enclosureImage(attribute(enclosure, 'url'), attribute(enclosure, 'type'), base));
  return {
    guid,
    link: resolveUrl(textOf(child(element, 'link')) ?? permalink, base),
    title: html(textOf(child(element, 'title'))),
    summary: html(textOf(child(element, 'description'))),
    content: html(textOf(child(element, ...names(namespaces.content, 'encoded')))),
    authors: creators.length > 0 ? creators : [author && authorName(author)].filter((name) => name !== undefined),
    categories: children(element, 'category').map(textOf).filter((category) => category !== undefined),
    published: textOf(child(element, 'pubDate')) ?? textOf(child(element, ...names(namespaces.dc, 'date'))),
    images: [...mediaImages(element, names, base), ...enclosures.filter((image) => image !== undefined)],
  };
};

/** An RSS 2.0 document (root `rss`, items under `channel`); `base` is the address it was fetched from. */
export const readRss = (root: XmlElement, base: string | undefined): ParsedFeed => {
  const channel = child(root, 'channel');
  const names = namespacedNames(root, channel);
  return {
    format: 'RSS 2.0',
    title: textOf(child(channel, 'title')),
    items: children(channel, 'item').map((element) => item(element, names, base)),
  };
};
