import { type Topic, topicSetKey } from '../config/topics.ts';
import type { VariantSummary } from '../edition/variant-store.ts';
import type { Subscriber, SubscriberStore } from '../subscription/store.ts';

/** Subscribers read per page, by compose's passes over the list. */
export const pageSize = 500;

/** The active readers' topic sets, each once, with how many readers have it: at most 2^maxTopics entries, however long the list. */
export interface TopicCensus {
  /** Topic-set key (`topicSetKey`) → the set's topic ids as one reader stored them, and its readers. */
  readonly sets: ReadonlyMap<string, { readonly ids: readonly string[]; readers: number }>;
  readonly readers: number;
}

/** Calls `each` with every page of active subscribers, telling it whether the page is the last; returns how many there were. */
export const forEachActivePage = async (
  subscribers: Pick<SubscriberStore, 'pageByStatus'>,
  each: (page: readonly Subscriber[], last: boolean) => Promise<void>,
): Promise<number> => {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await subscribers.pageByStatus('active', { limit: pageSize, cursor });
    cursor = page.cursor;
    total += page.items.length;
    await each(page.items, cursor === undefined);
  } while (cursor);
  return total;
};

/** Compose's first pass: which topic sets the active readers have, counted, without keeping any reader. */
export const takeCensus = async (subscribers: Pick<SubscriberStore, 'pageByStatus'>, topics: readonly Topic[]): Promise<TopicCensus> => {
  const sets = new Map<string, { ids: readonly string[]; readers: number }>();
  const readers = await forEachActivePage(subscribers, async (page) => {
    for (const subscriber of page) {
      const key = topicSetKey(topics, subscriber.topics ?? []);
      const set = sets.get(key);
      if (set) set.readers += 1;
      else sets.set(key, { ids: subscriber.topics ?? [], readers: 1 });
    }
  });
  return { sets, readers };
};

/** What a reader gets: one of the edition's stored variants, the full edition (the edition record), or nothing today. */
export type Route = { readonly kind: 'variant'; readonly variantKey: string } | { readonly kind: 'full' } | { readonly kind: 'no-news' };

const full: Route = { kind: 'full' };
const noNews: Route = { kind: 'no-news' };

/**
 * Maps readers to what they get, from the topic sets each stored variant serves and the sets that had no story.
 * A set in neither — the full edition's own, or one nobody had when the variants were chosen (a reader who changed
 * their topics since, or joined) — gets the full edition: a reader is never left without the edition for want of a
 * variant, and never sent one chosen for other topics.
 */
export const variantRoutes = (topics: readonly Topic[], variants: readonly Pick<VariantSummary, 'variantKey' | 'topicSets'>[], noNewsSets: readonly string[]) => {
  const routes = new Map<string, Route>(noNewsSets.map((set) => [set, noNews]));
  for (const variant of variants) {
    const route: Route = { kind: 'variant', variantKey: variant.variantKey };
    for (const set of variant.topicSets) routes.set(set, route);
  }
  return (subscriber: Pick<Subscriber, 'topics'>): Route => routes.get(topicSetKey(topics, subscriber.topics ?? [])) ?? full;
};
