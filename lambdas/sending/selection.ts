import { type Article, formatProblem, type RecordProblem } from '../articles/schema.ts';
import type { ArticleStore } from '../articles/store.ts';
import type { BriefingConfig } from '../config/config.ts';
import { topicSetKey } from '../config/topics.ts';
import type { Edition } from '../edition/model.ts';
import { selectVariants } from '../edition/variants.ts';
import { editionSendTime } from '../edition/send-time.ts';
import type { EditionStore } from '../edition/store.ts';
import { editionWindow, type EditionWindow } from '../edition/window.ts';
import type { RenderedBriefing } from '../render/briefing.ts';
import type { TemplateEngine } from '../render/engine.ts';
import { renderVariants } from '../render/variants.ts';
import { ComposeError } from './compose-request.ts';

/** The stories an edition may hold, with the stored records that were left out. */
export interface Selection {
  readonly articles: Article[];
  readonly problems: RecordProblem[];
  /** The publication window they came from; absent when the stories were named. */
  readonly window?: EditionWindow;
}

export interface SelectionDeps {
  readonly stores: { readonly articles: ArticleStore; readonly editions: Pick<EditionStore, 'previousSent'> };
  readonly config: BriefingConfig;
}

/** The stories asked for by id (all of them must exist), or those published since the previous edition went out. */
export const selectArticles = async (editionId: string, articleIds: readonly string[] | undefined, deps: SelectionDeps): Promise<Selection> => {
  if (articleIds && articleIds.length > 0) {
    const { articles, problems, missing } = await deps.stores.articles.getMany(articleIds);
    if (missing.length > 0) throw new ComposeError(`no article with id ${missing.join(', ')} in the article store (briefing articles list shows what is there)`);
    return { articles, problems };
  }
  const previous = await deps.stores.editions.previousSent(editionId);
  const window = editionWindow(editionSendTime(editionId, deps.config.timeZone, new Date()), previous?.startedAt ? new Date(previous.startedAt) : undefined);
  return { ...(await deps.stores.articles.inWindow(window)), window };
};

/** Why a selection holds nothing to send. */
export const noNewsReason = (selection: Selection): string =>
  selection.window
    ? `no valid article published between ${selection.window.from.toISOString()} and ${selection.window.to.toISOString()}`
    : 'none of the requested articles is valid';

/** One briefing of an edition, placeholders still in, with its stories (lead first). */
export interface EditionBriefing {
  readonly briefing: RenderedBriefing;
  readonly articleIds: string[];
}

/** A variant besides the full edition: its key, and the topic sets (`topicSetKey`) that get it. */
export interface TopicBriefing extends EditionBriefing {
  readonly variantKey: string;
  readonly topicSets: readonly string[];
}

/** An edition rendered for its readers' topic sets: every distinct selection of stories once, all with one marker. */
export interface TopicBriefings {
  /** The whole edition: what the archive shows, and what a reader of every topic gets. */
  readonly full: EditionBriefing;
  readonly variants: readonly TopicBriefing[];
  /** The topic sets with no story in their topics today (with `noTopicNews: "skip"`). */
  readonly noNewsSets: readonly string[];
  /** How many were put together from compiled pieces rather than rendered whole. */
  readonly assembled: number;
  /** Why the variants were each rendered from scratch, when they were (slower, the same mail). */
  readonly fallback?: string;
  /**
   * What a reader with these topics gets: their set's variant, the full edition (their set's selection is the whole
   * edition, or their set was not among `topicSets`), or undefined when none of the stories is in their topics.
   */
  forTopics(ids: readonly string[]): EditionBriefing | undefined;
}

const briefingOf = (briefing: RenderedBriefing, edition: Edition): EditionBriefing => ({ briefing, articleIds: edition.stories.map((story) => story.id) });

/**
 * The briefings readers of these topic sets get (`selectVariants`): the full edition, always, and each other
 * distinct selection, rendered together (`renderVariants`) so that their stories are compiled once. The preview
 * renders through this too, so that what it shows for a topic set is what compose sends that set.
 */
export const renderForTopicSets = async (
  editionId: string,
  articles: readonly Article[],
  topicSets: Iterable<readonly string[]>,
  config: BriefingConfig,
  engine?: TemplateEngine,
): Promise<TopicBriefings> => {
  const chosen = selectVariants(articles, topicSets, config, editionId);
  const own = chosen.variants.filter((variant) => variant.key !== chosen.full.key);
  const rendered = await renderVariants([chosen.full.edition, ...own.map((variant) => variant.edition)], config, engine);
  const full = briefingOf(rendered.briefings[0]!, chosen.full.edition);
  const variants = own.map((variant, index) => ({ ...briefingOf(rendered.briefings[index + 1]!, variant.edition), variantKey: variant.key, topicSets: variant.topicSets }));
  const noNews = new Set(chosen.noNews);
  return {
    full,
    variants,
    noNewsSets: chosen.noNews,
    assembled: rendered.assembled,
    fallback: rendered.fallback,
    forTopics(ids) {
      const set = topicSetKey(config.topics, ids);
      if (noNews.has(set)) return undefined;
      return variants.find((variant) => variant.topicSets.includes(set)) ?? full;
    },
  };
};

/** The records left out, one line each. */
export const problemLines = (selection: Selection): string[] => selection.problems.map(formatProblem);
