import type { MimeSkeleton } from '../mail/mime-skeleton.ts';
import type { RenderedBriefing } from '../render/briefing.ts';

/**
 * composing → sending → sent; composing → skipped (no news); sending → paused (feedback) or stopped
 * (SES refuses to send) → sending again on resume.
 */
export const editionStatuses = ['composing', 'sending', 'paused', 'stopped', 'sent', 'skipped'] as const;
export type EditionStatus = (typeof editionStatuses)[number];

/**
 * How each job ended. The first four are a recipient's outcome, counted once per recipient (by whoever recorded
 * it); `duplicates` (a job for a recipient already settled) and `dropped` (a job that came while the edition was
 * paused or stopped) are counted per job and only say what happened.
 */
export const outcomeNames = ['sent', 'skipped', 'failed', 'uncertain', 'duplicates', 'dropped'] as const;
export type OutcomeName = (typeof outcomeNames)[number];
export type OutcomeCounts = Partial<Record<OutcomeName, number>>;

/** Every outcome at 0, to count into. */
export const noOutcomes = (): Record<OutcomeName, number> => Object.fromEntries(outcomeNames.map((name) => [name, 0])) as Record<OutcomeName, number>;

export interface EditionRecord {
  readonly editionId: string;
  readonly status: EditionStatus;
  readonly statusReason?: string;
  /** When it entered its status; each end (sent, paused, stopped) has its own, so a resumed edition that ends again is a new end. Absent on older records. */
  readonly statusAt?: string;
  /** The `statusAt` of the end whose metric and report were claimed (`claimReport`): each end is reported once. */
  readonly reportedFor?: string;
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
  /** The full edition's MIME as compose compiled it, to be filled in per recipient by deliver; absent on editions stored before. */
  readonly mime?: MimeSkeleton;
  readonly articleIds?: readonly string[];
  readonly windowFrom?: string;
  readonly windowTo?: string;
  /** When sending began: the next edition's window starts here. */
  readonly startedAt?: string;
  /** The send rate the edition went out under (emails per second): its report compares the rate achieved with it. */
  readonly rateBudget?: number;
  readonly completedAt?: string;
  /** The edition's recipients (each once, however often queued); `enqueueComplete` once compose has paged through every subscriber. */
  readonly enqueued: number;
  readonly enqueueComplete: boolean;
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  /** Deliveries SES may or may not have sent (its answer was lost, or the worker died mid-send): never resent on their own. */
  readonly uncertain: number;
  /** Jobs for recipients already settled (a redelivered message, a resumed edition). */
  readonly duplicates: number;
  /** Jobs that arrived while the edition was paused or stopped; resume queues them again. */
  readonly dropped: number;
  /**
   * Active readers not queued because no story of the edition is in their topics (`noTopicNews: "skip"`); not among
   * the recipients (`enqueued`). 0 on older records.
   */
  readonly noNews: number;
  /** The topic sets (`topicSetKey`) that had no story when the edition was composed: a resume leaves their readers out too. */
  readonly noNewsSets?: readonly string[];
  readonly bounces: number;
  readonly complaints: number;
  /** Readers who unsubscribed while this was the latest edition that went out (0 on older records). */
  readonly unsubscribes: number;
  /**
   * `duplicates` when the outcomes were last counted from the deliveries table. A duplicate since then may stand
   * for an outcome whose worker died after recording it and before counting it (SQS redelivered the job).
   */
  readonly duplicatesRecounted: number;
  /** Goes up with every change to the counters above: a recount is written only over the counts it was made from. */
  readonly version: number;
}

/** The briefing as compose rendered it, placeholders still in; undefined until the edition is rendered. */
export const storedBriefing = (edition: EditionRecord): RenderedBriefing | undefined =>
  edition.html === undefined || edition.text === undefined || edition.marker === undefined
    ? undefined
    : { subject: edition.subject ?? '', preheader: edition.preheader ?? '', html: edition.html, text: edition.text, mjml: '', marker: edition.marker };

/** The outcomes a recipient can end with. */
export const recipientOutcomes = ['sent', 'skipped', 'failed', 'uncertain'] as const;

/** Recipients with an outcome: the edition is sent when all of its recipients have one. */
export const settledRecipients = (edition: EditionRecord): number => recipientOutcomes.reduce((sum, name) => sum + edition[name], 0);

export type RecipientOutcomes = Readonly<Record<(typeof recipientOutcomes)[number], number>>;

/** Where editions are kept; one record per edition id, every change a conditional write. */
export interface EditionStore {
  get(editionId: string): Promise<EditionRecord | undefined>;
  /** Only the status: what deliver checks every batch, without reading the stored briefing again. */
  getStatus(editionId: string): Promise<EditionStatus | undefined>;
  /** Moves the edition to `status` (and `statusAt` to `at`) when it is in one of `from`; the record after, or undefined when it was not. */
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
    details: {
      readonly articleIds: readonly string[];
      /** The briefing's MIME skeleton (`compileSkeleton`): without one, deliver cannot send the edition until a resume compiles it. */
      readonly mime?: MimeSkeleton;
      readonly windowFrom?: string;
      readonly windowTo?: string;
      /** The topic sets without a story in their topics (see `noNewsSets`). */
      readonly noNewsSets?: readonly string[];
      /** The send rate deliver works to (see `rateBudget`). */
      readonly rateBudget?: number;
      readonly at?: Date;
    },
  ): Promise<EditionRecord | undefined>;
  /** Stores the full edition's MIME skeleton on an edition stored without one (`send --resume` compiles it). */
  saveMime(editionId: string, mime: MimeSkeleton): Promise<void>;
  /**
   * Counts recipients queued, and readers left out for having no story in their topics (`noNews`); `complete` once
   * the last page of subscribers is queued (and then completes the edition if all are settled).
   */
  addEnqueued(editionId: string, count: number, complete: boolean, noNews?: number): Promise<EditionRecord | undefined>;
  /** Adds a batch's outcomes at once and completes the edition when every recipient has one. */
  addOutcomes(editionId: string, counts: OutcomeCounts, at?: Date): Promise<EditionRecord | undefined>;
  /** Adds bounce and complaint counts from SES feedback. */
  addFeedback(editionId: string, counts: { readonly bounces?: number; readonly complaints?: number }): Promise<EditionRecord | undefined>;
  /**
   * Writes the outcomes as counted from the deliveries table over the counters of a `sending` edition, and
   * completes it when they cover every recipient: undefined when the edition is no longer sending, or when its
   * counters changed since `read` was read.
   */
  recount(editionId: string, outcomes: RecipientOutcomes, read: EditionRecord): Promise<EditionRecord | undefined>;
  /**
   * Reopens a paused, stopped or interrupted (still `sending`) edition for `send --resume` — or a sent one, whose
   * uncertain deliveries are to be sent again — with its recipients (`enqueued`) and their outcomes as counted from
   * the deliveries table, and `noNews` (when given) as counted again: undefined when it is in no such status, or when its
   * counters changed since `read` was read.
   */
  reopen(editionId: string, recount: RecipientOutcomes & { readonly enqueued: number; readonly noNews?: number }, read: EditionRecord, at?: Date): Promise<EditionRecord | undefined>;
  /**
   * Takes the one right to publish, log and report the end the edition reached at `statusAt` (sent, paused or
   * stopped): the record when this call took it; undefined when another call did, or the edition has left that
   * end since (resumed: its next end is reported instead).
   */
  claimReport(editionId: string, statusAt: string, at?: Date): Promise<EditionRecord | undefined>;
  /** Adds one unsubscribe to the latest edition that went out (has started sending): its id, or undefined when none has. */
  countUnsubscribe(): Promise<string | undefined>;
  /** The most recent editions, newest first. */
  recent(limit: number): Promise<EditionRecord[]>;
  /** The latest edition before this one that went out: the next window starts when it was sent. */
  previousSent(editionId: string): Promise<EditionRecord | undefined>;
}
