import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BriefingConfig } from '../config/config.ts';
import { sendRateBudgetVariable } from '../config/environment.ts';
import { createEditionEnding, type EditionEnding, type EndingDeps } from '../edition/ending.ts';

/**
 * Publishes 1 of a metric at once, in its own EMF document, with exactly `service` and the given dimensions:
 * EditionsStopped's `reason` must not end up on the invocation's other metrics, and compose publishes no others.
 */
export const countPublisher =
  (metrics: Metrics): EndingDeps['publish'] =>
  (name, dimensions = {}) => {
    const single = metrics.singleMetric();
    for (const [dimension, value] of Object.entries(dimensions)) single.addDimension(dimension, value);
    single.addMetric(name, MetricUnit.Count, 1);
  };

/** The account's whole send rate (the stack sets it on every function that may end an edition): the report's budget. */
export const sendRateBudget = (env: NodeJS.ProcessEnv = process.env): number => {
  const value = env[sendRateBudgetVariable];
  const budget = Number(value);
  if (!value || !(budget > 0)) throw new Error(`environment variable ${sendRateBudgetVariable} must be the SES send rate, a number above 0 (got ${JSON.stringify(value ?? null)})`);
  return budget;
};

/** What compose, deliver and feedback report an edition's end with, as deployed: CloudWatch metrics, their logger, SES, the send-rate budget. */
export const lambdaEnding = (options: {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly config: BriefingConfig;
  readonly editions: EndingDeps['editions'];
  readonly sender: EndingDeps['sender'];
  readonly stories: EndingDeps['stories'];
}): EditionEnding =>
  createEditionEnding({
    editions: options.editions,
    config: options.config,
    sender: options.sender,
    stories: options.stories,
    publish: countPublisher(options.metrics),
    budgetPerSecond: sendRateBudget(),
    log: {
      info: (message, details) => options.logger.info(message, details),
      warn: (message, details) => options.logger.warn(message, details),
      error: (message, details) => options.logger.error(message, details),
    },
  });
