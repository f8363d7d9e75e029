import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ClientSettings, createDocumentClient } from '../lambdas/aws/clients.ts';
import { sesMailer } from '../lambdas/aws/ses-mailer.ts';
import { putInBatches } from '../lambdas/aws/dynamodb/batch-write.ts';
import { createStores } from '../lambdas/aws/dynamodb/stores.ts';
import { type TableNames, tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
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
/** Compose's Lambda memory (lib/sending.ts): a resume of a million must fit in it. */
const composeMemoryMb = 1024;

/**
 * SQS as compose sees it, without an emulator: every SendMessageBatch is checked against the limits
 * AWS documents (1–10 entries, unique ids of at most 80 characters, bodies within 256 KB) and answered
 * after a realistic round trip.
 */
const slowSqs = (onJob: (email: string) => void = () => undefined) => {
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
      const jobs = entries.map((entry) => JSON.parse(entry.MessageBody!) as { email: string; variantKey?: string });
      if (new Set(jobs.map((job) => job.variantKey)).size === 1) oneVariant += 1;
      for (const job of jobs) onJob(job.email);
      return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: '' })), Failed: [] };
    },
  } as unknown as SQSClient;
  return { client, messages: () => messages, batches: () => batches, oneVariant: () => oneVariant };
};

/**
 * The heap's largest size while `run` runs, above its size before, both after a full collection: what `run` holds,
 * not the garbage it leaves for the collector (sampled every 500 ms, so it slows `run` a little).
 */
const peakLiveHeap = async <T>(run: () => Promise<T>): Promise<{ result: T; bytes: number }> => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const live = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  const start = live();
  let peak = -Infinity;
  const sampler = setInterval(() => (peak = Math.max(peak, live())), 500);
  try {
    const result = await run();
    // Below 0 when what `run` holds is less than the collector frees meanwhile (compiled code it discards, say).
    return { result, bytes: Math.max(peak, live()) - start };
  } finally {
    clearInterval(sampler);
  }
};

/**
 * `send --resume` of the edition compose queued, stopped after every other recipient was sent (written straight into
 * the deliveries table, as deliver records them): the rate at which it examines the list, and its heap.
 */
const benchResume = async (stores: ReturnType<typeof createStores>, doc: ReturnType<typeof createDocumentClient>, tables: TableNames, editionId: string, queued: readonly string[], noNews: number) => {
  const now = Date.now();
  const sent = queued
    .filter((_, index) => index % 2 === 0)
    .map((email, index) => ({ editionId, email, status: 'sent', claimToken: `bench#${index}`, messageId: `0100019a-${String(index).padStart(8, '0')}-bench`, updatedAt: new Date(now).toISOString(), expiresAt: Math.floor(now / 1000) + 400 * 86_400 }));
  const written = await putInBatches(doc, tables.deliveries, 'email', sent, { concurrency: 8 });
  if (written.failed.length > 0) throw new Error(`${written.failed.length} deliveries not written: ${written.failed[0]!.reason}`);
  await stores.editions.addOutcomes(editionId, { sent: sent.length });
  await stores.editions.setStatus(editionId, 'stopped', { from: ['sending'], reason: 'bench' });
  /** One resume, checked: it queues exactly those without an outcome, and leaves the edition's counts as they were. */
  const resume = async () => {
    const sqs = slowSqs();
    const result = await compose(
      { date: editionId, resume: true },
      {
        stores,
        queue: sqsDeliveryQueue(sqs.client, 'https://sqs.eu-west-1.amazonaws.com/123456789012/briefing-deliveries'),
        config: parseConfig({ siteUrl: 'https://briefing.example.com' }),
        mailer: { send: () => Promise.reject(new Error('a resume sends no mail itself')) },
        owner: 'bench-resume',
      },
    );
    const edition = await stores.editions.get(editionId);
    if (result.kind !== 'sending' || result.recipients !== queued.length - sent.length || sqs.messages() !== result.recipients || result.noNews !== noNews || edition?.enqueued !== queued.length || edition.sent !== sent.length) {
      throw new Error(`the resume queued ${sqs.messages()} of the ${queued.length - sent.length} without an outcome: ${JSON.stringify(result)}, edition ${JSON.stringify({ enqueued: edition?.enqueued, sent: edition?.sent })}`);
    }
    return result;
  };
  const started = performance.now();
  const result = await resume();
  const seconds = (performance.now() - started) / 1000;
  // Again, nothing having been delivered meanwhile, for the memory it holds (collecting as it goes slows it).
  const { bytes } = await peakLiveHeap(resume);
  const perSecond = subscribers / seconds;
  const megabytes = Math.max(0, bytes / 2 ** 20);
  console.log(
    `resume of ${subscribers.toLocaleString('en')} readers, ${sent.length.toLocaleString('en')} of them sent: queued the other ${result.recipients.toLocaleString('en')} and counted ${result.noNews.toLocaleString('en')} with no news ` +
      `in ${seconds.toFixed(1)} s (a count, the reopen, then the walk that queues); live heap at most ${megabytes.toFixed(1)} MB above its start`,
  );
  report('resume: readers examined per second', perSecond, '/s', { value: Math.ceil(1_000_000 / composeBudgetSeconds), better: 'higher' });
  report('resume: projected time for 1,000,000', 1_000_000 / perSecond / 60, 'min', { value: composeBudgetSeconds / 60, better: 'lower' });
  // Linear: an upper bound for a resume that holds a page at a time, the true figure for one that holds the list.
  report('resume: heap for 1,000,000, projected linearly', (megabytes * 1_000_000) / subscribers, 'MB', { value: composeMemoryMb, better: 'lower' });
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
    const queued: string[] = [];
    const sqs = slowSqs((email) => queued.push(email));
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
    await benchResume(stores, doc, tables, result.editionId, queued, result.noNews);
  } finally {
    await emulators.stop();
  }
};
