import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'confirm' | 'unsubscribe';

export interface TokenClaims {
  readonly subscriberId: string;
  readonly purpose: TokenPurpose;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'tampered' | 'expired' | 'wrong-purpose'; readonly message: string };

const day = 86_400;
/** How long each kind of link works: a confirmation for as long as a pending sign-up is kept, an unsubscribe link for years of archived mail. */
export const tokenLifetimeSeconds: Readonly<Record<TokenPurpose, number>> = { confirm: 7 * day, unsubscribe: 5 * 365 * day };

const purposes = new Set<string>(['confirm', 'unsubscribe']);

const mac = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(payload).digest();

/** `base64url(purpose.subscriberId.expiresAt).base64url(HMAC-SHA256)`: opaque, URL-safe, no address inside. */
export const signToken = (secret: string, claims: TokenClaims): string => {
  const payload = Buffer.from(`${claims.purpose}.${claims.subscriberId}.${claims.expiresAt}`).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
};

export const tokenFor = (secret: string, subscriberId: string, purpose: TokenPurpose, now: Date = new Date()): string =>
  signToken(secret, { subscriberId, purpose, expiresAt: Math.floor(now.getTime() / 1000) + tokenLifetimeSeconds[purpose] });

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
  const [claimedPurpose, subscriberId, expiry] = fields;
  const expiresAt = Number(expiry);
  if (fields.length !== 3 || !claimedPurpose || !purposes.has(claimedPurpose) || !subscriberId || !Number.isInteger(expiresAt)) return malformed;
  if (claimedPurpose !== purpose) {
    return { ok: false, reason: 'wrong-purpose', message: `This link is for ${claimedPurpose === 'confirm' ? 'confirming a subscription' : 'unsubscribing'}, not for this page.` };
  }
  if (expiresAt * 1000 < now.getTime()) {
    return { ok: false, reason: 'expired', message: purpose === 'confirm' ? 'This confirmation link has expired: sign up again to get a new one.' : 'This link has expired.' };
  }
  return { ok: true, claims: { subscriberId, purpose, expiresAt } };
};
