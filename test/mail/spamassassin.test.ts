import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { briefingEnvelope } from '../../lambdas/mail/briefing-mime.ts';
import type { Mailer } from '../../lambdas/mail/mailer.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import { createConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { deliveredMime } from '../helpers/delivered-mime.ts';

const installed = (() => {
  try {
    execFileSync('spamassassin', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const config = parseConfig({
  siteUrl: 'https://news.example.com',
  senderAddress: 'briefing@news.example.com',
  replyTo: 'desk@news.example.com',
  postalAddress: 'Example News Ltd, 1 Example Street, London EC1A 1AA, United Kingdom',
});
const secret = 'spamassassin-test-secret-0123456789abcdef';
const links = subscriptionLinks(config, secret);
const reader = { id: '01JD5X8Q2W7R3M9K4T6Y1B0C5N', email: 'amara.okafor@example.org' };

interface Verdict {
  readonly score: number;
  /** The report's table: one line per rule that fired, with its points. */
  readonly rules: string;
}

let home: string;

/** `spamassassin -L -t`: local rules only (no DNS or network tests), the report appended to the message. */
const check = (raw: Uint8Array): Promise<Verdict> =>
  new Promise((resolve, reject) => {
    // Its own HOME, so the user preferences and Bayes files it creates stay out of the developer's.
    const child = spawn('spamassassin', ['-L', '-t'], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const report = /Content analysis details:\s+\((-?\d+(?:\.\d+)?) points[^\n]*\n([\s\S]*)$/.exec(out);
      if (!report) return reject(new Error(`no SpamAssassin report in its output:\n${out.slice(-2000)}\n${err}`));
      resolve({ score: Number(report[1]), rules: report[2]!.trim() });
    });
    child.stdin.end(raw);
  });

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'briefing-spamassassin-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe.skipIf(!installed)('SpamAssassin (local rules) on the mail as it is sent', () => {
  it('scores the briefing the deliver step builds at 0.0 or less', async () => {
    const { articles } = await loadArticleFiles('samples/articles');
    const rendered = await renderBriefing(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }), config);
    const mime = await deliveredMime(rendered, briefingEnvelope(config, { configurationSet: 'briefing-sending', editionId: '2026-11-24' }));
    const raw = mime.build({ email: reader.email, unsubscribeUrl: links.unsubscribeUrl(reader.id), preferencesUrl: links.preferencesUrl(reader.id), browserUrl: links.archiveUrl('2026-11-24') });

    const verdict = await check(raw);

    expect(verdict.score, `rules that fired:\n${verdict.rules}`).toBeLessThanOrEqual(0);
  });

  it('scores the confirmation email at 0.0 or less', async () => {
    const sent: Uint8Array[] = [];
    const mailer: Mailer = { send: async (raw) => (sent.push(raw), 'captured') };
    await createConfirmationSender({ config, mailer, secret, configurationSet: 'briefing-sending' })(reader, new Date());

    const verdict = await check(sent[0]!);

    expect(verdict.score, `rules that fired:\n${verdict.rules}`).toBeLessThanOrEqual(0);
  });
});
