import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The widths every email and page is checked at: a small phone, and the emails' own width. */
export const widths = [375, 600] as const;
export const schemes = ['light', 'dark'] as const;
export type Scheme = (typeof schemes)[number];

export interface Check {
  readonly violations: { id: string; impact: string; help: string; targets: string[] }[];
  readonly overflow: number;
  readonly background: string;
}

/**
 * Runs axe over what the page shows now, at this width and scheme: the serious and critical violations,
 * how far the document is wider than the screen, and the body's background. A page served with our
 * Content-Security-Policy (no script) needs a browser context with `bypassCSP` for axe to run.
 */
export const audit = async (page: Page, width: number, colorScheme: Scheme): Promise<Check> => {
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme });
  await page.addScriptTag({ path: axeScript });
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } };
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => ({
          id: violation.id,
          impact: violation.impact!,
          help: violation.help,
          targets: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ')}`),
        })),
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
};

/** Loads the document as a mail client with images blocked would, then audits it. */
export const inspect = async (page: Page, html: string, width: number, colorScheme: Scheme): Promise<Check> => {
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme });
  await page.setContent(html, { waitUntil: 'load' });
  return audit(page, width, colorScheme);
};

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
export const luminance = (rgb: string): number => {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((value) => Number(value) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};

/** What a check found wrong, one line each: violations, overflow at phone width, a light background in dark mode. */
export const problemsOf = (check: Check, where: string, width: number, scheme: Scheme): string[] => [
  ...check.violations.map((violation) => `${where}: ${violation.id} (${violation.impact}) ${violation.help}\n    ${violation.targets.join('\n    ')}`),
  ...(width === 375 && check.overflow > 0 ? [`${where}: ${check.overflow} px wider than the screen`] : []),
  ...(scheme === 'dark' && luminance(check.background) > 0.2 ? [`${where}: the background stays light (${check.background})`] : []),
];

/** The Debian chromium the e2e tests drive, headless, with nothing in the background. */
export const chromiumOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
