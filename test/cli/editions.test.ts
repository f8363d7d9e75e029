import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { article } from '../helpers/articles.ts';
import { runCli } from '../helpers/cli.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();

describe('briefing editions', () => {
  it('lists editions newest first and shows one with the figures of its report (status, stories, counts, unsubscribes), and how to resume a stopped one', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'briefing-editions-'));
    const cli = (args: string[]) => runCli(args, { cwd, env: { ...local.emulators.env, BRIEFING_TOKEN_SECRET: 'cli-test' } });
    const { editions } = local.stores;
    await editions.lock('2026-11-23', 'test');
    await editions.saveRendered('2026-11-23', { subject: 'Monday', preheader: '', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a', 'b'], rateBudget: 50 });
    await editions.addEnqueued('2026-11-23', 2, true);
    await editions.addOutcomes('2026-11-23', { sent: 2 });
    await editions.lock('2026-11-24', 'test');
    await editions.saveRendered('2026-11-24', { subject: 'Tuesday', preheader: '', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['c'] });
    await editions.setStatus('2026-11-24', 'stopped', { from: ['sending'], reason: 'AccountSendingPausedException: sending paused' });
    await local.stores.articles.put([article({ id: 'c', headline: 'Comet lights up the sky' })]);
    // Two readers unsubscribe: counted on the latest edition that went out.
    await editions.countUnsubscribe();
    await editions.countUnsubscribe();

    const list = await cli(['editions', 'list']);
    const show = await cli(['editions', 'show', '2026-11-24']);
    const missing = await cli(['editions', 'show', '2026-01-01']);
    const sent = await cli(['editions', 'show', '2026-11-23']);

    expect(list.stdout.trim().split('\n').map((line) => line.slice(0, 20))).toEqual(['2026-11-24  stopped ', '2026-11-23  sent    ']);
    expect(list.stdout).toContain('2 sent, 0 skipped, 0 failed of 2 queued');
    expect(show.stdout).toContain('status        stopped (AccountSendingPausedException: sending paused)');
    expect(show.stdout).toContain('unsubscribes  2 since the send started');
    expect(show.stdout).toMatch(/^stopped {7}2\d{3}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(show.stdout).toContain('stories       1. Comet lights up the sky <https://news.example.com/c>');
    expect(show.stdout).toContain('npx briefing send --date 2026-11-24 --resume');
    expect(sent.stdout).toMatch(/^send rate +[\d.]+\/s achieved of a 50\/s budget/m);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('briefing: there is no edition 2026-01-01');
  });

  it('says how many deliveries are uncertain', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'briefing-editions-'));
    const { editions } = local.stores;
    await editions.lock('2026-11-24', 'test');
    await editions.saveRendered('2026-11-24', { subject: 'Tuesday', preheader: '', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['c'] });
    await editions.addEnqueued('2026-11-24', 20, true);
    await editions.addOutcomes('2026-11-24', { sent: 17, uncertain: 3 });

    const show = await runCli(['editions', 'show', '2026-11-24'], { cwd, env: { ...local.emulators.env, BRIEFING_TOKEN_SECRET: 'cli-test' } });

    expect(show.stdout).toContain('recipients    20\nsent          17\nfailed        0\nuncertain     3: SES may or may not have sent them');
    expect(show.stdout).toContain('3 deliveries uncertain: SES may or may not have sent them; they are not sent again on their own.');
    expect(show.stdout).toContain('npx briefing send --date 2026-11-24 --resume --retry-uncertain');
  });
});
