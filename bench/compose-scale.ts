import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ClientSettings, createDocumentClient } from '../lambdas/aws/clients.ts';
import { sesMailer } from '../lambdas/aws/ses-mailer.ts';
import { createStores } from '../lambdas/aws/dynamodb/stores.ts';
import { tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { sqsDeliveryQueue } from '../lambdas/aws/sqs-queue.ts';
import { createSesClient } from '../lambdas/aws/clients.ts';
import { parseConfig } from '../lambdas/config/config.ts';
import { defaultTopics } from '../lambdas/config/topics.ts';
import { compose } from '../lambdas/sending/compose.ts';
import { loadArticleFiles } from '../local/article-files.ts';
import { everyTopicSet } from '../test/helpers/topic-edition.ts';
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
  let batches = 0;
  let oneVariant = 0;
  const client = {
    send: async (command: unknown) => {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error('compose only calls SendMessageBatch');
      const entries = command.input.Entries ?? [];
      const ids = new Set(entries.map((entry) => entry.Id));
      if (!command.input.QueueUrl || entries.length < 1 || entries.length > 10 || ids.size !== entries.length) throw new Error('SendMessageBatch outside the documented limits');
      if (entries.some((entry) => !entry.Id || entry.Id.length > 80 || !entry.MessageBody || Buffer.byteLength(entry.MessageBody) > 256 * 1024)) throw new Error('a batch entry outside the documented limits');
      await sleep(sqsLatencyMs);
      messages += entries.length;
      batches += 1;
      if (new Set(entries.map((entry) => (JSON.parse(entry.MessageBody!) as { variantKey?: string }).variantKey)).size === 1) oneVariant += 1;
      return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: '' })), Failed: [] };
    },
  } as unknown as SQSClient;
  return { client, messages: () => messages, batches: () => batches, oneVariant: () => oneVariant };
};

/**
 * compose queueing 100,000 active subscribers from the DynamoDB emulator into an SQS with 20 ms calls: rate, and the
 * projection to a million. Half the readers take every story; the others are spread over every set of the default
 * topics, so compose counts the sets, renders and stores their variants and queues each reader with theirs.
 */
export const benchComposeScale = async (): Promise<void> => {
  console.log(`\n## Compose at scale (${subscribers.toLocaleString('en')} active subscribers in dynalite, half of them over all ${2 ** defaultTopics.length} topic sets; SQS calls of ${sqsLatencyMs} ms)`);
  const emulators = await startBenchProcess<ClientSettings>('bench/emulator-process.ts');
  try {
    const doc = createDocumentClient(emulators.ready);
    const tables = tableNamesFromEnv({}, 'scale');
    await ensureTables(doc, tables);
    const stores = createStores(doc, tables);
    const { articles } = await loadArticleFiles('samples/articles');
    const sets = everyTopicSet(defaultTopics);
    await stores.articles.put(articles);
    for (let start = 0; start < subscribers; start += 5000) {
      await stores.subscribers.addMany(
        Array.from({ length: Math.min(5000, subscribers - start) }, (_, offset) => ({
          email: `reader${String(start + offset).padStart(6, '0')}@example.org`,
          status: 'active' as const,
          reason: 'bench',
          set: { topics: (start + offset) % 2 === 0 ? [] : sets[((start + offset - 1) / 2) % sets.length]! },
        })),
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
    if (result.kind !== 'sending' || sqs.messages() + result.noNews !== subscribers) throw new Error(`compose queued ${sqs.messages()} of ${subscribers}: ${JSON.stringify(result)}`);
    const perSecond = subscribers / seconds;
    console.log(
      `queued ${sqs.messages().toLocaleString('en')} (and counted ${result.noNews} with no news) in ${seconds.toFixed(1)} s, both passes over the list, ` +
        `${result.figures?.variants} variants rendered and stored for ${result.figures?.topicSets} topic sets included; ` +
        `${((sqs.oneVariant() / sqs.batches()) * 100).toFixed(1)} % of the ${sqs.batches().toLocaleString('en')} SendMessageBatch calls hold one variant`,
    );
    report('recipients queued per second', perSecond, '/s', { value: Math.ceil(1_000_000 / composeBudgetSeconds), better: 'higher' });
    report('projected time to queue 1,000,000', 1_000_000 / perSecond / 60, 'min', { value: composeBudgetSeconds / 60, better: 'lower' });
  } finally {
    await emulators.stop();
  }
};
