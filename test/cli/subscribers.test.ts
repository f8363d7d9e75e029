import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { erasureKeys } from '../../lambdas/subscription/data-requests.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';

let emulators: TestEmulators;
let stores: Stores;
let dir: string;

beforeAll(async () => {
  emulators = await startTestEmulators();
  dir = await mkdtemp(join(tmpdir(), 'briefing-subscribers-'));
});
afterAll(async () => {
  await emulators.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await emulators.clearInbox();
  stores = createStores(emulators.doc, await emulators.freshTables());
});

const tokenSecret = 'cli-test-secret';
const cli = (...args: string[]) =>
  runCli(['subscribers', ...args], {
    cwd: dir,
    env: { ...emulators.env, BRIEFING_TOKEN_SECRET: tokenSecret, BRIEFING_DATA_DIR: join(dir, '.briefing'), BRIEFING_SITE_URL: 'https://briefing.example.com' },
  });

/** An address whose reader deleted their data on the preference page: only its keyed hash is left. */
const erased = async (email: string) => {
  const subscriber = (await stores.subscribers.add(email, { status: 'active', reason: 'confirmed' }))!;
  await stores.subscribers.erase(subscriber, { key: erasureKeys(tokenSecret)(email), erasedAt: '2026-11-20T10:00:00.000Z', suppressed: false });
};

/** Where these commands say they wrote: the emulator the environment names (BRIEFING_DYNAMODB_ENDPOINT). */
const where = () => `the DynamoDB at ${emulators.settings.dynamodbEndpoint} (BRIEFING_DYNAMODB_ENDPOINT)`;

const csvFile = async (name: string, content: string) => {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
};

describe('briefing subscribers import', () => {
  it('imports the good rows as active and reports each bad row by line number with the reason', async () => {
    await stores.subscribers.add('known@example.org', { status: 'unsubscribed', reason: 'one-click unsubscribe from the email' });
    const file = await csvFile(
      'readers.csv',
      [
        'Email,Name,Source',
        'ada@example.com,Ada Lovelace,fair',
        '"Grace@Example.ORG","Hopper, Grace",web',
        'not-an-address,Nobody,web',
        'known@example.org,Known,web',
        `${'a'.repeat(64)}@${'b'.repeat(230)}.example,Long,web`,
        '',
        'ada@EXAMPLE.com,Ada again,web',
        'two@example.net,Two',
        '"multi@example.net","Line one',
        'line two",web',
        'linus@example.net,Linus,"post, paper"',
      ].join('\r\n'),
    );

    const result = await cli('import', file);

    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('invalid:'))).toEqual([
      `invalid: ${file}: line 4: "not-an-address": Enter an email address such as name@example.com.`,
      `invalid: ${file}: line 6: "${'a'.repeat(64)}@${'b'.repeat(15)}": An email address has at most 254 characters; this one has 303.`,
      `invalid: ${file}: line 8: ada@example.com is already on line 2`,
      `invalid: ${file}: line 9: has 2 field(s), the header has 3`,
      `invalid: ${file}: line 10: name: must be one line of at most 200 characters`,
    ]);
    expect(result.stdout).toContain(`Imported 3 active subscriber(s) from ${file} into ${where()}; 1 already on the list (left as they were); 5 row(s) left out (listed above).`);
    const ada = await stores.subscribers.get('ada@example.com');
    expect(ada).toMatchObject({ status: 'active', name: 'Ada Lovelace', history: [{ status: 'active', reason: 'imported from readers.csv' }] });
    expect(await stores.subscribers.get('grace@example.org')).toMatchObject({ status: 'active', name: 'Hopper, Grace' });
    expect(await stores.subscribers.get('linus@example.net')).toMatchObject({ status: 'active' });
    expect((await stores.subscribers.get('known@example.org'))?.status).toBe('unsubscribed');
    expect(await emulators.inbox()).toHaveLength(0);
  });

  it('with --pending stores pending addresses and sends each a confirmation email', async () => {
    const file = await csvFile('pending.csv', 'email\nada@example.com\ngrace@example.org\n');

    const result = await cli('import', file, '--pending');

    expect(result.code).toBe(0);
    expect((await stores.subscribers.get('ada@example.com'))?.status).toBe('pending');
    const inbox = await emulators.inbox();
    expect(inbox.map((message) => message.destination.to[0]).sort()).toEqual(['ada@example.com', 'grace@example.org']);
    expect(inbox[0]!.body.text).toContain('https://briefing.example.com/confirm?token=');
  });

  it('stores the topics column, refuses a row naming an unknown topic, and leaves out an address whose reader deleted their data', async () => {
    await erased('gone@example.org');
    const file = await csvFile('topics.csv', 'email,topics\nada@example.com,world;science\ngone@example.org,\nbob@example.com,world;astrology\n');

    const result = await cli('import', file);

    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `refused: ${file}: line 3: gone@example.org: its reader deleted their data on 2026-11-20; only they can sign up again`,
      `invalid: ${file}: line 4: topics: "astrology" is not a topic (the topics are: world, uk, business, markets, technology, science, health, culture, sport; separate them with ";")`,
    ]);
    expect(result.stdout).toContain('Imported 1 active subscriber(s)');
    expect(result.stdout).toContain('1 refused: their readers deleted their data (listed above)');
    expect((await stores.subscribers.get('ada@example.com'))?.topics).toEqual(['science', 'world']);
    expect(await stores.subscribers.get('gone@example.org')).toBeUndefined();
    expect(await stores.subscribers.get('bob@example.com')).toBeUndefined();
  });

  it('fails with exit status 1 when the file has no email column or no usable row', async () => {
    const noColumn = await cli('import', await csvFile('names.csv', 'name\nAda\n'));
    const noRows = await cli('import', await csvFile('bad.csv', 'email\nnope\n'));

    expect(noColumn.code).toBe(1);
    expect(noColumn.stderr).toContain('the header row must name an "email" column (found: name)');
    expect(noRows.code).toBe(1);
    expect(noRows.stderr).toContain('line 2: "nope"');
  });
});

describe('briefing subscribers add, remove, show', () => {
  it('adds a confirmed address as active, and an unconfirmed one as pending with a confirmation email', async () => {
    const confirmed = await cli('add', 'Ada@Example.com', '--confirmed', '--name', 'Ada');
    const unconfirmed = await cli('add', 'grace@example.org');

    expect(confirmed).toMatchObject({ code: 0, stdout: `ada@example.com is active in ${where()}\n` });
    expect(await stores.subscribers.get('ada@example.com')).toMatchObject({ status: 'active', name: 'Ada' });
    expect(unconfirmed.code).toBe(0);
    expect(unconfirmed.stdout).toContain(`grace@example.org is pending in ${where()}: a confirmation email is on its way`);
    expect((await emulators.inbox()).map((message) => message.destination.to[0])).toEqual(['grace@example.org']);
  });

  it('says an address that unsubscribed stays so until its reader confirms the new sign-up', async () => {
    await stores.subscribers.add('left@example.org', { status: 'unsubscribed', reason: 'one-click unsubscribe from the email' });

    const again = await cli('add', 'left@example.org');

    expect(again.stdout).toContain(`left@example.org unsubscribed earlier and stays unsubscribed in ${where()} until its reader confirms: a confirmation email is on its way`);
    expect((await stores.subscribers.get('left@example.org'))?.status).toBe('unsubscribed');
    expect((await emulators.inbox()).map((message) => message.destination.to[0])).toEqual(['left@example.org']);
  });

  it('takes --topics, refuses a topic the config does not have with the list of those it has, and shows the topics', async () => {
    const added = await cli('add', 'ada@example.com', '--confirmed', '--topics', 'World, science');
    await cli('add', 'grace@example.org', '--topics', 'sport');
    const unknown = await cli('add', 'bob@example.com', '--confirmed', '--topics', 'world,weather,space');
    const shown = await cli('show', 'ada@example.com');
    const shownAll = await cli('show', 'grace@example.org');

    expect(added.code).toBe(0);
    expect(await stores.subscribers.get('ada@example.com')).toMatchObject({ status: 'active', topics: ['science', 'world'] });
    expect(await stores.subscribers.get('grace@example.org')).toMatchObject({ status: 'pending', topics: ['sport'] });
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'briefing: --topics: "weather", "space" are not topics; the topics are: world, uk, business, markets, technology, science, health, culture, sport\n',
    });
    expect(await stores.subscribers.get('bob@example.com')).toBeUndefined();
    expect(shown.stdout).toContain('topics:             Science, World\n');
    expect(shownAll.stdout).toContain('topics:             Sport\n');
  });

  it('will not add an address whose reader deleted their data, confirmed or not, and mails nothing', async () => {
    await erased('gone@example.org');

    const confirmed = await cli('add', 'gone@example.org', '--confirmed');
    const pending = await cli('add', 'gone@example.org');

    for (const result of [confirmed, pending]) {
      expect(result).toMatchObject({
        code: 1,
        stderr: 'briefing: gone@example.org: its reader deleted their data on 2026-11-20; nothing changed. Only the reader can come back: they sign up on the sign-up page and confirm.\n',
      });
    }
    expect(await stores.subscribers.get('gone@example.org')).toBeUndefined();
    expect(await emulators.inbox()).toHaveLength(0);
    // The erased list is in the subscribers table, but nobody on it is listed.
    expect((await cli('list')).stdout).toBe(`No subscribers in ${where()}.\n`);
  });

  it('refuses an invalid address with the reason, and will not bring back an address that left', async () => {
    await stores.subscribers.add('left@example.org', { status: 'unsubscribed', reason: 'one-click unsubscribe from the email' });

    const invalid = await cli('add', 'reader@example.com\r\nBcc: x@example.com', '--confirmed');
    const left = await cli('add', 'left@example.org', '--confirmed');

    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('cannot contain line breaks');
    expect(left.code).toBe(1);
    expect(left.stderr).toContain('left@example.org is unsubscribed since');
    expect((await stores.subscribers.get('left@example.org'))?.status).toBe('unsubscribed');
  });

  it('shows the history of status changes of one address, and removes it', async () => {
    await stores.subscribers.add('ada@example.com', { status: 'pending', reason: 'signed up on the web page', at: new Date('2026-11-20T08:00:00Z') });
    await stores.subscribers.changeStatus('ada@example.com', 'active', { reason: 'confirmed', at: new Date('2026-11-20T08:05:00Z') });
    await stores.subscribers.changeStatus('ada@example.com', 'suppressed', { reason: 'complaint (abuse)', at: new Date('2026-11-24T09:00:00Z') });

    const shown = await cli('show', 'ADA@example.com');
    const removed = await cli('remove', 'ada@example.com');
    const gone = await cli('show', 'ada@example.com');

    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('status:             suppressed since 2026-11-24T09:00:00.000Z');
    expect(shown.stdout.split('history:\n')[1]).toBe(
      [
        '  2026-11-20T08:00:00.000Z  pending       signed up on the web page',
        '  2026-11-20T08:05:00.000Z  active        confirmed',
        '  2026-11-24T09:00:00.000Z  suppressed    complaint (abuse)',
        '',
      ].join('\n'),
    );
    expect(removed).toMatchObject({ code: 0, stdout: `Removed ada@example.com (was suppressed) and its history from ${where()}\n` });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('ada@example.com is not on the list');
  });
});

describe('briefing subscribers list and export', () => {
  beforeEach(async () => {
    await stores.subscribers.add('zoe@example.com', { status: 'active', reason: 'confirmed', name: '=HYPERLINK("x")', set: { topics: ['science', 'world'] } });
    await stores.subscribers.add('ada@example.com', { status: 'active', reason: 'confirmed', name: 'Lovelace, Ada' });
    await stores.subscribers.add('bob@example.com', { status: 'unsubscribed', reason: 'one-click unsubscribe from the email' });
  });

  it('lists everyone or one status, in address order', async () => {
    const all = await cli('list');
    const active = await cli('list', '--status', 'active');
    const wrong = await cli('list', '--status', 'gone');

    expect(all.stdout.split('\n').slice(1, 4).map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ada@example.com active',
      'bob@example.com unsubscribed',
      'zoe@example.com active',
    ]);
    expect(all.stdout).toContain('3 subscribers');
    expect(active.stdout).not.toContain('bob@example.com');
    expect(active.stdout).toContain('2 active subscribers');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Allowed choices are pending, active, unsubscribed, suppressed');
  });

  it('exports CSV to stdout or a file, quoting and defusing what a spreadsheet would misread, and the export imports back', async () => {
    const out = join(dir, 'export.csv');

    const stdout = await cli('export', '--status', 'active');
    const toFile = await cli('export', '--out', out);

    const lines = stdout.stdout.split('\r\n');
    expect(lines[0]).toBe('email,name,status,topics,created_at,updated_at');
    expect(lines[1]).toMatch(/^ada@example\.com,"Lovelace, Ada",active,,\d{4}-/);
    expect(lines[2]).toMatch(/^zoe@example\.com,"'=HYPERLINK\(""x""\)",active,science;world,\d{4}-/);
    expect(lines).toHaveLength(4);
    expect(toFile.stderr).toContain(`Exported 3 subscribers from ${where()} to ${out}`);
    expect((await readFile(out, 'utf8')).split('\r\n')).toHaveLength(5);

    stores = createStores(emulators.doc, await emulators.freshTables());
    const reimported = await cli('import', out);
    expect(reimported.stdout).toContain('Imported 2 active, 1 unsubscribed subscriber(s)');
    expect((await stores.subscribers.get('ada@example.com'))?.name).toBe('Lovelace, Ada');
    expect((await stores.subscribers.get('zoe@example.com'))?.topics).toEqual(['science', 'world']);
    expect((await stores.subscribers.get('bob@example.com'))?.status).toBe('unsubscribed');
  });

  it('export → import into an empty list → export gives the same file apart from the timestamps, every status kept', async () => {
    await stores.subscribers.add('=1+1@x.org', { status: 'pending', reason: 'signed up on the web page', name: "'=quoted" });
    await stores.subscribers.add('gone@example.net', { status: 'suppressed', reason: 'permanent bounce' });
    const first = join(dir, 'first.csv');
    const second = join(dir, 'second.csv');
    const withoutTimestamps = async (file: string) => (await readFile(file, 'utf8')).replace(/,\d{4}-\d\d-\d\dT[^,\r]+/g, ',T');

    await cli('export', '--out', first);
    stores = createStores(emulators.doc, await emulators.freshTables());
    const imported = await cli('import', first);
    await cli('export', '--out', second);

    expect(imported.stdout).toContain('Imported 1 pending, 2 active, 1 unsubscribed, 1 suppressed subscriber(s)');
    expect(await withoutTimestamps(second)).toBe(await withoutTimestamps(first));
    expect(await stores.subscribers.get('=1+1@x.org')).toMatchObject({ status: 'pending', name: "'=quoted" });
    expect((await stores.subscribers.get('bob@example.com'))?.expiresAt).toBeUndefined();
    expect((await stores.subscribers.get('gone@example.net'))?.expiresAt).toBeUndefined();
    expect(await emulators.inbox()).toHaveLength(0);
  });
});

describe('consent is never upgraded by an import', () => {
  it('leaves every address already on the list exactly as it is, with or without --pending, and mails none of them', async () => {
    await stores.subscribers.add('left@example.org', { status: 'unsubscribed', reason: 'one-click unsubscribe from the email' });
    await stores.subscribers.add('bounced@example.org', { status: 'suppressed', reason: 'permanent bounce' });
    await stores.subscribers.add('waiting@example.org', { status: 'pending', reason: 'signed up on the web page' });
    const before = await Promise.all(['left@example.org', 'bounced@example.org', 'waiting@example.org'].map((email) => stores.subscribers.get(email)));
    const file = await csvFile('again.csv', 'email,status\nleft@example.org,active\nbounced@example.org,active\nwaiting@example.org,active\nnew@example.org,unsubscribed\n');

    const active = await cli('import', file);
    const pending = await cli('import', file, '--pending');

    expect(active.stdout).toContain('Imported 1 unsubscribed subscriber(s)');
    expect(active.stdout).toContain('3 already on the list (left as they were)');
    expect(pending.stdout).toContain('Imported 0 subscriber(s)');
    expect(pending.stdout).toContain('4 already on the list (left as they were)');
    const after = await Promise.all(['left@example.org', 'bounced@example.org', 'waiting@example.org'].map((email) => stores.subscribers.get(email)));
    expect(after).toEqual(before);
    expect(await stores.subscribers.get('new@example.org')).toMatchObject({ status: 'unsubscribed' });
    expect(await emulators.inbox()).toHaveLength(0);
  });
});
