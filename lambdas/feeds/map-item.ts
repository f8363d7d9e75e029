import { type Article, imageSchema, validateArticle } from '../articles/schema.ts';
import type { FeedItem, ImageCandidate, ImageSource } from './feed-item.ts';
import { collapse, type HtmlOutline, plainText, readOutline } from './feed-html.ts';
import { itemId } from './item-id.ts';

export interface ItemProblem {
  readonly field: string;
  readonly message: string;
}

export type MappedItem =
  | { readonly ok: true; readonly article: Article; /** Optional parts left out of the record, and why. */ readonly notes: readonly ItemProblem[] }
  | { readonly ok: false; readonly problems: readonly ItemProblem[] };

// The record schema's limits (lambdas/articles/schema.ts) for the text that is an excerpt by nature:
// cut at a word boundary with an ellipsis rather than losing the item. Headline, category and author are never cut.
const limits = { standfirst: 600, keyPoint: 400, paragraph: 4000, heading: 200, alt: 300, linkTitle: 200 } as const;
const maxKeyPoints = 7;
const sentenceKeyPoints = 3;
const maxRelated = 20;

/** `text` cut to at most `max` characters, at a word boundary, ending in "…". */
export const clip = (text: string, max: number): string => {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
};

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const sentences = (text: string): string[] => [...segmenter.segment(text)].map((part) => part.segment.trim()).filter(Boolean);

const imagePreference: readonly ImageSource[] = ['media:content', 'media:thumbnail', 'enclosure', 'image'];

// Alt text that says nothing about the picture: a placeholder word, a file name or an address.
const placeholderAlt = /^(?:image|photo|photograph|picture|pic|img|thumbnail|graphic|untitled|null|undefined|alt|media)[\s\d_.:-]*$/i;
const fileName = /\.(?:jpe?g|png|gif|webp|avif|svg)$/i;

const missingAlt: Readonly<Record<ImageSource, string>> = {
  'media:content': 'no meaningful alt text (media:description or media:title)',
  'media:thumbnail': 'no meaningful alt text (media:description or media:title)',
  enclosure: 'an enclosure carries no alt text',
  image: 'JSON Feed carries no alt text for an image',
};

const meaningfulAlt = (image: ImageCandidate): string | undefined => {
  const alt = plainText(image.alt);
  if (!alt || alt.length < 3 || placeholderAlt.test(alt) || fileName.test(alt) || /^https?:\/\//i.test(alt)) return undefined;
  if (image.credit && alt === collapse(image.credit)) return undefined;
  return clip(alt, limits.alt);
};

/**
 * The image with its size when the feed gives both width and height (Media RSS only) and the record's rule
 * accepts them; a size it refuses is left out, and noted, rather than the image.
 */
const sized = (image: NonNullable<Article['image']>, candidate: ImageCandidate): { image: Article['image']; note?: ItemProblem } => {
  if (candidate.width === undefined || candidate.height === undefined) return { image };
  const withSize = { ...image, width: candidate.width, height: candidate.height };
  const refused = imageSchema.safeParse(withSize).error?.issues.find((issue) => issue.path[0] === 'width' || issue.path[0] === 'height');
  if (!refused) return { image: withSize };
  return { image, note: { field: `image.${String(refused.path[0])}`, message: `left out, the image kept without its size: ${refused.message}` } };
};

/**
 * The image: candidates in order of kind (media:content, media:thumbnail, enclosure, JSON Feed image),
 * the widest first within a kind; the first with an https address and meaningful alt text is used.
 * An image is never used without alt text: then the record has none, and a note says why.
 */
const chooseImage = (images: readonly FeedItem['images'][number][]): { image?: Article['image']; note?: ItemProblem } => {
  const ordered = imagePreference.flatMap((source) =>
    images.filter((image) => image.source === source).sort((a, b) => (b.width ?? 0) - (a.width ?? 0)),
  );
  for (const candidate of ordered) {
    const alt = meaningfulAlt(candidate);
    if (alt && candidate.url.startsWith('https://')) {
      const credit = candidate.credit ? collapse(candidate.credit) : undefined;
      return sized({ url: candidate.url, alt, ...(credit ? { credit } : {}) }, candidate);
    }
  }
  const first = ordered[0];
  if (!first) return {};
  return { note: { field: 'image', message: `left out: ${first.url.startsWith('https://') ? missingAlt[first.source] : 'not an https:// address'}: ${first.url}` } };
};

/** The standfirst: the summary's paragraphs, as many whole ones as fit, else the first one cut. */
const standfirstOf = (summary: HtmlOutline): string | undefined => {
  let text = '';
  for (const paragraph of summary.paragraphs) {
    const next = text ? `${text} ${paragraph}` : paragraph;
    if (next.length > limits.standfirst) return text || clip(paragraph, limits.standfirst);
    text = next;
  }
  return text || undefined;
};

const keyPointsOf = (content: HtmlOutline, standfirst: string | undefined): string[] => {
  if (content.keyPoints && content.keyPoints.length > 0) return content.keyPoints.slice(0, maxKeyPoints).map((point) => clip(point, limits.keyPoint));
  const source = standfirst ?? content.paragraphs.slice(0, 3).join(' ');
  return sentences(source).slice(0, sentenceKeyPoints).map((sentence) => clip(sentence, limits.keyPoint));
};

const instant = (written: string | undefined): { value?: string; problem?: string } => {
  if (!written) return { problem: 'the item has no date (pubDate, published, updated or date_published)' };
  const time = Date.parse(written);
  return Number.isNaN(time) ? { problem: `"${written}" is not a date` } : { value: new Date(time).toISOString().replace('.000Z', 'Z') };
};

const withoutEmpty = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)));

// A record may lack these; one that fails the schema is dropped (and noted) rather than the whole item.
const optionalFields = new Set(['standfirst', 'author', 'image', 'sections', 'related']);
const topField = (field: string): string => field.split(/[.[]/)[0]!;

/**
 * One feed item as an article record, by the rules in docs/feeds.md; the record passes
 * validateArticle exactly like an imported one, or the item is refused with every problem named.
 */
export const mapItem = (item: FeedItem, defaultCategory: string | undefined): MappedItem => {
  const summary = readOutline(item.summary, item.link);
  const content = readOutline(item.content ?? item.summary, item.link);
  const standfirst = standfirstOf(summary);
  const published = instant(item.published ?? item.updated);
  const authors = item.authors.map(collapse).filter(Boolean);
  const { image, note } = chooseImage(item.images);
  const keyPoints = keyPointsOf(content, standfirst);

  const explained: ItemProblem[] = [];
  if (!item.link) explained.push({ field: 'url', message: 'the item has no link' });
  if (published.problem) explained.push({ field: 'publishedAt', message: published.problem });
  if (keyPoints.length === 0) explained.push({ field: 'keyPoints', message: 'no key points list, summary or content to take sentences from' });
  const category = item.categories.map(collapse).find(Boolean) ?? defaultCategory;
  if (!category) explained.push({ field: 'category', message: 'the item has none and the feed has no default category' });

  const record = withoutEmpty({
    id: itemId(item.guid, item.link),
    category,
    headline: plainText(item.title),
    standfirst,
    url: item.link,
    publishedAt: published.value,
    author: authors.length > 0 ? { name: authors.join(', ') } : undefined,
    image,
    keyPoints,
    sections: content.sections.map((section) => ({
      heading: clip(section.heading, limits.heading),
      paragraphs: section.paragraphs.map((paragraph) => clip(paragraph, limits.paragraph)),
    })),
    related: content.related.slice(0, maxRelated).map((link) => ({ title: clip(link.title, limits.linkTitle), url: link.url })),
  });
  const notes: ItemProblem[] = note ? [note] : [];
  let result = validateArticle(record, 'feed item');
  if (!result.ok && explained.length === 0 && result.problems.every((problem) => optionalFields.has(topField(problem.field)))) {
    notes.push(...result.problems.map((problem) => ({ field: problem.field, message: `left out: ${problem.message}` })));
    const dropped = new Set(result.problems.map((problem) => topField(problem.field)));
    result = validateArticle(Object.fromEntries(Object.entries(record).filter(([field]) => !dropped.has(field))), 'feed item');
  }
  if (result.ok && explained.length === 0) return { ok: true, article: result.article, notes };
  const unexplained = result.ok ? [] : result.problems.filter((problem) => !explained.some((known) => known.field === topField(problem.field)));
  return { ok: false, problems: [...explained, ...unexplained.map(({ field, message }) => ({ field, message }))] };
};
