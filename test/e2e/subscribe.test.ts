import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../../bin/cli/shared.ts';
import { loadArticleFiles } from '../../local/article-files.ts';
import { runCli } from '../helpers/cli.ts';
import type { InboxMessage } from '../helpers/emulators.ts';
import { linkIn, useSiteInBrowser } from './subscription-site.ts';

const artifacts = resolve(import.meta.dirname, '../../test-artifacts');
const secret = 'e2e-token-secret-0123456789abcdef';
const reader = 'e2e.reader@example.com';
const otherReader = 'other.reader@example.org';

const site = useSiteInBrowser(secret);
let dataDir: string;
let articleIds: string[];
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(artifacts, `subscribe-${name}.png`), fullPage: true });

const mailsTo = async (email: string): Promise<InboxMessage[]> => (await site.emulators.inbox()).filter((message) => message.destination.to.includes(email));

/** `briefing send` as the editor runs it, against these emulators and this site. */
const send = (date: string) =>
  runCli(['send', '--date', date, '--articles', articleIds.join(',')], {
    env: { ...site.emulators.env, BRIEFING_TOKEN_SECRET: secret, BRIEFING_SITE_URL: site.siteUrl, BRIEFING_DATA_DIR: dataDir },
  });

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-e2e-'));
  const { articles } = await loadArticleFiles(samplesDir);
  articleIds = articles.slice(0, 4).map((article) => article.id);
  await site.stores.articles.put(articles);
  await site.stores.subscribers.add(otherReader, { status: 'active', reason: 'confirmed' });
  page = await site.browser.newPage({ viewport: { width: 800, height: 1000 } });
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a reader in a real browser', () => {
  it('signs up, confirms from the email, gets the next briefing, leaves through its unsubscribe link, and gets nothing more', async () => {
    // Sign up through the page, as a person would: by the field's label and the button's name.
    await page.goto(`${site.siteUrl}/`);
    expect(await page.title()).toBe('Subscribe · The Morning Briefing');
    await shot('1-signup');
    await page.getByLabel('Your email address').fill(reader);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Check your inbox');
    await shot('2-check-inbox');
    expect((await site.stores.subscribers.get(reader))?.status).toBe('pending');

    // The confirmation email (it goes out after the answer) has a button that opens a page; only the page's button confirms.
    await expect.poll(async () => (await mailsTo(reader)).length).toBe(1);
    const [confirmation] = await mailsTo(reader);
    expect(confirmation?.subject).toBe('Confirm your subscription to The Morning Briefing');
    await page.goto(linkIn(confirmation!, 'Confirm my subscription'));
    expect(await page.locator('h1').textContent()).toBe('Confirm your subscription');
    expect((await site.stores.subscribers.get(reader))?.status).toBe('pending');
    await shot('3-confirm');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('You are subscribed');
    await shot('4-subscribed');
    expect((await site.stores.subscribers.get(reader))?.status).toBe('active');

    // The next briefing arrives, and its web version opens without personal data.
    const first = await send('2026-11-24');
    expect(first.code, first.stderr).toBe(0);
    const briefings = (await mailsTo(reader)).filter((message) => message.subject !== confirmation!.subject);
    expect(briefings).toHaveLength(1);
    expect(briefings[0]!.subject).toMatch(/^Climate summit ends with a deal/);
    await page.goto(linkIn(briefings[0]!, 'View in browser'));
    expect(await page.locator('body').textContent()).toContain('What do you need to know?');
    expect(await page.content()).not.toContain(reader);
    await shot('5-web-version');

    // Leaving: the briefing's unsubscribe link shows a page, its button unsubscribes.
    await page.goto(linkIn(briefings[0]!, 'Unsubscribe'));
    expect(await page.locator('h1').textContent()).toBe('Unsubscribe from The Morning Briefing');
    expect((await site.stores.subscribers.get(reader))?.status).toBe('active');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('You are unsubscribed');
    await shot('6-unsubscribed');
    expect((await site.stores.subscribers.get(reader))?.status).toBe('unsubscribed');

    // The edition after that goes out to the others, not to the reader who left.
    const second = await send('2026-11-25');
    expect(second.code, second.stderr).toBe(0);
    expect(await mailsTo(otherReader)).toHaveLength(2);
    expect(await mailsTo(reader)).toHaveLength(2);
  });
});
