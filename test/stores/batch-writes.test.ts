import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ArticleWriteError } from '../../lambdas/articles/store.ts';
import { createArticleStore } from '../../lambdas/aws/dynamodb/articles.ts';
import { putInBatches } from '../../lambdas/aws/dynamodb/batch-write.ts';
import { article } from '../helpers/articles.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();

/**
 * The real document client, except that BatchWriteItem calls go through `fault` first: it may write only
 * some of the items and hand the rest back as unprocessed, as DynamoDB does when a partition throttles.
 */
const withBatchFault = (fault: (command: BatchWriteCommand, call: number) => BatchWriteCommand | 'refuse' | undefined) => {
  let calls = 0;
  const real = local.emulators.doc;
  return {
    send: async (command: unknown) => {
      if (!(command instanceof BatchWriteCommand)) return real.send(command as never);
      calls += 1;
      const changed = fault(command, calls);
      if (changed === 'refuse') throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' });
      if (!changed) return real.send(command);
      // Write what the fault kept; report the rest as unprocessed.
      const table = Object.keys(command.input.RequestItems!)[0]!;
      const all = command.input.RequestItems![table]!;
      const kept = changed.input.RequestItems![table]!;
      if (kept.length > 0) await real.send(changed);
      return { UnprocessedItems: { [table]: all.filter((request) => !kept.includes(request)) } };
    },
  } as unknown as DynamoDBDocumentClient;
};

const keepFirst = (count: number) => (command: BatchWriteCommand) => {
  const table = Object.keys(command.input.RequestItems!)[0]!;
  return new BatchWriteCommand({ RequestItems: { [table]: command.input.RequestItems![table]!.slice(0, count) } });
};

describe('batched writes', () => {
  it('sends items handed back unprocessed again, with backoff, until all are written', async () => {
    const sleeps: number[] = [];
    const client = withBatchFault((command, call) => (call <= 3 ? keepFirst(10)(command) : undefined));
    const items = Array.from({ length: 60 }, (_, index) => ({ id: `a-${index}`, value: index }));

    const result = await putInBatches(client, local.emulators.tables.articles, 'id', items, { concurrency: 1, sleep: async (ms) => void sleeps.push(ms) });

    expect(result.failed).toEqual([]);
    expect(result.stored.sort()).toEqual(items.map((item) => item.id).sort());
    expect(sleeps.length).toBeGreaterThan(0);
  });

  it('names exactly the items it could not write when DynamoDB keeps handing them back, and the ones it wrote', async () => {
    const stuck = new Set(['b-20', 'b-21', 'b-22', 'b-23', 'b-24']);
    const client = withBatchFault((command) => {
      const table = Object.keys(command.input.RequestItems!)[0]!;
      return new BatchWriteCommand({ RequestItems: { [table]: command.input.RequestItems![table]!.filter((request) => !stuck.has(String(request.PutRequest?.Item?.id))) } });
    });
    const items = Array.from({ length: 25 }, (_, index) => ({ id: `b-${index}` }));

    const result = await putInBatches(client, local.emulators.tables.articles, 'id', items, { maxAttempts: 3, sleep: async () => undefined });

    expect(result.stored.sort()).toEqual(items.slice(0, 20).map((item) => item.id).sort());
    expect(result.failed.map((entry) => entry.key).sort()).toEqual(items.slice(20).map((item) => item.id).sort());
    expect(result.failed[0]!.reason).toContain('still unprocessed after 3 attempts');
  });

  it('an article store write that fails part way rejects with the ids stored and the ids not stored', async () => {
    const client = withBatchFault((_command, call) => (call === 2 ? 'refuse' : undefined));
    const store = createArticleStore(client, local.emulators.tables.articles);
    const articles = Array.from({ length: 30 }, (_, index) => article({ id: `c-${index}` }));

    const error = await store.put(articles).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ArticleWriteError);
    const { stored, failed } = error as ArticleWriteError;
    expect(stored).toHaveLength(25);
    expect(failed.map((entry) => entry.id).sort()).toEqual(articles.slice(25).map((a) => a.id).sort());
    expect(failed[0]!.reason).toContain('ValidationException');
    const { missing } = await local.stores.articles.getMany(articles.map((a) => a.id));
    expect(missing.sort()).toEqual(failed.map((entry) => entry.id).sort());
  });
});
