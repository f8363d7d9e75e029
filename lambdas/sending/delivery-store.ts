import { randomUUID } from 'node:crypto';
import type { Page } from '../subscription/store.ts';

/**
 * claimed: a worker is about to send it or sending it now (until `leaseUntil`); the others are final. `uncertain`:
 * SES may or may not have taken it (its answer was lost, or the worker stopped mid-send); never sent again on its own.
 */
export const deliveryStatuses = ['claimed', 'sent', 'failed', 'skipped', 'uncertain'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One recipient's copy of one edition, keyed on edition + normalised address (never on a queue message id). */
export interface DeliveryRecord {
  readonly editionId: string;
  readonly email: string;
  readonly status: DeliveryStatus;
  /** Which worker's claim this is: only that worker may finish or release it. */
  readonly claimToken?: string;
  /**
   * Epoch milliseconds after which an unfinished claim counts as abandoned: its worker stopped between the claim
   * and recording SES's answer, so the delivery is recorded as uncertain rather than sent again.
   */
  readonly leaseUntil?: number;
  readonly messageId?: string;
  readonly reason?: string;
  /** On an `uncertain` delivery: an operator asked for it to be sent again (`send --resume --retry-uncertain`). */
  readonly retryRequested?: boolean;
  readonly updatedAt: string;
  /** Epoch seconds after which the record is deleted, long after any resend of the edition. */
  readonly expiresAt: number;
}

/** A claim token: who claimed (the worker's owner), and which claim of theirs. */
export const claimTokenOf = (owner: string): string => `${owner}#${randomUUID()}`;

/** The owner a claim token names. */
export const ownerOfClaim = (claimToken: string): string => claimToken.slice(0, claimToken.lastIndexOf('#'));

/** What a resume or a recount reads of a delivery: whose it is and how it stands, nothing else. */
export type DeliveryMark = Pick<DeliveryRecord, 'email' | 'status' | 'retryRequested'>;

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing?: DeliveryRecord };

/** Where each delivery is recorded once: the claim, then its end. */
export interface DeliveryStore {
  get(editionId: string, email: string): Promise<DeliveryRecord | undefined>;
  /**
   * Takes the delivery for one worker, right before it is sent: succeeds when nothing is recorded for it yet, or
   * when it is uncertain and a retry was asked for. Otherwise says what is there (an abandoned claim is for the
   * caller to record as uncertain).
   */
  claim(editionId: string, email: string, claimToken: string, leaseMs: number, now?: number): Promise<ClaimResult>;
  /** Finishes a claim as sent; false when the claim was already finished (abandoned, and recorded as uncertain by another worker). */
  markSent(editionId: string, email: string, claimToken: string, messageId: string): Promise<boolean>;
  /** Finishes a claim as failed for good; false as for `markSent`. */
  markFailed(editionId: string, email: string, claimToken: string, reason: string): Promise<boolean>;
  /**
   * Finishes a claim as uncertain: SES may or may not have taken the message (its answer was lost, or — given
   * the claim token of another worker whose lease ran out — the claim was abandoned mid-send); false as for `markSent`.
   */
  markUncertain(editionId: string, email: string, claimToken: string, reason: string): Promise<boolean>;
  /** Finishes a claim as skipped: the reader was no longer active when the send was about to start; false as for `markSent`. */
  markSkipped(editionId: string, email: string, claimToken: string, reason: string): Promise<boolean>;
  /** Records that a recipient was not sent to (no longer active); false when the delivery was already recorded (and not open to a retry). */
  recordSkipped(editionId: string, email: string, reason: string, now?: number): Promise<boolean>;
  /** Opens an uncertain delivery to one more send, which may mail a second copy; false when it is not uncertain. */
  requestRetry(editionId: string, email: string): Promise<boolean>;
  /** Gives a claim back when the message was certainly not taken, so a redelivery can send it at once. */
  release(editionId: string, email: string, claimToken: string): Promise<void>;
  /** Every delivery record of an edition. */
  list(editionId: string): Promise<DeliveryRecord[]>;
  /**
   * One page of an edition's deliveries, in address order (the order of `SubscriberStore.pageByStatus`), each read
   * consistently as a mark only: at most `limit` (@default as many as one read of the store returns).
   */
  page(editionId: string, options?: { readonly limit?: number; readonly cursor?: string }): Promise<Page<DeliveryMark>>;
}
