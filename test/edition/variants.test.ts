import { describe, expect, it } from 'vitest';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { selectVariants, type VariantConfig, variantKey } from '../../lambdas/edition/variants.ts';
import { article } from '../helpers/articles.ts';
import { newsTopics, topicStories } from '../helpers/topic-edition.ts';

const config: VariantConfig = { topics: newsTopics, maxStories: 3, noTopicNews: 'skip' };
const date = '2026-11-24';

// The day's stories and two more in Science: four there, one over maxStories.
const articles = [
  ...topicStories,
  article({ id: 'probe', category: 'Science', publishedAt: '2026-11-24T01:00:00Z' }),
  article({ id: 'fossil', category: 'Science', publishedAt: '2026-11-23T12:00:00Z' }),
];

const storiesOf = (selection: ReturnType<typeof selectVariants>, set: string) => {
  const key = selection.variantOf.get(set);
  return key === undefined ? undefined : selection.variants.find((variant) => variant.key === key)!.edition.stories.map((story) => story.id);
};

describe('selectVariants', () => {
  it('leads each set with the best story in its topics, then priority and newest first, at most maxStories', () => {
    const selection = selectVariants(articles, [['science'], ['money', 'science'], ['world']], config, date);

    expect(storiesOf(selection, 'science')).toEqual(['comet', 'vaccine', 'probe']);
    expect(storiesOf(selection, 'money,science')).toEqual(['rates', 'comet', 'vaccine']);
    expect(storiesOf(selection, 'world')).toEqual(['summit', 'rail']);
    const science = selection.variants.find((variant) => variant.key === selection.variantOf.get('science'))!.edition;
    expect(science).toEqual(buildEdition(articles.filter((story) => story.category === 'Science'), { date, maxStories: 3 }));
  });

  it('gives everything to a reader of no topic or of every topic, stories no topic covers included: the full edition', () => {
    const selection = selectVariants(articles, [[], ['world', 'money', 'science', 'sport']], { ...config, maxStories: 10 }, date);

    expect(selection.variants).toHaveLength(1);
    expect(selection.variantOf.get('*')).toBe(selection.full.key);
    expect(selection.full.edition).toEqual(buildEdition(articles, { date, maxStories: 10 }));
    expect(storiesOf(selection, '*')).toContain('museum');
    expect(selection.full.topicSets).toEqual(['*']);
  });

  it('sends no email to a set with no story in its topics today, and counts it as no news', () => {
    const selection = selectVariants(articles, [['sport'], ['world']], config, date);

    expect(selection.noNews).toEqual(['sport']);
    expect(selection.variantOf.has('sport')).toBe(false);
    expect(selection.variants.map((variant) => variant.topicSets)).toEqual([['world']]);
  });

  it('sends such a set the full edition when noTopicNews is "all"', () => {
    const selection = selectVariants(articles, [['sport'], ['world']], { ...config, noTopicNews: 'all' }, date);

    expect(selection.noNews).toEqual([]);
    expect(selection.variantOf.get('sport')).toBe(selection.full.key);
    expect(selection.full.topicSets).toEqual(['sport']);
  });

  it('renders one variant for the sets whose selections are the same, and looks at each set once however it is written', () => {
    const selection = selectVariants(articles, [['world'], ['sport', 'world'], ['world', 'sport', 'gone'], ['world', 'world']], config, date);

    expect(selection.variants).toHaveLength(1);
    expect(selection.variants[0]!.topicSets).toEqual(['world', 'sport,world']);
    expect(selection.variantOf.get('sport,world')).toBe(selection.variantOf.get('world'));
  });

  it('tells selections apart by their stories in order, the same key every run', () => {
    const cut = selectVariants(articles, [['science']], config, date);
    const again = selectVariants([...articles].reverse(), [['science']], config, date);
    const longer = selectVariants(articles, [['science']], { ...config, maxStories: 4 }, date);

    expect(again.variantOf.get('science')).toBe(cut.variantOf.get('science'));
    expect(longer.variantOf.get('science')).not.toBe(cut.variantOf.get('science'));
    const edition = cut.variants[0]!.edition;
    expect(variantKey({ ...edition, stories: [...edition.stories].reverse() })).not.toBe(cut.variants[0]!.key);
  });

  it('needs at least one article, as an edition does', () => {
    expect(() => selectVariants([], [['world']], config, date)).toThrow(/at least one valid article/);
  });
});
