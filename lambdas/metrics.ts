/**
 * The CloudWatch names the functions publish under (Powertools adds a `service` dimension); the stack's
 * alarms and dashboard watch the same names, so a metric and its alarm cannot drift apart.
 */
export const metricsNamespace = 'Briefing';
export const serviceName = 'briefing';
export const editionsPausedMetric = 'EditionsPaused';

/** Deliver's per-recipient outcomes, one count each (as deliver publishes them today). */
export const outcomeMetrics = { sent: 'Sent', skipped: 'Skipped', failed: 'Failed', uncertain: 'UncertainDeliveries', duplicates: 'Duplicates', dropped: 'Dropped' } as const;

/** The feedback function's counts per SES event applied. */
export const feedbackMetrics = { bounces: 'Bounces', transientBounces: 'TransientBounces', complaints: 'Complaints', suppressions: 'Suppressions' } as const;

/** 1 when an edition reaches `sent` (published by whichever function completes it): the dashboard's editions-per-day line. */
export const editionsSentMetric = 'EditionsSent';

/**
 * Published by the edition watchdog at the scheduled time plus the deadline: 1 when that day's
 * edition is not `sent` (skipped, stopped, paused, still sending, or never started), 0 when it is.
 */
export const editionsLateMetric = 'EditionsLate';

/**
 * 1 each time deliver stops an edition because SES refuses to send (quota, account paused, access
 * denied, …), with the SES reason as the `reason` dimension next to `service`. One alarm sums every
 * reason (a Metrics Insights query), so a reason never seen before still alarms.
 */
export const editionsStoppedMetric = 'EditionsStopped';
export const stopReasonDimension = 'reason';

/**
 * The `reason` dimension for a stop error: the classified SES code, except the daily quota, which
 * SES reports as a throttling error and which needs a different remedy than throttling.
 */
export const stopReason = (failure: { readonly code: string; readonly message: string }): string =>
  /daily message quota exceeded/i.test(failure.message) ? 'DailyQuotaExceeded' : failure.code.replace(/[^A-Za-z0-9_.-]/g, '') || 'Unknown';

/** Deliveries whose outcome is unknown (a timeout or reset after SES may have taken the message): counted, never retried. */
export const uncertainDeliveriesMetric = outcomeMetrics.uncertain;

/**
 * Published by the feed poller (issue 10): 1 per feed that could not be fetched or read in a poll
 * (timeout, HTTP error, oversize or unparseable body). A feed failing three polls in a row alarms.
 */
export const feedPollFailuresMetric = 'FeedPollFailures';
