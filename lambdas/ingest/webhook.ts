import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mediaType, requestFromEvent } from '../subscription/http.ts';
import { type ArticleSink, ingestRecords, maxRecordsPerRequest } from './records.ts';

/** The largest body `POST /articles` takes: 100 records of ~10 KB, with room to spare. */
export const maxIngestBytes = 1024 * 1024;

/** The path of the articles webhook, on the subscription API (AWS) and the local API server. */
export const ingestPath = '/articles';

export interface IngestDeps {
  readonly articles: ArticleSink;
  /** The bearer key CMSs send; asked for each request, so the adapter decides how long to keep it. */
  key(): Promise<string>;
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

const answer = (statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

const refusal = (statusCode: number, error: string, message: string, headers?: Readonly<Record<string, string>>) => answer(statusCode, { error, message }, headers);

// One answer whether the key is missing, malformed or wrong: nothing tells a guesser which.
const unauthorized = () =>
  refusal(401, 'unauthorized', 'Send the ingest key as "Authorization: Bearer <key>".', { 'www-authenticate': 'Bearer realm="briefing articles"' });

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compared as SHA-256 digests, in constant time: neither the key's length nor a matching prefix shows in how long a refusal takes. */
export const keyMatches = (given: string, key: string): boolean => timingSafeEqual(digest(given), digest(key));

const bearerToken = (header: string | undefined): string | undefined => /^Bearer +([^\s]+) *$/i.exec(header ?? '')?.[1];

const example = '[{"id": "rail-strike-called-off", "category": "UK", "headline": "…", "url": "https://…", "publishedAt": "2026-11-24T06:10:00Z", "keyPoints": ["…"]}]';

/**
 * `POST /articles`, the CMS webhook: a JSON article record or an array of up to 100, with the ingest
 * key as a bearer token. Valid records are stored and listed in `stored`; each invalid one is named in
 * `problems` by its place, id, field and problem, and none of it is written (200). Refused whole: 401
 * without the right key, 415 for a body that is not JSON, 413 over 1 MB, 400 for JSON that is not a
 * record or an array of them. 503 when the store failed to write some valid records (named in
 * `problems`): sending them again is safe, a record's id makes the write an update.
 */
export const serveIngest = async (event: APIGatewayProxyEventV2, deps: IngestDeps): Promise<APIGatewayProxyStructuredResultV2> => {
  const request = requestFromEvent(event);
  if (request.method !== 'POST') return refusal(405, 'method not allowed', `${ingestPath} takes POST requests only.`, { allow: 'POST' });
  const given = bearerToken(request.headers.authorization);
  if (!given || !keyMatches(given, await deps.key())) {
    deps.log?.('articles refused: no valid ingest key', { sourceIp: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent });
    return unauthorized();
  }
  const type = mediaType(request);
  if (type !== 'application/json') {
    return refusal(415, 'unsupported media type', `Send the records as Content-Type: application/json${type ? `, not ${type}` : ''}.`);
  }
  // A declared length is believed before the body is read: the local server answers without reading a large one.
  if (request.body.length > maxIngestBytes || Number(request.headers['content-length']) > maxIngestBytes) {
    return refusal(413, 'payload too large', `A request may carry at most ${maxIngestBytes / 1024 / 1024} MB; send the records in smaller batches.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    return refusal(400, 'bad request', `The body is not valid JSON: ${(error as Error).message}`);
  }
  const records = Array.isArray(parsed) ? parsed : typeof parsed === 'object' && parsed !== null ? [parsed] : undefined;
  if (!records) return refusal(400, 'bad request', `The body must be one article record (a JSON object) or an array of them, e.g. ${example}`);
  if (records.length > maxRecordsPerRequest) {
    return refusal(400, 'bad request', `At most ${maxRecordsPerRequest} records per request (this one has ${records.length}); send them in batches.`);
  }
  const { stored, problems, complete } = await ingestRecords(records, deps.articles);
  deps.log?.('articles ingested', { records: records.length, stored: stored.length, problems: problems.length, complete });
  return answer(complete ? 200 : 503, { stored, problems });
};
