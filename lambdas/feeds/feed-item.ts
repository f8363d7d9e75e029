import { BriefingError } from '../errors.ts';

/** Text as a feed carries it: HTML (RSS descriptions, Atom type="html"/"xhtml", JSON Feed content_html) or plain text. */
export interface Markup {
  readonly type: 'html' | 'text';
  readonly value: string;
}

/** Where an image came from: the mapping prefers the first kind that has one, then the widest. */
export type ImageSource = 'media:content' | 'media:thumbnail' | 'enclosure' | 'image';

export interface ImageCandidate {
  readonly source: ImageSource;
  /** Absolute when it could be resolved. */
  readonly url: string;
  /** Pixels, as Media RSS's `width`/`height` attributes give them; the record takes them only as a pair. */
  readonly width?: number;
  readonly height?: number;
  /** media:description, else media:title: of the image itself, else of the item's media. */
  readonly alt?: Markup;
  readonly credit?: string;
}

/** One item or entry, as written in the feed and before any rule is applied: every format parses to this. */
export interface FeedItem {
  /** RSS guid, Atom id, JSON Feed id. */
  readonly guid?: string;
  /** The item's link, resolved against the feed's address (and Atom's xml:base) where it was relative. */
  readonly link?: string;
  readonly title?: Markup;
  /** RSS description, Atom summary, JSON Feed summary. */
  readonly summary?: Markup;
  /** RSS content:encoded, Atom content, JSON Feed content_html / content_text. */
  readonly content?: Markup;
  readonly authors: readonly string[];
  readonly categories: readonly string[];
  /** The publication date as written (pubDate, published, date_published). */
  readonly published?: string;
  /** The last-change date as written (Atom updated, JSON Feed date_modified). */
  readonly updated?: string;
  readonly images: readonly ImageCandidate[];
}

export type FeedFormat = 'RSS 2.0' | 'Atom 1.0' | 'JSON Feed 1.1';

export interface ParsedFeed {
  readonly format: FeedFormat;
  readonly title?: string;
  readonly items: readonly FeedItem[];
}

/** A document that is not a feed this reader knows, or one it cannot read. */
export class FeedFormatError extends BriefingError {
  override name = 'FeedFormatError';
}

/** `href` resolved against `base`; as written when that is not possible (a later rule reports it). */
export const resolveUrl = (href: string | undefined, base: string | undefined): string | undefined => {
  if (!href) return undefined;
  const trimmed = href.trim();
  return (base && URL.canParse(trimmed, base) ? new URL(trimmed, base).href : URL.canParse(trimmed) ? new URL(trimmed).href : trimmed) || undefined;
};
