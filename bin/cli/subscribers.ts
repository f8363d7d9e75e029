import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { loadConfig } from '../../lambdas/config/config.ts';
import { type Subscriber, type SubscriberStatus, subscriberStatuses } from '../../lambdas/subscription/store.ts';
import { normaliseAddress } from '../../lambdas/subscription/address.ts';
import { createConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { CsvError, csvField, parseCsv } from '../../lambdas/subscription/csv.ts';
import { requestSubscription, type SignupOutcome, type SubscriptionContext } from '../../lambdas/subscription/signup.ts';
import { type LocalServices, withLocalServices } from '../../local/services.ts';
import { fail } from './shared.ts';

const maxNameLength = 200;

const validAddress = (input: string): string => {
  const checked = normaliseAddress(input);
  return checked.ok ? checked.email : fail(`${JSON.stringify(input)}: ${checked.reason}`);
};

/** Signing up from the command line goes through the same steps as the web form, confirmation email included. */
const signupContext = (services: LocalServices): SubscriptionContext => ({
  subscribers: services.stores.subscribers,
  sendConfirmation: createConfirmationSender({
    config: loadConfig(),
    mailer: services.mailer,
    secret: services.tokenSecret,
    configurationSet: process.env.BRIEFING_CONFIGURATION_SET || undefined,
  }),
  now: () => new Date(),
});

// The emulator keeps its inbox in memory: one started for this command alone takes the mail with it.
const inboxNote = (services: LocalServices): string =>
  services.emulators?.started.ses ? ' (the SES emulator ran for this command only: start `briefing dev` to keep an inbox)' : services.inboxUrl ? ` (inbox: ${services.inboxUrl})` : '';

const signupMessage = (email: string, outcome: SignupOutcome, services: LocalServices): string =>
  ({
    'confirmation-sent': `${email} is pending: a confirmation email is on its way${inboxNote(services)}`,
    'recently-sent': `${email} is pending: a confirmation email went out less than 10 minutes ago, so no other was sent`,
    'already-active': `${email} is already active; nothing changed`,
    suppressed: `${email} is suppressed (its mailbox bounced or it complained); not mailed`,
  })[outcome];

const statusOption = () => new Option('-s, --status <status>', 'only subscribers with this status').choices(subscriberStatuses);

/** Subscribers in address order: one status through its index, or everyone. */
const collect = async (services: LocalServices, status?: SubscriberStatus): Promise<Subscriber[]> => {
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

const add = (input: string, options: { confirmed?: boolean; name?: string }) => {
  const email = validAddress(input);
  return withLocalServices(async (services) => {
    const { subscribers } = services.stores;
    if (!options.confirmed) {
      console.log(signupMessage(email, await requestSubscription(signupContext(services), email, { reason: 'added with briefing subscribers add', name: options.name }), services));
      return;
    }
    const reason = 'added with briefing subscribers add --confirmed';
    if (await subscribers.add(email, { status: 'active', reason, name: options.name })) {
      console.log(`${email} is active`);
      return;
    }
    const existing = (await subscribers.get(email))!;
    if (existing.status === 'active') console.log(`${email} is already active; nothing changed`);
    else if (existing.status === 'pending' && (await subscribers.changeStatus(email, 'active', { from: ['pending'], reason, set: { expiresAt: null, confirmationSentAt: null } }))) {
      console.log(`${email} was pending and is now active`);
    } else {
      const last = existing.history.at(-1);
      fail(`${email} is ${existing.status} since ${last?.at} (${last?.reason}); nothing changed. If they asked to come back, \`briefing subscribers remove ${email}\` and add them again.`);
    }
  });
};

const remove = (input: string) => {
  const email = validAddress(input);
  return withLocalServices(async (services) => {
    const removed = await services.stores.subscribers.remove(email);
    if (!removed) fail(`${email} is not on the list`);
    console.log(`Removed ${email} (was ${removed!.status}) and its history`);
  });
};

const list = (options: { status?: SubscriberStatus }) =>
  withLocalServices(async (services) => {
    const subscribers = await collect(services, options.status);
    const what = options.status ? `${options.status} subscribers` : 'subscribers';
    if (subscribers.length === 0) {
      console.log(`No ${what}.`);
      return;
    }
    const width = Math.max(5, ...subscribers.map((subscriber) => subscriber.email.length));
    console.log(`${'EMAIL'.padEnd(width)}  ${'STATUS'.padEnd(12)}  ${'SINCE'.padEnd(24)}  NAME`);
    for (const subscriber of subscribers) {
      console.log(`${subscriber.email.padEnd(width)}  ${subscriber.status.padEnd(12)}  ${subscriber.updatedAt.padEnd(24)}  ${subscriber.name ?? ''}`.trimEnd());
    }
    console.log(`${subscribers.length} ${what}`);
  });

export const exportColumns = ['email', 'name', 'status', 'created_at', 'updated_at'] as const;

const exportCsv = (options: { status?: SubscriberStatus; out?: string }) =>
  withLocalServices(async (services) => {
    const subscribers = await collect(services, options.status);
    const rows = subscribers.map((subscriber) =>
      [csvField(subscriber.email), csvField(subscriber.name ?? '', { freeText: true }), subscriber.status, subscriber.createdAt, subscriber.updatedAt].join(','),
    );
    const csv = `${[exportColumns.join(','), ...rows].join('\r\n')}\r\n`;
    if (!options.out) {
      process.stdout.write(csv);
      return;
    }
    await writeFile(options.out, csv);
    console.error(`Exported ${subscribers.length} subscribers to ${options.out}`);
  });

const show = (input: string) => {
  const email = validAddress(input);
  return withLocalServices(async (services) => {
    const subscriber = await services.stores.subscribers.get(email);
    if (!subscriber) fail(`${email} is not on the list`);
    const { status, updatedAt, name, createdAt, confirmationSentAt, expiresAt, transientBounces, history } = subscriber!;
    const details: [string, string | undefined][] = [
      ['status', `${status} since ${updatedAt}`],
      ['name', name],
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

interface ImportProblem {
  readonly line: number;
  readonly message: string;
}

const importCsv = (file: string, options: { pending?: boolean }) =>
  withLocalServices(async (services) => {
    let rows;
    try {
      rows = parseCsv(await readFile(file, 'utf8'));
    } catch (error) {
      fail(`${file}: ${error instanceof CsvError ? error.message : (error as Error).message}`);
    }
    const [header, ...records] = rows!;
    const columns = header?.fields.map((column) => column.trim().toLowerCase()) ?? [];
    const emailColumn = columns.indexOf('email');
    const nameColumn = columns.indexOf('name');
    if (emailColumn < 0) fail(`${file}: the header row must name an "email" column (found: ${columns.join(', ') || 'nothing'})`);

    const status: SubscriberStatus = options.pending ? 'pending' : 'active';
    const reason = `imported from ${basename(file)}${options.pending ? ' (pending)' : ''}`;
    const context = options.pending ? signupContext(services) : undefined;
    const problems: ImportProblem[] = [];
    const seen = new Map<string, number>();
    let imported = 0;
    let present = 0;

    for (const { line, fields } of records) {
      if (fields.length !== columns.length) {
        problems.push({ line, message: `has ${fields.length} field(s), the header has ${columns.length}` });
        continue;
      }
      const checked = normaliseAddress(fields[emailColumn]);
      if (!checked.ok) {
        problems.push({ line, message: `${JSON.stringify(fields[emailColumn]!.slice(0, 80))}: ${checked.reason}` });
        continue;
      }
      const name = nameColumn >= 0 ? fields[nameColumn]!.trim() || undefined : undefined;
      if (name && (/[\x00-\x1f\x7f]/.test(name) || name.length > maxNameLength)) {
        problems.push({ line, message: `name: must be one line of at most ${maxNameLength} characters` });
        continue;
      }
      const first = seen.get(checked.email);
      if (first !== undefined) {
        problems.push({ line, message: `${checked.email} is already on line ${first}` });
        continue;
      }
      seen.set(checked.email, line);
      if (context) {
        const outcome = await requestSubscription(context, checked.email, { reason, name });
        if (outcome === 'confirmation-sent') imported += 1;
        else present += 1;
      } else if (await services.stores.subscribers.add(checked.email, { status, reason, name })) {
        imported += 1;
      } else {
        present += 1;
      }
    }

    for (const problem of problems) console.error(`invalid: ${file}: line ${problem.line}: ${problem.message}`);
    const parts = [`Imported ${imported} ${status} subscriber(s) from ${file}`];
    if (options.pending && imported > 0) parts.push(`a confirmation email went to each${inboxNote(services)}`);
    if (present > 0) parts.push(`${present} already on the list (left as they were)`);
    if (problems.length > 0) parts.push(`${problems.length} row(s) left out (listed above)`);
    console.log(`${parts.join('; ')}.`);
    if (imported + present === 0 && problems.length > 0) process.exitCode = 1;
  });

export const registerSubscribers = (program: Command): void => {
  const subscribers = program.command('subscribers').description('Manage the subscriber list (the local emulators, or those named by BRIEFING_DYNAMODB_ENDPOINT).');

  subscribers
    .command('add')
    .description('Add an address: pending with a confirmation email, or active with --confirmed.')
    .argument('<email>')
    .option('--confirmed', 'the reader already agreed: make the address active without a confirmation email')
    .option('--name <name>', "the reader's name")
    .action(add);

  subscribers.command('remove').description('Delete an address and its history from the list.').argument('<email>').action(remove);

  subscribers.command('list').description('List subscribers in address order.').addOption(statusOption()).action(list);

  subscribers
    .command('export')
    .description(`Write subscribers as CSV (${exportColumns.join(', ')}) to stdout or a file.`)
    .addOption(statusOption())
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .action(exportCsv);

  subscribers.command('show').description("Show one address's status and its history of status changes.").argument('<email>').action(show);

  subscribers
    .command('import')
    .description('Import addresses from a CSV file with a header row naming an "email" column (and optionally "name").')
    .argument('<file.csv>')
    .option('--pending', 'import as pending and send each a confirmation email, instead of active (you vouch for their consent)')
    .addHelpText(
      'after',
      `
Each row that cannot be imported is reported on stderr with its line number and the reason; the others
are imported. Addresses already on the list are left as they are. Exit status 1 when no row was usable.

Example:
  $ npx briefing subscribers import readers.csv`,
    )
    .action(importCsv);
};
