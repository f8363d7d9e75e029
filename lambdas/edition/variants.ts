import { createHash } from 'node:crypto';
import type { Article } from '../articles/schema.ts';
import type { BriefingConfig } from '../config/config.ts';
import { articleTopic, normaliseTopicSet, topicSetKey } from '../config/topics.ts';
import { buildEdition, type Edition } from './model.ts';

/** One distinct selection of stories: every topic set whose selection it is gets this briefing. */
export interface TopicVariant {
  /** Stable for the same stories in the same order (a hash of their ids), so a compose run again finds the same keys. */
  readonly key: string;
  readonly edition: Edition;
  /** The keys (see `topicSetKey`) of the topic sets that get it. */
  readonly topicSets: readonly string[];
}

export interface VariantSelection {
  /** Each distinct selection once, in the order first asked for. */
  readonly variants: readonly TopicVariant[];
  /** Topic-set key → the key of its variant; absent for the sets listed in `noNews`. */
  readonly variantOf: ReadonlyMap<string, string>;
  /** Keys of the topic sets without a story in their topics today: their readers get no email (`noTopicNews: "skip"`). */
  readonly noNews: readonly string[];
  /** The whole edition, as a reader of every topic gets it (the archive shows it): one of `variants` when a set gets it. */
  readonly full: TopicVariant;
}

export type VariantConfig = Pick<BriefingConfig, 'topics' | 'maxStories' | 'noTopicNews'>;

/** The key of a selection: its story ids in order. */
export const variantKey = (edition: Edition): string =>
  createHash('sha256')
    .update(edition.stories.map((story) => story.id).join('\n'))
    .digest('base64url')
    .slice(0, 16);

/**
 * The briefing of each topic set: the edition's articles in its topics, ordered and cut as `buildEdition`
 * does (priority, then newest, at most `maxStories`, the first of them the lead). Sets with the same stories
 * share one variant; a set with none gets no variant (`noNews`), or the full edition when `noTopicNews` is `all`.
 * `topicSets` are readers' topics as stored (any order, unknown ids dropped, empty for everything).
 */
export const selectVariants = (articles: readonly Article[], topicSets: Iterable<readonly string[]>, config: VariantConfig, date: string): VariantSelection => {
  const options = { date, maxStories: config.maxStories };
  const full = buildEdition(articles, options);
  const variants = new Map<string, { key: string; edition: Edition; topicSets: string[] }>();
  const variantOf = new Map<string, string>();
  const noNews: string[] = [];
  const seen = new Set<string>();

  for (const ids of topicSets) {
    const set = normaliseTopicSet(config.topics, ids);
    const setKey = topicSetKey(config.topics, set);
    if (seen.has(setKey)) continue;
    seen.add(setKey);
    const chosen = new Set(set);
    const inTopics = set.length === 0 ? articles : articles.filter((article) => isIn(chosen, articleTopic(config.topics, article)));
    if (inTopics.length === 0 && config.noTopicNews === 'skip') {
      noNews.push(setKey);
      continue;
    }
    const edition = set.length === 0 || inTopics.length === 0 ? full : buildEdition(inTopics, options);
    const key = variantKey(edition);
    let variant = variants.get(key);
    if (!variant) variants.set(key, (variant = { key, edition, topicSets: [] }));
    variant.topicSets.push(setKey);
    variantOf.set(setKey, key);
  }
  const fullKey = variantKey(full);
  return { variants: [...variants.values()], variantOf, noNews, full: variants.get(fullKey) ?? { key: fullKey, edition: full, topicSets: [] } };
};

const isIn = (chosen: ReadonlySet<string>, topic: string | undefined): boolean => topic !== undefined && chosen.has(topic);
