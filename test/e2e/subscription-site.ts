import { createServer } from 'node:net';
import type { Mailer } from '../../lambdas/mail/mailer.ts';
import { type BriefingConfig, parseConfig } from '../../lambdas/config/config.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { type ApiServer, startApiServer } from '../../local/api-server.ts';
import type { InboxMessage } from '../helpers/emulators.ts';

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

export interface SubscriptionSite {
  readonly siteUrl: string;
  /** The newsletter's config with `siteUrl`: what the mail sent for this site must be built with. */
  readonly config: BriefingConfig;
  readonly server: ApiServer;
}

/** The local API server (sign-up, confirm, preferences, unsubscribe) for The Morning Briefing on a free loopback port. */
export const startSubscriptionSite = async (options: { readonly stores: Stores; readonly mailer: Mailer; readonly secret: string }): Promise<SubscriptionSite> => {
  const port = await freePort();
  const siteUrl = `http://127.0.0.1:${port}`;
  const config = parseConfig({ siteUrl, newsletterName: 'The Morning Briefing' });
  const server = await startApiServer({ port, deps: createSubscriptionDeps({ config, stores: options.stores, mailer: options.mailer, secret: options.secret }) });
  return { siteUrl, config, server };
};

/** The href of the link whose text is `text` in a mail's HTML, as the reader's mail client would open it. */
export const linkIn = (message: InboxMessage, text: string): string => {
  const match = new RegExp(`<a\\s[^>]*href="([^"]+)"[^>]*>\\s*${text}\\s*</a>`).exec(message.body.html ?? '');
  if (!match) throw new Error(`no "${text}" link in "${message.subject}"`);
  return match[1]!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
};
