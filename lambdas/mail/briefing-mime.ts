import type { BriefingConfig } from '../config/config.ts';
import type { RenderedBriefing } from '../render/briefing.ts';
import { type Recipient, recipientValues } from '../render/personalise.ts';
import { placeholders } from '../render/placeholders.ts';
import { compileMime, type MailEnvelope } from './mime.ts';

export interface BriefingEnvelopeOptions {
  /** The SES configuration set, written as `X-SES-CONFIGURATION-SET`. */
  readonly configurationSet?: string;
  readonly unsubscribeMailto?: string;
  readonly feedbackId?: string;
}

const listLabel = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '') || 'briefing';

/** The newsletter's sender, reply-to and list identity; the List-Id sits under the sender's domain, which the sender controls. */
export const briefingEnvelope = (config: BriefingConfig, options: BriefingEnvelopeOptions = {}): MailEnvelope => {
  const domain = config.senderAddress.slice(config.senderAddress.lastIndexOf('@') + 1).toLowerCase();
  return {
    from: { name: config.senderName, address: config.senderAddress },
    replyTo: config.replyTo,
    listId: { name: config.newsletterName, id: `${listLabel(config.newsletterName)}.${domain}` },
    // Without an address of its own, unsubscribe mail goes where replies go: a person reads it.
    unsubscribeMailto: config.unsubscribeMailto ?? config.replyTo,
    ...options,
  };
};

export interface BriefingMime {
  /** One recipient's raw message: what `personalise()` would fill in, as MIME, without building a MIME tree. */
  build(recipient: Recipient): Buffer;
}

/** Compiles an edition's MIME once; each recipient then costs string work only. */
export const compileBriefingMime = async (rendered: RenderedBriefing, envelope: MailEnvelope): Promise<BriefingMime> => {
  const mime = await compileMime(envelope, rendered, placeholders(rendered.marker));
  return {
    build(recipient: Recipient): Buffer {
      // The same values, escaped the same way, as personalise() writes into the HTML and text.
      const values = recipientValues(recipient);
      return mime.build({ to: recipient.email, unsubscribeUrl: recipient.unsubscribeUrl, html: values.html, text: values.text });
    },
  };
};
