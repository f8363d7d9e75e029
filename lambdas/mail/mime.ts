import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { splitAtSlots } from '../render/slots.ts';
import { headerAddress, headerPhrase, headerText, type MailAddress, MimeError } from './headers.ts';
import { checkSkeleton, type CompiledMime, type MimeSkeleton, mimeFromSkeleton, type RecipientField, recipientFields } from './mime-skeleton.ts';

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

const listIdValue = ({ name, id }: MailEnvelope['listId']): string => {
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+$/.test(id)) {
    throw new MimeError(`list id "${id}" must be dotted labels such as briefing.example.com`);
  }
  // Only the phrase may be encoded: the <id> has to stay readable, which nodemailer's generic header encoding does not keep.
  return headerText(name) ? `${headerPhrase(name)} <${id}>` : `<${id}>`;
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

/**
 * Builds the mailing's MIME once with nodemailer's MailComposer, with a random token wherever a recipient's parts
 * go — To, Message-ID, Date, List-Unsubscribe and the two bodies — and splits it there: the skeleton that
 * `mimeFromSkeleton` fills in. MailComposer builds a MIME tree and streams it (about 1 ms), so it runs once per
 * mailing, never per recipient; compose runs it for each briefing and stores the skeleton.
 */
export const compileSkeleton = async (envelope: MailEnvelope, subject: string): Promise<MimeSkeleton> => {
  const from = headerAddress(headerText(envelope.from.address), 'sender address');
  const replyTo = envelope.replyTo === undefined ? undefined : headerAddress(headerText(envelope.replyTo), 'reply-to address');
  const mailto = envelope.unsubscribeMailto === undefined ? undefined : headerAddress(headerText(envelope.unsubscribeMailto), 'unsubscribe address');

  const nonce = randomBytes(12).toString('hex');
  const token = (field: RecipientField) => `briefing-${nonce}-${field}`;
  const prepared = (field: RecipientField) => ({ prepared: true, value: token(field) });
  // Address and date fields are always formatted by nodemailer, so their tokens go in as plain values it keeps as they are.
  const to = `${token('to')}@slot.invalid`;
  const composer = new MailComposer({
    from: { name: headerText(envelope.from.name), address: from },
    replyTo,
    subject: headerText(subject),
    to,
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
  const message = (await composer.compile().build()).toString('utf8');
  const tokens = Object.fromEntries(recipientFields.map((field) => [field, field === 'to' ? to : token(field)]));
  const skeleton: MimeSkeleton = {
    parts: splitAtSlots(message, tokens),
    messageIdDomain: from.slice(from.lastIndexOf('@') + 1),
    ...(mailto === undefined ? {} : { unsubscribeMailto: `<mailto:${mailto}?subject=unsubscribe>` }),
  };
  // A token MailComposer folded or encoded would leave a recipient's field out of every copy.
  checkSkeleton(skeleton);
  return skeleton;
};

/**
 * The mailing compiled for its recipients: the skeleton (`compileSkeleton`) with these bodies, whose `slots` (name →
 * placeholder text) are filled in per recipient. For senders that compile and send in one process (the confirmation
 * email, test copies); deliver gets its skeletons from compose.
 */
export const compileMime = async (envelope: MailEnvelope, content: MailContent, slots: Readonly<Record<string, string>> = {}): Promise<CompiledMime> =>
  mimeFromSkeleton(await compileSkeleton(envelope, content.subject), content, slots);

/** One message, built whole: for single sends such as a test copy. */
export const buildMime = async (message: MailMessage): Promise<Buffer> =>
  (await compileMime(message, message)).build({ to: message.to, unsubscribeUrl: message.unsubscribeUrl });
