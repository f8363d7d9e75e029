import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'confirm' | 'unsubscribe' | 'preferences';

export interface TokenClaims {
  readonly subscriberId: string;
  readonly purpose: TokenPurpose;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /**
   * A confirm link's sign-up: the nonce stored with it, so the link confirms that sign-up and no later
   * one. Absent in the other links, and in confirm links sent before sign-ups had one.
   */
  readonly signup?: string;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'tampered' | 'expired' | 'wrong-purpose'; readonly message: string };

const day = 86_400;
/** How long each kind of link works: a confirmation for as long as a pending sign-up is kept, the links in every briefing for years of archived mail. */
export const tokenLifetimeSeconds: Readonly<Record<TokenPurpose, number>> = { confirm: 7 * day, unsubscribe: 5 * 365 * day, preferences: 5 * 365 * day };

/** What each kind of link is for, in the words a reader sees when one is used on the wrong page. */
const purposeWords: Readonly<Record<TokenPurpose, string>> = {
  confirm: 'confirming a subscription',
  unsubscribe: 'unsubscribing',
  preferences: 'choosing your topics and managing your data',
};

const expiredWords: Readonly<Record<TokenPurpose, string>> = {
  confirm: 'This confirmation link has expired: sign up again to get a new one.',
  unsubscribe: 'This link has expired.',
  preferences: 'This link has expired: use the "Choose your topics" link in the latest email.',
};

const purposes = new Set<string>(Object.keys(purposeWords));

const mac = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(payload).digest();

/** `base64url(purpose.subscriberId.expiresAt[.signup]).base64url(HMAC-SHA256)`: opaque, URL-safe, no address inside. */
export const signToken = (secret: string, claims: TokenClaims): string => {
  const fields = [claims.purpose, claims.subscriberId, claims.expiresAt, ...(claims.signup === undefined ? [] : [claims.signup])];
  const payload = Buffer.from(fields.join('.')).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
};

export const tokenFor = (secret: string, subscriberId: string, purpose: TokenPurpose, now: Date = new Date(), signup?: string): string =>
  signToken(secret, { subscriberId, purpose, expiresAt: Math.floor(now.getTime() / 1000) + tokenLifetimeSeconds[purpose], signup });

/** A new sign-up's nonce: what its confirm link carries and the record keeps while the sign-up waits. */
export const newSignupNonce = (): string => randomBytes(16).toString('base64url');

/** Checks the signature in constant time first, then the purpose and expiry; every failure says what happened. */
export const verifyToken = (secret: string, token: string, purpose: TokenPurpose, now: Date = new Date()): TokenCheck => {
  const malformed = { ok: false, reason: 'malformed', message: 'This link is incomplete: copy the whole link from the email.' } as const;
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[\w-]+$/.test(parts[0]!) || !/^[\w-]+$/.test(parts[1]!)) return malformed;
  const [payload, signature] = parts as [string, string];
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'tampered', message: 'This link is not valid: it was changed or not made by us.' };
  }
  const fields = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  const [claimedPurpose, subscriberId, expiry, signup] = fields;
  const expiresAt = Number(expiry);
  // Only confirm links name a sign-up; links sent before they did (three fields) are still read.
  const fieldCount = claimedPurpose === 'confirm' && signup !== undefined ? 4 : 3;
  if (fields.length !== fieldCount || !claimedPurpose || !purposes.has(claimedPurpose) || !subscriberId || !Number.isInteger(expiresAt) || signup === '') return malformed;
  if (claimedPurpose !== purpose) {
    return { ok: false, reason: 'wrong-purpose', message: `This link is for ${purposeWords[claimedPurpose as TokenPurpose]}, not for this page.` };
  }
  if (expiresAt * 1000 < now.getTime()) {
    return { ok: false, reason: 'expired', message: expiredWords[purpose] };
  }
  return { ok: true, claims: { subscriberId, purpose, expiresAt, ...(signup === undefined ? {} : { signup }) } };
};
