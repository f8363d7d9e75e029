import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { loadArticleFiles } from '../../local/article-files.ts';
import { keepSamplesCurrent, samplesDatedBefore } from '../../local/samples.ts';
import { conditionalFeed, useFeedServer } from '../feeds/feed-server.ts';
import { fixture } from '../feeds/fixtures.ts';
import { article } from '../helpers/articles.ts';
import { runCli } from '../helpers/cli.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const entry = resolve(import.meta.dirname, '../../bin/briefing.js');
const samplesDir = resolve(import.meta.dirname, '../../samples/articles');

/** A port nobody listens on now: the commands run after `dev` must find its services where it put them. */
const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });

/** `briefing dev` as `npm start` runs it, until it says it is ready. */
const startDev = async (cwd: string, env: Record<string, string>) => {
  const child = spawn(process.execPath, [entry, 'dev'], { cwd, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toContain('Ctrl-C to stop');
  return { child, exited, output: () => output };
};

describe('npm start (briefing dev)', () => {
  it('comes up, puts a real briefing in the local inbox, and ends cleanly on Ctrl-C', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'briefing-dev-'));
    // Port 0 everywhere: the test must not collide with a developer's running `npm start`.
    const dev = await startDev(cwd, { BRIEFING_API_PORT: '0', BRIEFING_PREVIEW_PORT: '0', BRIEFING_SES_PORT: '0', BRIEFING_DYNAMODB_PORT: '0' });
    const output = dev.output();
    const inboxUrl = /Inbox \(local SES\)\s+(\S+)/.exec(output)![1]!;
    const previewUrl = /Template preview\s+(\S+)/.exec(output)![1]!;
    const { emails } = (await (await fetch(`${inboxUrl}store`)).json()) as { emails: { subject: string; destination: { to: string[] }; body: { html?: string } }[] };
    const preview = await fetch(previewUrl);

    expect(output).toContain('First run: imported 10 sample articles');
    expect(emails.map((email) => email.destination.to[0]).sort()).toEqual(['ada@example.com', 'grace@example.org', 'linus@example.net']);
    expect(emails[0]!.subject).toBe('Climate summit ends with a deal on the loss and damage fund after an…');
    expect(emails[0]!.body.html).toContain('What do you need to know?');
    expect(preview.status).toBe(200);
    const signupUrl = /Sign-up page\s+(\S+)/.exec(output)![1]!;
    expect(await (await fetch(signupUrl)).text()).toContain('<form');
    expect(emails[0]!.body.html).toContain(`${new URL(signupUrl).origin}/unsubscribe?token=`);

    dev.child.kill('SIGINT');
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('stopping; local data kept');
    await rm(cwd, { recursive: true, force: true });
  }, 90_000);

  const feeds = useFeedServer();

  it('polls the configured feeds, serves the articles webhook, and every command it suggests works right after it', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'briefing-dev-'));
    feeds.server.route('/world.xml', conditionalFeed(() => fixture('guardian-world.xml'), { etag: '"w1"', lastModified: 'Tue, 24 Nov 2026 06:00:00 GMT' }));
    const feedUrl = feeds.server.url('/world.xml');
    const ports = { BRIEFING_API_PORT: String(await freePort()), BRIEFING_PREVIEW_PORT: String(await freePort()), BRIEFING_SES_PORT: String(await freePort()), BRIEFING_DYNAMODB_PORT: String(await freePort()) };
    const env = { ...ports, BRIEFING_FEEDS: JSON.stringify([{ url: feedUrl, category: 'World' }]) };
    const dev = await startDev(cwd, env);
    try {
      const output = dev.output();
      const hint = /^Try: (.*) · Ctrl-C to stop\.$/m.exec(output)![1]!.split(' · ');
      const [webhook, key] = /Articles webhook\s+POST (\S+)\s+\(Authorization: Bearer (\S+)\)/.exec(output)!.slice(1);

      expect(output).toContain(`Polling 1 feed(s) of the config key feeds, now and every 15 minutes:\n${feedUrl}: 2 new, 0 updated, 0 left out`);
      expect(hint).toEqual(['npx briefing send --to you@example.com', 'npx briefing send --dry-run', 'npx briefing articles list']);
      // The samples ship dated 2026-11-24; what the hint suggests must work on whatever day it is run.
      for (const command of hint) {
        const result = await runCli(command.split(' ').slice(2), { cwd, env });
        expect(result.code, `${command}\n${result.stderr}`).toBe(0);
        expect(result.stderr, command).not.toMatch(/nothing to send/);
      }
      const dryRun = await runCli(['send', '--dry-run'], { cwd, env });
      expect(dryRun.stdout).toMatch(/Ceasefire talks resume in Cairo|Climate summit ends/);

      const posted = await fetch(webhook!, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(article({ id: 'posted-by-the-cms' })) });
      expect(posted.status).toBe(200);
      expect(await posted.json()).toEqual({ stored: ['posted-by-the-cms'], problems: [] });
      expect(key).toBe((await readFile(join(cwd, '.briefing', 'ingest-key'), 'utf8')).trim());
      const listed = await runCli(['articles', 'list'], { cwd, env });
      expect(listed.stdout).toContain('posted-by-the-cms');
      expect(listed.stdout).toContain('ceasefire-talks-resume-cairo-aid-convoys-3ce8920276');
      expect(listed.stdout).toContain('13 article(s) in the local store (.briefing/)');
    } finally {
      dev.child.kill('SIGINT');
      await dev.exited;
      await rm(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the sample articles in briefing dev', () => {
  const local = useTestEmulators();
  const config = parseConfig({});

  it('are dated again, in order and spacing, when today’s edition would find no story, and left alone when it would', async () => {
    const { articles: samples } = await loadArticleFiles(samplesDir);
    await local.stores.articles.put(samples);
    const now = new Date();

    const dated = await keepSamplesCurrent(samples, { stores: local.stores, config }, now);
    const again = await keepSamplesCurrent(samples, { stores: local.stores, config }, now);

    expect([dated, again]).toEqual([true, false]);
    const stored = (await local.stores.articles.getMany(samples.map((sample) => sample.id))).articles;
    const times = stored.map((record) => Date.parse(record.publishedAt));
    expect(Math.max(...times)).toBe(Math.floor((now.getTime() - 5 * 60_000) / 1000) * 1000);
    expect(Math.min(...times)).toBeGreaterThan(now.getTime() - 24 * 3_600_000);
    const gaps = (records: { publishedAt: string }[]) => records.map((record) => Date.parse(record.publishedAt) - Date.parse(records[0]!.publishedAt));
    expect(gaps(stored)).toEqual(gaps(samples));
    expect(stored.map(({ publishedAt: _, ...rest }) => rest)).toEqual(samples.map(({ publishedAt: _, ...rest }) => rest));
  });

  it('stay as they are when the newsroom’s own stories are in the window', async () => {
    const { articles: samples } = await loadArticleFiles(samplesDir);
    await local.stores.articles.put([...samples, article({ id: 'fresh-from-the-feed', publishedAt: new Date(Date.now() - 3_600_000).toISOString() })]);

    expect(await keepSamplesCurrent(samples, { stores: local.stores, config })).toBe(false);
    expect((await local.stores.articles.getMany([samples[0]!.id])).articles[0]?.publishedAt).toBe(samples[0]!.publishedAt);
  });

  it('keep whole seconds, as the records were written', () => {
    const [first] = samplesDatedBefore([article({ id: 'a', publishedAt: '2026-11-24T06:00:00Z' })], new Date('2026-12-02T11:31:21.456Z'));

    expect(first!.publishedAt).toBe('2026-12-02T11:26:21Z');
  });
});
