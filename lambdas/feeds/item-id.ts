import { createHash } from 'node:crypto';

// Permalinks, tag: and urn: ids are unique across feeds by their specs; a bare "12345" is unique only in its feed.
const absoluteUri = /^[a-z][a-z0-9+.-]*:\S+$/i;

/**
 * The readable tail of an identifier: the last segment of a URL's path without its extension (its
 * query, "?p=123", when the path has none), else the last part of a tag:/urn: id.
 */
const tail = (key: string): string => {
  const url = URL.canParse(key) && /^https?:$/.test(new URL(key).protocol) ? new URL(key) : undefined;
  const segment = (url ? url.pathname : key).split(/[/:]/).filter(Boolean).pop()?.replace(/\.[a-z0-9]{2,5}$/i, '');
  return segment || url?.search || '';
};

const slugify = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');

/**
 * The record id of a feed item, the same on every poll: a readable slug from the end of the item's
 * key plus the first 10 hex digits of the key's SHA-256, which keep two items with the same slug
 * apart. The key is the guid/id when it is an absolute URI (a permalink, tag: or urn:), else the
 * item's link (a bare guid such as "12345" is unique only within its own feed), else the guid.
 */
export const itemId = (guid: string | undefined, link: string | undefined): string | undefined => {
  const key = guid && absoluteUri.test(guid) ? guid : (link ?? guid);
  if (!key) return undefined;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  const readable = slugify(tail(key));
  return readable ? `${readable}-${hash}` : hash;
};
