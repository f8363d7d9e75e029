import { type Command, InvalidArgumentError } from 'commander';
import { storiesFromArticles } from '../../lambdas/edition/ending.ts';
import { buildEditionReport, reportLines } from '../../lambdas/edition/report.ts';
import type { EditionRecord } from '../../lambdas/edition/store.ts';
import { withLocalServices } from '../../local/services.ts';
import { defaultLocalRate, uncertainLines } from './send.ts';
import { validDate } from './shared.ts';

const counts = (edition: EditionRecord) =>
  `${edition.sent} sent, ${edition.skipped} skipped, ${edition.failed} failed${edition.uncertain ? `, ${edition.uncertain} uncertain` : ''} of ${edition.enqueued} queued${edition.noNews ? ` (${edition.noNews} no-news)` : ''}; ${edition.bounces} bounces, ${edition.complaints} complaints`;

const positiveInt = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return parsed;
};

const list = async (options: { limit: number }) =>
  withLocalServices(async ({ stores }) => {
    const editions = await stores.editions.recent(options.limit);
    if (editions.length === 0) console.log('No editions yet: npx briefing send');
    for (const edition of editions) console.log(`${edition.editionId}  ${edition.status.padEnd(9)} ${counts(edition)}  ${edition.subject ?? ''}`);
  });

const show = async (date: string) =>
  withLocalServices(async ({ stores }) => {
    const edition = await stores.editions.get(date);
    if (!edition) throw new Error(`there is no edition ${date} (npx briefing editions list shows the recent ones)`);
    // The figures of the edition report (the mail to reportAddress), with what only an operator needs after them.
    const report = buildEditionReport({ edition, stories: await storiesFromArticles(stores.articles)(edition.articleIds ?? []), unsubscribes: edition.unsubscribes, budgetPerSecond: defaultLocalRate() });
    const more: [string, string][] = [];
    if (edition.windowFrom) more.push(['window', `${edition.windowFrom} → ${edition.windowTo}`]);
    if (edition.duplicates) more.push(['repeats', `${edition.duplicates} jobs for recipients already handled, skipped`]);
    if (edition.dropped) more.push(['held back', `${edition.dropped} jobs that came while it was paused or stopped`]);
    const lines = reportLines(report, more);
    if (edition.uncertain > 0) lines.push('', ...uncertainLines(edition.uncertain, edition.editionId));
    console.log(lines.join('\n'));
    if (edition.status === 'paused' || edition.status === 'stopped') console.log(`\nContinue it with: npx briefing send --date ${edition.editionId} --resume`);
  });

export const registerEditions = (program: Command): void => {
  const editions = program.command('editions').description('See the editions sent, their status and counts.');
  editions.command('list').description('The recent editions, newest first.').option('-n, --limit <n>', 'how many', positiveInt, 14).action(list);
  editions.command('show').description('One edition in full, with the figures of its report: status and why, outcomes, bounces and complaints, unsubscribes, timing and rate, stories.').argument('<date>', 'the edition (YYYY-MM-DD)', validDate).action(show);
};
