import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../lambdas/articles/schema.ts';
import { ArticleWriteError } from '../../lambdas/articles/store.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { keyMatches, maxIngestBytes } from '../../lambdas/ingest/webhook.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { type ApiServer, startApiServer } from '../../local/api-server.ts';
import { article } from '../helpers/articles.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

// The route as `briefing dev` serves it: the local API server (the same function the Lambda runs)
// in front of the real article store on dynalite.
const local = useTestEmulators();
const key = 'k3y-for-tests-0123456789abcdefghijklmnopqrstuv';
let server: ApiServer;
let put: (articles: readonly Article[]) => Promise<{ readonly stored: readonly string[] }>;

beforeEach(async () => {
  put = (articles) => local.stores.articles.put(articles);
  server = await startApiServer({
    port: 0,
    rateLimit: false,
    deps: createSubscriptionDeps({ config: parseConfig({}), stores: local.stores, mailer: local.emulators.mailer, secret: 'x'.repeat(32) }),
    ingest: { articles: { put: (articles) => put(articles) }, key: async () => key },
  });
});
afterEach(() => server.close());

const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/articles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);

const stored = async () => (await local.stores.articles.list()).articles.map((record) => record.id).sort();

describe('POST /articles', () => {
  it('stores the valid records of an array and names each invalid one by its place, id, field and problem', async () => {
    const records = [
      article({ id: 'rail-strike-called-off' }),
      { ...article({ id: 'budget-vote' }), url: 'http://news.example.com/budget-vote' },
      article({ id: 'flu-vaccine-appeal', priority: 3 }),
      { headline: 'No id, no category' },
    ];

    const response = await post(JSON.stringify(records));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as { stored: string[]; problems: unknown[] };
    expect(body.stored).toEqual(['rail-strike-called-off', 'flu-vaccine-appeal']);
    expect(body.problems).toEqual([
      { index: 1, id: 'budget-vote', field: 'url', message: 'must be an https:// URL, not http:' },
      { index: 3, id: null, field: 'id', message: 'is required' },
      { index: 3, id: null, field: 'category', message: 'is required' },
      { index: 3, id: null, field: 'url', message: 'is required' },
      { index: 3, id: null, field: 'publishedAt', message: 'is required' },
      { index: 3, id: null, field: 'keyPoints', message: 'is required' },
    ]);
    expect(await stored()).toEqual(['flu-vaccine-appeal', 'rail-strike-called-off']);
  });

  it('takes one record as a plain object, and updates a record sent again under its id', async () => {
    await post(JSON.stringify(article({ id: 'comet', headline: 'A comet' })));

    const response = await post(JSON.stringify(article({ id: 'comet', headline: 'A comet, corrected' })));

    expect(await response.json()).toEqual({ stored: ['comet'], problems: [] });
    expect((await local.stores.articles.getMany(['comet'])).articles[0]?.headline).toBe('A comet, corrected');
  });

  it('refuses a record too large for one DynamoDB item by its id, and stores the others whole', async () => {
    // Two sections of 60 paragraphs of ~4,000 characters: every field within its limits, ~470 KB in all.
    const paragraphs = Array.from({ length: 60 }, (_, index) => `${index} ${'word '.repeat(790)}`.trim());
    const huge = article({ id: 'huge-story', sections: [0, 1].map((index) => ({ heading: `Part ${index}`, paragraphs })) });

    const body = (await (await post(JSON.stringify([huge, article({ id: 'small-story' })]))).json()) as { stored: string[]; problems: { index: number; id: string; field: string; message: string }[] };

    expect(body.stored).toEqual(['small-story']);
    expect(body.problems).toEqual([{ index: 0, id: 'huge-story', field: '(record)', message: expect.stringMatching(/^is \d+ KB as stored JSON; a record may be at most 350 KB/) }]);
    expect(await stored()).toEqual(['small-story']);
  });

  it('stores the first of two records with one id and names the second', async () => {
    const body = await (await post(JSON.stringify([article({ id: 'dup', headline: 'First' }), article({ id: 'dup', headline: 'Second' })]))).json();

    expect(body).toEqual({ stored: ['dup'], problems: [{ index: 1, id: 'dup', field: 'id', message: 'same id as record 0; only the first is stored' }] });
    expect((await local.stores.articles.getMany(['dup'])).articles[0]?.headline).toBe('First');
  });

  it('answers 401 with the same body without a key, with a wrong one and with a malformed header, and stores nothing', async () => {
    const record = JSON.stringify(article({ id: 'sneaky' }));
    const answers = await Promise.all([
      fetch(`${server.url}/articles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: record }),
      post(record, { authorization: `Bearer ${key.slice(0, -1)}x` }),
      post(record, { authorization: `Bearer ${key}extra` }),
      post(record, { authorization: key }),
    ]);

    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({ error: 'unauthorized', message: 'Send the ingest key as "Authorization: Bearer <key>".' });
    expect(answers[1]!.headers.get('www-authenticate')).toBe('Bearer realm="briefing articles"');
    expect(await stored()).toEqual([]);
  });

  it.each([
    ['a number', '42', /one article record \(a JSON object\) or an array of them/],
    ['a string', '"rail-strike-called-off"', /one article record \(a JSON object\) or an array of them/],
    ['null', 'null', /one article record \(a JSON object\) or an array of them/],
    ['broken JSON', '[{"id": "a",', /^The body is not valid JSON: /],
    ['101 records', JSON.stringify(Array.from({ length: 101 }, (_, index) => article({ id: `story-${index}` }))), /At most 100 records per request \(this one has 101\)/],
  ])('answers 400 for %s, and stores nothing', async (_name, body, message) => {
    const response = await post(body);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
    expect(await stored()).toEqual([]);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const form = await post('id=rail-strike', { 'content-type': 'application/x-www-form-urlencoded' });
    const none = await fetch(`${server.url}/articles`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: new Uint8Array([123, 125]) });

    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({ error: 'unsupported media type', message: 'Send the records as Content-Type: application/json, not application/x-www-form-urlencoded.' });
    expect(none.status).toBe(415);
  });

  it('answers 413 over 1 MB with a body the client reads, whether the length is declared or the body streamed', async () => {
    const oversize = `[${JSON.stringify(article({ id: 'x', standfirst: 'y'.repeat(maxIngestBytes) }))}]`;
    const chunks = (): ReadableStream<Uint8Array> => {
      let sent = 0;
      return new ReadableStream({
        pull(controller) {
          if (sent >= 3 * maxIngestBytes) return controller.close();
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(32));
        },
      });
    };

    const declared = await post(oversize);
    const streamed = await post(chunks());
    const huge = await post(' '.repeat(20 * maxIngestBytes));

    for (const response of [declared, streamed, huge]) {
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'payload too large', message: 'A request may carry at most 1 MB; send the records in smaller batches.' });
    }
    expect(await stored()).toEqual([]);
  });

  it('answers 503 naming the records the store could not write, with the ones it wrote, so the client sends those again', async () => {
    put = async (articles) => {
      const written = articles.filter((record) => record.id !== 'throttled');
      await local.stores.articles.put(written);
      throw new ArticleWriteError(
        written.map((record) => record.id),
        [{ id: 'throttled', reason: 'still unprocessed after 8 attempts (the table is throttling writes)' }],
      );
    };

    const response = await post(JSON.stringify([article({ id: 'written' }), article({ id: 'throttled' }), { id: 'Bad Id' }]));

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      stored: ['written'],
      problems: [
        { index: 1, id: 'throttled', field: '(store)', message: 'not stored: still unprocessed after 8 attempts (the table is throttling writes); send it again' },
        expect.objectContaining({ index: 2, id: 'Bad Id', field: 'id' }),
        expect.objectContaining({ index: 2, id: 'Bad Id', field: 'category' }),
        expect.objectContaining({ index: 2, id: 'Bad Id', field: 'headline' }),
        expect.objectContaining({ index: 2, id: 'Bad Id', field: 'url' }),
        expect.objectContaining({ index: 2, id: 'Bad Id', field: 'publishedAt' }),
        expect.objectContaining({ index: 2, id: 'Bad Id', field: 'keyPoints' }),
      ],
    });
    expect(await stored()).toEqual(['written']);
  });

  it('answers other methods with 405', async () => {
    const response = await fetch(`${server.url}/articles`, { headers: { authorization: `Bearer ${key}` } });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('keyMatches', () => {
  it('accepts the key alone: not a prefix, not a longer string, not the empty string', () => {
    expect(keyMatches(key, key)).toBe(true);
    expect(keyMatches(key.slice(0, 10), key)).toBe(false);
    expect(keyMatches(`${key}0`, key)).toBe(false);
    expect(keyMatches('', key)).toBe(false);
  });
});
