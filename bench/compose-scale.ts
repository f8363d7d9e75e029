import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ClientSettings, createDocumentClient } from '../lambdas/aws/clients.ts';
import { sesMailer } from '../lambdas/aws/ses-mailer.ts';
import { createStores } from '../lambdas/aws/dynamodb/stores.ts';
import { tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { sqsDeliveryQueue } from '../lambdas/aws/sqs-queue.ts';
import { createSesClient } from '../lambdas/aws/clients.ts';
import { parseConfig } from '../lambdas/config/config.ts';
import { compose } from '../lambdas/sending/compose.ts';
import { loadArticleFiles } from '../local/article-files.ts';
import { ensureTables } from '../local/tables.ts';
import { startBenchProcess } from './child-process.ts';
import { report } from './stats.ts';

const subscribers = 100_000;
const sqsLatencyMs = 20;
/** Compose's Lambda timeout: a million recipients must be queued well inside it. */
const composeBudgetSeconds = 15 * 60;

/**
 * SQS as compose sees it, without an emulator: every SendMessageBatch is checked against the limits
 * AWS documents (1–10 entries, unique ids of at most 80 characters, bodies within 256 KB) and answered
 * after a realistic round trip.
 */
const slowSqs = () => {
  let messages = 0;
  const client = {
    send: async (command: unknown) => {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error('compose only calls SendMessageBatch');
      const entries = command.input.Entries ?? [];
      const ids = new Set(entries.map((entry) => entry.Id));
      if (!command.input.QueueUrl || entries.length < 1 || entries.length > 10 || ids.size !== entries.length) throw new Error('SendMessageBatch outside the documented limits');
      if (entries.some((entry) => !entry.Id || entry.Id.length > 80 || !entry.MessageBody || Buffer.byteLength(entry.MessageBody) > 256 * 1024)) throw new Error('a batch entry outside the documented limits');
      await sleep(sqsLatencyMs);
      messages += entries.length;
      return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: '' })), Failed: [] };
    },
  } as unknown as SQSClient;
  return { client, messages: () => messages };
};

/** compose queueing 100,000 active subscribers from the DynamoDB emulator into an SQS with 20 ms calls: rate, and the projection to a million. */
export const benchComposeScale = async (): Promise<void> => {
  console.log(`\n## Compose at scale (${subscribers.toLocaleString('en')} active subscribers in dynalite, SQS calls of ${sqsLatencyMs} ms)`);
  const emulators = await startBenchProcess<ClientSettings>('bench/emulator-process.ts');
  try {
    const doc = createDocumentClient(emulators.ready);
    const tables = tableNamesFromEnv({}, 'scale');
    await ensureTables(doc, tables);
    const stores = createStores(doc, tables);
    const { articles } = await loadArticleFiles('samples/articles');
    await stores.articles.put(articles);
    for (let start = 0; start < subscribers; start += 5000) {
      await stores.subscribers.addMany(
        Array.from({ length: Math.min(5000, subscribers - start) }, (_, offset) => ({ email: `reader${String(start + offset).padStart(6, '0')}@example.org`, status: 'active' as const, reason: 'bench' })),
      );
    }
    const sqs = slowSqs();
    const started = performance.now();
    const result = await compose(
      { date: '2026-12-01', articleIds: articles.map((article) => article.id) },
      {
        stores,
        queue: sqsDeliveryQueue(sqs.client, 'https://sqs.eu-west-1.amazonaws.com/123456789012/briefing-deliveries'),
        config: parseConfig({ siteUrl: 'https://briefing.example.com' }),
        mailer: sesMailer(createSesClient(emulators.ready)),
        owner: 'bench',
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (result.kind !== 'sending' || sqs.messages() !== subscribers) throw new Error(`compose queued ${sqs.messages()} of ${subscribers}: ${JSON.stringify(result)}`);
    const perSecond = subscribers / seconds;
    console.log(`queued ${subscribers.toLocaleString('en')} in ${seconds.toFixed(1)} s`);
    report('recipients queued per second', perSecond, '/s', { value: Math.ceil(1_000_000 / composeBudgetSeconds), better: 'higher' });
    report('projected time to queue 1,000,000', 1_000_000 / perSecond / 60, 'min', { value: composeBudgetSeconds / 60, better: 'lower' });
  } finally {
    await emulators.stop();
  }
};
