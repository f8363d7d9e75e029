import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendLocally } from '../../local/send.ts';
import { article } from '../helpers/articles.ts';
import { audit, problemsOf, schemes, widths } from './axe.ts';
import { linkIn, useSiteInBrowser } from './subscription-site.ts';

const artifacts = resolve(import.meta.dirname, '../../test-artifacts');
const secret = 'e2e-preferences-secret-0123456789abcdef';
const reader = 'pref.reader@example.com';

const site = useSiteInBrowser(secret);
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(artifacts, `preferences-${name}.png`), fullPage: true });

/** axe over the page as it is now, at each width and scheme; the page is reloaded by none of it. */
const auditEverywhere = async (name: string): Promise<string[]> => {
  const problems: string[] = [];
  for (const width of widths) {
    for (const scheme of schemes) {
      problems.push(...problemsOf(await audit(page, width, scheme), `${name} at ${width} px, ${scheme}`, width, scheme));
      await page.screenshot({ path: join(artifacts, `preferences-${name}-${scheme}-${width}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 800, height: 1000 });
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
};

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await site.stores.articles.put([
    article({ id: 'comet', category: 'Science', headline: 'A comet brightens the evening sky', priority: 3, publishedAt: '2026-11-24T05:00:00Z' }),
    article({ id: 'summit', category: 'World', headline: 'Summit ends with a deal', publishedAt: '2026-11-24T04:00:00Z' }),
  ]);
  await site.stores.subscribers.add(reader, { status: 'active', reason: 'confirmed' });
  // Our pages allow no script: axe needs the policy set aside in this context.
  const context = await site.browser.newContext({ viewport: { width: 800, height: 1000 }, bypassCSP: true, acceptDownloads: true });
  page = await context.newPage();
});

describe('the preference page in a real browser', () => {
  it('opens from the briefing, saves the ticked topics, downloads the data as a file, deletes it, and is axe clean at 375 and 600 px, light and dark', async () => {
    // The briefing as the reader gets it, from the SES emulator's inbox.
    const sent = await sendLocally({ date: '2026-11-24', articleIds: ['comet', 'summit'] }, { stores: site.stores, mailer: site.emulators.mailer, reportMailer: site.emulators.mailer, config: site.config, tokenSecret: secret, ratePerSecond: 1000 });
    expect(sent.counts.sent).toBe(1);
    const [briefing] = (await site.emulators.inbox()).filter((message) => message.destination.to.includes(reader));

    await page.goto(linkIn(briefing!, 'Choose your topics'));
    expect(await page.title()).toBe('Your preferences · The Morning Briefing');
    expect(await page.locator('main').textContent()).toContain(`for ${reader}`);
    expect(await page.getByRole('checkbox', { checked: true }).count()).toBe(0);
    await shot('1-arrived');

    // Tick two topics by their labels, as a person would, and save.
    await page.getByLabel('World').check();
    await page.getByLabel('Science').check();
    await page.getByRole('button', { name: 'Save my topics' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved: you get stories about World, Science.');
    expect((await site.stores.subscribers.get(reader))?.topics).toEqual(['science', 'world']);
    expect(await page.getByLabel('World').isChecked()).toBe(true);
    expect(await page.getByLabel('Sport').isChecked()).toBe(false);
    await shot('2-saved');

    const problems = await auditEverywhere('page');
    expect(problems, problems.join('\n')).toEqual([]);

    // The download is a file the browser saves, not a page: the reader stays where they were.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(data.subscriber).toMatchObject({ email: reader, status: 'active', topics: [{ id: 'science', label: 'Science' }, { id: 'world', label: 'World' }] });
    expect(data.subscriber.history).toEqual([expect.objectContaining({ status: 'active', reason: 'confirmed' })]);
    expect(await page.locator('h1').textContent()).toBe('Your preferences');

    // Deleting asks once more, then says what happened; only the keyed hash is left.
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Delete your data?');
    const confirmProblems = await auditEverywhere('delete');
    expect(confirmProblems, confirmProblems.join('\n')).toEqual([]);
    expect(await site.stores.subscribers.get(reader)).toBeDefined();
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your data is deleted');
    await shot('3-deleted');
    expect(await site.stores.subscribers.get(reader)).toBeUndefined();
  });
});
