import type { EditionRecord, EditionStore } from '../edition/store.ts';
import type { SubscriberStore } from '../subscription/store.ts';
import { normaliseAddress } from '../subscription/address.ts';
import type { FeedbackEvent, FeedbackRecipient } from './events.ts';

/**
 * SES reviews an account at a 5 % bounce rate and a 0.1 % complaint rate; an edition that reaches
 * either, once enough of it has gone out for the rate to mean something, stops sending.
 */
export const pauseThresholds = { minDeliveries: 200, bounceRate: 0.05, complaintRate: 0.001 } as const;

/** Soft bounces in a row (no delivery between them) after which an address is suppressed. */
export const transientBounceLimit = 3;

// SES did not try these addresses (they were on a suppression list): they say nothing about this edition.
const notAttempted = new Set(['Suppressed', 'OnAccountSuppressionList']);

export interface FeedbackStores {
  readonly subscribers: SubscriberStore;
  readonly editions: Pick<EditionStore, 'addFeedback' | 'setStatus'>;
}

export interface PausedEdition {
  readonly editionId: string;
  readonly reason: string;
  readonly sent: number;
  readonly bounces: number;
  readonly complaints: number;
}

export interface FeedbackSummary {
  /** Addresses suppressed now, with the reason recorded in their history. */
  readonly suppressed: { readonly email: string; readonly reason: string }[];
  bounces: number;
  complaints: number;
  transientBounces: number;
  /** Recipients skipped: an event applied before (SNS and EventBridge deliver at least once) or an address not on the list. */
  skipped: number;
  readonly paused: PausedEdition[];
}

const percent = (value: number): string => `${(value * 100).toFixed(value < 0.01 ? 2 : 1)} %`;

/** Why the edition must pause, or undefined while its rates are below the thresholds (or too few went out to tell). */
export const pauseReason = (edition: Pick<EditionRecord, 'sent' | 'bounces' | 'complaints'>): string | undefined => {
  if (edition.sent < pauseThresholds.minDeliveries) return undefined;
  const bounceRate = edition.bounces / edition.sent;
  const complaintRate = edition.complaints / edition.sent;
  if (bounceRate >= pauseThresholds.bounceRate) {
    return `bounce rate ${percent(bounceRate)} (${edition.bounces} of ${edition.sent} sent) reached ${percent(pauseThresholds.bounceRate)}`;
  }
  if (complaintRate >= pauseThresholds.complaintRate) {
    return `complaint rate ${percent(complaintRate)} (${edition.complaints} of ${edition.sent} sent) reached ${percent(pauseThresholds.complaintRate)}`;
  }
  return undefined;
};

const addressOf = (recipient: FeedbackRecipient): string => {
  const checked = normaliseAddress(recipient.email);
  return checked.ok ? checked.email : recipient.email.trim().toLowerCase();
};

/**
 * Applies SES feedback: a permanent bounce or a complaint suppresses the address, a third transient
 * bounce in a row does too, a delivery ends a run of transient bounces. Each event counts once per
 * address (its feedback id is recorded with the subscriber), and the edition the mail belonged to gets
 * its bounce and complaint counts; one that crosses a threshold is paused.
 */
export const applyFeedback = async (events: readonly FeedbackEvent[], stores: FeedbackStores): Promise<FeedbackSummary> => {
  const summary: FeedbackSummary = { suppressed: [], bounces: 0, complaints: 0, transientBounces: 0, skipped: 0, paused: [] };
  const editionCounts = new Map<string, { bounces: number; complaints: number }>();
  const countFor = (editionId: string) => {
    let counts = editionCounts.get(editionId);
    if (!counts) editionCounts.set(editionId, (counts = { bounces: 0, complaints: 0 }));
    return counts;
  };

  const suppress = async (email: string, reason: string, at: Date) => {
    const changed = await stores.subscribers.changeStatus(email, 'suppressed', {
      from: ['pending', 'active', 'unsubscribed'],
      reason,
      at,
      set: { expiresAt: null },
    });
    if (changed) summary.suppressed.push({ email, reason });
  };

  for (const event of events) {
    if (event.kind === 'ignored') continue;
    for (const recipient of event.recipients) {
      const email = addressOf(recipient);
      if (event.kind === 'delivery') {
        await stores.subscribers.resetTransientBounces(email);
        continue;
      }
      const transient = event.kind === 'bounce' && event.bounceType !== 'Permanent';
      const noted = await stores.subscribers.noteFeedback(email, event.feedbackId, { transientBounce: transient });
      if (!noted) {
        summary.skipped += 1;
        continue;
      }
      const detail = recipient.detail ? `: ${recipient.detail}` : '';
      if (event.kind === 'complaint') {
        summary.complaints += 1;
        await suppress(email, `complaint${event.feedbackType ? ` (${event.feedbackType})` : ''}`, event.at);
        if (event.editionId && !notAttempted.has(event.subType ?? '')) countFor(event.editionId).complaints += 1;
      } else if (transient) {
        summary.transientBounces += 1;
        const inARow = noted.transientBounces ?? 0;
        if (inARow >= transientBounceLimit) await suppress(email, `${inARow} transient bounces in a row (${event.subType})${detail}`, event.at);
      } else {
        summary.bounces += 1;
        await suppress(email, `permanent bounce (${event.subType})${detail}`, event.at);
        if (event.editionId && !notAttempted.has(event.subType)) countFor(event.editionId).bounces += 1;
      }
    }
  }

  for (const [editionId, counts] of editionCounts) {
    const edition = await stores.editions.addFeedback(editionId, counts);
    const reason = edition?.status === 'sending' ? pauseReason(edition) : undefined;
    if (!edition || !reason) continue;
    const paused = await stores.editions.setStatus(editionId, 'paused', { from: ['sending'], reason });
    if (paused) summary.paused.push({ editionId, reason, sent: paused.sent, bounces: paused.bounces, complaints: paused.complaints });
  }
  return summary;
};
