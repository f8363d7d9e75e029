import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, resolve, sep } from 'node:path';
import { defaultConfigFile } from '../../lambdas/config/config.ts';
import { createPreviewRenderer, type PreviewSources, summarise } from './render.ts';
import { templatesUsing } from './registry.ts';
import { RefusedTestError, type TestMailer } from './send-test.ts';
import { watchSources } from './watch.ts';

export interface PreviewServerOptions extends PreviewSources {
  /** Loopback port; 0 picks a free one. */
  readonly port: number;
  readonly mailer: TestMailer;
}

export interface PreviewServer {
  readonly url: string;
  close(): Promise<void>;
}

const host = '127.0.0.1';
const asset = (name: string) => readFileSync(join(import.meta.dirname, name), 'utf8');
const page = asset('page.html');
const client = asset('client.js');

class BadRequest extends Error {}

const send = (response: ServerResponse, status: number, type: string, body: string) => {
  response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
};
const json = (response: ServerResponse, status: number, body: unknown) => send(response, status, 'application/json', JSON.stringify(body));

const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never answers.
  if (!request.headers['content-type']?.startsWith('application/json')) throw new BadRequest('expected a JSON body');
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 10_000) throw new BadRequest('request body too large');
  }
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // Reported below, as any other body that is not an object.
  }
  throw new BadRequest('expected a JSON object');
};

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${name} is required`);
  return value;
};

/** `topics=world,science` (none: every story). */
const topicList = (value: string): string[] => value.split(',').map((id) => id.trim()).filter(Boolean);

const topicIds = (value: unknown): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) throw new BadRequest('topics must be a list of topic ids');
  return value;
};

const inside = (folder: string, file: string) => file === folder || file.startsWith(folder + sep);

/**
 * The preview's web server on loopback: the page, one render per request, a stream of change events
 * (Server-Sent Events) fed by the file watcher, and test sends. A failing render is an answer, never a crash.
 */
export const startPreviewServer = async (options: PreviewServerOptions): Promise<PreviewServer> => {
  const renderer = createPreviewRenderer(options);
  const templatesDir = resolve(options.templatesDir);
  const configFile = resolve(options.configFile ?? defaultConfigFile);
  const defaultDataSet = options.articlesPath ? 'articles' : 'samples';
  const streams = new Set<ServerResponse>();
  let version = 0;

  const affected = (files: readonly string[]): string[] => {
    const names = new Set<string>();
    for (const file of files) {
      const hit =
        file === configFile
          ? renderer.templates
          : inside(templatesDir, file)
            ? templatesUsing(relative(templatesDir, file).split(sep).join('/'), renderer.templates)
            : renderer.templates.filter((template) => template.usesArticles);
      for (const template of hit) names.add(template.name);
    }
    return [...names];
  };

  const broadcast = (files: string[]) => {
    version += 1;
    const event = `event: change\ndata: ${JSON.stringify({ version, files: files.map((file) => relative(process.cwd(), file)), templates: affected(files) })}\n\n`;
    for (const stream of streams) stream.write(event);
  };

  const watcher = await watchSources(
    { paths: [templatesDir, options.samplesDir, ...(options.articlesPath ? [options.articlesPath] : [])], optionalFile: configFile },
    broadcast,
  );

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>> = {
    'GET /': async (_request, response) => send(response, 200, 'text/html', page),
    'GET /client.js': async (_request, response) => send(response, 200, 'text/javascript', client),
    'GET /api/state': async (_request, response) => {
      const dataSets = await renderer.dataSets();
      json(response, 200, {
        version,
        templates: renderer.templates.map(summarise),
        dataSets: dataSets.map(({ id, label }) => ({ id, label })),
        topics: renderer.topics(),
        defaults: { template: renderer.templates[0]?.name, dataSet: defaultDataSet },
      });
    },
    'GET /api/render': async (_request, response, url) => {
      const rendered = await renderer.render(text(url.searchParams.get('template'), 'template'), url.searchParams.get('dataSet') || defaultDataSet, topicList(url.searchParams.get('topics') ?? ''));
      json(response, 200, { version, ...rendered.result });
    },
    'GET /api/events': async (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      // EventSource reconnects after a second when the stream drops (a restarted preview).
      response.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ version })}\n\n`);
      streams.add(response);
      request.on('close', () => streams.delete(response));
    },
    'POST /api/send-test': async (request, response) => {
      const body = await readJson(request);
      const to = text(body.to, 'to');
      const rendered = await renderer.render(text(body.template, 'template'), typeof body.dataSet === 'string' ? body.dataSet : defaultDataSet, topicIds(body.topics));
      if (!rendered.ok) return json(response, 409, { error: `nothing to send: ${rendered.result.error.message}` });
      if (rendered.template.kind !== 'email') return json(response, 400, { error: `${rendered.template.label} is a page, not an email` });
      try {
        json(response, 200, await options.mailer.send(rendered.output, rendered.config, to));
      } catch (error) {
        if (error instanceof RefusedTestError) throw new BadRequest(error.message);
        throw error;
      }
    },
  };

  // Only loopback names: a page elsewhere cannot reach this server through a DNS name rebound to 127.0.0.1.
  const allowedHost = (hostHeader: string | undefined, port: number) =>
    [`${host}:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader ?? '');

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    const route = routes[`${request.method} ${url.pathname}`];
    if (!allowedHost(request.headers.host, (server.address() as AddressInfo).port)) return send(response, 403, 'text/plain', 'loopback only');
    if (!route) return send(response, 404, 'text/plain', 'not found');
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) return response.end();
      if (error instanceof BadRequest) return json(response, 400, { error: error.message });
      json(response, 500, { error: (error as Error).message });
    });
  });

  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      void watcher.close();
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${options.port} is in use: choose another with --port or BRIEFING_PREVIEW_PORT`) : error);
    });
    server.listen(options.port, host, () => resolvePort((server.address() as AddressInfo).port));
  });

  return {
    url: `http://${host}:${port}/`,
    async close() {
      for (const stream of streams) stream.end();
      await new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      });
      await watcher.close();
      await options.mailer.close();
      options.store?.close();
    },
  };
};
