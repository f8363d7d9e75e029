import type { ArticleStore } from '../articles/store.ts';
import type { BriefingConfig } from '../config/config.ts';
import type { SimpleMailer } from '../mail/mailer.ts';
import { editionsSentMetric, editionsStoppedMetric, stopReason, stopReasonDimension } from '../metrics.ts';
import { buildEditionReport, endedStatuses, type ReportedStory } from './report.ts';
import { sendEditionReport } from './report-mail.ts';
import type { EditionRecord, EditionStore } from './store.ts';

type Details = Record<string, unknown>;

/** Where the end is told: Powertools' Logger in a Lambda, the terminal locally. */
export interface EndingLog {
  info(message: string, details: Details): void;
  warn(message: string, details: Details): void;
  error(message: string, details: Details): void;
}

export interface EndingDeps {
  readonly editions: Pick<EditionStore, 'claimReport'>;
  readonly config: BriefingConfig;
  /** Publishes 1 of a count metric, with these dimensions next to `service` (none for EditionsSent). */
  readonly publish: (metric: string, dimensions?: Readonly<Record<string, string>>) => void;
  /** Mails the report to `reportAddress` (SES in AWS, the local SES emulator locally). */
  readonly sender: SimpleMailer;
  /** The stories' headlines and links by article id, lead first; an id the article store no longer has stands for its story. */
  readonly stories: (ids: readonly string[]) => Promise<readonly ReportedStory[]>;
  /** The send rate the edition was allowed (emails a second): the report's budget. */
  readonly budgetPerSecond: number;
  readonly log: EndingLog;
}

export interface EditionEnding {
  /**
   * Given the record that any write which may end an edition returned, does what its end calls for — the metric,
   * the log line, the report to the editors — if this call is the first to claim that end. Whoever gets there
   * first (deliver's last batch, the batch that stopped it, compose, feedback, or a later worker that finds an end
   * unclaimed) does it, exactly once per end. Never throws: the end is recorded in the edition whatever happens here.
   */
  settle(edition: EditionRecord | undefined): Promise<void>;
}

const isEnded = (status: string): boolean => (endedStatuses as readonly string[]).includes(status);

/**
 * The SES code and message of a stop, from the status reason, which is written `Code: message` (deliver's SES
 * errors, compose's `ComposeFailed` and `InsufficientSendQuota`), so that a worker claiming an end it did not
 * cause names the same reason.
 */
export const stopFailure = (statusReason: string | undefined): { readonly code: string; readonly message: string } => {
  const match = /^([A-Za-z][\w.-]*): ([\s\S]*)$/.exec(statusReason ?? '');
  return match ? { code: match[1]!, message: match[2]! } : { code: 'Unknown', message: statusReason ?? '' };
};

const resumeHint = (editionId: string): string => `once the cause is fixed: briefing send --date ${editionId} --resume`;

/** The `stories` port over the article store: headlines and links in the order of `ids`, an unknown id alone. */
export const storiesFromArticles =
  (articles: Pick<ArticleStore, 'getMany'>) =>
  async (ids: readonly string[]): Promise<ReportedStory[]> => {
    const found = new Map((await articles.getMany(ids)).articles.map((article) => [article.id, article]));
    return ids.map((id) => {
      const article = found.get(id);
      return article ? { id, headline: article.headline, url: article.url } : { id };
    });
  };

export const createEditionEnding = (deps: EndingDeps): EditionEnding => {
  const announce = (edition: EditionRecord): void => {
    const { editionId } = edition;
    const figures = { editionId, recipients: edition.enqueued, sent: edition.sent, skipped: edition.skipped, failed: edition.failed, uncertain: edition.uncertain };
    switch (edition.status) {
      case 'sent':
        deps.publish(editionsSentMetric);
        deps.log.info('edition sent', figures);
        return;
      case 'stopped': {
        const reason = stopReason(stopFailure(edition.statusReason));
        deps.publish(editionsStoppedMetric, { [stopReasonDimension]: reason });
        deps.log.error(`edition ${editionId} stopped: ${edition.statusReason}; ${resumeHint(editionId)}`, { ...figures, reason, statusReason: edition.statusReason });
        return;
      }
      default:
        // EditionsPaused is published by the feedback function with every batch (0 included), as the alarm wants it.
        deps.log.warn(`edition ${editionId} paused: ${edition.statusReason}; ${resumeHint(editionId)}`, { ...figures, bounces: edition.bounces, complaints: edition.complaints });
    }
  };

  const storiesOf = async (edition: EditionRecord): Promise<readonly ReportedStory[]> => {
    const ids = edition.articleIds ?? [];
    try {
      return await deps.stories(ids);
    } catch (error) {
      deps.log.warn('edition report: the stories could not be read, their ids stand for them', { editionId: edition.editionId, error });
      return ids.map((id) => ({ id }));
    }
  };

  const mailReport = async (edition: EditionRecord): Promise<void> => {
    const to = deps.config.reportAddress;
    if (to === undefined) return;
    const context = { editionId: edition.editionId, status: edition.status, statusAt: edition.statusAt, reportAddress: to };
    try {
      const report = buildEditionReport({ edition, stories: await storiesOf(edition), unsubscribes: edition.unsubscribes, budgetPerSecond: deps.budgetPerSecond });
      const messageId = await sendEditionReport(report, { config: deps.config, sender: deps.sender });
      deps.log.info('edition report mailed', { ...context, messageId });
    } catch (error) {
      // The editors miss one report; the send goes on. The figures stay in `briefing editions show`.
      deps.log.error('edition report not mailed (briefing editions show has the same figures)', { ...context, error });
    }
  };

  return {
    async settle(edition) {
      if (!edition || !isEnded(edition.status) || edition.statusAt === undefined || edition.reportedFor === edition.statusAt) return;
      let claimed: EditionRecord | undefined;
      try {
        claimed = await deps.editions.claimReport(edition.editionId, edition.statusAt);
      } catch (error) {
        // Left unclaimed: the next worker that writes to this edition and sees the end claims it.
        deps.log.error('edition end could not be claimed: its metric and report wait for the next worker that sees it', {
          editionId: edition.editionId,
          status: edition.status,
          statusAt: edition.statusAt,
          error,
        });
        return;
      }
      if (!claimed) return;
      announce(claimed);
      await mailReport(claimed);
    },
  };
};
