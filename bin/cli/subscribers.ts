import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import type { BriefingConfig } from '../../lambdas/config/config.ts';
import { normaliseTopicSet, unknownTopicIds } from '../../lambdas/config/topics.ts';
import { normaliseAddress } from '../../lambdas/subscription/address.ts';
import { CsvError, readCsv } from '../../lambdas/subscription/csv.ts';
import { erasureKeys } from '../../lambdas/subscription/data-requests.ts';
import { addConfirmed, addPending, type ImportSummary, importSubscribers } from '../../lambdas/subscription/operator.ts';
import type { SignupOutcome, SubscriptionContext } from '../../lambdas/subscription/signup.ts';
import { type Erasure, type Subscriber, type SubscriberStatus, subscriberStatuses } from '../../lambdas/subscription/store.ts';
import { exportColumns, readImportRows, type RowProblem, subscribersToCsv } from '../../lambdas/subscription/subscriber-csv.ts';
import { createRowProgress } from './progress.ts';
import { type Services, type WhereOptions, withServices, withStackOptions } from './services.ts';
import { fail } from './shared.ts';

/** Imports shorter than this finish before a bar would say anything. */
const progressFrom = 2000;

const validAddress = (input: string): string => {
  const checked = normaliseAddress(input);
  return checked.ok ? checked.email : fail(`${JSON.stringify(input)}: ${checked.reason}`);
};

/**
 * Signing up from the command line goes through the same steps as the web form, confirmation email
 * included; the sender (with a stack, its settings) is made only when a sign-up sends one. The token key
 * is needed either way: it keys the erased list, which every addition checks.
 */
const signupContext = async (services: Services): Promise<SubscriptionContext> => ({
  subscribers: services.stores.subscribers,
  sendConfirmation: async (subscriber, now) => (await services.confirmationSender())(subscriber, now),
  now: () => new Date(),
  erasureKey: erasureKeys(await services.tokenSecret()),
});

/** `--topics world,science`: the ids normalised, or a one-line failure naming the ones the newsletter does not offer. */
const topicsOption = (config: BriefingConfig, input: string | undefined): string[] => {
  const ids = (input ?? '')
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  const unknown = unknownTopicIds(config.topics, ids);
  if (unknown.length > 0) {
    fail(`--topics: ${unknown.map((id) => JSON.stringify(id)).join(', ')} ${unknown.length === 1 ? 'is not a topic' : 'are not topics'}; the topics are: ${config.topics.map((topic) => topic.id).join(', ') || 'none'}`);
  }
  return normaliseTopicSet(config.topics, ids);
};

const topicsText = (config: BriefingConfig, ids: readonly string[] | undefined): string =>
  ids && ids.length > 0 ? ids.map((id) => config.topics.find((topic) => topic.id === id)?.label ?? id).join(', ') : 'every story';

const erasedMessage = (email: string, erasure: Erasure): string =>
  `${email}: its reader deleted their data on ${erasure.erasedAt.slice(0, 10)}; nothing changed. Only the reader can come back: they sign up on the sign-up page and confirm.`;

// The emulator keeps its inbox in memory: one started for this command alone takes the mail with it.
const inboxNote = (services: Services): string =>
  services.emulators?.started.ses ? ' (the SES emulator ran for this command only: start `briefing dev` to keep an inbox)' : services.inboxUrl ? ` (inbox: ${services.inboxUrl})` : '';

const signupMessage = (email: string, outcome: SignupOutcome, services: Services): string =>
  ({
    'confirmation-sent': `${email} is pending in ${services.where}: a confirmation email is on its way${inboxNote(services)}`,
    'recently-sent': `${email} is pending: a confirmation email went out less than 10 minutes ago, so no other was sent`,
    'already-active': `${email} is already active; nothing changed`,
    suppressed: `${email} is suppressed (its mailbox bounced or it complained); not mailed`,
  })[outcome];

const statusOption = () => new Option('-s, --status <status>', 'only subscribers with this status').choices(subscriberStatuses);

/** Subscribers in address order: one status through its index, or everyone. */
const collect = async (services: Services, status?: SubscriberStatus): Promise<Subscriber[]> => {
  const found: Subscriber[] = [];
  if (status) {
    let cursor: string | undefined;
    do {
      const page = await services.stores.subscribers.pageByStatus(status, { cursor });
      found.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
  } else {
    for await (const subscriber of services.stores.subscribers.all()) found.push(subscriber);
  }
  return found.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
};

const add = (input: string, options: WhereOptions & { confirmed?: boolean; name?: string; topics?: string }) => {
  const email = validAddress(input);
  return withServices(options, async (services) => {
    const topics = topicsOption(await services.config(), options.topics);
    const context = await signupContext(services);
    if (!options.confirmed) {
      const signup = await addPending(context, email, { reason: 'added with briefing subscribers add', name: options.name, topics });
      if (signup.kind === 'erased') return fail(erasedMessage(email, signup.erasure));
      // An address that unsubscribed stays so until its reader confirms this new sign-up.
      const left = signup.outcome === 'confirmation-sent' && (await services.stores.subscribers.get(email))?.status === 'unsubscribed';
      console.log(
        left
          ? `${email} unsubscribed earlier and stays unsubscribed in ${services.where} until its reader confirms: a confirmation email is on its way${inboxNote(services)}`
          : signupMessage(email, signup.outcome, services),
      );
      return;
    }
    const outcome = await addConfirmed(services.stores.subscribers, email, { reason: 'added with briefing subscribers add --confirmed', name: options.name, topics, erasureKey: context.erasureKey });
    switch (outcome.kind) {
      case 'added':
        return console.log(`${email} is active in ${services.where}`);
      case 'activated':
        return console.log(`${email} was pending and is now active in ${services.where}`);
      case 'already-active':
        return console.log(`${email} is already active in ${services.where}; nothing changed`);
      case 'erased':
        return fail(erasedMessage(email, outcome.erasure));
      case 'refused': {
        const last = outcome.subscriber.history.at(-1);
        return fail(
          `${email} is ${outcome.subscriber.status} since ${last?.at} (${last?.reason}); nothing changed. ${
            outcome.subscriber.status === 'unsubscribed'
              ? 'Only the reader can come back: they sign up again and confirm.'
              : 'Its mailbox refused mail or its owner complained; it is never mailed again.'
          }`,
        );
      }
    }
  });
};

const remove = (input: string, options: WhereOptions) => {
  const email = validAddress(input);
  return withServices(options, async (services) => {
    const removed = await services.stores.subscribers.remove(email);
    if (!removed) fail(`${email} is not on the list in ${services.where}`);
    console.log(`Removed ${email} (was ${removed!.status}) and its history from ${services.where}`);
  });
};

const list = (options: WhereOptions & { status?: SubscriberStatus }) =>
  withServices(options, async (services) => {
    const subscribers = await collect(services, options.status);
    const what = options.status ? `${options.status} subscribers` : 'subscribers';
    if (subscribers.length === 0) {
      console.log(`No ${what} in ${services.where}.`);
      return;
    }
    const width = Math.max(5, ...subscribers.map((subscriber) => subscriber.email.length));
    console.log(`${'EMAIL'.padEnd(width)}  ${'STATUS'.padEnd(12)}  ${'SINCE'.padEnd(24)}  NAME`);
    for (const subscriber of subscribers) {
      console.log(`${subscriber.email.padEnd(width)}  ${subscriber.status.padEnd(12)}  ${subscriber.updatedAt.padEnd(24)}  ${subscriber.name ?? ''}`.trimEnd());
    }
    console.log(`${subscribers.length} ${what} in ${services.where}`);
  });

const exportCsv = (options: WhereOptions & { status?: SubscriberStatus; out?: string }) =>
  withServices(options, async (services) => {
    const subscribers = await collect(services, options.status);
    const csv = subscribersToCsv(subscribers);
    if (!options.out) {
      process.stdout.write(csv);
      return;
    }
    await writeFile(options.out, csv);
    console.error(`Exported ${subscribers.length} subscribers from ${services.where} to ${options.out}`);
  });

const show = (input: string, options: WhereOptions) => {
  const email = validAddress(input);
  return withServices(options, async (services) => {
    const subscriber = await services.stores.subscribers.get(email);
    if (!subscriber) fail(`${email} is not on the list in ${services.where}`);
    const { status, updatedAt, name, createdAt, confirmationSentAt, expiresAt, transientBounces, history, topics, signupTopics } = subscriber!;
    const config = await services.config();
    const details: [string, string | undefined][] = [
      ['status', `${status} since ${updatedAt}`],
      ['name', name],
      ['topics', topicsText(config, topics)],
      ['topics if confirmed', signupTopics && topicsText(config, signupTopics)],
      ['added', createdAt],
      ['confirmation sent', confirmationSentAt],
      ['expires', expiresAt === undefined ? undefined : `${new Date(expiresAt * 1000).toISOString()} unless confirmed`],
      ['transient bounces', transientBounces ? `${transientBounces} in a row` : undefined],
    ];
    console.log(email);
    for (const [label, value] of details) if (value !== undefined) console.log(`  ${`${label}:`.padEnd(19)} ${value}`);
    console.log('history:');
    for (const change of history) console.log(`  ${change.at}  ${change.status.padEnd(12)}  ${change.reason}`);
  });
};

/** Lines in a file, counted without holding it: the progress bar's total before the rows are read. */
const countLines = async (file: string): Promise<number> => {
  let lines = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines += 1;
  return lines;
};

const importCsv = (file: string, options: WhereOptions & { pending?: boolean }) =>
  withServices(options, async (services) => {
    const rowsEstimate = await countLines(file).catch((error: NodeJS.ErrnoException) => fail(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`));
    const progress = rowsEstimate >= progressFrom ? createRowProgress('importing', rowsEstimate) : undefined;
    const problems: RowProblem[] = [];
    const { topics } = await services.config();
    const context = await signupContext(services);
    let summary: ImportSummary;
    try {
      const rows = readImportRows(readCsv(createReadStream(file)), topics, (problem) => problems.push(problem));
      summary = await importSubscribers(rows, context, { pending: Boolean(options.pending), source: basename(file), onProgress: (done) => progress?.update(done) });
    } catch (error) {
      if (error instanceof CsvError) return fail(`${file}: ${error.message}`);
      throw error;
    } finally {
      progress?.stop();
    }

    const lines = [...problems, ...summary.unsent].map((problem) => ({ ...problem, kind: 'invalid' })).concat(summary.erased.map((problem) => ({ ...problem, kind: 'refused' })));
    for (const problem of lines.sort((a, b) => a.line - b.line)) console.error(`${problem.kind}: ${file}: line ${problem.line}: ${problem.message}`);
    const added = subscriberStatuses.filter((status) => summary.added[status] > 0).map((status) => `${summary.added[status]} ${status}`);
    const parts = [`Imported ${added.length ? added.join(', ') : '0'} subscriber(s) from ${file} into ${services.where}`];
    if (summary.confirmationsSent > 0) parts.push(`a confirmation email went to each of the ${summary.confirmationsSent} pending${inboxNote(services)}`);
    if (summary.present > 0) parts.push(`${summary.present} already on the list (left as they were)`);
    if (problems.length > 0) parts.push(`${problems.length} row(s) left out (listed above)`);
    if (summary.erased.length > 0) parts.push(`${summary.erased.length} refused: their readers deleted their data (listed above)`);
    console.log(`${parts.join('; ')}.`);
    const usable = subscriberStatuses.reduce((sum, status) => sum + summary.added[status], summary.present);
    if (usable === 0 && problems.length + summary.erased.length > 0) process.exitCode = 1;
  });

export const registerSubscribers = (program: Command): void => {
  const subscribers = program
    .command('subscribers')
    .description('Manage the subscriber list: the local store (or the DynamoDB BRIEFING_DYNAMODB_ENDPOINT names), or a deployed stack with --stack.');

  withStackOptions(
    subscribers
      .command('add')
      .description('Add an address: pending with a confirmation email, or active with --confirmed.')
      .argument('<email>')
      .option('--confirmed', 'the reader already agreed: make the address active without a confirmation email')
      .option('--name <name>', "the reader's name")
      .option('--topics <ids>', 'the topics the reader chose, comma-separated topic ids (default: every story)'),
  )
    .addHelpText(
      'after',
      `
With --stack the confirmation email goes out through SES in the stack's region, from its sender, with
its configuration set, its links signed with its key and leading to its pages.

--topics takes the ids of the config's topics (an unknown one is refused, with the list). An address
whose reader deleted their data on the preference page is refused: only they can sign up again.

Examples:
  $ npx briefing subscribers add reader@example.org
  $ npx briefing subscribers add reader@example.org --topics world,science
  $ npx briefing subscribers add editor@example.org --confirmed --stack Briefing --region eu-west-2`,
    )
    .action(add);

  withStackOptions(subscribers.command('remove').description('Delete an address and its history from the list.').argument('<email>')).action(remove);

  withStackOptions(subscribers.command('list').description('List subscribers in address order.').addOption(statusOption())).action(list);

  withStackOptions(
    subscribers
      .command('export')
      .description(`Write subscribers as CSV (${exportColumns.join(', ')}) to stdout or a file.`)
      .addOption(statusOption())
      .option('-o, --out <file>', 'write to this file instead of stdout'),
  ).action(exportCsv);

  withStackOptions(subscribers.command('show').description("Show one address's status and its history of status changes.").argument('<email>')).action(show);

  withStackOptions(
    subscribers
      .command('import')
      .description('Import addresses from a CSV file with a header row naming an "email" column (and optionally "name", "status" and "topics").')
      .argument('<file.csv>')
      .option('--pending', 'new addresses become pending and get a confirmation email, instead of active (you vouch for their consent)'),
  )
    .addHelpText(
      'after',
      `
A "status" column (pending, active, unsubscribed, suppressed — what \`export\` writes) is kept:
unsubscribed and suppressed rows stay so and are never mailed. Without one, new addresses are active
(pending with --pending). A "topics" column holds topic ids separated by ";" (empty: every story).
An address already on the list is left exactly as it is: an import never brings back an address that
unsubscribed or bounced, or one whose reader deleted their data.

Each row that cannot be imported is reported on stderr with its line number and the reason; the others
are imported. Exit status 1 when no row was usable.

Examples:
  $ npx briefing subscribers import readers.csv
  $ npx briefing subscribers export --out list.csv && npx briefing subscribers import list.csv
  $ npx briefing subscribers import readers.csv --stack Briefing   # into the deployed stack's table`,
    )
    .action(importCsv);
};
