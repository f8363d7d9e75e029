import type { EditionEnding } from '../edition/ending.ts';
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

/** Tries at one recipient's event; each lost try means another event changed the subscriber in between. */
const maxTries = 5;

/** An edition count an applied event still owes, and the subscriber that keeps the debt until it is paid. */
interface OwedCount {
  readonly editionId: string;
  readonly kind: 'bounces' | 'complaints';
  readonly email: string;
  readonly feedbackId: string;
}

/**
 * Applies SES feedback: a permanent bounce or a complaint suppresses the address, a third transient
 * bounce in a row does too, a delivery ends a run of transient bounces. Each event is applied to a
 * subscriber in one conditional write that records its feedback id with its effect, so a redelivered
 * event changes nothing and a failed write leaves nothing half done. The edition the mail belonged to
 * gets its bounce and complaint counts (one that crosses a threshold is paused): the subscriber keeps
 * the count owed until it is added, so a failure in between is made good by the redelivery. `ending` is told
 * each edition record written: a pause, or an end that its worker did not get to report, is reported once.
 */
export const applyFeedback = async (events: readonly FeedbackEvent[], stores: FeedbackStores, ending?: EditionEnding): Promise<FeedbackSummary> => {
  const summary: FeedbackSummary = { suppressed: [], bounces: 0, complaints: 0, transientBounces: 0, skipped: 0, paused: [] };
  // Keyed by address and event: an event that comes twice in one batch is still counted once.
  const owed = new Map<string, OwedCount>();

  const apply = async (event: Exclude<FeedbackEvent, { kind: 'ignored' | 'delivery' }>, recipient: FeedbackRecipient) => {
    const email = addressOf(recipient);
    const transient = event.kind === 'bounce' && event.bounceType !== 'Permanent';
    const kind = event.kind === 'complaint' ? 'complaints' : 'bounces';
    const counted = !transient && event.editionId !== undefined && !notAttempted.has(event.subType ?? '');
    const owe = () => counted && owed.set(`${email} ${event.feedbackId}`, { editionId: event.editionId!, kind, email, feedbackId: event.feedbackId });
    const detail = recipient.detail ? `: ${recipient.detail}` : '';
    for (let attempt = 1; attempt <= maxTries; attempt += 1) {
      const state = await stores.subscribers.feedbackState(email, event.feedbackId);
      if (!state || state.applied) {
        summary.skipped += 1;
        if (state?.countPending) owe();
        return;
      }
      const seen = state.subscriber;
      const inARow = (seen.transientBounces ?? 0) + 1;
      let reason: string | undefined;
      if (event.kind === 'complaint') reason = `complaint${event.feedbackType ? ` (${event.feedbackType})` : ''}`;
      else if (!transient) reason = `permanent bounce (${event.subType})${detail}`;
      else if (inARow >= transientBounceLimit) reason = `${inARow} transient bounces in a row (${event.subType})${detail}`;
      const suppress = reason !== undefined && seen.status !== 'suppressed' ? { reason, at: event.at } : undefined;
      const applied = await stores.subscribers.applyFeedback(email, { feedbackId: event.feedbackId, seen, transientBounce: transient, suppress, countPending: counted });
      if (!applied) continue;
      if (event.kind === 'complaint') summary.complaints += 1;
      else if (transient) summary.transientBounces += 1;
      else summary.bounces += 1;
      if (suppress) summary.suppressed.push({ email, reason: suppress.reason });
      owe();
      return;
    }
    throw new Error(`feedback ${event.feedbackId} for ${email}: the subscriber changed under each of ${maxTries} tries; the event is left to be delivered again`);
  };

  for (const event of events) {
    if (event.kind === 'ignored') continue;
    for (const recipient of event.recipients) {
      if (event.kind === 'delivery') await stores.subscribers.resetTransientBounces(addressOf(recipient));
      else await apply(event, recipient);
    }
  }

  const debts = [...owed.values()];
  for (const editionId of new Set(debts.map((debt) => debt.editionId))) {
    const ofEdition = debts.filter((debt) => debt.editionId === editionId);
    const count = (kind: OwedCount['kind']) => ofEdition.filter((debt) => debt.kind === kind).length;
    const edition = await stores.editions.addFeedback(editionId, { bounces: count('bounces'), complaints: count('complaints') });
    // Should this write fail (or the function die before it), the redelivered events are counted again: twice, never not at all.
    for (const debt of ofEdition) await stores.subscribers.feedbackCounted(debt.email, debt.feedbackId);
    const reason = edition?.status === 'sending' ? pauseReason(edition) : undefined;
    if (!edition || !reason) {
      await ending?.settle(edition);
      continue;
    }
    const paused = await stores.editions.setStatus(editionId, 'paused', { from: ['sending'], reason });
    if (paused) summary.paused.push({ editionId, reason, sent: paused.sent, bounces: paused.bounces, complaints: paused.complaints });
    await ending?.settle(paused);
  }
  return summary;
};
