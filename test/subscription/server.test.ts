import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../local/api-server.ts';
import type { Subscriber } from '../../lambdas/subscription/store.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { signToken } from '../../lambdas/subscription/tokens.ts';
import { mainText, testSecret, useSubscriptionHarness } from './harness.ts';

const h = useSubscriptionHarness();
let server: ApiServer;
let active: Subscriber;
let pending: Subscriber;

beforeEach(async () => {
  server = await startApiServer({ port: 0, deps: h.deps, rateLimit: false });
  active = (await h.stores.subscribers.add('reader@example.org', { status: 'active', reason: 'confirmed' }))!;
  pending = (await h.stores.subscribers.add('waiting@example.org', { status: 'pending', reason: 'signed up on the web page' }))!;
});
afterEach(async () => server.close());

const links = () => subscriptionLinks(h.config, testSecret);
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

/** Everything the store holds and the inbox has: what a refused request must leave as it was. */
const snapshot = async () => {
  const subscribers: Subscriber[] = [];
  for await (const subscriber of h.stores.subscribers.all()) subscribers.push(subscriber);
  return { subscribers: subscribers.sort((a, b) => a.email.localeCompare(b.email)), inbox: (await h.emulators.inbox()).length };
};

const post = (path: string, body: string, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

interface BadInput {
  readonly name: string;
  readonly send: () => Promise<Response>;
  readonly status: number;
  readonly says: string;
}

const badInputs: BadInput[] = [
  {
    name: 'CR/LF in the address (a header injection attempt)',
    send: () => post('/subscribe', new URLSearchParams({ email: 'victim@example.org\r\nBcc: everyone@example.org' }).toString()),
    status: 400,
    says: 'cannot contain line breaks',
  },
  {
    name: 'a 300-character address',
    send: () => post('/subscribe', new URLSearchParams({ email: `${'a'.repeat(64)}@${'b'.repeat(230)}.example` }).toString()),
    status: 400,
    says: 'at most 254 characters',
  },
  {
    name: 'a 9 KB body',
    send: () => post('/subscribe', new URLSearchParams({ email: 'big@example.org', padding: 'x'.repeat(9 * 1024) }).toString()),
    status: 413,
    says: 'at most 8 KB',
  },
  {
    name: 'a content type the routes do not take',
    send: () => post('/subscribe', 'email=plain@example.org', 'text/plain'),
    status: 415,
    says: 'not text/plain',
  },
  {
    name: 'JSON that does not parse',
    send: () => post('/subscribe', '{"email": ', 'application/json'),
    status: 400,
    says: 'not valid JSON',
  },
  {
    name: 'a tampered confirm token',
    send: () => {
      const token = tokenOf(links().confirmUrl(pending.id, pending.signupNonce));
      const [payload, signature] = token.split('.') as [string, string];
      const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace(pending.id, active.id)).toString('base64url');
      return post('/confirm', new URLSearchParams({ token: `${forged}.${signature}` }).toString());
    },
    status: 400,
    says: 'changed or not made by us',
  },
  {
    name: 'an expired confirm token',
    send: () => post('/confirm', new URLSearchParams({ token: signToken(testSecret, { subscriberId: pending.id, purpose: 'confirm', expiresAt: 1_700_000_000 }) }).toString()),
    status: 400,
    says: 'This confirmation link has expired',
  },
  {
    name: 'a confirm token used to unsubscribe',
    send: () => post('/unsubscribe', new URLSearchParams({ token: tokenOf(links().confirmUrl(active.id, active.signupNonce)) }).toString()),
    status: 400,
    says: 'for confirming a subscription, not for this page',
  },
  {
    name: 'an unsubscribe POST without a token',
    send: () => post('/unsubscribe', 'List-Unsubscribe=One-Click'),
    status: 400,
    says: 'This link is incomplete',
  },
  {
    name: 'GET on /subscribe',
    send: () => fetch(`${server.url}/subscribe?email=reader%40example.org`),
    status: 405,
    says: 'only answers POST requests',
  },
  {
    name: 'GET on /confirm with a valid token (a mail scanner prefetching)',
    send: () => fetch(`${server.url}/confirm?token=${tokenOf(links().confirmUrl(pending.id, pending.signupNonce))}`),
    status: 200,
    says: 'Press the button to start receiving',
  },
  {
    name: 'GET on /unsubscribe with a valid token (a mail scanner prefetching)',
    send: () => fetch(`${server.url}/unsubscribe?token=${tokenOf(links().unsubscribeUrl(active.id))}`),
    status: 200,
    says: 'Press the button and we will stop sending',
  },
];

describe('bad input through the local server', () => {
  it.each(badInputs)('$name → $status, says what happened, changes nothing', async ({ send, status, says }) => {
    const before = await snapshot();

    const response = await send();

    expect(response.status).toBe(status);
    expect(mainText(await response.text())).toContain(says);
    expect(await snapshot()).toEqual(before);
  });
});

/** Sends bytes as they are on the wire, to see exactly what a mail provider's request does. */
const rawRequest = (url: string, request: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('utf8')));
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });

describe('RFC 8058 one-click unsubscribe as mail providers send it', () => {
  const oneClick = (path: string, contentType: string, body: string) =>
    [
      `POST ${path} HTTP/1.1`,
      `Host: ${new URL(server.url).host}`,
      'User-Agent: Mozilla/5.0 (compatible; Google-List-Unsubscribe)',
      `Content-Type: ${contentType}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n');

  it('unsubscribes on a form-encoded POST to the List-Unsubscribe URL with no cookie, and answers 200 without a redirect', async () => {
    const url = new URL(links().unsubscribeUrl(active.id));

    const response = await rawRequest(server.url, oneClick(url.pathname + url.search, 'application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click'));

    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).not.toMatch(/\r\nlocation:/i);
    expect(response).not.toMatch(/\r\nset-cookie:/i);
    const after = await h.stores.subscribers.get('reader@example.org');
    expect(after?.status).toBe('unsubscribed');
    expect(after?.history.at(-1)?.reason).toBe('one-click unsubscribe from the email');
  });

  it('unsubscribes on the multipart/form-data body RFC 8058 recommends', async () => {
    const url = new URL(links().unsubscribeUrl(active.id));
    const boundary = '------------------------d74496d66958873e';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;

    const response = await rawRequest(server.url, oneClick(url.pathname + url.search, `multipart/form-data; boundary=${boundary}`, body));

    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect((await h.stores.subscribers.get('reader@example.org'))?.status).toBe('unsubscribed');
  });
});

describe('rate limit', () => {
  const get = (url: string, localAddress: string): Promise<{ status: number; retryAfter?: string; body: string }> =>
    new Promise((resolve, reject) => {
      httpRequest(url, { localAddress }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'], body }));
      })
        .on('error', reject)
        .end();
    });

  it('answers 429 with Retry-After once a client has used its burst, and keeps serving other clients', async () => {
    const limited = await startApiServer({ port: 0, deps: h.deps, rateLimit: { burst: 3, perSecond: 0.1 } });
    try {
      const first = [];
      for (let index = 0; index < 4; index += 1) first.push(await get(`${limited.url}/`, '127.0.0.1'));
      const other = await get(`${limited.url}/`, '127.0.0.2');

      expect(first.map((response) => response.status)).toEqual([200, 200, 200, 429]);
      expect(Number(first[3]!.retryAfter)).toBeGreaterThan(0);
      expect(mainText(first[3]!.body)).toContain('Please wait');
      expect(other.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
