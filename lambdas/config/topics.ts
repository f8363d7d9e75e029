// zod/mini: the config is parsed in every Lambda, and the mini build keeps zod's share of a bundle small.
import * as z from 'zod/mini';

/**
 * The most topics a newsletter may offer. Compose renders one briefing per distinct selection of stories,
 * and n topics make up to 2^n topic sets: 12 keeps the worst case at 4,096 variants (about 3 s of rendering
 * and 27 MB stored gzipped per edition, at the rates in docs/data-model.md, "Topic variants"; 8 topics make
 * 256), leaves room above the nine sample categories, and is about as many checkboxes as a form can ask a
 * reader to read.
 */
export const maxTopics = 12;

const slug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const singleLine = (max: number) =>
  z.string('must be text').check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max), z.regex(/^[^\r\n]*$/, 'must be a single line'));

const topicSchema = z.strictObject({
  /** What readers' preferences store, and what `--topics` and the CSV name. */
  id: z.string('must be text, such as "world"').check(z.maxLength(40), z.regex(slug, 'must be a lower-case slug of a-z, 0-9 and single hyphens, such as "world"')),
  /** What the sign-up and preference pages show beside the checkbox. */
  label: singleLine(40),
  /** The article categories the topic covers, as articles give them (compared without regard to case). */
  categories: z.array(singleLine(40), 'must be a list of article categories, such as ["World", "UK"]').check(z.minLength(1, 'must list at least one article category')),
}, {
  error: (issue) => (issue.code === 'unrecognized_keys' ? `has unknown keys (${issue.keys.join(', ')}): a topic is { "id", "label", "categories" }` : 'must be an object { "id", "label", "categories" }'),
});

export type Topic = z.infer<typeof topicSchema>;

const categoryKey = (category: string): string => category.trim().toLowerCase();

/** Config key `topics`: ids unique, a category in one topic at most, so every article belongs to one topic or none. */
export const topicsSchema = z.array(topicSchema, 'must be a list of topics, such as [{ "id": "world", "label": "World", "categories": ["World", "UK"] }]').check(
  z.maxLength(maxTopics, `must list at most ${maxTopics} topics (each reader's choice of them makes its own briefing)`),
  z.superRefine((topics, context) => {
    const ids = new Map<string, number>();
    const categories = new Map<string, string>();
    topics.forEach((topic, index) => {
      const earlier = ids.get(topic.id);
      if (earlier !== undefined) context.addIssue({ code: 'custom', input: topic.id, path: [index, 'id'], message: `"${topic.id}" is already the id of topics[${earlier}]` });
      else ids.set(topic.id, index);
      topic.categories.forEach((category, position) => {
        const owner = categories.get(categoryKey(category));
        if (owner !== undefined && owner !== topic.id) {
          context.addIssue({ code: 'custom', input: category, path: [index, 'categories', position], message: `category "${category}" is already in topic "${owner}"; a category belongs to one topic at most` });
        } else categories.set(categoryKey(category), topic.id);
      });
    });
  }),
);

/** One topic per category of the sample articles. */
export const defaultTopics: Topic[] = ['World', 'UK', 'Business', 'Markets', 'Technology', 'Science', 'Health', 'Culture', 'Sport'].map((category) => ({
  id: category.toLowerCase(),
  label: category,
  categories: [category],
}));

/** What a reader whose topics have no story on the day gets: no email (`skip`), or the full briefing (`all`). */
export const noTopicNewsSchema = z.enum(['skip', 'all'], 'must be "skip" (no email) or "all" (the full briefing)');

const indexes = new WeakMap<readonly Topic[], ReadonlyMap<string, string>>();

/** The topic an article belongs to through its category, or undefined when no topic covers the category. */
export const articleTopic = (topics: readonly Topic[], article: { readonly category: string }): string | undefined => {
  let index = indexes.get(topics);
  if (!index) {
    index = new Map(topics.flatMap((topic) => topic.categories.map((category) => [categoryKey(category), topic.id] as const)));
    indexes.set(topics, index);
  }
  return index.get(categoryKey(article.category));
};

/** The ids in `ids` that no topic has (a form or a command line naming a topic that does not exist). */
export const unknownTopicIds = (topics: readonly Topic[], ids: readonly string[]): string[] => ids.filter((id) => !topics.some((topic) => topic.id === id));

/**
 * A reader's topics as compose groups them: the ids that are topics, each once, sorted. Empty means
 * everything, and so does a set naming every topic (that reader also gets stories no topic covers); ids of
 * topics no longer offered are dropped, so a reader left with none gets everything rather than nothing.
 */
export const normaliseTopicSet = (topics: readonly Topic[], ids: readonly string[]): string[] => {
  const known = [...new Set(ids)].filter((id) => topics.some((topic) => topic.id === id)).sort();
  return known.length === topics.length ? [] : known;
};

/** A stable key for a reader's topics: the normalised ids joined by commas, `*` for everything. */
export const topicSetKey = (topics: readonly Topic[], ids: readonly string[]): string => normaliseTopicSet(topics, ids).join(',') || '*';
