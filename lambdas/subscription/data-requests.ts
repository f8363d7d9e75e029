import { createHmac } from 'node:crypto';
import type { Topic } from '../config/topics.ts';
import type { Subscriber, SubscriberStore } from './store.ts';
import { subscriberById } from './signup.ts';

/** The key an address is kept under once its reader erased it (see `erasureKey`). */
export type ErasureKeys = (email: string) => string;

/**
 * HMAC-SHA256 of the normalised address with the token key: the same address always gives the same key,
 * so a sign-up or an import can tell an erased address again, but the table alone (a backup, an export)
 * holds nothing to read an address back from or to test a guessed one against. The prefix keeps these
 * MACs apart from the tokens' (whose payloads are base64url and never start with it).
 */
export const erasureKeys =
  (secret: string): ErasureKeys =>
  (email) =>
    createHmac('sha256', secret).update(`erased-address:${email}`).digest('base64url');

/** What a reader downloads from the preference page: everything the list keeps about them. */
export interface PersonalData {
  readonly newsletter: string;
  readonly downloadedAt: string;
  /** The record as stored (the waiting sign-up's nonce, a one-time secret of its confirm link, left out), with its history of status changes. */
  readonly subscriber: Omit<Subscriber, 'signupNonce' | 'topics' | 'signupTopics'> & {
    /** The topics chosen, with their names; empty: every story. */
    readonly topics: readonly { readonly id: string; readonly label: string }[];
    readonly signupTopics?: readonly { readonly id: string; readonly label: string }[];
  };
}

export const personalData = (subscriber: Subscriber, context: { readonly newsletterName: string; readonly topics: readonly Topic[]; readonly now: Date }): PersonalData => {
  const { signupNonce: _secret, topics, signupTopics, ...record } = subscriber;
  const named = (ids: readonly string[]) => ids.map((id) => ({ id, label: context.topics.find((topic) => topic.id === id)?.label ?? id }));
  return {
    newsletter: context.newsletterName,
    downloadedAt: context.now.toISOString(),
    subscriber: { ...record, topics: named(topics ?? []), ...(signupTopics ? { signupTopics: named(signupTopics) } : {}) },
  };
};

export type EraseOutcome = 'erased' | 'unknown';

/**
 * Erases the subscriber a link names at their request: the record and its history go, the address stays
 * only as its key on the erased list (with whether it was suppressed), so nothing mails it again until
 * its reader signs up and confirms anew. `unknown`: the link's subscriber is not on the list (any more).
 */
export const eraseSubscriber = async (
  context: { readonly subscribers: SubscriberStore; readonly erasureKey: ErasureKeys; readonly now: () => Date },
  subscriberId: string,
): Promise<EraseOutcome> => {
  const subscriber = await subscriberById(context.subscribers, subscriberId);
  if (!subscriber) return 'unknown';
  const erased = await context.subscribers.erase(subscriber, {
    key: context.erasureKey(subscriber.email),
    erasedAt: context.now().toISOString(),
    suppressed: subscriber.status === 'suppressed',
  });
  return erased ? 'erased' : 'unknown';
};
