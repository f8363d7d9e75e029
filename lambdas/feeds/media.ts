import type { ImageCandidate, Markup } from './feed-item.ts';
import { resolveUrl } from './feed-item.ts';
import { attribute, children, child, type NamespacedNames, namespaces, textOf, type XmlElement } from './xml.ts';

const imageExtension = /\.(?:jpe?g|png|gif|webp|avif)$/i;

// Media RSS marks images with medium="image" or an image/* type; news feeds often give neither, so an
// element is an image unless it says it is something else or its address plainly is not one.
const isImage = (element: XmlElement, url: string): boolean => {
  const medium = attribute(element, 'medium')?.toLowerCase();
  const type = attribute(element, 'type')?.toLowerCase();
  if (medium) return medium === 'image';
  if (type) return type.startsWith('image/');
  const path = URL.canParse(url) ? new URL(url).pathname : url;
  return imageExtension.test(path) || !/\.[a-z0-9]{2,5}$/i.test(path);
};

// A pixel count as Media RSS writes it; the record's schema judges whether the size is usable.
const pixels = (element: XmlElement, name: 'width' | 'height'): number | undefined => {
  const value = Number.parseInt(attribute(element, name) ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

/**
 * Images from Media RSS (`media:content`, also inside `media:group`, and `media:thumbnail`) of an RSS
 * item or Atom entry. Alt text and credit come from the image's own `media:description` /
 * `media:title` / `media:credit`, else from the item's (Media RSS lets item-level elements describe
 * all of its media).
 */
export const mediaImages = (item: XmlElement, names: NamespacedNames, base: string | undefined): ImageCandidate[] => {
  const media = (local: string) => names(namespaces.media, local);
  const description = (element: XmlElement | undefined): Markup | undefined => {
    const node = child(element, ...media('description')) ?? child(element, ...media('title'));
    const value = textOf(node);
    return value ? { type: attribute(node, 'type') === 'html' ? 'html' : 'text', value } : undefined;
  };
  const credit = (element: XmlElement | undefined) => textOf(child(element, ...media('credit')));
  const groups = children(item, ...media('group'));
  const candidate = (source: ImageCandidate['source'], element: XmlElement, scope: XmlElement): ImageCandidate | undefined => {
    const url = resolveUrl(attribute(element, 'url'), base);
    if (!url || (source === 'media:content' && !isImage(element, url))) return undefined;
    return {
      source,
      url,
      width: pixels(element, 'width'),
      height: pixels(element, 'height'),
      alt: description(element) ?? description(scope) ?? description(item),
      credit: credit(element) ?? credit(scope) ?? credit(item),
    };
  };
  const found = (source: ImageCandidate['source'], local: string) =>
    [item, ...groups].flatMap((scope) => children(scope, ...media(local)).map((element) => candidate(source, element, scope)));
  return [...found('media:content', 'content'), ...found('media:thumbnail', 'thumbnail')].filter((image) => image !== undefined);
};

/** An RSS `enclosure` or Atom `link rel="enclosure"` that is an image. */
export const enclosureImage = (url: string | undefined, type: string | undefined, base: string | undefined): ImageCandidate | undefined => {
  const resolved = resolveUrl(url, base);
  return resolved && type?.toLowerCase().startsWith('image/') ? { source: 'enclosure', url: resolved } : undefined;
};
