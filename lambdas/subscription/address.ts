import { domainToASCII } from 'node:url';
import * as z from 'zod';

export type AddressCheck = { readonly ok: true; readonly email: string } | { readonly ok: false; readonly reason: string };

/** RFC 5321: a path is at most 256 octets including the angle brackets, so an address at most 254. */
export const maxAddressLength = 254;
const maxLocalLength = 64;

// Any C0/C1 control or Unicode line separator: a CR/LF in an address is a header injection waiting to happen.
const controlCharacters = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

/**
 * What the mailer can put in a header and SES will send (no SMTPUTF8): an ASCII dot-atom local part
 * and a domain of at least two DNS labels in its ASCII (punycode) form, the top label not all digits.
 */
const deliverable =
  /^(?!\.)(?!.*\.\.)[a-z0-9!#$%&'*+/=?^_`{|}~.-]+(?<!\.)@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?!\d+$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const addressSchema = z.email({ pattern: deliverable });

/**
 * One reader is one subscriber: the address is trimmed, the domain converted to ASCII (IDN) and the
 * whole address lower-cased (no mailbox provider we send to treats case as significant). Every
 * rejection says why, in words a reader can act on.
 */
export const normaliseAddress = (input: unknown): AddressCheck => {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, reason: 'Enter your email address.' };
  if (controlCharacters.test(input)) return { ok: false, reason: 'An email address cannot contain line breaks or other control characters.' };
  const trimmed = input.trim();
  if (trimmed.length > maxAddressLength) return { ok: false, reason: `An email address has at most ${maxAddressLength} characters; this one has ${trimmed.length}.` };

  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return { ok: false, reason: 'Enter an email address such as name@example.com.' };
  const local = trimmed.slice(0, at).toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (local.length > maxLocalLength) return { ok: false, reason: `The part before the @ has at most ${maxLocalLength} characters.` };
  if (domain === '') return { ok: false, reason: `"${trimmed.slice(at + 1)}" is not a valid domain name.` };
  if (/[^\x20-\x7e]/.test(local)) {
    return { ok: false, reason: 'The part before the @ can only use unaccented letters, digits and . _ + - (our mail service cannot deliver to other addresses).' };
  }

  const email = `${local}@${domain}`;
  if (email.length > maxAddressLength) return { ok: false, reason: `An email address has at most ${maxAddressLength} characters; this one has ${email.length} once its domain is written in ASCII.` };
  if (!addressSchema.safeParse(email).success) return { ok: false, reason: `"${trimmed}" is not a valid email address: expected something like name@example.com.` };
  return { ok: true, email };
};
