import { createServer } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import { type BriefingConfig, parseConfig } from '../../lambdas/config/config.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { type ApiServer, startApiServer } from '../../local/api-server.ts';
import { type InboxMessage, startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { chromiumOptions } from './axe.ts';

/** A free loopback port: the site URL in the mail must be known before the server starts. */
const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });

export interface SiteInBrowser {
  readonly emulators: TestEmulators;
  readonly stores: Stores;
  /** The site's base URL, known before it started so the mail links point at it. */
  readonly siteUrl: string;
  /** The newsletter's config with `siteUrl`: what the mail sent for this site must be built with. */
  readonly config: BriefingConfig;
  readonly browser: Browser;
}

/**
 * For a browser test file: the emulators and their stores, the local API server (sign-up, confirm,
 * preferences, unsubscribe) for The Morning Briefing on a free loopback port, its tokens signed with
 * `secret`, and a headless chromium; started before the file's own hooks, closed after its tests.
 * Read the fields inside tests and hooks.
 */
export const useSiteInBrowser = (secret: string): SiteInBrowser => {
  const site = {} as { -readonly [K in keyof SiteInBrowser]: SiteInBrowser[K] };
  let server: ApiServer | undefined;
  beforeAll(async () => {
    site.emulators = await startTestEmulators();
    site.stores = createStores(site.emulators.doc, site.emulators.tables);
    const port = await freePort();
    site.siteUrl = `http://127.0.0.1:${port}`;
    site.config = parseConfig({ siteUrl: site.siteUrl, newsletterName: 'The Morning Briefing' });
    server = await startApiServer({ port, deps: createSubscriptionDeps({ config: site.config, stores: site.stores, mailer: site.emulators.mailer, secret }) });
    site.browser = await chromium.launch(chromiumOptions);
  });
  afterAll(async () => {
    await site.browser?.close();
    await server?.close();
    await site.emulators?.close();
  });
  return site;
};

/** The href of the link whose text is `text` in a mail's HTML, as the reader's mail client would open it. */
export const linkIn = (message: InboxMessage, text: string): string => {
  const match = new RegExp(`<a\\s[^>]*href="([^"]+)"[^>]*>\\s*${text}\\s*</a>`).exec(message.body.html ?? '');
  if (!match) throw new Error(`no "${text}" link in "${message.subject}"`);
  return match[1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
};
