import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { loadArticleFiles } from '../local/article-files.ts';
import { type ClientSettings, createDocumentClient, createSesClient } from '../lambdas/aws/clients.ts';
import { parseConfig } from '../lambdas/config/config.ts';
import { buildEdition } from '../lambdas/edition/model.ts';
import { sendLocally } from '../local/send.ts';
import { briefingEnvelope } from '../lambdas/mail/briefing-mime.ts';
import { deliveredMime } from '../test/helpers/delivered-mime.ts';
import { sesMailer } from '../lambdas/aws/ses-mailer.ts';
import type { Mailer } from '../lambdas/mail/mailer.ts';
import { renderBriefing } from '../lambdas/render/briefing.ts';
import { createStores } from '../lambdas/aws/dynamodb/stores.ts';
import { tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { ensureTables } from '../local/tables.ts';
import { subscriptionLinks } from '../lambdas/subscription/links.ts';
import { processCpuSeconds, startBenchProcess } from './child-process.ts';
import { median, report } from './stats.ts';

const subscribers = 5000;
const budget = 200;

/** The most sends in any one-second window. */
const peakPerSecond = (times: readonly number[]): number => {
  let peak = 0;
  for (let start = 0, end = 0; end < times.length; end += 1) {
    while (times[end]! - times[start]! >= 1000) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
};

/**
 * 5,000 subscribers through the local pipeline (compose → queue → deliver → aws-ses-v2-local, with
 * DynamoDB on dynalite): per-recipient CPU, the rate reached under a 200/s budget, and unpaced throughput.
 */
export const benchSending = async (): Promise<void> => {
  console.log(`\n## Sending (${subscribers.toLocaleString('en')} subscribers, local pipeline into aws-ses-v2-local; emulators in a separate process)`);
  const emulators = await startBenchProcess<ClientSettings>('bench/emulator-process.ts');
  const doc = createDocumentClient(emulators.ready);
  const ses = createSesClient(emulators.ready);
  const mailer = sesMailer(ses);
  try {
    const tables = tableNamesFromEnv({}, 'bench');
    await ensureTables(doc, tables);
    const stores = createStores(doc, tables);
    const config = parseConfig({ siteUrl: 'https://briefing.example.com' });
    const { articles } = await loadArticleFiles('samples/articles');
    await stores.articles.put(articles);
    const now = new Date().toISOString();
    for (let start = 0; start < subscribers; start += 25) {
      const items = Array.from({ length: Math.min(25, subscribers - start) }, (_, offset) => {
        const email = `reader${String(start + offset).padStart(5, '0')}@example.com`;
        return { PutRequest: { Item: { email, id: `id-${start + offset}`, status: 'active', createdAt: now, updatedAt: now, history: [] } } };
      });
      await doc.send(new BatchWriteCommand({ RequestItems: { [tables.subscribers]: items } }));
    }

    // CPU per recipient: personalise + MIME + the SDK request, one at a time, read from this process's CPU clock.
    const rendered = await renderBriefing(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }), config);
    const mime = await deliveredMime(rendered, briefingEnvelope(config));
    const links = subscriptionLinks(config, 'bench-secret');
    const buildOnly: number[] = [];
    for (let index = 0; index < 3000; index += 1) {
      const before = process.cpuUsage();
      mime.build({ email: `cpu${index}@example.com`, unsubscribeUrl: links.unsubscribeUrl(`id-${index}`), preferencesUrl: links.preferencesUrl(`id-${index}`), browserUrl: links.archiveUrl('2026-11-24') });
      const used = process.cpuUsage(before);
      if (index >= 500) buildOnly.push(used.user + used.system);
    }
    report('CPU per recipient, personalise + MIME only', median(buildOnly), 'µs', { value: 150, better: 'lower' });
    const cpu: number[] = [];
    const emulatorBefore = processCpuSeconds(emulators.pid);
    for (let index = 0; index < 1500; index += 1) {
      const before = process.cpuUsage();
      const raw = mime.build({ email: `cpu${index}@example.com`, unsubscribeUrl: links.unsubscribeUrl(`id-${index}`), preferencesUrl: links.preferencesUrl(`id-${index}`), browserUrl: links.archiveUrl('2026-11-24') });
      await mailer.send(raw, { destinations: [`cpu${index}@example.com`] });
      const used = process.cpuUsage(before);
      if (index >= 300) cpu.push(used.user + used.system);
    }
    report('CPU per recipient (personalise + MIME + SendRawEmail request)', median(cpu), 'µs', { value: 150, better: 'lower' });
    console.log(`the SES emulator's own CPU per message (it parses each with mailparser): ${(((processCpuSeconds(emulators.pid) - emulatorBefore) / 1500) * 1e6).toFixed(0)} µs`);

    const run = async (date: string, ratePerSecond: number) => {
      const sendTimes: number[] = [];
      const timed: Mailer = {
        send: (raw, options) => {
          sendTimes.push(performance.now());
          return mailer.send(raw, options);
        },
      };
      const result = await sendLocally({ date, articleIds: articles.map((a) => a.id) }, { stores, mailer: timed, reportMailer: mailer, config, tokenSecret: 'bench-secret', ratePerSecond, workers: 4 });
      if (result.counts.sent !== subscribers) throw new Error(`expected ${subscribers} sent, got ${JSON.stringify(result.counts)}`);
      const seconds = (sendTimes.at(-1)! - sendTimes[0]!) / 1000;
      return { rate: (subscribers - 1) / seconds, seconds, peak: peakPerSecond(sendTimes) };
    };

    const paced = await run('2026-11-24', budget);
    console.log(`paced: ${subscribers} sent in ${paced.seconds.toFixed(1)} s; busiest second ${paced.peak} sends`);
    report(`achieved rate under a ${budget}/s budget, as a share of it`, (paced.rate / budget) * 100, '%', { value: 90, better: 'higher' });
    report('busiest one-second window, as a share of the budget', (paced.peak / budget) * 100, '%', { value: 100 + 100 * Math.max(1, budget / 100) / budget, better: 'lower' });

    const senderCpu = process.cpuUsage();
    const emulatorCpu = processCpuSeconds(emulators.pid);
    const unpaced = await run('2026-11-25', 1_000_000);
    const senderSeconds = (process.cpuUsage(senderCpu).user + process.cpuUsage(senderCpu).system) / 1e6;
    console.log(
      `unpaced: ${unpaced.seconds.toFixed(1)} s; CPU used by the sender ${senderSeconds.toFixed(1)} s, by the emulators (dynalite + aws-ses-v2-local) ${(processCpuSeconds(emulators.pid) - emulatorCpu).toFixed(1)} s`,
    );
    report('unpaced throughput on this machine', unpaced.rate, 'emails/s', { value: 1000, better: 'higher' });
  } finally {
    doc.destroy();
    ses.destroy();
    await emulators.stop();
  }
};
