import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, beforeEach } from 'vitest';

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

export interface FeedServer {
  /** The server's address for a path, e.g. `url('/feed.xml')`. */
  url(path: string): string;
  /** Every request received, in order. */
  readonly requests: { readonly path: string; readonly headers: IncomingHttpHeaders }[];
  /** Answers `path` with `route` (replacing what it answered before). */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** A local HTTP server on a free loopback port that serves feeds the way a test wants. */
export const startFeedServer = async (): Promise<FeedServer> => {
  const routes = new Map<string, Route>();
  const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    const route = routes.get(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (route) route(request, response);
    else response.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    route: (path, route) => void routes.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        // Stalled answers (the timeout tests) would otherwise keep the server open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/** A fresh feed server for each test: no routes, no requests. Read `server` inside tests. */
export const useFeedServer = () => {
  const context = {} as { server: FeedServer };
  beforeEach(async () => {
    context.server = await startFeedServer();
  });
  afterEach(() => context.server.close());
  return context;
};

/** A route that answers with `body`, an ETag and a Last-Modified, and 304 to a request that names either. */
export const conditionalFeed =
  (body: () => string, validators: { etag: string; lastModified: string }, contentType = 'application/rss+xml; charset=utf-8'): Route =>
  (request, response) => {
    if (request.headers['if-none-match'] === validators.etag || request.headers['if-modified-since'] === validators.lastModified) {
      response.writeHead(304, { etag: validators.etag }).end();
      return;
    }
    response.writeHead(200, { 'content-type': contentType, etag: validators.etag, 'last-modified': validators.lastModified }).end(body());
  };
