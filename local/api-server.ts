import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type IngestDeps, ingestPath, maxIngestBytes, serveIngest } from '../lambdas/ingest/webhook.ts';
import { HttpError, maxBodyBytes, requestFromEvent } from '../lambdas/subscription/http.ts';
import { type ErrorLog, errorResponse, handleRequest } from '../lambdas/subscription/router.ts';
import type { SubscriptionDeps } from '../lambdas/subscription/routes.ts';

/** Requests per client: a burst, then a steady rate (API Gateway's stage throttle plays this part in AWS). */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** Generous for a person clicking through the pages, short for a script hammering the form. */
export const defaultRateLimit: RateLimit = { burst: 30, perSecond: 1 };

export interface ApiServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  readonly deps: SubscriptionDeps;
  /** `POST /articles`, the articles webhook, through the same function the ingest Lambda runs. @default - not served */
  readonly ingest?: IngestDeps;
  /** `false` turns the limit off (the load bench). @default defaultRateLimit */
  readonly rateLimit?: RateLimit | false;
  readonly log?: ErrorLog;
}

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

// Past this the body is not worth draining: the connection is cut.
const drainLimit = 1024 * 1024;

/** One token bucket per client address. */
const createLimiter = ({ burst, perSecond }: RateLimit) => {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (client: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } => {
    const bucket = buckets.get(client) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / perSecond) };
  };
};

/**
 * Reads at most one byte more than the route accepts (`keep`), so a large body ends in its 413 without
 * being held in memory; past `drain` bytes the connection is cut.
 */
const readBody = (request: IncomingMessage, keep = maxBodyBytes, drain = drainLimit): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size <= keep) chunks.push(chunk);
      size += chunk.length;
      if (size > drain) request.destroy();
    });
    const done = () => resolve(Buffer.concat(chunks).subarray(0, keep + 1));
    request.on('end', done);
    // A connection cut above the drain limit ends here; the answer then goes nowhere.
    request.on('close', done);
    request.on('error', reject);
  });

/** The event API Gateway's HTTP API (payload 2.0) would hand the Lambda for this request. */
const toEvent = (request: IncomingMessage, body: Buffer, host: string): APIGatewayProxyEventV2 => {
  const url = new URL(request.url ?? '/', `http://${host}`);
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]),
  );
  const now = new Date();
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.hostname,
      domainPrefix: url.hostname.split('.')[0]!,
      http: { method, path: url.pathname, protocol: `HTTP/${request.httpVersion}`, sourceIp: request.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
};

const send = (response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), 'content-length': body.length });
  response.end(body);
};

/**
 * The subscription routes on a local port, through the same router the Lambda runs: each request is
 * turned into the HTTP API's event and the router's result written back.
 */
export const startApiServer = async (options: ApiServerOptions): Promise<ApiServer> => {
  const host = options.host ?? '127.0.0.1';
  const limit = options.rateLimit === false ? undefined : createLimiter(options.rateLimit ?? defaultRateLimit);
  const server = createServer(async (request, response) => {
    try {
      const ingest = options.ingest && new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') === ingestPath ? options.ingest : undefined;
      // The webhook's 413 is always an answer, never a cut connection: a body declared too large is not read
      // (Node discards it after the answer), and one sent without a length is read to its end.
      const tooLarge = ingest !== undefined && Number(request.headers['content-length']) > maxIngestBytes;
      const body = ingest ? (tooLarge ? Buffer.alloc(0) : await readBody(request, maxIngestBytes, Infinity)) : await readBody(request);
      const event = toEvent(request, body, request.headers.host ?? host);
      const allowed = limit?.(request.socket.remoteAddress ?? '') ?? { ok: true };
      if (!allowed.ok) {
        const error = new HttpError(429, 'Too many requests', `Please wait ${allowed.retryAfterSeconds} s and try again.`, {
          headers: { 'retry-after': String(allowed.retryAfterSeconds) },
        });
        send(response, await errorResponse(error, requestFromEvent(event), options.deps));
        return;
      }
      send(response, ingest ? await serveIngest(event, ingest) : await handleRequest(event, options.deps, options.log));
    } catch (error) {
      (options.log ?? console.error)('local API server failed', { error: (error as Error).stack ?? String(error) });
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Something went wrong on our side.\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
