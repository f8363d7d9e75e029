import type { Article } from '../articles/schema.ts';

export interface RelatedLink {
  readonly title: string;
  readonly url: string;
}

/** What one briefing holds, before any formatting: the lead first, then the other stories. */
export interface Edition {
  /** The edition's calendar date in the newsletter's time zone, YYYY-MM-DD. */
  readonly date: string;
  readonly stories: readonly Article[];
  readonly related: readonly RelatedLink[];
}

const byPriorityThenNewest = (a: Article, b: Article): number =>
  (b.priority ?? 0) - (a.priority ?? 0) || Date.parse(b.publishedAt) - Date.parse(a.publishedAt) || a.id.localeCompare(b.id);

// Links compare without their fragment or a trailing slash, so one page linked two ways shows once.
const canonical = (url: string): string => {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href.replace(/\/$/, '');
};

/** Related links of all stories, de-duplicated by URL, without links to stories already in the edition. */
export const relatedLinks = (stories: readonly Article[]): RelatedLink[] => {
  const seen = new Set(stories.map((story) => canonical(story.url)));
  const links: RelatedLink[] = [];
  for (const link of stories.flatMap((story) => story.related ?? [])) {
    const key = canonical(link.url);
    if (seen.has(key)) continue;
    seen.add(key);
    links.push(link);
  }
  return links;
};

/** Orders by priority (highest first) then newest first, keeps at most `maxStories`; throws when there is nothing to send. */
export const buildEdition = (articles: readonly Article[], options: { date: string; maxStories: number }): Edition => {
  if (articles.length === 0) throw new Error('an edition needs at least one valid article');
  const stories = [...articles].sort(byPriorityThenNewest).slice(0, options.maxStories);
  return { date: options.date, stories, related: relatedLinks(stories) };
};

/** Today's date (or the date of `at`) in the given time zone, as YYYY-MM-DD. */
export const dateInZone = (timeZone: string, at: Date = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
