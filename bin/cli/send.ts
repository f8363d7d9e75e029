import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../../lambdas/config/config.ts';
import { maxSendRateVariable } from '../../lambdas/config/environment.ts';
import { sendLocally } from '../../local/send.ts';
import type { ComposeResult, VariantFigures } from '../../lambdas/sending/compose.ts';
import type { ComposeRequest } from '../../lambdas/sending/compose-request.ts';
import type { OutcomeName } from '../../lambdas/edition/store.ts';
import { normaliseAddress } from '../../lambdas/subscription/address.ts';
import { withLocalServices } from '../../local/services.ts';
import { createProgress, type Progress } from './progress.ts';
import { validDate } from './shared.ts';
import { sendViaStack } from './stack.ts';

interface SendOptions {
  date?: string;
  articles?: string[];
  to?: string;
  topics?: string[];
  dryRun?: boolean;
  resume?: boolean;
  retryUncertain?: boolean;
  rate: number;
  stack?: string;
  region?: string;
}

const articleIds = (value: string): string[] => {
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('expected article ids separated by commas');
  return ids;
};

const topicIds = (value: string): string[] => {
  const ids = value.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new InvalidArgumentError('expected topic ids separated by commas (the ids of the config\'s topics)');
  return ids;
};

const address = (value: string): string => {
  const check = normaliseAddress(value);
  if (!check.ok) throw new InvalidArgumentError(check.reason);
  return check.email;
};

/** The rate of a local send without --rate: what `editions show` also assumes for an edition that recorded none. */
export const defaultLocalRate = (): number => Number(process.env[maxSendRateVariable] ?? 14);

const positiveRate = (value: string): number => {
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0) throw new InvalidArgumentError('expected emails per second, a number above 0');
  return rate;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (value: number) => value.toLocaleString('en-GB');
const plural = (value: number, noun: string) => `${count(value)} ${noun}${value === 1 ? '' : 's'}`;

/** "4 variants for 6 topic sets": the distinct briefings rendered for the readers' choices of topics. */
const variantsText = (figures: VariantFigures) => `${plural(figures.variants, 'variant')} for ${plural(figures.topicSets, 'topic set')}`;

/** One line per thing the editor needs to know, for every outcome compose can have. */
const describe = (result: ComposeResult): string => {
  switch (result.kind) {
    case 'test':
      return `Test copy of edition ${result.editionId}${result.topics ? ` for the topics ${result.topics.join(', ')}` : ''} sent to ${result.to} ("${result.subject}", ${result.articleIds.length === 1 ? 'one story' : `${result.articleIds.length} stories`}: ${result.articleIds.join(', ')}; SES message ${result.messageId}). The edition itself is untouched.`;
    case 'dry-run':
      return (
        `Dry run of edition ${result.editionId}: "${result.subject}", ${result.articleIds.length} stories (${result.articleIds.join(', ')}), rendered as ${variantsText(result.figures)}; ` +
        `${count(result.recipients)} active subscriber(s) would get it${result.noNews ? `, ${count(result.noNews)} with no story in their topics nothing` : ''}. Nothing was sent.`
      );
    case 'already':
      return `Edition ${result.editionId} was already taken (status: ${result.status}); nothing sent. ${
        result.status === 'sent' || result.status === 'skipped' ? 'Use --to to send yourself a test copy.' : 'Use --resume to continue it.'
      }`;
    case 'skipped':
      return `Edition ${result.editionId} skipped: ${result.reason}. Nothing was sent.`;
    case 'sending':
      return result.resumed
        ? `Resumed edition ${result.editionId}: "${result.subject}" to the ${result.recipients} recipient(s) without an outcome yet.`
        : `Sending edition ${result.editionId}: "${result.subject}" to ${result.recipients} subscriber(s).`;
  }
};

/**
 * `Rendered 4 variants for 6 topic sets; sent 1,204, no-news 37, skipped 0, failed 0 in 3.2 s (376.3/s).` — no-news:
 * active readers with no story in their topics today, who got nothing.
 */
const summary = (result: Extract<ComposeResult, { kind: 'sending' }>, counts: Record<OutcomeName, number>, durationMs: number): string => {
  const figures = [
    `sent ${count(counts.sent)}`,
    `no-news ${count(result.noNews)}`,
    `skipped ${count(counts.skipped)}`,
    `failed ${count(counts.failed)}`,
    counts.uncertain && `uncertain ${count(counts.uncertain)}`,
    counts.duplicates && `already delivered ${count(counts.duplicates)}`,
    counts.dropped && `held back ${count(counts.dropped)} (edition paused or stopped)`,
  ].filter(Boolean);
  const rendered = result.figures ? `Rendered ${variantsText(result.figures)}; ` : '';
  return `${rendered}${figures.join(', ')} in ${seconds(durationMs)} (${(counts.sent / Math.max(durationMs / 1000, 0.001)).toFixed(1)}/s).`;
};

/** Deliveries SES may or may not have sent, and how to send them again, said the same way by `send` and `editions show`. */
export const uncertainLines = (uncertain: number, editionId: string): string[] => [
  uncertain === 1
    ? '1 delivery uncertain: SES may or may not have sent it; it is not sent again on its own.'
    : `${uncertain} deliveries uncertain: SES may or may not have sent them; they are not sent again on their own.`,
  `To send ${uncertain === 1 ? 'it' : 'them'} again, accepting a second copy for a reader whose first one SES did take: npx briefing send --date ${editionId} --resume --retry-uncertain`,
];

/** The compose request the options ask for: the same whether the stack's compose function or this process carries it out. */
const composeRequestOf = (options: SendOptions): ComposeRequest => ({
  date: options.date,
  articleIds: options.articles,
  to: options.to,
  topics: options.topics,
  dryRun: options.dryRun,
  resume: options.resume,
  retryUncertain: options.retryUncertain,
});

const sendToStack = async (options: SendOptions & { stack: string }) => {
  const { functionName, result } = await sendViaStack({ stack: options.stack, region: options.region, ...composeRequestOf(options) });
  console.log(`${describe(result as ComposeResult)}\n(compose function ${functionName}; the deliver function sends in the background: watch its logs and the edition's counts)`);
};

const sendHere = async (options: SendOptions) => {
  const request = composeRequestOf(options);
  const config = loadConfig();
  await withLocalServices(async (services) => {
    let progress: Progress | undefined;
    const counts = { sent: 0, skipped: 0, failed: 0, uncertain: 0 };
    const { result, counts: final, deadLetters, durationMs } = await sendLocally(request, {
      stores: services.stores,
      mailer: services.mailer,
      reportMailer: services.mailer,
      config,
      tokenSecret: services.tokenSecret,
      ratePerSecond: options.rate,
      onNotice: (line) => console.error(line),
      onQueued: (queued) => {
        console.log(describe(queued));
        for (const problem of queued.kind === 'test' || queued.kind === 'dry-run' || queued.kind === 'sending' || queued.kind === 'skipped' ? queued.problems : []) {
          console.error(`left out: ${problem}`);
        }
        if (queued.kind === 'sending' && queued.recipients > 0) {
          progress = createProgress(queued.recipients);
          progress.update(counts);
        }
      },
      onOutcome: (outcome, email, detail) => {
        if (outcome === 'sent' || outcome === 'skipped' || outcome === 'failed' || outcome === 'uncertain') counts[outcome] += 1;
        if (outcome === 'failed' || outcome === 'uncertain') console.error(`\n${outcome}: ${email}: ${detail ?? ''}`);
        progress?.update(counts);
      },
    });
    progress?.stop();
    if (result.kind === 'sending' || result.kind === 'test') {
      // aws-ses-v2-local keeps its inbox in memory: one started just for this command is gone when it exits.
      if (services.emulators?.started.ses) console.log('No local inbox was running, so the one started for this send has closed with it: keep `npm start` running in another terminal to read the mail.');
      else if (services.inboxUrl) console.log(`Local inbox: ${services.inboxUrl}`);
    }
    if (result.kind !== 'sending') return;
    console.log(summary(result, final, durationMs));
    const edition = await services.stores.editions.get(result.editionId);
    if (edition && edition.uncertain > 0) console.error(uncertainLines(edition.uncertain, result.editionId).join('\n'));
    if (edition && edition.status !== 'sent') {
      console.error(`Edition ${result.editionId} is ${edition.status}: ${edition.statusReason ?? ''}. Fix the cause, then run: npx briefing send --date ${result.editionId} --resume`);
      process.exitCode = 1;
    }
    if (deadLetters.length > 0) {
      console.error(`${deadLetters.length} recipient(s) could not be sent after repeated tries; run the same command with --resume to try them again.`);
      process.exitCode = 1;
    }
  });
};

export const registerSend = (program: Command): void => {
  program
    .command('send')
    .description("Send an edition to every active subscriber (locally through the emulators, or through a deployed stack's compose function).")
    .option('-d, --date <YYYY-MM-DD>', "the edition's date (default: today in the newsletter's time zone)", validDate)
    .option('-a, --articles <ids>', 'these article ids (comma-separated) instead of the ones published since the last edition', articleIds)
    .option('--to <email>', 'send one test copy to this address; the edition and its deliveries are not touched', address)
    .option('--topics <ids>', 'with --to: the copy a reader of these topics gets (topic ids, comma-separated; default: the full edition)', topicIds)
    .option('--dry-run', 'render and count the recipients; send nothing')
    .option('--resume', 'continue a paused, stopped or interrupted edition; recipients with an outcome are not sent again')
    .option('--retry-uncertain', 'with --resume: send the uncertain deliveries again (also of a sent edition), accepting a second copy for a reader whose first one SES did take')
    .addOption(
      new Option('--rate <per-second>', 'emails per second (local sends)').argParser(positiveRate).default(defaultLocalRate(), `${maxSendRateVariable}, else 14 (the SES default)`),
    )
    .option('--stack <name>', 'send through this deployed CloudFormation stack instead of locally')
    .option('--region <region>', 'the AWS region of --stack (default: the AWS SDK default)')
    .addHelpText(
      'after',
      `
An edition is sent once: running the same date again sends nothing new, and no recipient is sent
twice, even after --resume or a crash. Each reader gets the stories of their topics (all of them when
they chose none), led by the most important; a reader none of whose topics has a story that day gets
nothing (no-news), unless the config says noTopicNews "all". A delivery whose answer from SES was lost is "uncertain" and
not sent again, unless you ask for it with --resume --retry-uncertain.

Examples:
  $ npx briefing send                                   # today's edition, locally
  $ npx briefing send --date 2026-11-24 --dry-run
  $ npx briefing send --articles rail-strike-called-off,flu-vaccine-appeal --to me@example.com
  $ npx briefing send --to me@example.com --topics science,health     # what those readers get
  $ npx briefing send --stack Briefing --region eu-west-2`,
    )
    .action(async (options: SendOptions) => {
      if (options.stack) await sendToStack({ ...options, stack: options.stack });
      else await sendHere(options);
    });
};
