import type { Article } from '../../lambdas/articles/schema.ts';
import type { Topic } from '../../lambdas/config/topics.ts';
import { article } from './articles.ts';

/** Four reader topics: World covers two categories, and no story of `topicStories` is in Sport. */
export const newsTopics: Topic[] = [
  { id: 'world', label: 'World', categories: ['World', 'UK'] },
  { id: 'money', label: 'Money', categories: ['Business'] },
  { id: 'science', label: 'Science', categories: ['Science'] },
  { id: 'sport', label: 'Sport', categories: ['Sport'] },
];

/** A day's stories over `newsTopics`: World's summit then rail, Money's rates, Science's comet then vaccine, and museum, in no topic. */
export const topicStories = [
  article({ id: 'summit', category: 'World', priority: 10, publishedAt: '2026-11-24T05:00:00Z' }),
  article({ id: 'rail', category: 'UK', priority: 8, publishedAt: '2026-11-24T05:30:00Z' }),
  article({ id: 'rates', category: 'Business', priority: 5, publishedAt: '2026-11-24T04:00:00Z' }),
  article({ id: 'comet', category: 'Science', priority: 3, publishedAt: '2026-11-24T03:00:00Z' }),
  article({ id: 'vaccine', category: 'Science', publishedAt: '2026-11-24T04:30:00Z' }),
  article({ id: 'museum', category: 'Culture', publishedAt: '2026-11-24T02:00:00Z' }),
];

/** `count` topics of one category each: topic-1 covers "Category 1", and so on. */
export const numberedTopics = (count: number): Topic[] =>
  Array.from({ length: count }, (_, index) => ({ id: `topic-${index + 1}`, label: `Topic ${index + 1}`, categories: [`Category ${index + 1}`] }));

/**
 * `count` distinct stories made from the sample articles (so with and without images, standfirsts, sections and
 * related links), spread over the topics in turn, with priorities and times that give each topic its own lead.
 */
export const storiesOverTopics = (samples: readonly Article[], count: number, topics: readonly Topic[]): Article[] =>
  Array.from({ length: count }, (_, index) => {
    const sample = samples[index % samples.length]!;
    return {
      ...sample,
      id: `${sample.id}-${index + 1}`,
      headline: `${sample.headline} (${index + 1})`,
      url: `${sample.url}-${index + 1}`,
      category: topics[index % topics.length]!.categories[0]!,
      priority: ((index * 7) % 11) - 3,
      publishedAt: new Date(Date.parse('2026-11-24T06:00:00Z') - index * 17 * 60_000).toISOString(),
    };
  });

/** Every subset of the topics' ids: 2^n topic sets, the empty one (everything) first. */
export const everyTopicSet = (topics: readonly Topic[]): string[][] =>
  Array.from({ length: 2 ** topics.length }, (_, mask) => topics.filter((_, index) => mask & (1 << index)).map((topic) => topic.id));
