import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { StoredItemError } from '../../lambdas/aws/dynamodb/items.ts';
import { createFeedStateStore } from '../../lambdas/aws/dynamodb/feed-state.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();
const store = () => createFeedStateStore(local.emulators.doc, local.emulators.tables.feeds);
const url = 'https://feeds.example.com/world.xml';

describe('feed state in DynamoDB', () => {
  it('has nothing for a feed never polled', async () => {
    expect(await store().get(url)).toBeUndefined();
  });

  it('keeps the validators and poll time per feed URL, the latest poll replacing the one before', async () => {
    await store().put({ url, etag: '"abc"', lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT', polledAt: '2026-11-24T06:15:00.000Z' });
    await store().put({ url: 'http://cms.internal/feed', polledAt: '2026-11-24T06:15:01.000Z' });
    await store().put({ url, etag: '"def"', polledAt: '2026-11-24T06:30:00.000Z' });

    expect(await store().get(url)).toEqual({ url, etag: '"def"', polledAt: '2026-11-24T06:30:00.000Z' });
    expect(await store().get('http://cms.internal/feed')).toEqual({ url: 'http://cms.internal/feed', polledAt: '2026-11-24T06:15:01.000Z' });
  });

  it('refuses a stored item of another shape, naming the table and the key', async () => {
    await local.emulators.doc.send(new PutCommand({ TableName: local.emulators.tables.feeds, Item: { url, etag: 42, polledAt: 'last Tuesday' } }));

    const error = await store().get(url).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(StoredItemError);
    expect((error as Error).message).toContain(`table ${local.emulators.tables.feeds}, item {"url":"${url}"}`);
    expect((error as Error).message).toContain('etag: must be string, not 42');
    expect((error as Error).message).toContain('polledAt');
  });
});
