import { createServer, type AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { loadArticleFiles } from '../../local/article-files.ts';
import { loadConfig } from '../../lambdas/config/config.ts';
import { startApiServer } from '../../local/api-server.ts';
import { localIngestKey } from '../../local/ingest-key.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { localPorts, portVariables } from '../../local/emulators.ts';
import { sendLocally } from '../../local/send.ts';
import { dateInZone } from '../../lambdas/edition/model.ts';
import { keepSamplesCurrent, samplesDatedBefore } from '../../local/samples.ts';
import { openLocalServices } from '../../local/services.ts';
import { pollConfiguredFeeds, printFeedReports } from './feeds.ts';
import { startPreview } from './preview.ts';
import { localWhere } from './services.ts';
import { samplesDir } from './shared.ts';

/** Who the first run signs up, so the first edition lands in the local inbox. */
export const sampleSubscribers = ['ada@example.com', 'grace@example.org', 'linus@example.net'];

interface Closable {
  close(): Promise<void>;
}

const port = (url: string) => Number(new URL(url).port);

/** A server that could not listen because the port is taken says which port, and how to choose another. */
const portFree = async <T>(starting: Promise<T>, port: number, variable: string): Promise<T> => {
  try {
    return await starting;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(`port ${port} is already in use (another briefing dev?): stop it, or pick another port with ${variable}`);
  }
};

/** A port nobody listens on now (for BRIEFING_API_PORT=0: the site URL must be known before the server starts). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => resolve(free));
    });
  });

const defaultSiteUrl = 'http://localhost:3000';

const dev = async () => {
  const loaded = loadConfig();
  const ports = localPorts();
  const services = await openLocalServices();
  const running: Closable[] = [services];
  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: stopping; local data kept in ${process.env.BRIEFING_DATA_DIR || '.briefing/'}`);
    for (const service of running.reverse()) await service.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const { stores } = services;
    const apiPort = ports.api === 0 ? await freePort() : ports.api;
    // Links in the mail lead to this server unless the config names another site.
    const config = loaded.siteUrl === defaultSiteUrl && apiPort !== 3000 ? { ...loaded, siteUrl: `http://127.0.0.1:${apiPort}` } : loaded;
    const ingestKey = localIngestKey();
    const api = await portFree(
      startApiServer({
        port: apiPort,
        deps: createSubscriptionDeps({ config, stores, mailer: services.mailer, secret: services.tokenSecret }),
        ingest: { articles: stores.articles, key: async () => ingestKey },
      }),
      apiPort,
      portVariables.api,
    );
    running.push(api);
    const { articles: samples } = await loadArticleFiles(samplesDir);
    if ((await stores.articles.list()).articles.length === 0) {
      // Dated the hours before now, so that today's edition has news whatever day the clone is run.
      await stores.articles.put(samplesDatedBefore(samples, new Date()));
      for (const email of sampleSubscribers) await stores.subscribers.add(email, { status: 'active', reason: 'sample subscriber (first run of briefing dev)' });
      console.log(`First run: imported ${samples.length} sample articles and subscribed ${sampleSubscribers.join(', ')}.`);
    }

    // The configured feeds, polled now and every feedPollMinutes; then, if today's window still holds
    // no story (a clone started again days later), the samples are dated again.
    const where = localWhere(services);
    if (config.feeds.length > 0) console.log(`Polling ${config.feeds.length} feed(s) of the config key feeds, now and every ${config.feedPollMinutes} minutes:`);
    let polling = false;
    const refresh = async () => {
      if (polling) return;
      polling = true;
      try {
        if (config.feeds.length > 0) printFeedReports(await pollConfiguredFeeds(services, config.feeds), where);
        if (await keepSamplesCurrent(samples, { stores, config })) {
          console.log(`No story in today's edition window: the ${samples.length} sample articles are dated again to the hours before now.`);
        }
      } finally {
        polling = false;
      }
    };
    await refresh();
    const timer = setInterval(() => void refresh().catch((error: Error) => console.error(`briefing dev: ${error.message}`)), config.feedPollMinutes * 60_000);
    running.push({ close: async () => clearInterval(timer) });

    const date = dateInZone(config.timeZone);
    const edition = { date, articleIds: samples.map((article) => article.id) };
    const local = { stores, mailer: services.mailer, reportMailer: services.mailer, config, tokenSecret: services.tokenSecret, ratePerSecond: 50 };
    const run = await sendLocally(edition, local);
    if (run.result.kind === 'sending') {
      console.log(`Sent today's edition (${date}) of the sample articles: ${run.counts.sent} sent, ${run.counts.skipped} skipped, ${run.counts.failed} failed in ${(run.durationMs / 1000).toFixed(1)} s.`);
    } else if (run.result.kind === 'already' && services.emulators?.started.ses) {
      // The edition went out in an earlier run, but this inbox is new: put a copy of it there.
      const copy = await sendLocally({ ...edition, to: sampleSubscribers[0] }, local);
      console.log(`Today's edition (${date}) was sent in an earlier run (${run.result.status}); a test copy went to ${copy.result.kind === 'test' ? copy.result.to : sampleSubscribers[0]}.`);
    } else {
      console.log(`Today's edition (${date}): ${run.result.kind === 'already' ? `already ${run.result.status}` : run.result.kind}.`);
    }

    const preview = await startPreview({
      port: ports.preview,
      emulatorPorts: { dynamodb: port(services.settings.dynamodbEndpoint!), ses: port(services.settings.sesEndpoint!) },
    });
    running.push(preview);

    console.log(`
  Sign-up page        ${config.siteUrl}/
  Articles webhook    POST ${api.url}/articles  (Authorization: Bearer ${ingestKey})
  Inbox (local SES)   ${services.inboxUrl}
  Template preview    ${preview.url}
  DynamoDB (local)    ${services.settings.dynamodbEndpoint}

Try: npx briefing send --to you@example.com · npx briefing send --dry-run · npx briefing articles list · Ctrl-C to stop.`);
  } catch (error) {
    for (const service of running.reverse()) await service.close().catch(() => undefined);
    throw error;
  }
};

export const registerDev = (program: Command): void => {
  program
    .command('dev')
    .description(
      'Run everything locally (what `npm start` runs): the DynamoDB and SES emulators, sample data on first run, the configured feeds polled, a real edition into the local inbox, the articles webhook and the template preview.',
    )
    .addHelpText(
      'after',
      `
Ports (loopback): subscription pages and POST /articles 3000, preview 3001, SES inbox 8005, DynamoDB 8000;
override with BRIEFING_API_PORT, BRIEFING_PREVIEW_PORT, BRIEFING_SES_PORT, BRIEFING_DYNAMODB_PORT.
Data is kept in .briefing/ (BRIEFING_DATA_DIR); delete it to start again from the samples.

The feeds of the config key "feeds" are polled at start and every feedPollMinutes (15). The sample
articles are dated the hours before now, and dated again whenever today's edition would find no story,
so \`send\` always has news. The webhook's key is BRIEFING_INGEST_KEY, else .briefing/ingest-key.

Examples:
  $ npm start
  $ BRIEFING_FEEDS='[{"url":"https://www.example.com/world/rss","category":"World"}]' npm start`,
    )
    .action(dev);
};
