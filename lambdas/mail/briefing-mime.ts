import type { BriefingConfig } from '../config/config.ts';
import type { RenderedBriefing } from '../render/briefing.ts';
import { type Recipient, recipientValues } from '../render/personalise.ts';
import { placeholders } from '../render/placeholders.ts';
import type { MailEnvelope } from './mime.ts';
import { type MimeSkeleton, mimeFromSkeleton } from './mime-skeleton.ts';

export interface BriefingEnvelopeOptions {
  /** The SES configuration set, written as `X-SES-CONFIGURATION-SET`. */
  readonly configurationSet?: string;
  readonly unsubscribeMailto?: string;
  /** The edition this envelope sends: sets its `Feedback-ID` (see `briefingFeedbackId`). */
  readonly editionId?: string;
}

const listLabel = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '') || 'briefing';

const senderDomain = (config: BriefingConfig): string => config.senderAddress.slice(config.senderAddress.lastIndexOf('@') + 1).toLowerCase();

/**
 * Gmail's SenderId (5–15 characters, the same for the whole mail stream): the sender domain's own label,
 * `example` for news.example.com and `bbc` for bbc.co.uk (a 2–3 letter label under a country code is part of
 * the suffix), with the labels after it kept until it reaches 5 characters (`bbc-co`).
 */
const senderId = (domain: string): string => {
  const labels = domain.split('.');
  const suffix = labels.length > 2 && labels.at(-1)!.length === 2 && labels.at(-2)!.length <= 3 ? 2 : 1;
  let index = Math.max(labels.length - suffix - 1, 0);
  let id = labels[index]!;
  while (id.length < 5 && ++index < labels.length) id += `-${labels[index]}`;
  return id.replace(/[^a-z0-9-]/g, '-').slice(0, 15);
};

/**
 * `Feedback-ID: <edition>:<newsletter>:briefing:<sender-id>`, the header SES and Gmail's Postmaster Tools group
 * complaints by: colon-separated, most specific first, no spaces, nothing that names a reader.
 */
export const briefingFeedbackId = (config: BriefingConfig, editionId: string): string =>
  [editionId.replace(/[^A-Za-z0-9._-]+/g, '-'), listLabel(config.newsletterName), 'briefing', senderId(senderDomain(config))].join(':');

/** The newsletter's sender, reply-to and list identity; the List-Id sits under the sender's domain, which the sender controls. */
export const briefingEnvelope = (config: BriefingConfig, { editionId, ...options }: BriefingEnvelopeOptions = {}): MailEnvelope => ({
  from: { name: config.senderName, address: config.senderAddress },
  replyTo: config.replyTo,
  listId: { name: config.newsletterName, id: `${listLabel(config.newsletterName)}.${senderDomain(config)}` },
  // Without an address of its own, unsubscribe mail goes where replies go: a person reads it.
  unsubscribeMailto: config.unsubscribeMailto ?? config.replyTo,
  ...(editionId === undefined ? {} : { feedbackId: briefingFeedbackId(config, editionId) }),
  ...options,
});

export interface BriefingMime {
  /** One recipient's raw message: what `personalise()` would fill in, as MIME, without building a MIME tree. */
  build(recipient: Recipient): Buffer;
}

/**
 * A briefing ready for its recipients: the skeleton compose compiled for it (`compileSkeleton`, with its subject and
 * `briefingEnvelope`) and its HTML and text, encoded once; each recipient then costs string work only.
 */
export const briefingMime = (rendered: Pick<RenderedBriefing, 'html' | 'text' | 'marker'>, skeleton: MimeSkeleton): BriefingMime => {
  const mime = mimeFromSkeleton(skeleton, rendered, placeholders(rendered.marker));
  return {
    build(recipient: Recipient): Buffer {
      // The same values, escaped the same way, as personalise() writes into the HTML and text.
      const values = recipientValues(recipient);
      return mime.build({ to: recipient.email, unsubscribeUrl: recipient.unsubscribeUrl, html: values.html, text: values.text });
    },
  };
};
