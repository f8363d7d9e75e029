import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../lambdas/articles/schema.ts';
import { EditionTooLargeError } from '../../lambdas/aws/dynamodb/editions.ts';
import { StoredItemError } from '../../lambdas/aws/dynamodb/items.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { BriefingError } from '../../lambdas/errors.ts';
import { storedBriefing } from '../../lambdas/edition/store.ts';
import { briefingEnvelope } from '../../lambdas/mail/briefing-mime.ts';
import { compileSkeleton } from '../../lambdas/mail/mime.ts';
import { type RenderedBriefing, renderBriefing } from '../../lambdas/render/briefing.ts';
import { escapeHtml } from '../../lambdas/render/slots.ts';
import { compose } from '../../lambdas/sending/compose.ts';
import { createDeliverer } from '../../lambdas/sending/deliver.ts';
import { type DeliveryJob, encodeJob } from '../../lambdas/sending/queue.ts';
import { TokenBucket } from '../../lambdas/sending/token-bucket.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { loadArticleFiles } from '../../local/article-files.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { largestBriefingArticles, withLongestRelatedLinks } from '../helpers/largest-briefing.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';

const local = useTestEmulators();
const config = parseConfig({ maxStories: 30, senderAddress: 'briefing@news.example.com' });
const date = '2026-11-24';
const kilobytes = (bytes: number) => bytes / 1024;

const rawItem = async (editionId = date) =>
  (await local.emulators.doc.send(new GetCommand({ TableName: local.emulators.tables.editions, Key: { editionId }, ConsistentRead: true }))).Item!;

/** A few hundred of the keys a census makes of 12 topics with the longest ids: the topic sets without news. */
const manyTopicSets = Array.from({ length: 600 }, (_, index) =>
  Array.from({ length: 12 }, (_, topic) => `topic-${topic}-${'x'.repeat(32)}`)
    .filter((_, topic) => (index + 1) & (1 << topic))
    .join(','),
);

let articles: Article[];
let largest: RenderedBriefing;
let tooLarge: RenderedBriefing;
beforeAll(async () => {
  articles = await largestBriefingArticles();
  largest = await renderBriefing(buildEdition(articles, { date, maxStories: 30 }), config);
  tooLarge = await renderBriefing(buildEdition(await withLongestRelatedLinks(articles), { date, maxStories: 30 }), config);
}, 60_000);

describe('edition store: the rendered edition on its item', () => {
  it('stores the largest briefing the article schema allows, gzipped, within the item limit, and reads back exactly what was stored', async () => {
    const { editions } = local.stores;
    const mime = await compileSkeleton(briefingEnvelope(config, { editionId: date }), largest.subject);
    const articleIds = Array.from({ length: 30 }, (_, index) => `story-${index}`);
    await editions.lock(date, 'me');

    await editions.saveRendered(date, largest, { articleIds, mime, noNewsSets: manyTopicSets, windowFrom: '2026-11-23T06:00:00.000Z', windowTo: '2026-11-24T06:00:00.000Z' });

    // Measured in docs/data-model.md ("Compiled MIME"): 840 KB of HTML and text as strings, 269 KB gzipped.
    expect(kilobytes(Buffer.byteLength(largest.html) + Buffer.byteLength(largest.text))).toBeGreaterThan(800);
    const item = await rawItem();
    expect(item.html).toBeInstanceOf(Uint8Array);
    expect(gunzipSync(item.html as Uint8Array).toString('utf8')).toBe(largest.html);
    expect(kilobytes((item.html as Uint8Array).length + (item.text as Uint8Array).length)).toBeLessThan(300);
    const read = await editions.get(date);
    expect(read).toMatchObject({ status: 'sending', html: largest.html, text: largest.text, marker: largest.marker, subject: largest.subject, mime, articleIds, noNewsSets: manyTopicSets });
    expect(storedBriefing(read!)).toEqual({ ...largest, mjml: '' });
    // Every later write returns the item as it is, decoded the same.
    expect((await editions.addEnqueued(date, 3, true))?.html).toBe(largest.html);
    expect(await editions.recent(1)).toEqual([await editions.get(date)]);
  }, 30_000);

  it('is needed: the largest briefing as strings is over the item limit, and DynamoDB refuses it', async () => {
    await local.stores.editions.lock(date, 'me');

    const asStrings = local.emulators.doc.send(
      new UpdateCommand({
        TableName: local.emulators.tables.editions,
        Key: { editionId: date },
        UpdateExpression: 'SET html = :html, #text = :text',
        ExpressionAttributeNames: { '#text': 'text' },
        ExpressionAttributeValues: { ':html': largest.html, ':text': largest.text },
      }),
    );

    await expect(asStrings).rejects.toThrow(/^Item size to update has exceeded the maximum allowed size$/);
  });

  it('refuses an edition too large for its item even gzipped before writing anything, naming the edition and its sizes', async () => {
    const { editions } = local.stores;
    await editions.lock(date, 'me');

    const save = editions.saveRendered(date, tooLarge, { articleIds: Array.from({ length: 30 }, (_, index) => `story-${index}`), noNewsSets: manyTopicSets });

    await expect(save).rejects.toThrow(EditionTooLargeError);
    await expect(save).rejects.toThrow(BriefingError);
    await expect(save).rejects.toThrow(
      /^edition 2026-11-24 \(30 stories\) is 1,\d{3} KB gzipped — HTML \d{3} KB \(1,\d{3} KB before gzip\), text \d{3} KB \(1,\d{3} KB\), 600 topic sets without news \d+ KB — over the 396 KB its item holds \(DynamoDB's 400 KB item limit, less 4 KB for its counts and status\); nothing was stored\. Shorten or leave out its longest stories and related links, then: briefing send --date 2026-11-24 --resume$/,
    );
    const edition = await editions.get(date);
    expect(edition?.status).toBe('composing');
    expect(edition?.html).toBeUndefined();
  });
});

describe('the largest briefing through compose and deliver', () => {
  const sendOne = async () => {
    await local.stores.subscribers.add('reader@example.org', { status: 'active', reason: 'test' });
    const jobs: DeliveryJob[] = [];
    const request = { date, articleIds: articles.map((story) => story.id) };
    const sent = compose(request, { stores: local.stores, queue: { enqueue: async (queued) => void jobs.push(...queued) }, config, mailer: local.emulators.mailer, owner: 'test' });
    return { sent, jobs };
  };

  it('composes it, and deliver mails it whole from the stored edition', async () => {
    await local.stores.articles.put(articles);
    const { sent, jobs } = await sendOne();

    expect(await sent).toMatchObject({ kind: 'sending', recipients: 1 });
    const deliverer = createDeliverer({ stores: local.stores, links: subscriptionLinks(config, 'test-secret'), bucket: new TokenBucket({ ratePerSecond: 1000 }), mailer: local.emulators.mailer });
    expect(await deliverer.handler({ Records: [sqsRecord('delivery', 'm-1', encodeJob(jobs[0]!))] })).toEqual({ batchItemFailures: [] });
    const [message] = await local.emulators.inbox();
    const mail = await local.emulators.parsed(message!.messageId);
    // The end of the lead's last paragraph, and the last story's last key point: nothing was cut short (booleans, not a megabyte of diff).
    const lastParagraph = articles[0]!.sections![0]!.paragraphs.at(-1)!;
    const lastPoint = articles.at(-1)!.keyPoints.at(-1)!;
    expect([lastParagraph, lastPoint].map((text) => String(mail.html).includes(escapeHtml(text)))).toEqual([true, true]);
    expect([lastParagraph, lastPoint].map((text) => mail.text!.replace(/\s+/g, ' ').includes(text))).toEqual([true, true]);
    expect(await local.stores.editions.get(date)).toMatchObject({ status: 'sent', sent: 1 });
  }, 30_000);

  it('stops an edition too large even gzipped before anybody is queued, saying why', async () => {
    await local.stores.articles.put(await withLongestRelatedLinks(articles));
    const { sent, jobs } = await sendOne();

    await expect(sent).rejects.toThrow(EditionTooLargeError);
    expect(jobs).toEqual([]);
    const edition = await local.stores.editions.get(date);
    expect(edition?.status).toBe('stopped');
    expect(edition?.statusReason).toMatch(/^ComposeFailed: edition 2026-11-24 \(30 stories\) is 1,\d{3} KB gzipped — /);
  }, 30_000);
});

describe('edition store: editions stored before their content was gzipped', () => {
  let sample: RenderedBriefing;
  beforeAll(async () => {
    const { articles } = await loadArticleFiles('samples/articles');
    sample = await renderBriefing(buildEdition(articles, { date: '2026-11-01', maxStories: 10 }), config);
  });

  /** An edition item as the store wrote it before: HTML and text as strings, the topic sets without news a list. */
  const legacyEdition = (editionId: string, status = 'sent') => ({
    editionId,
    kind: 'edition',
    status,
    statusAt: '2026-11-01T06:10:00.000Z',
    createdAt: '2026-11-01T06:00:00.000Z',
    updatedAt: '2026-11-01T06:10:00.000Z',
    startedAt: '2026-11-01T06:01:00.000Z',
    lockedBy: 'cli:old-host:42',
    subject: sample.subject,
    preheader: sample.preheader,
    html: sample.html,
    text: sample.text,
    marker: sample.marker,
    articleIds: ['climate-summit', 'rates'],
    noNewsSets: ['sport', 'culture,sport'],
    enqueueComplete: true,
    enqueued: 2,
    sent: 2,
    skipped: 0,
    failed: 0,
    duplicates: 0,
    dropped: 0,
    bounces: 0,
    complaints: 0,
  });
  const putLegacy = (item: Record<string, unknown>) => local.emulators.doc.send(new PutCommand({ TableName: local.emulators.tables.editions, Item: item }));

  it('reads their HTML, text and topic sets as stored, through every read and write that returns the edition', async () => {
    const { editions } = local.stores;
    await putLegacy(legacyEdition('2026-11-01'));
    await putLegacy(legacyEdition('2026-11-02', 'paused'));
    expect(typeof (await rawItem('2026-11-01')).html).toBe('string');

    const read = await editions.get('2026-11-01');

    expect(read).toMatchObject({ status: 'sent', html: sample.html, text: sample.text, marker: sample.marker, noNewsSets: ['sport', 'culture,sport'] });
    expect(storedBriefing(read!)).toEqual({ subject: sample.subject, preheader: sample.preheader, html: sample.html, text: sample.text, mjml: '', marker: sample.marker });
    expect((await editions.recent(5)).map((edition) => edition.html)).toEqual([sample.html, sample.html]);
    expect((await editions.previousSent('2026-11-03'))?.text).toBe(sample.text);
    expect((await editions.addFeedback('2026-11-02', { bounces: 1 }))?.html).toBe(sample.html);
    // A resume compiles the MIME skeleton of such an edition: the strings stay as they were.
    await editions.saveMime('2026-11-02', { parts: ['x'], messageIdDomain: 'news.example.com' });
    expect(await editions.get('2026-11-02')).toMatchObject({ html: sample.html, text: sample.text, noNewsSets: ['sport', 'culture,sport'] });
    expect(typeof (await rawItem('2026-11-02')).html).toBe('string');
  });

  it('reports gzip or topic sets it cannot read, naming the table, the key and the field', async () => {
    const table = local.emulators.tables.editions;
    await putLegacy({ ...legacyEdition('2026-11-01'), text: new Uint8Array([1, 2, 3]) });
    await putLegacy({ ...legacyEdition('2026-11-02'), noNewsSets: Buffer.from('not gzip') });
    await putLegacy({ ...legacyEdition('2026-11-03'), noNewsSets: gzipSync('{"sport": 1}') });

    const corrupt = local.stores.editions.get('2026-11-01');
    await expect(corrupt).rejects.toThrow(StoredItemError);
    await expect(corrupt).rejects.toThrow(new RegExp(`^table ${table}, item \\{"editionId":"2026-11-01"\\} is not a stored record as this code reads it: text: is not gzip`));
    await expect(local.stores.editions.get('2026-11-02')).rejects.toThrow('item {"editionId":"2026-11-02"} is not a stored record as this code reads it: noNewsSets: is not gzip');
    await expect(local.stores.editions.get('2026-11-03')).rejects.toThrow('item {"editionId":"2026-11-03"} is not a stored record as this code reads it: noNewsSets: is not a gzipped JSON list of topic sets');
  });
});
