import type { Command } from 'commander';
import { createFeedStateStore } from '../../lambdas/aws/dynamodb/feed-state.ts';
import { type BriefingConfig, loadConfig } from '../../lambdas/config/config.ts';
import { pollFeeds } from '../../lambdas/feeds/poll-feeds.ts';
import { type FeedReport, formatFeedReport } from '../../lambdas/feeds/report.ts';
import { type LocalServices, withLocalServices } from '../../local/services.ts';
import { localWhere } from './services.ts';

/**
 * Each feed's report lines (`URL: N new, M updated, K left out`, then one line per item left out or
 * stored without a part), and one line that says how many records were written, and where.
 */
export const printFeedReports = (reports: readonly FeedReport[], where: string): void => {
  for (const report of reports) for (const line of formatFeedReport(report)) console.log(line);
  const sum = (count: (report: FeedReport) => number) => reports.reduce((total, report) => total + count(report), 0);
  const unchanged = sum((report) => report.unchanged);
  console.log(
    `Stored ${sum((report) => report.added)} new and ${sum((report) => report.updated)} updated article(s) into ${where}${unchanged > 0 ? `; ${unchanged} already stored as they are` : ''}.`,
  );
};

/** The configured feeds, polled once as the scheduled poller polls them (conditional GET with the state kept in the store). */
export const pollConfiguredFeeds = async (services: LocalServices, feeds: BriefingConfig['feeds']): Promise<FeedReport[]> =>
  pollFeeds(feeds, { articles: services.stores.articles, feedState: createFeedStateStore(services.doc, services.tables.feeds) });

const poll = async () => {
  const { feeds } = loadConfig();
  if (feeds.length === 0) {
    console.log('No feeds configured: add them to briefing.config.json ("feeds": [{ "url": "https://…", "category": "World" }]) or BRIEFING_FEEDS; see docs/feeds.md.');
    return;
  }
  await withLocalServices(async (services) => {
    const reports = await pollConfiguredFeeds(services, feeds);
    printFeedReports(reports, localWhere(services));
    const failed = reports.filter((report) => report.outcome === 'failed').length;
    if (failed > 0) {
      console.error(`${failed} of ${reports.length} feed(s) could not be read (listed above); the others were stored.`);
      process.exitCode = 1;
    }
  });
};

export const registerFeeds = (program: Command): void => {
  const feeds = program.command('feeds').description('Poll the feeds of the config key `feeds` (RSS 2.0, Atom 1.0, JSON Feed; see docs/feeds.md).');
  feeds
    .command('poll')
    .description('Poll every configured feed once, as the scheduled feed poller does, and store the items as article records in the local store.')
    .addHelpText(
      'after',
      `
Each feed is fetched with a conditional GET (the ETag and Last-Modified of its last poll, kept in the
local store's feeds table), so an unchanged feed answers 304 and costs nothing. Per feed it prints
"URL: N new, M updated, K left out" (or "not modified", or "failed: why"), then one line per item left
out. Exit status 1 when a feed could not be read; the others are stored all the same.

Configure the feeds in briefing.config.json:
  { "feeds": [{ "url": "https://www.example.com/world/rss", "category": "World" }] }

Examples:
  $ npx briefing feeds poll
  $ BRIEFING_FEEDS='[{"url":"https://www.example.com/world/rss","category":"World"}]' npx briefing feeds poll
  $ npx briefing articles import-feed https://www.example.com/world/rss --category World   # try one first`,
    )
    .action(poll);
};
