import type { BriefingConfig } from '../config/config.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { TemplateEngine } from '../render/engine.ts';
import type { Stores } from '../stores.ts';
import { createConfirmationSender } from './confirmation-email.ts';
import { type ConfirmationQueue, inProcessConfirmations } from './confirmations.ts';
import type { SubscriptionDeps } from './routes.ts';

interface CommonOptions {
  readonly config: BriefingConfig;
  readonly stores: Pick<Stores, 'subscribers' | 'editions'>;
  readonly secret: string;
  readonly engine?: TemplateEngine;
  readonly now?: () => Date;
}

/**
 * Where confirmation emails go: a queue another function sends from (SQS, as deployed), or this
 * process, after each answer, with this mailer (`briefing dev`, tests).
 */
type ConfirmationOptions =
  | { readonly confirmations: ConfirmationQueue }
  | {
      readonly mailer: Mailer;
      /** The SES configuration set confirmation emails go out with (feedback on them suppresses bad addresses). */
      readonly configurationSet?: string;
    };

export type SubscriptionDepsOptions = CommonOptions & ConfirmationOptions;

/** The routes' dependencies from the stores, the token key and where confirmations go: what the Lambda handler and `briefing dev` both build. */
export const createSubscriptionDeps = (options: SubscriptionDepsOptions): SubscriptionDeps => ({
  config: options.config,
  subscribers: options.stores.subscribers,
  editions: options.stores.editions,
  secret: options.secret,
  confirmations:
    'confirmations' in options
      ? options.confirmations
      : inProcessConfirmations({ subscribers: options.stores.subscribers, sendConfirmation: createConfirmationSender({ ...options, mailer: options.mailer }) }),
  engine: options.engine,
  now: options.now,
});
