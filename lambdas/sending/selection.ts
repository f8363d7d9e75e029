import { type Article, formatProblem, type RecordProblem } from '../articles/schema.ts';
import type { ArticleStore } from '../articles/store.ts';
import type { BriefingConfig } from '../config/config.ts';
import { buildEdition } from '../edition/model.ts';
import { editionSendTime } from '../edition/send-time.ts';
import type { EditionStore } from '../edition/store.ts';
import { editionWindow, type EditionWindow } from '../edition/window.ts';
import { type RenderedBriefing, renderBriefing } from '../render/briefing.ts';
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

/** Renders the edition once; the ids are the stories that made it in, lead first. */
export const renderSelection = async (
  editionId: string,
  selection: Selection,
  config: BriefingConfig,
): Promise<{ readonly rendered: RenderedBriefing; readonly articleIds: string[] }> => {
  const edition = buildEdition(selection.articles, { date: editionId, maxStories: config.maxStories });
  return { rendered: await renderBriefing(edition, config), articleIds: edition.stories.map((story) => story.id) };
};

/** The records left out, one line each. */
export const problemLines = (selection: Selection): string[] => selection.problems.map(formatProblem);
