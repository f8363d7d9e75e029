import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { EditionTooLargeError } from '../../lambdas/aws/dynamodb/editions.ts';
import { StoredItemError } from '../../lambdas/aws/dynamodb/items.ts';
import { createVariantStore } from '../../lambdas/aws/dynamodb/variants.ts';
import type { StoredVariant } from '../../lambdas/edition/variant-store.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();

const variant = (variantKey: string, overrides: Partial<StoredVariant> = {}): StoredVariant => ({
  editionId: '2026-11-24',
  variantKey,
  subject: `Lead of ${variantKey} — “quoted”`,
  preheader: 'The day in brief',
  // Non-ASCII and a marker, as a rendered briefing has them.
  html: `<!doctype html><p>Grüße from ${variantKey}</p>{{m1:email}} ${'<td>story</td>'.repeat(2000)}`,
  text: `Grüße from ${variantKey}\n{{m1:unsubscribeUrl}}`,
  marker: 'm1',
  articleIds: [`${variantKey}-lead`, `${variantKey}-second`],
  topicSets: ['science', 'science,sport'],
  ...overrides,
});

/** A MIME skeleton as compose compiles it (see compileSkeleton), shortened. */
const skeleton = {
  parts: ['Message-ID: ', 'messageId', '\r\nTo: ', 'to', '\r\nDate: ', 'date', '\r\nList-Unsubscribe: ', 'listUnsubscribe', '\r\n\r\n', 'text', '\r\n--b\r\n', 'html', '\r\n--b--\r\n'],
  messageIdDomain: 'news.example.com',
  unsubscribeMailto: '<mailto:desk@news.example.com?subject=unsubscribe>',
};

const rawItem = (variantKey: string) => local.emulators.doc.send(new GetCommand({ TableName: local.emulators.tables.variants, Key: { editionId: '2026-11-24', variantKey } }));

describe('variant store', () => {
  it('stores each variant with its HTML and text gzipped, and reads back exactly what was stored, its MIME skeleton too', async () => {
    // b as compose stored variants before it compiled their MIME.
    const stored = [variant('a', { mime: skeleton }), variant('b'), variant('c', { editionId: '2026-11-25', mime: skeleton })];

    await local.stores.variants.putMany(stored);

    expect(await local.stores.variants.get('2026-11-24', 'a')).toEqual(stored[0]);
    expect(await local.stores.variants.get('2026-11-24', 'b')).toEqual(stored[1]);
    expect(await local.stores.variants.get('2026-11-25', 'c')).toEqual(stored[2]);
    expect(await local.stores.variants.get('2026-11-24', 'c')).toBeUndefined();
    const { Item: item } = await rawItem('a');
    expect(item?.html).toBeInstanceOf(Uint8Array);
    expect(gunzipSync(item!.html as Uint8Array).toString('utf8')).toBe(stored[0]!.html);
    expect((item!.html as Uint8Array).length).toBeLessThan(stored[0]!.html.length / 10);
    expect(item?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 30 * 86_400);
  });

  it("lists an edition's variants without their content, across pages", async () => {
    const many = Array.from({ length: 60 }, (_, index) => variant(`k${String(index).padStart(2, '0')}`, { html: `<p>${'x'.repeat(30_000)}${index}</p>` }));
    await local.stores.variants.putMany([...many, variant('other', { editionId: '2026-11-23' })]);

    const listed = await local.stores.variants.list('2026-11-24');

    expect(listed.map((summary) => summary.variantKey)).toEqual(many.map((stored) => stored.variantKey));
    expect(listed[0]).toEqual({ editionId: '2026-11-24', variantKey: 'k00', articleIds: ['k00-lead', 'k00-second'], topicSets: ['science', 'science,sport'] });
  });

  it('writes the same keys over the variants of a compose run again', async () => {
    await local.stores.variants.putMany([variant('a')]);
    await local.stores.variants.putMany([variant('a', { marker: 'm2', html: '<p>{{m2:email}}</p>' })]);

    expect(await local.stores.variants.get('2026-11-24', 'a')).toMatchObject({ marker: 'm2', html: '<p>{{m2:email}}</p>' });
    expect(await local.stores.variants.list('2026-11-24')).toHaveLength(1);
  });

  it('refuses a variant over the item limit before writing, naming it', async () => {
    // Random text barely compresses: 500 KB of it stays over 400 KB gzipped.
    const noise = Array.from({ length: 500_000 }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('');

    const refusal = local.stores.variants.putMany([variant('small'), variant('huge', { html: noise })]);
    // A BriefingError, so the CLI prints it as one line and compose stops the edition with it as the reason.
    await expect(refusal).rejects.toBeInstanceOf(EditionTooLargeError);
    await expect(refusal).rejects.toThrow(
      /^variant huge of edition 2026-11-24 \(huge-lead, huge-second\) is \d+ KB gzipped, over DynamoDB's 400 KB item limit$/,
    );
    expect(await local.stores.variants.list('2026-11-24')).toEqual([]);
  });

  it('names the variants DynamoDB did not write', async () => {
    const real = local.emulators.doc;
    const refusing = {
      send: (command: unknown) => (command instanceof BatchWriteCommand ? Promise.reject(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' })) : real.send(command as never)),
    } as unknown as DynamoDBDocumentClient;

    await expect(createVariantStore(refusing, local.emulators.tables.variants).putMany([variant('a'), variant('b')])).rejects.toThrow(
      '2 of 2 variants of edition 2026-11-24 were not stored: a (ThrottlingException: Throughput exceeds the current capacity); b (ThrottlingException: Throughput exceeds the current capacity)',
    );
  });

  it('reports an item that is not a stored variant, naming the table, the key and the fields', async () => {
    const table = local.emulators.tables.variants;
    await local.emulators.doc.send(new PutCommand({ TableName: table, Item: { editionId: '2026-11-24', variantKey: 'plain', subject: 's', preheader: 'p', html: '<p>not gzipped</p>', text: gzipSync('t'), articleIds: ['x'], topicSets: [] } }));
    await local.emulators.doc.send(new PutCommand({ TableName: table, Item: { ...variant('bad-gzip'), html: new Uint8Array([1, 2, 3]), text: gzipSync('t') } }));

    await expect(local.stores.variants.get('2026-11-24', 'plain')).rejects.toThrow(
      `table ${table}, item {"editionId":"2026-11-24","variantKey":"plain"} is not a stored record as this code reads it: html: must be Uint8Array, not "<p>not gzipped</p>"; marker: is missing`,
    );
    const corrupt = local.stores.variants.get('2026-11-24', 'bad-gzip');
    await expect(corrupt).rejects.toThrow(StoredItemError);
    await expect(corrupt).rejects.toThrow(/item \{"editionId":"2026-11-24","variantKey":"bad-gzip"\} .*: html: is not gzip/);
  });
});
