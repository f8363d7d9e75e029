import type { RenderedBriefing } from '../render/briefing.ts';

/**
 * composing → sending → sent; composing → skipped (no news); sending → paused (feedback) or stopped
 * (SES refuses to send) → sending again on resume.
 */
export const editionStatuses = ['composing', 'sending', 'paused', 'stopped', 'sent', 'skipped'] as const;
export type EditionStatus = (typeof editionStatuses)[number];

/** How each queued recipient ended; every job is counted once under one of these. */
export const outcomeNames = ['sent', 'skipped', 'failed', 'uncertain', 'duplicates', 'dropped'] as const;
export type OutcomeName = (typeof outcomeNames)[number];
export type OutcomeCounts = Partial<Record<OutcomeName, number>>;

/** Every outcome at 0, to count into. */
export const noOutcomes = (): Record<OutcomeName, number> => Object.fromEntries(outcomeNames.map((name) => [name, 0])) as Record<OutcomeName, number>;

export interface EditionRecord {
  readonly editionId: string;
  readonly status: EditionStatus;
  readonly statusReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Who holds the compose lock: a Lambda request id or `cli:<host>:<pid>`. */
  readonly lockedBy: string;
  readonly subject?: string;
  readonly preheader?: string;
  /** HTML and text with the per-recipient placeholders still in (see `personalise`). */
  readonly html?: string;
  readonly text?: string;
  readonly marker?: string;
  readonly articleIds?: readonly string[];
  readonly windowFrom?: string;
  readonly windowTo?: string;
  /** When sending began: the next edition's window starts here. */
  readonly startedAt?: string;
  readonly completedAt?: string;
  /** Jobs queued; `enqueueComplete` once compose has paged through every subscriber. */
  readonly enqueued: number;
  readonly enqueueComplete: boolean;
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  /** Deliveries SES may or may not have sent (its answer was lost, or the worker died mid-send): never resent on their own. */
  readonly uncertain: number;
  /** Jobs for recipients already handled (a redelivered message, a resumed edition). */
  readonly duplicates: number;
  /** Jobs that arrived while the edition was paused or stopped; resume queues them again. */
  readonly dropped: number;
  readonly bounces: number;
  readonly complaints: number;
}

/** The briefing as compose rendered it, placeholders still in; undefined until the edition is rendered. */
export const storedBriefing = (edition: EditionRecord): RenderedBriefing | undefined =>
  edition.html === undefined || edition.text === undefined || edition.marker === undefined
    ? undefined
    : { subject: edition.subject ?? '', preheader: edition.preheader ?? '', html: edition.html, text: edition.text, mjml: '', marker: edition.marker };

export const handledJobs = (edition: EditionRecord): number => outcomeNames.reduce((sum, name) => sum + edition[name], 0);

/** Where editions are kept; one record per edition id, every change a conditional write. */
export interface EditionStore {
  get(editionId: string): Promise<EditionRecord | undefined>;
  /** Only the status: what deliver checks every batch, without reading the stored briefing again. */
  getStatus(editionId: string): Promise<EditionStatus | undefined>;
  /** Moves the edition to `status` when it is in one of `from`; the record after, or undefined when it was not. */
  setStatus(editionId: string, status: EditionStatus, options: { readonly from: readonly EditionStatus[]; readonly reason?: string; readonly at?: Date }): Promise<EditionRecord | undefined>;
  /**
   * Takes the edition: only the first of any number of concurrent calls for one id gets true
   * (a scheduled run, its Lambda retry and a manual send cannot both compose it).
   */
  lock(editionId: string, owner: string, at?: Date): Promise<boolean>;
  /** Stores the rendered briefing and opens the edition for sending (from `composing`). */
  saveRendered(
    editionId: string,
    rendered: RenderedBriefing,
    details: { readonly articleIds: readonly string[]; readonly windowFrom?: string; readonly windowTo?: string; readonly at?: Date },
  ): Promise<EditionRecord | undefined>;
  /** Counts queued jobs; `complete` once the last page of subscribers is queued. */
  addEnqueued(editionId: string, count: number, complete: boolean): Promise<EditionRecord | undefined>;
  /** Adds a batch's outcomes at once and completes the edition when that was the last of them. */
  addOutcomes(editionId: string, counts: OutcomeCounts, at?: Date): Promise<EditionRecord | undefined>;
  /** Adds bounce and complaint counts from SES feedback. */
  addFeedback(editionId: string, counts: { readonly bounces?: number; readonly complaints?: number }): Promise<EditionRecord | undefined>;
  /** Reopens a paused or stopped edition (or one whose enqueueing was cut off) for `send --resume`. */
  reopen(editionId: string, at?: Date): Promise<EditionRecord | undefined>;
  /** The most recent editions, newest first. */
  recent(limit: number): Promise<EditionRecord[]>;
  /** The latest edition before this one that went out: the next window starts when it was sent. */
  previousSent(editionId: string): Promise<EditionRecord | undefined>;
}
