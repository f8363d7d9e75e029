import { type FeedItem, type Markup, type ParsedFeed, resolveUrl } from './feed-item.ts';
import { enclosureImage, mediaImages } from './media.ts';
import { attribute, child, children, namespacedNames, type NamespacedNames, textOf, type XmlElement } from './xml.ts';

/** Atom text constructs: type="text" (the default), "html" (escaped markup) or "xhtml" (markup inside a div). */
const textConstruct = (element: XmlElement | undefined): Markup | undefined => {
  const value = textOf(element);
  if (!value || attribute(element, 'src')) return undefined;
  // Atom content may also name a media type: text/html and XHTML read as HTML, other text/* as text, the rest not at all.
  const type = attribute(element, 'type')?.toLowerCase() ?? 'text';
  if (type.includes('html')) return { type: 'html', value };
  return type === 'text' || type.startsWith('text/') ? { type: 'text', value } : undefined;
};

/** xml:base on an element, resolved against its parent's base (RFC 3986 resolution, as Atom requires). */
const baseOf = (element: XmlElement | undefined, parentBase: string | undefined): string | undefined =>
  resolveUrl(attribute(element, 'xml:base'), parentBase) ?? parentBase;

const names = (people: readonly XmlElement[]): string[] => people.map((person) => textOf(child(person, 'name'))).filter((name) => name !== undefined);

const entry = (element: XmlElement, feedAuthors: readonly string[], ns: NamespacedNames, feedBase: string | undefined): FeedItem => {
  const base = baseOf(element, feedBase);
  const links = children(element, 'link');
  const rel = (link: XmlElement) => attribute(link, 'rel') ?? 'alternate';
  const alternates = links.filter((link) => rel(link) === 'alternate');
  const alternate = alternates.find((link) => attribute(link, 'type')?.toLowerCase().includes('html')) ?? alternates[0];
  const authors = names(children(element, 'author'));
  const enclosures = links
    .filter((link) => rel(link) === 'enclosure')
    .map((link) => enclosureImage(attribute(link, 'href'), attribute(link, 'type'), baseOf(link, base)));
  return {
    guid: textOf(child(element, 'id')),
    link: resolveUrl(attribute(alternate, 'href'), baseOf(alternate, base)),
    title: textConstruct(child(element, 'title')),
    summary: textConstruct(child(element, 'summary')),
    content: textConstruct(child(element, 'content')),
    // An entry without an author has the feed's (RFC 4287 §4.2.1).
    authors: authors.length > 0 ? authors : feedAuthors,
    categories: children(element, 'category').map((category) => attribute(category, 'term')).filter((term) => term !== undefined),
    published: textOf(child(element, 'published')),
    updated: textOf(child(element, 'updated')),
    images: [...mediaImages(element, ns, base), ...enclosures.filter((image) => image !== undefined)],
  };
};

/** An Atom 1.0 document (root `feed` in the Atom namespace); `base` is the address it was fetched from. */
export const readAtom = (root: XmlElement, base: string | undefined): ParsedFeed => {
  const feedBase = baseOf(root, base);
  const ns = namespacedNames(root);
  const feedAuthors = names(children(root, 'author'));
  return {
    format: 'Atom 1.0',
    title: textOf(child(root, 'title')),
    items: children(root, 'entry').map((element) => entry(element, feedAuthors, ns, feedBase)),
  };
};
