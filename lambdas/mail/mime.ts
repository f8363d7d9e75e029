import { randomBytes, randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWords, quoteString } from 'nodemailer/lib/mime-funcs';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import { splitAtSlots } from '../render/slots.ts';
import { BriefingError } from '../errors.ts';

export interface MailAddress {
  readonly name: string;
  readonly address: string;
}

/** What every copy of a mailing shares. */
export interface MailEnvelope {
  readonly from: MailAddress;
  readonly replyTo?: string;
  /** `List-Id: "name" <id>`; the id is a dotted label in a domain the sender controls (RFC 2919). */
  readonly listId: { readonly name: string; readonly id: string };
  /** Address for the `mailto:` half of List-Unsubscribe; left out when not set. */
  readonly unsubscribeMailto?: string;
  /** Written as `X-SES-CONFIGURATION-SET`. */
  readonly configurationSet?: string;
  readonly feedbackId?: string;
  /** Further headers; the ones this module writes itself cannot be overridden. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface MailContent {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** One complete message: what `buildMime()` takes. */
export interface MailMessage extends MailEnvelope, MailContent {
  readonly to: string;
  readonly unsubscribeUrl: string;
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

/** A mailing that cannot be built as given (bad sender, list id, header). */
export class MimeError extends BriefingError {
  override name = 'MimeError';
}

/** One recipient's parts cannot go into a message (bad address or unsubscribe URL); the others can. */
export class InvalidRecipientError extends MimeError {
  override name = 'InvalidRecipientError';
}

// Line breaks in a header value would end the header and start one of the sender's choosing, and other
// control characters have no business in one either; Unicode line separators are dropped for the same reason.
const unsafeInHeader = /[\x00-\x1f\x7f\u0085\u2028\u2029]+/g;
const headerText = (value: string): string => value.replace(unsafeInHeader, ' ').trim();

const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const asciiDomain = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * The address as it can stand alone in a header: an ASCII dot-atom local part (SES does not take SMTPUTF8)
 * and the domain in its ASCII (punycode) form. Anything else, such as a second address or a display name
 * smuggled into the field, is refused rather than reinterpreted.
 */
const headerAddress = (address: string, field: string, ErrorType: typeof MimeError = MimeError): string => {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = at > 0 ? domainToASCII(address.slice(at + 1)) : '';
  if (at <= 0 || !localPart.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw new ErrorType(`${field} "${address}" is not a single email address with a plain ASCII local part`);
  }
  if (!asciiDomain.test(domain)) throw new ErrorType(`${field} "${address}" has no valid domain`);
  return `${local}@${domain}`;
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

const listIdValue = ({ name, id }: MailEnvelope['listId']): string => {
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+$/.test(id)) {
    throw new MimeError(`list id "${id}" must be dotted labels such as briefing.example.com`);
  }
  const phrase = headerText(name);
  // Only the phrase may be encoded: the <id> has to stay readable, which nodemailer's generic header encoding does not keep.
  const encoded = /^[\x20-\x7e]*$/.test(phrase) ? quoteString(phrase) : encodeWords(phrase, 'Q', 52, true);
  return phrase ? `${encoded} <${id}>` : `<${id}>`;
};

const reservedHeaders = new Set([
  'from', 'to', 'cc', 'bcc', 'reply-to', 'sender', 'subject', 'date', 'message-id', 'mime-version', 'content-type',
  'content-transfer-encoding', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post', 'x-ses-configuration-set', 'feedback-id',
]);

const extraHeaders = (headers: Readonly<Record<string, string>>) =>
  Object.entries(headers).map(([key, value]) => {
    if (!/^[!-9;-~]+$/.test(key)) throw new MimeError(`header name "${key}" must be printable ASCII without a colon`);
    if (reservedHeaders.has(key.toLowerCase())) throw new MimeError(`header ${key} is written by the mailer and cannot be set`);
    return { key, value: headerText(value) };
  });

// nodemailer title-cases header names; SES documents this one in capitals, and some tools match it literally.
const headerKeyCase = (key: string): string => (key.toLowerCase() === 'x-ses-configuration-set' ? 'X-SES-CONFIGURATION-SET' : key);

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

const recipientSlots = ['to', 'messageId', 'date', 'listUnsubscribe', 'html', 'text'] as const;
type Slot = (typeof recipientSlots)[number];

/**
 * Builds the mailing's MIME once with nodemailer's MailComposer, with a random token wherever a recipient's
 * parts go: To, Message-ID, Date, List-Unsubscribe and the two bodies. `slots` names the placeholders inside
 * the HTML and text (name → placeholder text); their values are filled in per recipient.
 *
 * MailComposer builds a MIME tree and streams it for every message (about 1.5 ms for a 40 KB briefing), so
 * per recipient only the tokens are replaced: the bodies are quoted-printable encoded once, each recipient's
 * values are encoded on their own and joined to the rest with soft line breaks.
 */
export const compileMime = async (
  envelope: MailEnvelope,
  content: MailContent,
  slots: Readonly<Record<string, string>> = {},
): Promise<CompiledMime> => {
  const from = headerAddress(headerText(envelope.from.address), 'sender address');
  const replyTo = envelope.replyTo === undefined ? undefined : headerAddress(headerText(envelope.replyTo), 'reply-to address');
  const mailto = envelope.unsubscribeMailto === undefined ? undefined : headerAddress(headerText(envelope.unsubscribeMailto), 'unsubscribe address');
  const messageIdDomain = from.slice(from.lastIndexOf('@') + 1);
  const mailtoEntry = mailto === undefined ? undefined : `<mailto:${mailto}?subject=unsubscribe>`;

  const nonce = randomBytes(12).toString('hex');
  const token = (slot: Slot) => `briefing-${nonce}-${slot}`;
  const prepared = (slot: Slot) => ({ prepared: true, value: token(slot) });
  const composer = new MailComposer({
    from: { name: headerText(envelope.from.name), address: from },
    replyTo,
    subject: headerText(content.subject),
    // Address and date fields are always formatted by nodemailer, so their tokens go in as plain values it keeps as they are.
    to: `${token('to')}@slot.invalid`,
    date: token('date'),
    headers: [
      { key: 'Message-ID', value: prepared('messageId') },
      // RFC 8058: List-Unsubscribe first, List-Unsubscribe-Post after it.
      { key: 'List-Unsubscribe', value: prepared('listUnsubscribe') },
      { key: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      { key: 'List-Id', value: { prepared: true, foldLines: true, value: listIdValue(envelope.listId) } },
      ...(envelope.configurationSet === undefined ? [] : [{ key: 'X-SES-CONFIGURATION-SET', value: headerText(envelope.configurationSet) }]),
      ...(envelope.feedbackId === undefined ? [] : [{ key: 'Feedback-ID', value: headerText(envelope.feedbackId) }]),
      ...extraHeaders(envelope.headers ?? {}),
    ],
    text: { content: token('text'), contentType: 'text/plain; charset=utf-8', contentTransferEncoding: 'quoted-printable' },
    html: { content: token('html'), contentType: 'text/html; charset=utf-8', contentTransferEncoding: 'quoted-printable' },
    normalizeHeaderKey: headerKeyCase,
  });
  const skeleton = (await composer.compile().build()).toString('utf8');

  const slotOf = new Map<string, Slot>(recipientSlots.map((slot) => [token(slot), slot]));
  const parts = skeleton.split(new RegExp(`(briefing-${nonce}-[A-Za-z]+)(?:@slot\\.invalid)?`));
  const found = parts.filter((_, index) => index % 2 === 1);
  if (found.length !== slotOf.size || new Set(found).size !== slotOf.size) {
    throw new Error(`MailComposer output holds ${found.length} of the ${slotOf.size} recipient slots`);
  }
  const html = compileBody(content.html, slots);
  const text = compileBody(content.text, slots);

  return {
    build(recipient: MimeRecipient): Buffer {
      const to = headerAddress(headerText(recipient.to), 'recipient address', InvalidRecipientError);
      const url = `<${webUrl(headerText(recipient.unsubscribeUrl))}>`;
      if (url.length > 900) throw new InvalidRecipientError(`unsubscribe URL is ${url.length} characters long; a header line holds at most 998`);
      const values: Record<Slot, string> = {
        to,
        messageId: `<${randomUUID()}@${messageIdDomain}>`,
        date: dateHeader(),
        // Folded between the two entries only when the line would pass 76 characters: a URL is never split.
        listUnsubscribe: mailtoEntry ? `${url},${url.length + mailtoEntry.length > 56 ? '\r\n' : ''} ${mailtoEntry}` : url,
        html: fillBody(html, recipient.html, 'HTML'),
        text: fillBody(text, recipient.text, 'text'),
      };
      let raw = parts[0]!;
      for (let index = 1; index < parts.length; index += 2) {
        raw += values[slotOf.get(parts[index]!)!] + parts[index + 1]!;
      }
      return Buffer.from(raw, 'utf8');
    },
  };
};

/** One message, built whole: for single sends such as a test copy. */
export const buildMime = async (message: MailMessage): Promise<Buffer> =>
  (await compileMime(message, message)).build({ to: message.to, unsubscribeUrl: message.unsubscribeUrl });
