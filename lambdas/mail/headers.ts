import { domainToASCII } from 'node:url';
// Only the header encoders: the rest of mime-funcs (its MIME-types table) stays out of a bundle that does not compile MIME.
import { encodeWords, quoteString } from 'nodemailer/lib/mime-funcs';
import { BriefingError } from '../errors.ts';

export interface MailAddress {
  readonly name: string;
  readonly address: string;
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

/** A value as it may stand in a header: control characters and line breaks become spaces. */
export const headerText = (value: string): string => value.replace(unsafeInHeader, ' ').trim();

const localPart = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const asciiDomain = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * The address as it can stand alone in a header: an ASCII dot-atom local part (SES does not take SMTPUTF8)
 * and the domain in its ASCII (punycode) form. Anything else, such as a second address or a display name
 * smuggled into the field, is refused rather than reinterpreted.
 */
export const headerAddress = (address: string, field: string, ErrorType: typeof MimeError = MimeError): string => {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = at > 0 ? domainToASCII(address.slice(at + 1)) : '';
  if (at <= 0 || !localPart.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw new ErrorType(`${field} "${address}" is not a single email address with a plain ASCII local part`);
  }
  if (!asciiDomain.test(domain)) throw new ErrorType(`${field} "${address}" has no valid domain`);
  return `${local}@${domain}`;
};

/** A display name as a header phrase: quoted when it is ASCII, RFC 2047 encoded words when it is not. */
export const headerPhrase = (name: string): string => {
  const phrase = headerText(name);
  return /^[\x20-\x7e]*$/.test(phrase) ? quoteString(phrase) : encodeWords(phrase, 'Q', 52, true);
};

/** `"Name" <address>`, the name encoded as a header needs it and the address checked (see `headerAddress`). */
export const headerMailbox = ({ name, address }: MailAddress, field: string): string => {
  const mailbox = headerAddress(headerText(address), field);
  return headerText(name) ? `${headerPhrase(name)} <${mailbox}>` : mailbox;
};
