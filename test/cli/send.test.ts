import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { destination, startFaultySes } from '../helpers/ses-faults.ts';

const samples = join(import.meta.dirname, '../../samples/articles');

let emulators: TestEmulators;
let stores: Stores;
let cwd: string;

beforeAll(async () => {
  emulators = await startTestEmulators();
  cwd = await mkdtemp(join(tmpdir(), 'briefing-send-'));
});
afterAll(async () => emulators.close());
beforeEach(async () => {
  stores = createStores(emulators.doc, await emulators.freshTables());
  await emulators.clearInbox();
});

const cliEnv = () => ({ ...emulators.env, BRIEFING_TOKEN_SECRET: 'cli-test', BRIEFING_DATA_DIR: join(cwd, '.briefing') });
const cli = (args: string[]) => runCli(args, { cwd, env: cliEnv() });

describe('briefing articles', () => {
  it('imports valid records, reports the invalid one by file and field, and updates a re-imported id', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'briefing-articles-'));
    await writeFile(
      join(folder, 'today.json'),
      JSON.stringify([
        { id: 'good-one', category: 'News', headline: 'First version', url: 'https://news.example.com/good', publishedAt: '2026-11-24T05:00:00Z', keyPoints: ['A point'] },
        { id: 'bad-one', category: 'News', headline: 'Bad link', url: 'javascript:alert(1)', publishedAt: '2026-11-24T05:00:00Z', keyPoints: ['A point'] },
      ]),
    );

    const first = await cli(['articles', 'import', folder]);
    await writeFile(
      join(folder, 'today.json'),
      JSON.stringify({ id: 'good-one', category: 'News', headline: 'Second version', url: 'https://news.example.com/good', publishedAt: '2026-11-24T05:00:00Z', keyPoints: ['A point'] }),
    );
    const second = await cli(['articles', 'import', folder]);
    const list = await cli(['articles', 'list']);

    expect(first.code).toBe(1);
    expect(first.stdout).toContain('Imported 1 article(s)');
    expect(first.stderr).toMatch(/today\.json\[1\] \(id bad-one\): url: .*https/);
    expect(second.stdout).toContain('0 new, 1 updated');
    expect(list.stdout).toContain('Second version');
    expect(list.stdout).not.toContain('bad-one');
  });
});

describe('briefing send', () => {
  beforeEach(async () => {
    expect((await cli(['articles', 'import', samples])).code).toBe(0);
    for (const email of ['one@example.org', 'two@example.org']) await stores.subscribers.add(email, { status: 'active', reason: 'test' });
  });

  it('sends the edition, prints a summary, and sends nothing when run again', async () => {
    const first = await cli(['send', '--date', '2026-11-24']);
    const again = await cli(['send', '--date', '2026-11-24']);

    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Sending edition 2026-11-24: ".+" to 2 subscriber\(s\)/);
    expect(first.stdout).toMatch(/^Rendered 1 variant for 1 topic set; sent 2, no-news 0, skipped 0, failed 0 in [\d.]+ s \([\d.]+\/s\)\.$/m);
    expect(first.stderr).toContain('progress: 2/2 (sent 2, skipped 0, failed 0)');
    expect(again.stdout).toContain('already taken (status: sent); nothing sent');
    expect((await emulators.inbox()).map((message) => message.destination.to[0]).sort()).toEqual(['one@example.org', 'two@example.org']);
  });

  it('reports a delivery whose answer was lost after SES took it as uncertain, sends it once, and finishes the edition', async () => {
    const faulty = await startFaultySes(emulators.sesEndpoint, (params) => (destination(params) === 'two@example.org' ? { dropReply: true } : undefined));
    try {
      const result = await runCli(['send', '--date', '2026-11-24'], { cwd, env: { ...emulators.env, BRIEFING_SES_ENDPOINT: faulty.endpoint, BRIEFING_TOKEN_SECRET: 'cli-test', BRIEFING_DATA_DIR: join(cwd, '.briefing') } });

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/sent 1, no-news 0, skipped 0, failed 0, uncertain 1 in [\d.]+ s/);
      expect(result.stderr).toContain('uncertain: two@example.org: ECONNRESET: socket hang up');
      expect(result.stderr).toContain('1 delivery uncertain: SES may or may not have sent it; it is not sent again on its own.');
      expect(faulty.faults()).toBe(1);
      expect((await emulators.inbox()).map((message) => message.destination.to[0]).sort()).toEqual(['one@example.org', 'two@example.org']);
      expect(await stores.editions.get('2026-11-24')).toMatchObject({ status: 'sent', sent: 1, uncertain: 1 });
      expect(result.stderr).toContain('npx briefing send --date 2026-11-24 --resume --retry-uncertain');
    } finally {
      await faulty.close();
    }

    const retried = await cli(['send', '--date', '2026-11-24', '--resume', '--retry-uncertain']);

    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/Resumed edition 2026-11-24: ".+" to the 1 recipient\(s\) without an outcome yet\./);
    expect((await emulators.inbox()).map((message) => message.destination.to[0]).sort()).toEqual(['one@example.org', 'two@example.org', 'two@example.org']);
    expect(await stores.editions.get('2026-11-24')).toMatchObject({ status: 'sent', sent: 2, uncertain: 0 });
  });

  it('finishes an edition whose send was killed (SIGKILL) part way with one --resume: every subscriber once, the edition sent, exit 0', async () => {
    for (let index = 0; index < 10; index += 1) await stores.subscribers.add(`reader${index}@example.org`, { status: 'active', reason: 'test' });
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../bin/briefing.js'), 'send', '--date', '2026-11-24', '--rate', '4'], { cwd, env: { ...process.env, ...cliEnv() }, stdio: 'ignore' });
    const exited = once(child, 'exit');
    // Killed once three mails are out, with the other nine queued or waiting for their turn.
    while ((await stores.deliveries.list('2026-11-24')).filter((delivery) => delivery.status === 'sent').length < 3) await sleep(20);
    child.kill('SIGKILL');
    await exited;
    const killedAt = await stores.editions.get('2026-11-24');

    const resumed = await cli(['send', '--date', '2026-11-24', '--resume']);

    expect(killedAt?.status).toBe('sending');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Resumed edition 2026-11-24: ".+" to the \d+ recipient\(s\) without an outcome yet\./);
    const deliveries = await stores.deliveries.list('2026-11-24');
    const received = (await emulators.inbox()).map((message) => message.destination.to[0]!);
    expect(new Set(received).size).toBe(received.length);
    expect(deliveries).toHaveLength(12);
    for (const delivery of deliveries) {
      if (delivery.status === 'sent') expect(received).toContain(delivery.email);
      // A mail the killed process had handed to SES and never heard back about: said so, and not sent again.
      else expect(delivery.status).toBe('uncertain');
    }
    const uncertain = deliveries.filter((delivery) => delivery.status === 'uncertain').length;
    if (uncertain > 0) expect(resumed.stderr).toMatch(/by process \d+ \(briefing send\), which is gone: recorded as uncertain/);
    expect(await stores.editions.get('2026-11-24')).toMatchObject({ status: 'sent', enqueued: 12, sent: 12 - uncertain, uncertain });
  });

  it('refuses an unknown article id with a clear error and sends nothing', async () => {
    const result = await cli(['send', '--date', '2026-11-24', '--articles', 'rail-strike-called-off,no-such-story']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('briefing: no article with id no-such-story in the article store');
    expect(await emulators.inbox()).toEqual([]);
  });

  it('sends a test copy with --to and counts recipients with --dry-run, touching no edition', async () => {
    const test = await cli(['send', '--date', '2026-11-24', '--to', 'Editor@Example.COM']);
    const dry = await cli(['send', '--date', '2026-11-24', '--dry-run']);

    expect(test.stdout).toContain('Test copy of edition 2026-11-24 sent to editor@example.com');
    expect(dry.stdout).toMatch(/, rendered as 1 variant for 1 topic set; 2 active subscriber\(s\) would get it\. Nothing was sent\./);
    expect((await emulators.inbox()).map((message) => message.destination.to[0])).toEqual(['editor@example.com']);
    expect(await stores.editions.get('2026-11-24')).toBeUndefined();
  });

  it('sends each reader the briefing of their topics and sums it up (variants, sent, no-news); a test copy takes --topics', async () => {
    await stores.subscribers.add('science@example.org', { status: 'active', reason: 'test', set: { topics: ['science'] } });
    await stores.subscribers.add('sport@example.org', { status: 'active', reason: 'test', set: { topics: ['sport'] } });
    const stories = ['rail-strike-called-off', 'central-bank-holds-rates', 'comet-visible-naked-eye'].join(',');

    const test = await cli(['send', '--date', '2026-11-24', '--articles', stories, '--to', 'editor@example.com', '--topics', 'science']);
    const unknown = await cli(['send', '--date', '2026-11-24', '--articles', stories, '--to', 'editor@example.com', '--topics', 'science,weather']);
    const loose = await cli(['send', '--date', '2026-11-24', '--topics', 'science']);
    const dry = await cli(['send', '--date', '2026-11-24', '--articles', stories, '--dry-run']);
    const sent = await cli(['send', '--date', '2026-11-24', '--articles', stories]);
    const show = await cli(['editions', 'show', '2026-11-24']);
    const list = await cli(['editions', 'list']);

    expect(test.stdout).toMatch(/^Test copy of edition 2026-11-24 for the topics science sent to editor@example\.com \("\[Test\] .*comet.*", one story: comet-visible-naked-eye; SES message /im);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('briefing: --topics: no topic weather in the config (its topics: world, uk, business, markets, technology, science, health, culture, sport)');
    expect(loose.code).toBe(1);
    expect(loose.stderr).toContain('--topics goes with --to');
    expect(dry.stdout).toContain('rendered as 2 variants for 3 topic sets; 3 active subscriber(s) would get it, 1 with no story in their topics nothing. Nothing was sent.');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^Rendered 2 variants for 3 topic sets; sent 3, no-news 1, skipped 0, failed 0 in [\d.]+ s/m);
    expect(show.stdout).toContain('no-news       1: no story in their topics, not mailed');
    expect(list.stdout).toContain('3 sent, 0 skipped, 0 failed of 3 queued (1 no-news)');
    const inbox = await emulators.inbox();
    expect(inbox.map((message) => message.destination.to[0]).sort()).toEqual(['editor@example.com', 'one@example.org', 'science@example.org', 'two@example.org']);
    expect(inbox.find((message) => message.destination.to[0] === 'science@example.org')?.subject).toBe(`${inbox.find((message) => message.destination.to[0] === 'editor@example.com')?.subject.replace('[Test] ', '')}`);
    expect(inbox.find((message) => message.destination.to[0] === 'science@example.org')?.body.html).not.toContain('Rail strike');
    expect(inbox.find((message) => message.destination.to[0] === 'one@example.org')?.body.html).toContain('Rail strike');
  });

  it('rejects an invalid --to address with the reason', async () => {
    const result = await cli(['send', '--to', 'someone@@example.com']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--to <email>.*is not a valid email address/);
  });
});
