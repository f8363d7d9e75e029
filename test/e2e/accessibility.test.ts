import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { pagePreviews } from '../../local/preview/templates/subscription.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import { personalise } from '../../lambdas/render/personalise.ts';
import { renderConfirmationEmail } from '../../lambdas/subscription/confirmation-email.ts';
import { pageNames, renderPage } from '../../lambdas/subscription/pages.ts';
import { chromiumOptions, inspect, problemsOf, schemes, widths } from './axe.ts';

const artifacts = resolve(import.meta.dirname, '../../test-artifacts');
const config = parseConfig({ siteUrl: 'https://news.example.com', senderAddress: 'briefing@news.example.com' });

/** Every document a reader sees, as the sender and the subscription API render it. */
const documents = async (): Promise<[string, string][]> => {
  const { articles } = await loadArticleFiles('samples/articles');
  const rendered = await renderBriefing(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }), config);
  const briefing = personalise(rendered, {
    email: 'amara.okafor@example.org',
    unsubscribeUrl: 'https://news.example.com/unsubscribe?token=01JD5X8Q2W7R3M9K4T6Y1B0C5N.1764000000.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg',
    preferencesUrl: 'https://news.example.com/preferences?token=cHJlZmVyZW5jZXMuMDFKRDVYOFEyVzdSM005SzRUNlkxQjBDNU4uMTkyMTY4MDAwMA.c2lnbmF0dXJl',
    browserUrl: 'https://news.example.com/archive/2026-11-24',
  });
  const confirmation = await renderConfirmationEmail(config, {
    email: 'amara.okafor@example.org',
    confirmUrl: 'https://news.example.com/confirm?token=01JD5X8Q2W7R3M9K4T6Y1B0C5N.1764000000.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg',
  });
  const views = pagePreviews(config);
  const pages = await Promise.all(pageNames.map(async (name): Promise<[string, string]> => [`page-${name}`, await renderPage(name, views[name], config)]));
  const signupError = await renderPage('signup', { ...views.signup, email: 'not-an-address', error: 'Enter an email address such as name@example.com.' }, config);
  return [['email-briefing', briefing.html], ['email-confirmation', confirmation.html], ...pages, ['page-signup-error', signupError]];
};

let browser: Browser;
let page: Page;
let rendered: [string, string][];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  rendered = await documents();
  browser = await chromium.launch(chromiumOptions);
  page = await browser.newPage();
  // Nothing leaves the machine: remote images stay blocked, as in a mail client that asks first.
  await page.route(/^https?:/, (route) => route.abort());
});
afterAll(async () => {
  await browser?.close();
});

describe('every email and subscription page in a real browser', () => {
  it('has no serious or critical axe violations at 375 and 600 px, light and dark, and nothing wider than a phone', async () => {
    const problems: string[] = [];
    for (const [name, html] of rendered) {
      for (const width of widths) {
        for (const scheme of schemes) {
          const check = await inspect(page, html, width, scheme);
          problems.push(...problemsOf(check, `${name} at ${width} px, ${scheme}`, width, scheme));
          if (name.startsWith('email-') || name === 'page-signup') {
            await page.screenshot({ path: join(artifacts, `${name}-${scheme}-${width}.png`), fullPage: true });
          }
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('keeps the lead image’s box, in the source’s proportions, with images blocked, at 375 and 600 px', async () => {
    const [, html] = rendered.find(([name]) => name === 'email-briefing')!;
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.setContent(html);
      // The lead sample's image is 1200 × 800: the box is two thirds as tall as it is wide, whatever the column.
      const box = (await page.locator('img[alt^="Delegates applaud"]').boundingBox())!;
      expect(box.width, `${width} px`).toBeGreaterThan(width - 100);
      expect(box.width, `${width} px`).toBeLessThanOrEqual(552);
      expect(box.height / box.width, `${width} px`).toBeCloseTo(800 / 1200, 2);
    }
  });

  it('shows the preheader nowhere in the email itself', async () => {
    const [, html] = rendered.find(([name]) => name === 'email-briefing')!;
    await page.setContent(html);
    const preheader = page.locator('[role="article"] > div').first();
    expect(await preheader.textContent()).toContain('Rich countries will pay in $38bn');
    expect(await preheader.isVisible()).toBe(false);
    expect(await preheader.boundingBox()).toBeNull();
  });
});
