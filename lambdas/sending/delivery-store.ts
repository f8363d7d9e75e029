/** claimed: a worker is sending it now (until `leaseUntil`); the others are final. */
export const deliveryStatuses = ['claimed', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One recipient's copy of one edition, keyed on edition + normalised address (never on a queue message id). */
export interface DeliveryRecord {
  readonly editionId: string;
  readonly email: string;
  readonly status: DeliveryStatus;
  /** Which worker's claim this is: only that worker may finish or release it. */
  readonly claimToken?: string;
  /** Epoch milliseconds after which another worker may take over an unfinished claim. */
  readonly leaseUntil?: number;
  readonly messageId?: string;
  readonly reason?: string;
  readonly updatedAt: string;
  /** Epoch seconds after which the record is deleted, long after any resend of the edition. */
  readonly expiresAt: number;
}

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing?: DeliveryRecord };

/** Where each delivery is recorded once: the claim, then its end. */
export interface DeliveryStore {
  get(editionId: string, email: string): Promise<DeliveryRecord | undefined>;
  /**
   * Takes the delivery for one worker: succeeds when nobody has it, or when another worker's claim
   * outlived its lease (that worker died before sending). Otherwise says what is there.
   */
  claim(editionId: string, email: string, claimToken: string, leaseMs: number, now?: number): Promise<ClaimResult>;
  /** Finishes a claim as sent; false when the claim is no longer this worker's (its lease ran out and another took over). */
  markSent(editionId: string, email: string, claimToken: string, messageId: string): Promise<boolean>;
  /** Finishes a claim as failed for good; false as for `markSent`. */
  markFailed(editionId: string, email: string, claimToken: string, reason: string): Promise<boolean>;
  /** Finishes a claim as skipped: the reader was no longer active when the send was about to start; false as for `markSent`. */
  markSkipped(editionId: string, email: string, claimToken: string, reason: string): Promise<boolean>;
  /** Records that a recipient was not sent to (no longer active); false when the delivery was already recorded. */
  recordSkipped(editionId: string, email: string, reason: string, now?: number): Promise<boolean>;
  /** Gives a claim back when the message was certainly not taken, so a redelivery can send it at once. */
  release(editionId: string, email: string, claimToken: string): Promise<void>;
  /** Every delivery record of an edition. */
  list(editionId: string): Promise<DeliveryRecord[]>;
}
