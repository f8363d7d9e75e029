import type { BriefingConfig } from '../../lambdas/config/config.ts';
import { createEditionEnding, type EndingDeps, storiesFromArticles } from '../../lambdas/edition/ending.ts';
import type { Stores } from '../../lambdas/stores.ts';
import type { TestEmulators } from './emulators.ts';

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/**
 * The edition ending over the test's stores, mailing reports into the SES emulator, with what it publishes and
 * logs recorded (CloudWatch has no emulator); `with` builds one ending per worker, each with its own ports.
 */
export const recordingEnding = (context: { readonly stores: Stores; readonly emulators: TestEmulators }, config: BriefingConfig) => {
  const published: { readonly metric: string; readonly dimensions?: Readonly<Record<string, string>> }[] = [];
  const logs: LoggedLine[] = [];
  const line = (level: LoggedLine['level']) => (message: string, details: Record<string, unknown>) => void logs.push({ level, message, details });
  const with_ = (overrides: Partial<EndingDeps> = {}) =>
    createEditionEnding({
      editions: context.stores.editions,
      config,
      sender: context.emulators.mailer,
      stories: storiesFromArticles(context.stores.articles),
      budgetPerSecond: 14,
      publish: (metric, dimensions) => void published.push(dimensions ? { metric, dimensions } : { metric }),
      log: { info: line('info'), warn: line('warn'), error: line('error') },
      ...overrides,
    });
  return { published, logs, ending: with_(), with: with_ };
};
