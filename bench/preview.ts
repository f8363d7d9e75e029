import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startPreview } from '../bin/cli/preview.ts';
import { median, percentile, report } from './stats.ts';

const edits = 10;
const warmup = 2;

/**
 * Edit-to-updated-page latency: a template file is saved, and the time runs until the open page has written
 * the new render into its frame (the page's own clock, after the next animation frame). Median of 10 edits.
 */
export const benchPreview = async (): Promise<void> => {
  console.log('\n## Preview (edit a template → the open page shows it)');
  const root = mkdtempSync(join(tmpdir(), 'briefing-preview-bench-'));
  const templatesDir = join(root, 'templates');
  cpSync(resolve(import.meta.dirname, '../templates'), templatesDir, { recursive: true });
  const masthead = join(templatesDir, 'partials/masthead.mjml');
  const original = readFileSync(masthead, 'utf8');

  const preview = await startPreview({ port: 0, templatesDir });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(preview.url);
    await page.waitForFunction(() => (window as unknown as { previewTimings: { version: number } }).previewTimings.version >= 0);

    const latencies: number[] = [];
    for (let edit = 0; edit < warmup + edits; edit += 1) {
      const marker = `Bench edit ${edit}`;
      const saved = Date.now();
      writeFileSync(masthead, original.replace('{{ newsletter.name }}', marker));
      await page.waitForFunction(
        (wanted) => document.querySelector<HTMLIFrameElement>('#frame')?.contentDocument?.body?.textContent?.includes(wanted),
        marker,
        { timeout: 10_000 },
      );
      const shown = await page.evaluate(() => (window as unknown as { previewTimings: { at: number } }).previewTimings.at);
      if (edit >= warmup) latencies.push(shown - saved);
    }
    console.log(`edit → page: min ${Math.min(...latencies)} ms, p90 ${percentile(latencies, 90)} ms, max ${Math.max(...latencies)} ms over ${edits} edits`);
    report(`edit-to-updated-page latency (median of ${edits})`, median(latencies), 'ms', { value: 500, better: 'lower' });
  } finally {
    await browser.close();
    await preview.close();
    rmSync(root, { recursive: true, force: true });
  }
};
