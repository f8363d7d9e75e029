import { randomUUID } from 'node:crypto';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import { fillSlots, type SlotParts, splitAtSlots } from '../render/slots.ts';
import { headerAddress, headerText, InvalidRecipientError, MimeError } from './headers.ts';

/** Where a recipient's parts go in a compiled message. */
export const recipientFields = ['to', 'messageId', 'date', 'listUnsubscribe', 'html', 'text'] as const;
export type RecipientField = (typeof recipientFields)[number];

/**
 * A mailing's MIME as MailComposer wrote it once (`compileSkeleton` in mime.ts) — headers, parts and boundaries —
 * split where each recipient's parts go. Plain data: compose stores it with the briefing, and deliver fills it in
 * without MailComposer (whose MIME-types table alone is 74 KB of a bundle).
 */
export interface MimeSkeleton {
  /** Split at the recipient's fields (`splitAtSlots`): literal MIME at even indexes, a `RecipientField` at odd ones. */
  readonly parts: SlotParts;
  /** The domain of each copy's Message-ID: the sender's. */
  readonly messageIdDomain: string;
  /** The `mailto:` entry of List-Unsubscribe (`<mailto:…?subject=unsubscribe>`), when the mailing has one. */
  readonly unsubscribeMailto?: string;
}

/** The per-recipient parts of a compiled mailing. */
export interface MimeRecipient {
  readonly to: string;
  /** The RFC 8058 one-click URL: POSTing `List-Unsubscribe=One-Click` to it unsubscribes. */
  readonly unsubscribeUrl: string;
  /** A value for every slot named at compile time, written as is into the HTML alternative. */
  readonly html?: Readonly<Record<string, string>>;
  /** A value for every slot named at compile time, written as is into the text alternative. */
  readonly text?: Readonly<Record<string, string>>;
}

export interface CompiledMime {
  /** The raw message for one recipient: string work only, no MIME tree. */
  build(recipient: MimeRecipient): Buffer;
}

/** Throws unless the skeleton holds each recipient field once, and nothing else between its literal parts. */
export const checkSkeleton = ({ parts }: MimeSkeleton): void => {
  const fields = parts.filter((_, index) => index % 2 === 1);
  const known = new Set<string>(recipientFields);
  if (parts.length % 2 === 0 || fields.length !== known.size || new Set(fields).size !== known.size || !fields.every((field) => known.has(field))) {
    throw new MimeError(`a MIME skeleton must hold each of ${recipientFields.join(', ')} once between literal parts; this one holds ${fields.join(', ') || 'none'}`);
  }
};

const webUrl = (value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidRecipientError(`unsubscribe URL "${value}" is not an absolute URL`);
  }
  // Which scheme a deployment may use is the config's rule (https, http only on loopback); here only a web URL fits.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidRecipientError(`unsubscribe URL "${value}" must be an https:// URL`);
  }
  // The serialised form is ASCII (percent-encoded path, punycode host), so it needs no encoded words.
  return url.href;
};

const dateHeader = (): string => new Date().toUTCString().replace(/GMT/, '+0000');

/** Quoted-printable lines end at 75 so the soft break written between a piece and the next still fits in 76. */
const quotedPrintable = (value: string): string =>
  wrapQuotedPrintable(encodeQuotedPrintable(/[\r\n]/.test(value) ? value.replace(/\r\n|\r|\n/g, '\r\n') : value), 75);

type BodySlot = { readonly kind: 'literal'; readonly encoded: string } | { readonly kind: 'slot'; readonly name: string };

/** A body split at its slots, the text between them quoted-printable encoded once for all recipients. */
const compileBody = (body: string, slots: Readonly<Record<string, string>>): BodySlot[] =>
  splitAtSlots(body, slots)
    .map((part, index): BodySlot => (index % 2 === 1 ? { kind: 'slot', name: part } : { kind: 'literal', encoded: quotedPrintable(part) }))
    .filter((part) => part.kind === 'slot' || part.encoded !== '');

const fillBody = (parts: readonly BodySlot[], values: Readonly<Record<string, string>> | undefined, alternative: string): string => {
  const encoded: string[] = [];
  for (const part of parts) {
    if (part.kind === 'literal') {
      encoded.push(part.encoded);
      continue;
    }
    const value = values?.[part.name];
    if (value === undefined) throw new MimeError(`no value for the ${alternative} slot "${part.name}"`);
    if (value !== '') encoded.push(quotedPrintable(value));
  }
  // Each piece is valid quoted-printable on its own; a soft line break joins them without adding a character.
  return encoded.join('=\r\n');
};

/**
 * The mailing ready for its recipients: `skeleton` with the HTML and text, which are quoted-printable encoded here
 * once, between their slots (`slots`: name → placeholder text). Each recipient then costs string work: their values
 * encoded on their own and joined to the rest with soft line breaks.
 */
export const mimeFromSkeleton = (
  skeleton: MimeSkeleton,
  content: { readonly html: string; readonly text: string },
  slots: Readonly<Record<string, string>> = {},
): CompiledMime => {
  checkSkeleton(skeleton);
  const html = compileBody(content.html, slots);
  const text = compileBody(content.text, slots);
  const { messageIdDomain, unsubscribeMailto } = skeleton;
  return {
    build(recipient: MimeRecipient): Buffer {
      const to = headerAddress(headerText(recipient.to), 'recipient address', InvalidRecipientError);
      const url = `<${webUrl(headerText(recipient.unsubscribeUrl))}>`;
      if (url.length > 900) throw new InvalidRecipientError(`unsubscribe URL is ${url.length} characters long; a header line holds at most 998`);
      const values: Record<RecipientField, string> = {
        to,
        messageId: `<${randomUUID()}@${messageIdDomain}>`,
        date: dateHeader(),
        // Folded between the two entries only when the line would pass 76 characters: a URL is never split.
        listUnsubscribe: unsubscribeMailto ? `${url},${url.length + unsubscribeMailto.length > 56 ? '\r\n' : ''} ${unsubscribeMailto}` : url,
        html: fillBody(html, recipient.html, 'HTML'),
        text: fillBody(text, recipient.text, 'text'),
      };
      return Buffer.from(fillSlots(skeleton.parts, values), 'utf8');
    },
  };
};
