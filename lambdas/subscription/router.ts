import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ApiRequest, HttpError, requestFromEvent, wantsJson } from './http.ts';
import { renderPage } from './pages.ts';
import { deleteData, downloadData, savePreferences, showPreferences } from './preferences.ts';
import {
  confirm,
  errorReply,
  type Reply,
  type Route,
  showArchive,
  showConfirm,
  showSignup,
  showUnsubscribe,
  type SubscriptionDeps,
  subscribe,
  unsubscribeRoute,
} from './routes.ts';

type Method = 'GET' | 'POST';

/** Every route; a GET only ever shows a page, every change is a POST (mail scanners fetch links). */
const routes: Readonly<Record<string, Partial<Record<Method, Route>>>> = {
  '/': { GET: showSignup },
  '/subscribe': { POST: subscribe },
  '/confirm': { GET: showConfirm, POST: confirm },
  '/unsubscribe': { GET: showUnsubscribe, POST: unsubscribeRoute },
  '/preferences': { GET: showPreferences, POST: savePreferences },
  '/preferences/data': { POST: downloadData },
  '/preferences/delete': { POST: deleteData },
};
const archivePath = /^\/archive\/([^/]+)$/;

/**
 * Tokens travel in URLs, so no page leaks its address in a Referer; pages need no script, and forms
 * post only back here.
 */
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export type ErrorLog = (message: string, details: Record<string, unknown>) => void;

const consoleLog: ErrorLog = (message, details) => console.error(JSON.stringify({ level: 'ERROR', message, ...details }));

/** Renders a reply as the client wants it: a page for browsers and mail clients, `{ ok, message }` for JSON clients. */
export const toResponse = async (
  reply: Reply,
  request: ApiRequest,
  deps: SubscriptionDeps,
  headers: Readonly<Record<string, string>> = {},
): Promise<APIGatewayProxyStructuredResultV2> => {
  if (reply.kind === 'html') {
    return { statusCode: reply.status, headers: { ...pageHeaders, 'cache-control': `public, max-age=${reply.cacheSeconds}`, ...headers }, body: reply.html };
  }
  if (reply.kind === 'file') {
    // Saved, never shown: a browser keeps it as the file named, and no cache keeps a reader's data.
    return {
      statusCode: reply.status,
      headers: {
        'content-type': reply.contentType,
        'content-disposition': `attachment; filename="${reply.filename}"`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        ...headers,
      },
      body: reply.body,
    };
  }
  if (wantsJson(request)) {
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
      body: JSON.stringify({ ok: reply.status < 400, message: reply.message }),
    };
  }
  const html = await renderPage(reply.page, reply.view as never, deps.config, deps.engine);
  return { statusCode: reply.status, headers: { ...pageHeaders, 'cache-control': 'no-store', ...headers }, body: html };
};

/** The answer for a request refused before any route ran (the local server's 429 uses it too). */
export const errorResponse = (error: HttpError, request: ApiRequest, deps: SubscriptionDeps) =>
  toResponse(errorReply(error.status, error.heading, error.message), request, deps, error.options.headers);

const dispatch = async (request: ApiRequest, deps: SubscriptionDeps): Promise<Reply> => {
  const archive = archivePath.exec(request.path);
  if (archive) {
    if (request.method !== 'GET') throw new HttpError(405, 'Not allowed here', 'This page can only be read.', { headers: { allow: 'GET' } });
    let editionId: string;
    try {
      editionId = decodeURIComponent(archive[1]!);
    } catch {
      editionId = '';
    }
    return showArchive(editionId, deps);
  }
  const methods = routes[request.path];
  if (!methods) return errorReply(404, 'Page not found', 'There is no page at this address.');
  const route = methods[request.method as Method];
  if (!route) {
    const allowed = Object.keys(methods).join(', ');
    throw new HttpError(405, 'Not allowed here', `${request.path} only answers ${allowed} requests: use the form on the sign-up page.`, { headers: { allow: allowed } });
  }
  return route(request, deps);
};

const serverError = errorReply(500, 'Something went wrong on our side', 'Please try again in a few minutes.');

/** One request through the routes; every failure becomes a page (or JSON) that says what happened. */
export const handleRequest = async (event: APIGatewayProxyEventV2, deps: SubscriptionDeps, log: ErrorLog = consoleLog): Promise<APIGatewayProxyStructuredResultV2> => {
  const request = requestFromEvent(event);
  try {
    return await toResponse(await dispatch(request, deps), request, deps);
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) return errorResponse(error, request, deps);
    log(error instanceof HttpError ? error.heading : 'request failed', {
      method: request.method,
      path: request.path,
      error: String((error as Error).cause ?? (error as Error).stack ?? error),
    });
    if (error instanceof HttpError) return errorResponse(error, request, deps);
    try {
      return await toResponse(serverError, request, deps);
    } catch {
      // The error page itself failed (a broken template): plain words still reach the reader.
      return { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'Something went wrong on our side. Please try again in a few minutes.\n' };
    }
  }
};
