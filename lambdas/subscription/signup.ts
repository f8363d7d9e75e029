import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfirmationSender } from './confirmation-email.ts';
import { type ConfirmationJob, sendConfirmationFor } from './confirmations.ts';
import type { ErasureKeys } from './data-requests.ts';
import type { SignupRecord, Subscriber, SubscriberStore } from './store.ts';
import { newSignupNonce, type TokenClaims, tokenLifetimeSeconds } from './tokens.ts';

/** At most one confirmation email per address in this long. */
export const confirmationIntervalMs = 10 * 60_000;
/** A sign-up nobody confirms is deleted (DynamoDB TTL) when its confirmation link expires. */
export const pendingLifetimeSeconds = tokenLifetimeSeconds.confirm;

export interface SubscriptionContext {
  readonly subscribers: SubscriberStore;
  readonly sendConfirmation: ConfirmationSender;
  readonly now: () => Date;
  /** Where an address is kept on the erased list (keyed with the token key). */
  readonly erasureKey: ErasureKeys;
}

/**
 * What became of a sign-up. Callers facing the public show the same answer for all of them: which one
 * happened would tell a stranger whether an address is on the list.
 */
export type SignupOutcome = 'confirmation-sent' | 'recently-sent' | 'already-active' | 'suppressed';

const indexLagMs = 250;

/**
 * The subscriber a token names. The id index is eventually consistent in DynamoDB: a reader quick
 * enough to confirm within a moment of signing up may find it a step behind, so a miss is tried again once.
 */
export const subscriberById = async (subscribers: SubscriberStore, id: string): Promise<Subscriber | undefined> => {
  const found = await subscribers.getById(id);
  if (found) return found;
  await sleep(indexLagMs);
  return subscribers.getById(id);
};

const expiry = (now: Date): number => Math.floor(now.getTime() / 1000) + pendingLifetimeSeconds;

const outcomeOf = (record: SignupRecord): SignupOutcome => {
  if (record.recorded) return 'confirmation-sent';
  if (record.subscriber?.status === 'active') return 'already-active';
  if (record.subscriber?.status === 'suppressed' || (!record.subscriber && record.erasure?.suppressed)) return 'suppressed';
  return 'recently-sent';
};

/**
 * Records a sign-up, with the same store work whatever the address's state: a new address becomes
 * pending, an unsubscribed one stays unsubscribed with the sign-up waiting (only its confirmation makes
 * it active again), a pending one gets a new sign-up if its last confirmation went out more than ten
 * minutes ago; active and suppressed addresses are left as they are. An address its reader erased is
 * signed up as a new one (only the reader's confirmation takes it off the erased list), unless it was
 * suppressed. The topics (normalised) are a new address's at once and another's once it confirms. The
 * job names the sign-up for every outcome, so that queueing it costs the same too: its email goes out
 * only if it was recorded.
 */
export const recordSignup = async (
  context: Pick<SubscriptionContext, 'subscribers' | 'erasureKey'>,
  email: string,
  options: { readonly reason: string; readonly name?: string; readonly topics: readonly string[]; readonly now: Date },
): Promise<{ readonly outcome: SignupOutcome; readonly job: ConfirmationJob }> => {
  const { now } = options;
  // Each sign-up gets its own nonce: its confirm link confirms it and no later one.
  const nonce = newSignupNonce();
  const record = await context.subscribers.requestSignup(email, {
    nonce,
    at: now,
    notSince: new Date(now.getTime() - confirmationIntervalMs),
    expiresAt: expiry(now),
    reason: options.reason,
    name: options.name,
    topics: options.topics,
    erasureKey: context.erasureKey(email),
  });
  return { outcome: outcomeOf(record), job: { email, signup: nonce } };
};

/**
 * Signs an address up and sends its confirmation email before returning (the command line, where the
 * time taken tells nobody anything). When the email cannot be sent, the throttle is released and the
 * error thrown.
 */
export const requestSubscription = async (
  context: SubscriptionContext,
  email: string,
  options: { readonly reason: string; readonly name?: string; readonly topics: readonly string[] },
): Promise<SignupOutcome> => {
  const { outcome, job } = await recordSignup(context, email, { ...options, now: context.now() });
  if (outcome === 'confirmation-sent') await sendConfirmationFor(context, job);
  return outcome;
};

/**
 * What a confirm link can still do for the subscriber it names: confirm (`open`), or nothing, because the
 * address is subscribed already, its sign-up expired or was never kept, it left the list (unsubscribed
 * or suppressed) with no sign-up waiting, or a later sign-up replaced the one the link was sent for.
 */
export type ConfirmLinkState = 'open' | 'already-active' | 'expired' | 'left' | 'replaced';

export const confirmLinkState = (subscriber: Subscriber | undefined, signup: string | undefined, now: Date): ConfirmLinkState => {
  if (!subscriber) return 'expired';
  if (subscriber.status === 'active') return 'already-active';
  if (subscriber.status === 'suppressed') return 'left';
  // A link without a nonce was sent before sign-ups had one: it still confirms a sign-up from then.
  if (subscriber.signupNonce !== signup) return subscriber.signupNonce === undefined && subscriber.status !== 'pending' ? 'left' : 'replaced';
  if (subscriber.status === 'unsubscribed' && signup === undefined) return 'left';
  // DynamoDB deletes expired items within days, not at once; until then the item is still there.
  const lapses = subscriber.status === 'pending' ? subscriber.expiresAt : subscriber.signupExpiresAt;
  if (lapses !== undefined && lapses * 1000 < now.getTime()) return 'expired';
  return 'open';
};

export type ConfirmOutcome = 'confirmed' | Exclude<ConfirmLinkState, 'open'>;

/**
 * Activates the sign-up a confirm link was sent for, with the topics it chose, in one write conditional on
 * that sign-up still waiting, then takes the address off the erased list (the reader confirmed anew); a
 * second confirmation of an active subscriber is a success that changes nothing.
 */
export const confirmSubscription = async (
  context: Pick<SubscriptionContext, 'subscribers' | 'now' | 'erasureKey'>,
  claims: Pick<TokenClaims, 'subscriberId' | 'signup'>,
): Promise<ConfirmOutcome> => {
  const { subscribers } = context;
  const now = context.now();
  const subscriber = await subscriberById(subscribers, claims.subscriberId);
  if (!subscriber) return 'expired';
  const state = confirmLinkState(subscriber, claims.signup, now);
  if (state !== 'open') return state;
  const changed = await subscribers.changeStatus(subscriber.email, 'active', {
    from: [subscriber.status],
    signup: claims.signup ?? null,
    reason: subscriber.status === 'pending' ? 'confirmed' : 'confirmed a new sign-up',
    at: now,
    set: { expiresAt: null, confirmationSentAt: null, signupNonce: null, signupExpiresAt: null, signupTopics: null, ...(subscriber.signupTopics ? { topics: subscriber.signupTopics } : {}) },
  });
  if (changed) {
    // Almost always not there: one delete of nothing costs less than a read to find out.
    await subscribers.clearErasure(context.erasureKey(subscriber.email));
    return 'confirmed';
  }
  // Something changed it in between (a second press, an unsubscribe, a new sign-up): say what the link does now.
  const after = confirmLinkState(await subscribers.get(subscriber.email), claims.signup, now);
  return after === 'open' ? 'replaced' : after;
};

export type UnsubscribeOutcome = 'unsubscribed' | 'already' | 'unknown';

/** Unsubscribes a pending or active subscriber; an address already gone (or suppressed) stays as it is. */
export const unsubscribe = async (context: Pick<SubscriptionContext, 'subscribers' | 'now'>, subscriberId: string, reason: string): Promise<UnsubscribeOutcome> => {
  const subscriber = await subscriberById(context.subscribers, subscriberId);
  if (!subscriber) return 'unknown';
  const changed = await context.subscribers.changeStatus(subscriber.email, 'unsubscribed', {
    from: ['pending', 'active'],
    reason,
    at: context.now(),
    // An unsubscribed address is kept, so that nobody mails it again by mistake; a sign-up waiting is void.
    set: { expiresAt: null, signupNonce: null, signupExpiresAt: null, signupTopics: null },
  });
  return changed ? 'unsubscribed' : 'already';
};
