import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { createArticleStore } from '../aws/dynamodb/articles.ts';
import { createFeedStateStore } from '../aws/dynamodb/feed-state.ts';
import { BriefingError } from '../errors.ts';
import { type PollDeps, pollFeeds } from '../feeds/poll-feeds.ts';
import { formatFeedReport } from '../feeds/report.ts';
import { feedSourcesSchema } from '../feeds/sources.ts';
import { feedPollFailuresMetric } from '../metrics.ts';
import { documentClient, lambdaHandler, logger, metrics, tables } from './runtime.ts';

/**
 * What the schedule hands the poller: the feeds of the CDK context. They travel in the schedule's
 * input rather than in the environment, whose 4 KB a long list of feeds would outgrow.
 */
const pollRequestSchema = z.object({ feeds: feedSourcesSchema });

export interface PollSummary {
  readonly feeds: number;
  readonly added: number;
  readonly updated: number;
  readonly leftOut: number;
  /** The feeds that could not be fetched or read. */
  readonly failed: readonly string[];
}

const deps: PollDeps = {
  articles: createArticleStore(documentClient, tables.articles),
  feedState: createFeedStateStore(documentClient, tables.feeds),
};

/**
 * One scheduled poll: every feed polled as `briefing feeds poll` polls it, each report line logged
 * (the failed feeds as warnings), and `FeedPollFailures` published with the number of feeds that
 * failed, 0 included, so the alarm's periods are never empty while the poller runs.
 */
export const pollScheduled = async (event: unknown): Promise<PollSummary> => {
  const request = pollRequestSchema.safeParse(event);
  if (!request.success) {
    const issue = request.error.issues[0]!;
    throw new BriefingError(`poll request: ${issue.path.join('.') || '(event)'}: ${issue.message}`);
  }
  const reports = await pollFeeds(request.data.feeds, deps);
  for (const report of reports) {
    const [headline, ...items] = formatFeedReport(report);
    const details = { feed: report.source, outcome: report.outcome };
    if (report.outcome === 'failed') logger.warn(headline!, { ...details, expected: report.error?.expected });
    else logger.info(headline!, details);
    for (const line of items) logger.info(line, details);
  }
  const failed = reports.filter((report) => report.outcome === 'failed').map((report) => report.source);
  metrics.addMetric(feedPollFailuresMetric, MetricUnit.Count, failed.length);
  const sum = (count: (report: (typeof reports)[number]) => number) => reports.reduce((total, report) => total + count(report), 0);
  return {
    feeds: reports.length,
    added: sum((report) => report.added),
    updated: sum((report) => report.updated),
    leftOut: sum((report) => report.leftOut.length),
    failed,
  };
};

export const handler = lambdaHandler(pollScheduled, { publishMetrics: true });
