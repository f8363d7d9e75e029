import type { BriefingConfig } from '../config/config.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { TemplateEngine } from '../render/engine.ts';
import type { Stores } from '../stores.ts';
import { createConfirmationSender } from './confirmation-email.ts';
import type { SubscriptionDeps } from './routes.ts';

export interface SubscriptionDepsOptions {
  readonly config: BriefingConfig;
  readonly stores: Pick<Stores, 'subscribers' | 'editions'>;
  readonly mailer: Mailer;
  readonly secret: string;
  /** The SES configuration set confirmation emails go out with (feedback on them suppresses bad addresses). */
  readonly configurationSet?: string;
  readonly engine?: TemplateEngine;
  readonly now?: () => Date;
}

/** The routes' dependencies from the stores, the mailer and the token key: what the Lambda handler and `briefing dev` both build. */
export const createSubscriptionDeps = (options: SubscriptionDepsOptions): SubscriptionDeps => ({
  config: options.config,
  subscribers: options.stores.subscribers,
  editions: options.stores.editions,
  secret: options.secret,
  sendConfirmation: createConfirmationSender(options),
  engine: options.engine,
  now: options.now,
});
