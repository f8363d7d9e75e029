import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { ConfigError, loadConfig, parseConfig } from '../../lambdas/config/config.ts';
import { articleTopic, maxTopics, normaliseTopicSet, type Topic, topicSetKey, unknownTopicIds } from '../../lambdas/config/topics.ts';

const tempFile = (content: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'briefing-topics-')), 'briefing.config.json');
  writeFileSync(file, content);
  return file;
};

const topics: Topic[] = [
  { id: 'world', label: 'World', categories: ['World', 'UK'] },
  { id: 'money', label: 'Money', categories: ['Business', 'Markets'] },
  { id: 'science', label: 'Science', categories: ['Science'] },
];

const problems = (value: unknown) => {
  try {
    parseConfig({ topics: value });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the topics were accepted');
};

describe('the topics config', () => {
  it('offers one topic per category of the sample articles by default, each sample in exactly one, and skips readers without news', async () => {
    const config = loadConfig({ env: {}, file: tempFile('{}') });
    const { articles } = await loadArticleFiles('samples/articles');

    expect(config.noTopicNews).toBe('skip');
    expect(new Set(config.topics.map((topic) => topic.label))).toEqual(new Set(articles.map((article) => article.category)));
    for (const topic of config.topics) expect(topic).toEqual({ id: topic.label.toLowerCase(), label: topic.label, categories: [topic.label] });
    for (const article of articles) expect(articleTopic(config.topics, article), article.id).toBe(article.category.toLowerCase());
  });

  it('reads the topics as a list from the file and as JSON from BRIEFING_TOPICS, and noTopicNews from BRIEFING_NO_TOPIC_NEWS', () => {
    expect(loadConfig({ env: {}, file: tempFile(JSON.stringify({ topics, noTopicNews: 'all' })) })).toMatchObject({ topics, noTopicNews: 'all' });
    expect(loadConfig({ env: { BRIEFING_TOPICS: JSON.stringify(topics), BRIEFING_NO_TOPIC_NEWS: 'all' }, file: tempFile('{}') })).toMatchObject({ topics, noTopicNews: 'all' });
    expect(loadConfig({ env: { BRIEFING_TOPICS: '[]' }, file: tempFile('{}') }).topics).toEqual([]);
  });

  it('names the topic and field at fault, and the variable', () => {
    expect(problems('[{"id": "World", "label": " ", "categories": []}]')).toMatch(
      /topics\[0\]\.id \(BRIEFING_TOPICS\): must be a lower-case slug[\s\S]*topics\[0\]\.label \(BRIEFING_TOPICS\): must not be empty[\s\S]*topics\[0\]\.categories \(BRIEFING_TOPICS\): must list at least one article category/,
    );
    expect(problems([...topics, { ...topics[2]!, label: 'Again', categories: ['Space'] }])).toMatch(/topics\[3\]\.id \(BRIEFING_TOPICS\): "science" is already the id of topics\[2\]/);
    expect(problems([...topics, { id: 'space', label: 'Space', categories: ['Space', ' markets '] }])).toMatch(
      /topics\[3\]\.categories\[1\] \(BRIEFING_TOPICS\): category "markets" is already in topic "money"; a category belongs to one topic at most/,
    );
    expect(problems([{ ...topics[0]!, colour: 'red' }])).toMatch(/topics\[0\] \(BRIEFING_TOPICS\): has unknown keys \(colour\)/);
    expect(problems('world,science')).toMatch(/topics \(BRIEFING_TOPICS\): must be JSON, e\.g\. \[\{"id": "world"/);
    expect(() => parseConfig({ noTopicNews: 'none' })).toThrow(/noTopicNews \(BRIEFING_NO_TOPIC_NEWS\): must be "skip" \(no email\) or "all" \(the full briefing\)/);
  });

  it(`allows at most ${maxTopics} topics`, () => {
    const many = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `t${index}`, label: `T${index}`, categories: [`C${index}`] }));

    expect(parseConfig({ topics: many(maxTopics) }).topics).toHaveLength(maxTopics);
    expect(problems(many(maxTopics + 1))).toMatch(new RegExp(`topics \\(BRIEFING_TOPICS\\): must list at most ${maxTopics} topics`));
  });
});

describe('topic helpers', () => {
  it('finds the one topic of an article by its category, whatever its case; none for a category no topic covers', () => {
    expect(articleTopic(topics, { category: 'UK' })).toBe('world');
    expect(articleTopic(topics, { category: 'markets' })).toBe('money');
    expect(articleTopic(topics, { category: 'Sport' })).toBeUndefined();
  });

  it('normalises a reader’s topics: known ids once, sorted; none, or every one, means everything', () => {
    expect(normaliseTopicSet(topics, ['science', 'world', 'science'])).toEqual(['science', 'world']);
    expect(normaliseTopicSet(topics, ['gone', 'money'])).toEqual(['money']);
    expect(normaliseTopicSet(topics, [])).toEqual([]);
    expect(normaliseTopicSet(topics, ['money', 'world', 'science'])).toEqual([]);
    expect(normaliseTopicSet(topics, ['gone'])).toEqual([]);
    expect(normaliseTopicSet([], ['world'])).toEqual([]);
  });

  it('keys a topic set the same however it is written, * for everything', () => {
    expect(topicSetKey(topics, ['world', 'science'])).toBe('science,world');
    expect(topicSetKey(topics, ['science', 'world', 'world'])).toBe('science,world');
    expect(topicSetKey(topics, [])).toBe('*');
    expect(topicSetKey(topics, ['world', 'money', 'science'])).toBe('*');
  });

  it('names the ids that are not topics', () => {
    expect(unknownTopicIds(topics, ['world', 'sport', 'Science'])).toEqual(['sport', 'Science']);
  });
});
