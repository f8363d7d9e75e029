import { type Command, InvalidArgumentError } from 'commander';
import type { EditionRecord } from '../../lambdas/edition/store.ts';
import { withLocalServices } from '../../local/services.ts';
import { uncertainLines } from './send.ts';
import { validDate } from './shared.ts';

const counts = (edition: EditionRecord) =>
  `${edition.sent} sent, ${edition.skipped} skipped, ${edition.failed} failed${edition.uncertain ? `, ${edition.uncertain} uncertain` : ''} of ${edition.enqueued} queued; ${edition.bounces} bounces, ${edition.complaints} complaints`;

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
    const lines = [
      `edition   ${edition.editionId}`,
      `status    ${edition.status}${edition.statusReason && edition.statusReason !== edition.status ? ` (${edition.statusReason})` : ''}`,
      `subject   ${edition.subject ?? '(not rendered)'}`,
      `stories   ${(edition.articleIds ?? []).join(', ') || '(none)'}`,
      ...(edition.windowFrom ? [`window    ${edition.windowFrom} → ${edition.windowTo}`] : []),
      `started   ${edition.startedAt ?? '-'}`,
      `completed ${edition.completedAt ?? '-'}`,
      `counts    ${counts(edition)}${edition.duplicates ? `, ${edition.duplicates} repeats skipped` : ''}${edition.dropped ? `, ${edition.dropped} held back while paused or stopped` : ''}`,
    ];
    if (edition.uncertain > 0) lines.push('', ...uncertainLines(edition.uncertain, edition.editionId));
    console.log(lines.join('\n'));
    if (edition.status === 'paused' || edition.status === 'stopped') console.log(`\nContinue it with: npx briefing send --date ${edition.editionId} --resume`);
  });

export const registerEditions = (program: Command): void => {
  const editions = program.command('editions').description('See the editions sent, their status and counts.');
  editions.command('list').description('The recent editions, newest first.').option('-n, --limit <n>', 'how many', positiveInt, 14).action(list);
  editions.command('show').description('One edition in full: status and why, stories, window, counts.').argument('<date>', 'the edition (YYYY-MM-DD)', validDate).action(show);
};
