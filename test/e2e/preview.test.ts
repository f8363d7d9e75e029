import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPreview } from '../../bin/cli/preview.ts';
import type { PreviewServer } from '../../local/preview/server.ts';
import { createArticleStore } from '../../lambdas/aws/dynamodb/articles.ts';
import { article } from '../helpers/articles.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { createWorkspace, sampleHeadline, type Workspace } from '../preview/workspace.ts';
import { chromiumOptions } from './axe.ts';

const artifacts = resolve(import.meta.dirname, '../../test-artifacts');
const wait = { timeout: 15_000 };

let emulators: TestEmulators;
let workspace: Workspace;
let preview: PreviewServer;
let browser: Browser;
let page: Page;

const fromArticlesFlag = article({ id: 'from-the-flag', headline: 'A story from the --articles file', priority: 100 });
const fromStore = article({ id: 'from-the-store', headline: 'A story from the local store', priority: 100 });

const shot = (name: string) => page.screenshot({ path: join(artifacts, `preview-${name}.png`), fullPage: true });

/** Waits until the email in the page's frame holds the text (the page writes each render into the frame). */
const emailShows = (text: string) =>
  page.waitForFunction((wanted) => document.querySelector<HTMLIFrameElement>('#frame')?.contentDocument?.body?.textContent?.includes(wanted), text, wait);

/** The email's page background as the frame shows it. */
const frameBackground = () =>
  page.evaluate(() => getComputedStyle(document.querySelector<HTMLIFrameElement>('#frame')!.contentDocument!.body).backgroundColor);

const stillTheSamePage = () => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);

const open = async () => {
  await page.goto(preview.url);
  await page.waitForFunction(() => (window as unknown as { previewTimings: { version: number } }).previewTimings.version >= 0, undefined, wait);
  // A reload would start a new window without this mark.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
};

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  emulators = await startTestEmulators();
  await createArticleStore(emulators.doc, emulators.tables.articles).put([fromStore]);
  browser = await chromium.launch(chromiumOptions);
});
afterAll(async () => {
  await browser?.close();
  await emulators?.close();
});

beforeEach(async () => {
  workspace = createWorkspace();
  const articlesFile = join(workspace.root, 'today.json');
  writeFileSync(articlesFile, JSON.stringify([fromArticlesFlag, { ...article({ id: 'bad-link' }), url: 'javascript:alert(1)' }]));
  const configFile = join(workspace.root, 'briefing.config.json');
  writeFileSync(configFile, JSON.stringify({ newsletterName: 'The Browser Test Briefing' }));
  preview = await startPreview({
    port: 0,
    templatesDir: workspace.templatesDir,
    samplesDir: workspace.samplesDir,
    articles: articlesFile,
    configFile,
    emulatorPorts: { ses: Number(new URL(emulators.sesEndpoint).port), dynamodb: Number(new URL(emulators.settings.dynamodbEndpoint!).port) },
    articlesTable: emulators.tables.articles,
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});
afterEach(async () => {
  await page.close();
  await preview.close();
  workspace.remove();
});

describe('the template preview in a browser', () => {
  it('renders the chosen data set, and switches data set, width, colour scheme and tab', async () => {
    // The --articles file is shown first, with its invalid record listed.
    await open();
    await emailShows(fromArticlesFlag.headline);
    await expect.poll(() => page.locator('#problems').textContent()).toContain('bad-link');
    expect(await page.locator('#size').textContent()).toMatch(/^\d+\.\d KB of HTML/);
    expect(await page.locator('#links li a').allTextContents()).toContain(fromArticlesFlag.url);

    const sample = '03-comet.json';
    await page.selectOption('#dataset', `samples/${sample}`);
    await emailShows(sampleHeadline(workspace.samplesDir, sample));
    await page.selectOption('#dataset', 'store');
    await emailShows(fromStore.headline);

    await page.click('[data-width="375"]');
    expect((await page.locator('#frame').boundingBox())?.width).toBe(375);
    await shot('375px');
    await page.click('[data-scheme="dark"]');
    expect(await frameBackground()).toBe('rgb(18, 20, 23)');
    expect(await page.getAttribute('[data-scheme="dark"]', 'aria-pressed')).toBe('true');
    await shot('375px-dark');
    await page.click('[data-scheme="light"]');
    expect(await frameBackground()).toBe('rgb(239, 236, 230)');
    await page.click('[data-width="full"]');
    expect((await page.locator('#frame').boundingBox())?.width).toBeGreaterThan(600);

    await page.click('[data-tab="text"]');
    expect(await page.locator('#panel-text').isVisible()).toBe(true);
    expect(await page.locator('#panel-text').textContent()).toContain(fromStore.headline);
    await page.click('[data-tab="mjml"]');
    expect(await page.locator('#panel-mjml').textContent()).toContain('<mjml');
    await page.click('[data-tab="html"]');
    expect(await page.locator('#panel-html').textContent()).toMatch(/^<!doctype html>/i);
    expect(await page.locator('#frame').isVisible()).toBe(false);
    expect(await stillTheSamePage()).toBe(true);
  });

  it("shows the briefing of a reader of the topics ticked in the topic picker, keeps them in the address, and sends that briefing as the test", async () => {
    await emulators.clearInbox();
    await open();
    await page.selectOption('#dataset', 'samples');
    const summit = sampleHeadline(workspace.samplesDir, '01-climate-summit.json');
    const comet = sampleHeadline(workspace.samplesDir, '03-comet.json');
    const flu = sampleHeadline(workspace.samplesDir, '08-flu.json');
    await emailShows(summit);
    expect(await page.locator('#topics-summary').textContent()).toBe('every story');

    await page.click('#topics-picker summary');
    await page.getByRole('checkbox', { name: 'Science', exact: true }).check();
    await page.getByRole('checkbox', { name: 'Health', exact: true }).check();
    await emailShows(flu);
    await expect.poll(() => page.evaluate(() => document.querySelector<HTMLIFrameElement>('#frame')!.contentDocument!.body.textContent)).not.toContain(summit);
    // Led by the comet, the most important story in science and health (a long headline is cut in the subject).
    expect(comet.startsWith((await page.locator('#subject').textContent())!.replace(/…$/, ''))).toBe(true);
    expect(await page.locator('#topics-summary').textContent()).toBe('Science, Health');
    expect(new URL(page.url()).searchParams.get('topics')).toBe('science,health');
    await shot('topics');

    await page.fill('#send-to', 'topics@example.org');
    await page.click('#send-button');
    const messageId = await page.locator('#sent-message-id').textContent(wait);
    const sent = (await emulators.inbox()).find((message) => message.messageId === messageId);
    expect(sent?.subject).toBe(await page.locator('#subject').textContent());
    expect(sent?.body.html).toContain(flu);
    expect(sent?.body.html).not.toContain(summit);

    // The address keeps the reader: a reload shows the same briefing, the same boxes ticked.
    await page.reload();
    await emailShows(flu);
    await page.click('#topics-picker summary');
    expect(await page.getByRole('checkbox', { name: 'Science', exact: true }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: 'Science', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'Health', exact: true }).uncheck();
    await emailShows(summit);
    expect(await page.locator('#topics-summary').textContent()).toBe('every story');

    await page.selectOption('#template', 'confirmation');
    await emailShows('Confirm your subscription');
    expect(await page.locator('#topic-boxes input').first().isDisabled()).toBe(true);
    expect(await page.locator('#topics-summary').textContent()).toBe('not used by this template');
  });

  it('switches to the confirmation email and the subscription pages, which follow edits too', async () => {
    await open();
    await emailShows(fromArticlesFlag.headline);

    await page.selectOption('#template', 'confirmation');
    await emailShows('Confirm your subscription');
    expect(await page.locator('#dataset').isDisabled()).toBe(true);
    expect(await page.locator('[data-tab="mjml"]').isDisabled()).toBe(true);
    expect(await page.locator('#send').isVisible()).toBe(true);

    await page.selectOption('#template', 'page-signup');
    await emailShows('Get The Browser Test Briefing');
    expect(await page.locator('#send').isVisible()).toBe(false);
    expect(await page.locator('[data-tab="text"]').isDisabled()).toBe(true);
    workspace.writeTemplate('pages/signup.liquid', workspace.template('pages/signup.liquid').replace('<h1>Get {{ newsletter.name }}</h1>', '<h1>Sign up for {{ newsletter.name }}</h1>'));
    await emailShows('Sign up for The Browser Test Briefing');
    await shot('signup-page');
    expect(await stillTheSamePage()).toBe(true);
  });

  it('follows edits without a reload, shows a broken template with file and line, and recovers when it is fixed', async () => {
    // Prepare
    await open();
    await emailShows('The Browser Test Briefing');
    const masthead = workspace.template('partials/masthead.mjml');
    const line = masthead.split('\n').findIndex((text) => text.includes('edition.dateLabel')) + 1;

    // Act and assess: an edit shows up by itself.
    workspace.writeTemplate('partials/masthead.mjml', masthead.replace('{{ newsletter.name }}', 'Edited while the page was open'));
    await emailShows('Edited while the page was open');

    // A broken template: the error names the file and line.
    workspace.writeTemplate('partials/masthead.mjml', masthead.replace('{{ edition.dateLabel }}', '{{ edition.dateLabel | no_such_filter }}'));
    await page.locator('#error').waitFor({ state: 'visible', ...wait });
    expect(await page.locator('#error-where').textContent()).toBe(`partials/masthead.mjml, line ${line}`);
    expect(await page.locator('#error-message').textContent()).toContain('no_such_filter');
    expect(await page.locator('#error-excerpt .here').textContent()).toContain('no_such_filter');
    await shot('template-error');

    // Fixed: the error goes and the email is back.
    workspace.writeTemplate('partials/masthead.mjml', masthead);
    await page.locator('#error').waitFor({ state: 'hidden', ...wait });
    await emailShows('The Browser Test Briefing');
    await shot('recovered');
    expect(await stillTheSamePage()).toBe(true);
  });

  it('sends the shown email with "Send test" to the local inbox', async () => {
    await emulators.clearInbox();
    await open();
    await emailShows(fromArticlesFlag.headline);
    const subject = await page.locator('#subject').textContent();

    await page.fill('#send-to', 'template-author@example.org');
    await page.click('#send-button');
    const messageId = await page.locator('#sent-message-id').textContent(wait);
    await shot('send-test');

    const sent = (await emulators.inbox()).find((message) => message.messageId === messageId);
    expect(sent?.subject).toBe(subject);
    expect(sent?.destination.to).toEqual(['template-author@example.org']);
  });
});
