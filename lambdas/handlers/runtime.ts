import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from '../config/config.ts';
import { serviceName } from '../metrics.ts';
import { createDocumentClient } from '../aws/clients.ts';
import { tableNamesFromEnv } from '../aws/dynamodb/tables.ts';

/** What every function reads once per cold start: settings from the environment, the logger, the stores. A bad setting fails the cold start with its name. */
export const logger = new Logger({ serviceName });

export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

export const config = loadConfig();
// Each function builds only the stores it uses, so its bundle holds no other store's code.
export const documentClient = createDocumentClient();
export const tables = tableNamesFromEnv();
export const configurationSet = process.env.BRIEFING_CONFIGURATION_SET || undefined;

export const logTo = (log: Logger) => (message: string, details?: Record<string, unknown>) => log.info(message, details ?? {});
