import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createArticleStore } from '../aws/dynamodb/articles.ts';
import { ingestKeyFromEnv } from '../aws/ingest-key.ts';
import { type IngestDeps, serveIngest } from '../ingest/webhook.ts';
import { fromRestEvent, toRestResult } from '../subscription/rest-payload.ts';
import { documentClient, lambdaHandler, logger, tables } from './runtime.ts';

const deps: IngestDeps = {
  articles: createArticleStore(documentClient, tables.articles),
  key: ingestKeyFromEnv(),
  log: (message, details) => logger.info(message, details),
};

/** `POST /articles` on the REST API (payload 1.0, behind the WAF web ACL): the CMS webhook. The only function that writes the articles table besides the feed poller. */
export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => toRestResult(await serveIngest(fromRestEvent(event), deps)));
