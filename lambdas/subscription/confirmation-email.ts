import { randomBytes } from 'node:crypto';
import type { BriefingConfig } from '../config/config.ts';
import { briefingEnvelope } from '../mail/briefing-mime.ts';
import type { Mailer } from '../mail/mailer.ts';
import { compileMime } from '../mail/mime.ts';
import { createTemplateEngine, type TemplateEngine } from '../render/engine.ts';
import { escapeHtml, fillSlots, splitAtSlots } from '../render/slots.ts';
import type { Subscriber } from './store.ts';
import { subscriptionLinks } from './links.ts';
import { tokenLifetimeSeconds } from './tokens.ts';

export const confirmationTemplates = { html: 'confirmation.mjml', text: 'confirmation.txt.liquid' } as const;

export interface ConfirmationEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

type SlotName = 'confirmUrl' | 'email';
type Slots = Readonly<Record<SlotName, string>>;

/** The confirmation email rendered once with a placeholder wherever a recipient's address or link goes. */
interface ConfirmationTemplate extends ConfirmationEmail {
  readonly slots: Slots;
}

const renderTemplate = async (config: BriefingConfig, engine: TemplateEngine): Promise<ConfirmationTemplate> => {
  const marker = `cnf${randomBytes(6).toString('hex')}`;
  const slots: Slots = { confirmUrl: `${marker}-confirm-url`, email: `${marker}-email` };
  const subject = `Confirm your subscription to ${config.newsletterName}`;
  const data = {
    subject,
    preheader: `One press and ${config.newsletterName} starts arriving.`,
    newsletter: { name: config.newsletterName, description: config.description, language: config.language, postalAddress: config.postalAddress },
    recipient: slots.email,
    confirmUrl: slots.confirmUrl,
    validDays: tokenLifetimeSeconds.confirm / 86_400,
  };
  const { html } = await engine.renderMjml(confirmationTemplates.html, data);
  const text = await engine.renderText(confirmationTemplates.text, data);
  return { subject, html, text, slots };
};

let sharedEngine: TemplateEngine | undefined;
const defaultEngine = () => (sharedEngine ??= createTemplateEngine());

/** The confirmation email one reader gets, as the sender builds it (for the preview and tests). */
export const renderConfirmationEmail = async (
  config: BriefingConfig,
  recipient: { readonly email: string; readonly confirmUrl: string },
  engine: TemplateEngine = defaultEngine(),
): Promise<ConfirmationEmail> => {
  const template = await renderTemplate(config, engine);
  return {
    subject: template.subject,
    html: fillSlots(splitAtSlots(template.html, template.slots), { confirmUrl: escapeHtml(recipient.confirmUrl), email: escapeHtml(recipient.email) }),
    text: fillSlots(splitAtSlots(template.text, template.slots), recipient),
  };
};

export interface ConfirmationSenderOptions {
  readonly config: BriefingConfig;
  readonly mailer: Mailer;
  /** The key that signs the confirm and unsubscribe links. */
  readonly secret: string;
  /** The SES configuration set, named in the message's headers. */
  readonly configurationSet?: string;
  readonly engine?: TemplateEngine;
}

/** Sends one confirmation email, for the sign-up waiting (its nonce), and returns the mailer's message id. */
export type ConfirmationSender = (subscriber: Pick<Subscriber, 'email' | 'id' | 'signupNonce'>, now: Date) => Promise<string>;

/**
 * Renders the template and compiles its MIME once per sender, so each confirmation costs string work
 * and one SendRawEmail. The mail carries List-Unsubscribe like every mail we send: a reader who never
 * asked can say so with one click.
 */
export const createConfirmationSender = (options: ConfirmationSenderOptions): ConfirmationSender => {
  const links = subscriptionLinks(options.config, options.secret);
  let compiled: ReturnType<typeof compile> | undefined;
  const compile = async () => {
    const template = await renderTemplate(options.config, options.engine ?? defaultEngine());
    return compileMime(briefingEnvelope(options.config, { configurationSet: options.configurationSet }), template, template.slots);
  };
  return async (subscriber, now) => {
    if (!compiled) {
      compiled = compile();
      compiled.catch(() => (compiled = undefined));
    }
    const mime = await compiled;
    const confirmUrl = links.confirmUrl(subscriber.id, subscriber.signupNonce, now);
    const raw = mime.build({
      to: subscriber.email,
      unsubscribeUrl: links.unsubscribeUrl(subscriber.id, now),
      html: { confirmUrl: escapeHtml(confirmUrl), email: escapeHtml(subscriber.email) },
      text: { confirmUrl, email: subscriber.email },
    });
    return options.mailer.send(raw, { destinations: [subscriber.email], tags: { purpose: 'confirmation' } });
  };
};
