import { type X2jOptions, XMLParser } from 'fast-xml-parser';
import { FeedFormatError } from './feed-item.ts';

/**
 * One parsed element: attributes under `@_name` (strings), its own text under `#text`, and its
 * child elements under their tag names, always as lists.
 */
export interface XmlElement {
  readonly [key: string]: string | readonly XmlElement[] | undefined;
}

const predefined: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const reference = /&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;

// XML 1.0's Char production: a reference to anything else is left as written.
const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);

/** The five predefined entities and numeric character references; nothing else is ever expanded. */
export const decodeXmlReferences = (text: string): string =>
  text.includes('&')
    ? text.replace(reference, (written, decimal?: string, hex?: string, name?: string) => {
        if (name) return predefined[name]!;
        const code = decimal ? Number.parseInt(decimal, 10) : Number.parseInt(hex!, 16);
        return isXmlChar(code) ? String.fromCodePoint(code) : written;
      })
    : text;

// fast-xml-parser hands DOCTYPE entity declarations to its decoder; this decoder drops them, so an
// internal entity (the "billion laughs" kind) is never expanded and `&name;` stays literal text.
// External entities (SYSTEM, XXE) make the parser refuse the document before anything is read.
const entityDecoder: NonNullable<X2jOptions['entityDecoder']> = {
  setExternalEntities: () => undefined,
  addInputEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: decodeXmlReferences,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Strings stay strings: a guid of "0123" or a title of "2026" is not a number.
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  entityDecoder,
  // Atom's type="xhtml" text is markup inside the element: kept as written, for the HTML reader.
  stopNodes: ['..title[type=xhtml]', '..summary[type=xhtml]', '..content[type=xhtml]'],
});

/** The document's root element and its tag name. */
export const parseXml = (text: string): { readonly name: string; readonly root: XmlElement } => {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new FeedFormatError(`not well-formed XML: ${(error as Error).message}`, { cause: error });
  }
  return rootOf(document);
};

// The root is the first element: not the declaration (?xml) or a processing instruction. The parser reads
// an HTML page's lower-case <!doctype html> as an element around the page: the root is inside it.
const rootOf = (parent: Readonly<Record<string, unknown>>): { readonly name: string; readonly root: XmlElement } => {
  const name = Object.keys(parent).find((key) => !key.startsWith('?') && !key.startsWith('#') && !key.startsWith('@_'));
  const root = name ? (parent[name] as XmlElement[])[0] : undefined;
  if (!name || !root) throw new FeedFormatError('not an XML document: no root element');
  return name.toLowerCase() === '!doctype' ? rootOf(root) : { name, root };
};

/** The child elements with any of these tag names, in document order per name. */
export const children = (element: XmlElement | undefined, ...names: readonly string[]): readonly XmlElement[] =>
  element ? names.flatMap((name) => (Array.isArray(element[name]) ? (element[name] as readonly XmlElement[]) : [])) : [];

export const child = (element: XmlElement | undefined, ...names: readonly string[]): XmlElement | undefined => children(element, ...names)[0];

export const attribute = (element: XmlElement | undefined, name: string): string | undefined => {
  const value = element?.[`@_${name}`];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/** The element's own text (CDATA included), or undefined when it has none. */
export const textOf = (element: XmlElement | undefined): string | undefined => {
  const value = element?.['#text'];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

/**
 * Tag names for an element of a namespace: the prefixes the document declares for that namespace
 * URI (on the root or the channel), and the conventional prefix for feeds that use it undeclared.
 */
export const namespacedNames = (...scopes: readonly (XmlElement | undefined)[]) => {
  const prefixes = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const [key, value] of Object.entries(scope ?? {})) {
      if (!key.startsWith('@_xmlns:') || typeof value !== 'string') continue;
      const uri = value.trim().replace(/\/$/, '');
      prefixes.set(uri, (prefixes.get(uri) ?? new Set()).add(key.slice('@_xmlns:'.length)));
    }
  }
  return (namespace: { readonly uri: string; readonly prefix: string }, local: string): string[] => [
    ...new Set([...(prefixes.get(namespace.uri.replace(/\/$/, '')) ?? []), namespace.prefix]),
  ].map((prefix) => `${prefix}:${local}`);
};

export type NamespacedNames = ReturnType<typeof namespacedNames>;

export const namespaces = {
  content: { uri: 'http://purl.org/rss/1.0/modules/content/', prefix: 'content' },
  dc: { uri: 'http://purl.org/dc/elements/1.1/', prefix: 'dc' },
  media: { uri: 'http://search.yahoo.com/mrss/', prefix: 'media' },
} as const;
