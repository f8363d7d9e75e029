import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../aws/clients.ts';
import { tableNamesFromEnv } from '../aws/dynamodb/tables.ts';
import { loadConfig } from '../config/config.ts';
import { configurationSetVariable } from '../config/environment.ts';
import { isExpectedFailure } from '../errors.ts';
import { metricsNamespace, serviceName } from '../metrics.ts';

/** What every function reads once per cold start: settings from the environment, the logger, the stores. A bad setting fails the cold start with its name. */
export const logger = new Logger({ serviceName });
/** Metrics are published (embedded metric format, in the log) by the handlers that `lambdaHandler` gives them to. */
export const metrics = new Metrics({ namespace: metricsNamespace, serviceName });

export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

export const config = loadConfig();
// Each function builds only the stores it uses, so its bundle holds no other store's code.
export const documentClient = createDocumentClient();
export const tables = tableNamesFromEnv();
export const configurationSet = process.env[configurationSetVariable] || undefined;

export const logTo = (log: Logger) => (message: string, details?: Record<string, unknown>) => log.info(message, details ?? {});

/**
 * A failure leaving the function is logged once, here: an expected one (BriefingError: bad input or
 * settings someone can fix) as a warning, anything else as an error. Lambda still gets it thrown.
 */
const logFailures: MiddlewareObj = {
  onError: ({ error }) => {
    if (isExpectedFailure(error)) logger.warn(error.message, { error });
    else logger.error('invocation failed', { error });
  },
};

/**
 * The Lambda entry point around a plain function: the request id and function context in every log
 * line (`injectLambdaContext`), failures logged at the edge, and with `publishMetrics` the metrics
 * added during the invocation flushed after it, even when it fails (`logMetrics`).
 */
export const lambdaHandler = <TEvent, TResult>(handler: (event: TEvent, context: Context) => Promise<TResult>, options: { readonly publishMetrics?: boolean } = {}) => {
  const wrapped = middy(handler).use(injectLambdaContext(logger)).use(logFailures);
  return options.publishMetrics ? wrapped.use(logMetrics(metrics)) : wrapped;
};
