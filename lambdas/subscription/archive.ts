import type { BriefingConfig } from '../config/config.ts';
import { personalise } from '../render/personalise.ts';
import { type EditionRecord, type EditionStatus, storedBriefing } from '../edition/store.ts';
import { archiveUrl } from './links.ts';

/** Editions that went out (or began to): the others have not reached anybody, so there is nothing to look back at. */
const publishedStatuses: ReadonlySet<EditionStatus> = new Set(['sending', 'sent', 'paused', 'stopped']);

const editionIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether a path segment can name an edition at all, before any store is asked. */
export const isEditionId = (value: string): boolean => editionIdPattern.test(value);

/**
 * The web version of an edition, the "view in browser" link: the stored briefing with its placeholders
 * filled for nobody in particular, so the page carries no reader's address or token.
 */
export const archivePage = (edition: EditionRecord | undefined, config: Pick<BriefingConfig, 'siteUrl'>): string | undefined => {
  const rendered = edition && publishedStatuses.has(edition.status) ? storedBriefing(edition) : undefined;
  if (!edition || !rendered) return undefined;
  return personalise(rendered, {
    // The footer reads "because … subscribed": on the web it addresses whoever is reading.
    email: 'you',
    unsubscribeUrl: `${config.siteUrl}/unsubscribe`,
    preferencesUrl: `${config.siteUrl}/preferences`,
    browserUrl: archiveUrl(config, edition.editionId),
  }).html;
};
