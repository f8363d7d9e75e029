import type { ItemProblem } from './map-item.ts';

/** One item, by its position in the feed (from 1) and its guid or link. */
export interface ItemReport {
  readonly item: number;
  readonly guid?: string;
  readonly link?: string;
  readonly problems: readonly ItemProblem[];
}

export interface FeedReport {
  /** The feed's URL, or the file an import read. */
  readonly source: string;
  readonly outcome: 'stored' | 'not-modified' | 'failed';
  readonly added: number;
  readonly updated: number;
  /** Items whose record is stored already, exactly as mapped: not written again. */
  readonly unchanged: number;
  /** Items refused by a rule or the record schema: not stored. */
  readonly leftOut: readonly ItemReport[];
  /** Items stored without an optional part (an image without alt text, say), and why. */
  readonly notes: readonly ItemReport[];
  /** Why a failed feed failed; `expected` is false for an outage or a bug rather than a bad feed. */
  readonly error?: { readonly message: string; readonly expected: boolean };
}

const itemLabel = (source: string, item: ItemReport): string =>
  `${source} item ${item.item}${item.guid ? ` (guid ${item.guid})` : item.link ? ` (link ${item.link})` : ''}`;

const problemList = (problems: readonly ItemProblem[]): string => problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');

/**
 * The lines the CLI prints and the poller logs for one feed: `URL: N new, M updated, K left out`
 * (or `not modified`, or `failed: why`), then `invalid: URL item 3 (guid …): field: problem` for
 * each item left out and `note: …` for each item stored without an optional part.
 */
export const formatFeedReport = (report: FeedReport): string[] => {
  const headline =
    report.outcome === 'not-modified'
      ? `${report.source}: not modified`
      : report.outcome === 'failed'
        ? `${report.source}: failed: ${report.error?.message ?? 'unknown error'}`
        : `${report.source}: ${report.added} new, ${report.updated} updated, ${report.leftOut.length} left out`;
  return [
    headline,
    ...report.leftOut.map((item) => `invalid: ${itemLabel(report.source, item)}: ${problemList(item.problems)}`),
    ...report.notes.map((item) => `note: ${itemLabel(report.source, item)}: ${problemList(item.problems)}`),
  ];
};
