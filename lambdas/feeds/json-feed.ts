import { FeedFormatError, type FeedItem, type Markup, type ParsedFeed, resolveUrl } from './feed-item.ts';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const string = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const markup = (type: Markup['type'], value: unknown): Markup | undefined => {
  const text = string(value);
  return text ? { type, value: text } : undefined;
};

// Version 1.1 has `authors`; 1.0 had a single `author`, still common.
const authorNames = (object: Json): string[] => {
  const people = Array.isArray(object.authors) ? object.authors : isObject(object.author) ? [object.author] : [];
  return people.map((person) => (isObject(person) ? string(person.name) : undefined)).filter((name) => name !== undefined);
};

const item = (value: unknown, feedAuthors: readonly string[], base: string | undefined): FeedItem => {
  const object = isObject(value) ? value : {};
  const authors = authorNames(object);
  const image = resolveUrl(string(object.image), base);
  return {
    // The spec allows a number for id; it is the same id written differently.
    guid: typeof object.id === 'number' ? String(object.id) : string(object.id),
    link: resolveUrl(string(object.url), base),
    // JSON Feed titles are meant to be plain text, yet publishers escape entities in them: read as HTML.
    title: markup('html', object.title),
    summary: markup('text', object.summary),
    content: markup('html', object.content_html) ?? markup('text', object.content_text),
    authors: authors.length > 0 ? authors : feedAuthors,
    categories: Array.isArray(object.tags) ? object.tags.map(string).filter((tag) => tag !== undefined) : [],
    published: string(object.date_published),
    updated: string(object.date_modified),
    images: image ? [{ source: 'image', url: image }] : [],
  };
};

/** A JSON Feed (version 1 or 1.1) document; `base` is the address it was fetched from. */
export const readJsonFeed = (text: string, base: string | undefined): ParsedFeed => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FeedFormatError(`not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(document) || !string(document.version)?.startsWith('https://jsonfeed.org/version/1')) {
    throw new FeedFormatError('not a JSON Feed: no "version": "https://jsonfeed.org/version/1.1"');
  }
  if (!Array.isArray(document.items)) throw new FeedFormatError('not a JSON Feed: "items" is not a list');
  const feedAuthors = authorNames(document);
  return { format: 'JSON Feed 1.1', title: string(document.title), items: document.items.map((entry) => item(entry, feedAuthors, base)) };
};
