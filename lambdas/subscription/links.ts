import type { BriefingConfig } from '../config/config.ts';
import { tokenFor } from './tokens.ts';

/** The web version of an edition: no token, nothing personal. */
export const archiveUrl = (config: Pick<BriefingConfig, 'siteUrl'>, editionId: string): string => `${config.siteUrl}/archive/${encodeURIComponent(editionId)}`;

/** The links a subscriber's mail carries; tokens name the subscriber by id, never by address. */
export const subscriptionLinks = (config: Pick<BriefingConfig, 'siteUrl'>, secret: string) => ({
  unsubscribeUrl: (subscriberId: string, now?: Date): string => `${config.siteUrl}/unsubscribe?token=${tokenFor(secret, subscriberId, 'unsubscribe', now)}`,
  /** The reader's preference page: their topics, and their data to download or delete. */
  preferencesUrl: (subscriberId: string, now?: Date): string => `${config.siteUrl}/preferences?token=${tokenFor(secret, subscriberId, 'preferences', now)}`,
  /** A confirm link for one sign-up (its nonce); without one, a link of the kind sent before sign-ups had them. */
  confirmUrl: (subscriberId: string, signup: string | undefined, now?: Date): string => `${config.siteUrl}/confirm?token=${tokenFor(secret, subscriberId, 'confirm', now, signup)}`,
  archiveUrl: (editionId: string): string => archiveUrl(config, editionId),
});

export type SubscriptionLinks = ReturnType<typeof subscriptionLinks>;
