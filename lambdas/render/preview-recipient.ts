import type { BriefingConfig } from '../config/config.ts';
import type { Recipient } from './personalise.ts';

/** The recipient shown wherever a briefing is looked at rather than sent: files from `briefing render`, the preview. */
export const previewRecipient = (config: BriefingConfig, editionId: string): Recipient => ({
  email: 'reader@example.com',
  unsubscribeUrl: `${config.siteUrl}/unsubscribe`,
  preferencesUrl: `${config.siteUrl}/preferences`,
  browserUrl: `${config.siteUrl}/archive/${editionId}`,
});
