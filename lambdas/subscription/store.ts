export const subscriberStatuses = ['pending', 'active', 'unsubscribed', 'suppressed'] as const;
export type SubscriberStatus = (typeof subscriberStatuses)[number];

export interface StatusChange {
  readonly status: SubscriberStatus;
  /** ISO time of the change. */
  readonly at: string;
  /** Why, in words: "signed up", "confirmed", "one-click unsubscribe", "permanent bounce: …". */
  readonly reason: string;
}

/** One address on the list; `email` is the normalised address and the key. */
export interface Subscriber {
  readonly email: string;
  /** Opaque id that tokens carry instead of the address. */
  readonly id: string;
  readonly status: SubscriberStatus;
  readonly name?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly StatusChange[];
  /** When the last confirmation email went out (pending addresses). */
  readonly confirmationSentAt?: string;
  /** The sign-up waiting for confirmation: its confirm link carries this nonce, and no other link confirms it. */
  readonly signupNonce?: string;
  /** Epoch seconds when an unsubscribed address's waiting sign-up lapses (the record itself never expires). */
  readonly signupExpiresAt?: number;
  /** Epoch seconds after which an unconfirmed sign-up is deleted (DynamoDB TTL). */
  readonly expiresAt?: number;
  /** Soft bounces in a row since the last delivery. */
  readonly transientBounces?: number;
  /** The topic ids the reader chose, normalised (`normaliseTopicSet`); absent or empty: every story. */
  readonly topics?: readonly string[];
  /** The topics the sign-up waiting for confirmation chose: they become `topics` when it is confirmed. */
  readonly signupTopics?: readonly string[];
}

/** Fields set along with a status change or an addition; `null` removes one. */
export type SubscriberFields = {
  readonly [Field in 'confirmationSentAt' | 'expiresAt' | 'signupNonce' | 'signupExpiresAt' | 'topics' | 'signupTopics']?: Subscriber[Field] | null;
};

export interface StatusChangeOptions {
  readonly reason: string;
  readonly at?: Date;
  /** Only change when the current status is one of these (a conditional write). */
  readonly from?: readonly SubscriberStatus[];
  /** Only change while this sign-up is the one waiting (`null`: while none is). */
  readonly signup?: string | null;
  readonly set?: SubscriberFields;
}

export interface AddOptions {
  readonly status: SubscriberStatus;
  readonly reason: string;
  readonly name?: string;
  readonly at?: Date;
  readonly set?: SubscriberFields;
}

export interface SignupRequest {
  /** The sign-up's nonce: its confirm link carries it. */
  readonly nonce: string;
  readonly at: Date;
  /** Refused when a confirmation went out after this (one email per address per ten minutes). */
  readonly notSince: Date;
  /** Epoch seconds when the sign-up lapses: a new or pending address is then deleted (TTL), an unsubscribed one stays. */
  readonly expiresAt: number;
  /** For the history of a new address. */
  readonly reason: string;
  readonly name?: string;
  /** The topics chosen with the sign-up (normalised): a new address has them at once, one on the list when it confirms. */
  readonly topics: readonly string[];
  /** The address's key on the erased list (`erasureKey`): read with the address, so that every sign-up does the same work. */
  readonly erasureKey: string;
}

/** Whether the sign-up was recorded, and the subscriber as it was read before it (undefined: not on the list). */
export interface SignupRecord {
  readonly recorded: boolean;
  readonly subscriber: Subscriber | undefined;
  /** The address was erased at its reader's request (and is not on the list again). */
  readonly erasure?: Erasure;
}

/**
 * An address erased at its reader's request, kept only as a keyed hash of the address (`erasureKey`):
 * enough to tell that address again, nothing to read it back from.
 */
export interface Erasure {
  readonly key: string;
  /** ISO time of the erasure. */
  readonly erasedAt: string;
  /** It was suppressed (bounced, complained) when erased: a sign-up of it is refused, as a suppressed address's is. */
  readonly suppressed: boolean;
}

export interface FeedbackState {
  readonly subscriber: Subscriber;
  /** This event was applied before (SNS and EventBridge deliver at least once). */
  readonly applied: boolean;
  /** Applied, but the edition's bounce or complaint count for it was not added yet. */
  readonly countPending: boolean;
}

/** What one SES feedback event does to a subscriber, worked out from the state `seen`. */
export interface FeedbackChange {
  readonly feedbackId: string;
  /** The write is refused when the status or the transient bounce count is no longer this. */
  readonly seen: Pick<Subscriber, 'status' | 'transientBounces'>;
  /** One more transient bounce in a row. */
  readonly transientBounce: boolean;
  /** Suppress the address, with this entry in its history. */
  readonly suppress?: { readonly reason: string; readonly at: Date };
  /** The event still has to be counted for its edition (see `feedbackCounted`). */
  readonly countPending: boolean;
}

export interface Page<T> {
  readonly items: T[];
  /** Opaque: pass it back to get the next page; absent on the last one. */
  readonly cursor?: string;
}

/** What the subscriber list is kept in (DynamoDB in AWS and locally); every write that guards consent is conditional. */
export interface SubscriberStore {
  /** The subscriber with this (normalised) address, read consistently. */
  get(email: string): Promise<Subscriber | undefined>;
  /** The subscriber a token names; may lag a moment behind a new sign-up (see `subscriberById`). */
  getById(id: string): Promise<Subscriber | undefined>;
  /** The subscribers among `emails` (unknown addresses are left out), read consistently. */
  getMany(emails: readonly string[]): Promise<Map<string, Subscriber>>;
  /** Adds a new address; undefined (and nothing changed) when it is already on the list. */
  add(email: string, options: AddOptions): Promise<Subscriber | undefined>;
  /**
   * Adds the addresses not on the list yet; the others (`present`) are left exactly as they are. Built for
   * imports: batched, so an address created by a sign-up in the same instant may be overwritten by the new
   * entry. `failed` names the entries the store could not write.
   */
  addMany(entries: readonly (AddOptions & { readonly email: string })[]): Promise<{
    readonly added: Subscriber[];
    readonly present: string[];
    readonly failed: readonly { readonly email: string; readonly reason: string }[];
  }>;
  /**
   * Sets a new status and appends it to the history in one conditional write; the subscriber after the
   * change, or undefined when the address is unknown or not in one of `from`.
   */
  changeStatus(email: string, status: SubscriberStatus, options: StatusChangeOptions): Promise<Subscriber | undefined>;
  /**
   * Records a sign-up with one consistent read and one conditional write, whatever the address's state,
   * so that the time it takes tells nobody the state. A new address is added as pending (expiring at
   * `expiresAt`); a pending one gets the new sign-up and expiry; an unsubscribed one keeps its status and
   * gets the sign-up, which lapses at `signupExpiresAt` while the record never expires (it is what keeps
   * the address from being mailed). The write's
   * condition refuses active and suppressed addresses, and any whose last confirmation went out after
   * `notSince`: of concurrent sign-ups for one address, one at most is recorded.
   */
  requestSignup(email: string, request: SignupRequest): Promise<SignupRecord>;
  /** Forgets a confirmation email that could not be sent, so the next sign-up is not held back by it. */
  clearConfirmationSent(email: string, sentAt: string): Promise<Subscriber | undefined>;
  /** The subscriber as one SES feedback event finds it; undefined when the address is not on the list. */
  feedbackState(email: string, feedbackId: string): Promise<FeedbackState | undefined>;
  /**
   * Applies one SES feedback event in one conditional write: its feedback id, the transient bounce count,
   * the suppression with its history entry and the edition count it owes go in together, or nothing does.
   * Undefined when the event was applied meanwhile or the subscriber is no longer as `change.seen` says.
   */
  applyFeedback(email: string, change: FeedbackChange): Promise<Subscriber | undefined>;
  /** The edition's count for this event has been added: the subscriber owes it no more. */
  feedbackCounted(email: string, feedbackId: string): Promise<void>;
  /** A delivery ends a run of transient bounces. */
  resetTransientBounces(email: string): Promise<Subscriber | undefined>;
  /** Deletes the address and its history; what was stored, or undefined when it was not on the list. */
  remove(email: string): Promise<Subscriber | undefined>;
  /** Sets the reader's topics while the address is still the subscriber `id` (the one a link names); undefined when it is not. */
  setTopics(email: string, id: string, topics: readonly string[]): Promise<Subscriber | undefined>;
  /**
   * A reader's erasure: puts the address's key on the erased list first, then deletes the record and its
   * history while it is still the subscriber `subscriber.id`, so a failure in between leaves the address
   * blocked rather than free. Whether the record was deleted.
   */
  erase(subscriber: Subscriber, erasure: Erasure): Promise<boolean>;
  /** The entries of the erased list among these keys, read consistently. */
  erasures(keys: readonly string[]): Promise<Map<string, Erasure>>;
  /** Takes a key off the erased list: its reader signed up again and confirmed. */
  clearErasure(key: string): Promise<void>;
  /** One page of the subscribers with a status, in address order. */
  pageByStatus(status: SubscriberStatus, options?: { readonly limit?: number; readonly cursor?: string }): Promise<Page<Subscriber>>;
  /** How many subscribers have a status, counted without reading them out (compose's quota pre-check). */
  countByStatus(status: SubscriberStatus): Promise<number>;
  /** Every subscriber, any status. */
  all(): AsyncIterable<Subscriber>;
}
