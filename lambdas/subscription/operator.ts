import type { ErasureKeys } from './data-requests.ts';
import { requestSubscription, pendingLifetimeSeconds, type SignupOutcome, type SubscriptionContext } from './signup.ts';
import type { ImportRow, RowProblem } from './subscriber-csv.ts';
import type { Erasure, Subscriber, SubscriberStatus, SubscriberStore } from './store.ts';
import { newSignupNonce } from './tokens.ts';

/**
 * What the newsroom may do to the list from the command line, and what it may never do: an operator
 * vouches for new addresses, but cannot upgrade consent a reader withdrew (unsubscribed), a mailbox
 * refused (suppressed) or a reader erased (their data deleted at their request). Only the reader's own
 * new confirmation brings such an address back.
 */

/** The address's entry on the erased list, if its reader erased it. */
const erasureOf = async (subscribers: Pick<SubscriberStore, 'erasures'>, erasureKey: ErasureKeys, email: string): Promise<Erasure | undefined> => {
  const key = erasureKey(email);
  return (await subscribers.erasures([key])).get(key);
};

/** `subscribers add` (no `--confirmed`): the sign-up a reader makes on the page, unless the address's reader erased it. */
export const addPending = async (
  context: SubscriptionContext,
  email: string,
  options: { readonly reason: string; readonly name?: string; readonly topics: readonly string[] },
): Promise<{ readonly kind: 'signed-up'; readonly outcome: SignupOutcome } | { readonly kind: 'erased'; readonly erasure: Erasure }> => {
  const erasure = await erasureOf(context.subscribers, context.erasureKey, email);
  return erasure ? { kind: 'erased', erasure } : { kind: 'signed-up', outcome: await requestSubscription(context, email, options) };
};

export type AddConfirmedOutcome =
  | { readonly kind: 'added' }
  | { readonly kind: 'activated' }
  | { readonly kind: 'already-active' }
  /** Unsubscribed or suppressed: nothing changed. */
  | { readonly kind: 'refused'; readonly subscriber: Subscriber }
  /** Its reader erased it: nothing changed. */
  | { readonly kind: 'erased'; readonly erasure: Erasure };

/**
 * `subscribers add --confirmed`: a new or pending address becomes active (with `topics`, when given); an
 * active one stays as it is; one that left, or that its reader erased, is refused.
 */
export const addConfirmed = async (
  subscribers: SubscriberStore,
  email: string,
  options: { readonly reason: string; readonly name?: string; readonly topics?: readonly string[]; readonly erasureKey: ErasureKeys; readonly now?: Date },
): Promise<AddConfirmedOutcome> => {
  const erasure = await erasureOf(subscribers, options.erasureKey, email);
  if (erasure) return { kind: 'erased', erasure };
  const at = options.now ?? new Date();
  const topics = options.topics && options.topics.length > 0 ? { topics: options.topics } : {};
  if (await subscribers.add(email, { status: 'active', reason: options.reason, name: options.name, at, set: topics })) return { kind: 'added' };
  const activated = await subscribers.changeStatus(email, 'active', { from: ['pending'], reason: options.reason, at, set: { expiresAt: null, confirmationSentAt: null, ...topics } });
  if (activated) return { kind: 'activated' };
  const existing = await subscribers.get(email);
  // Removed between the calls: adding it now is what the operator asked for.
  if (!existing) return addConfirmed(subscribers, email, options);
  return existing.status === 'active' ? { kind: 'already-active' } : { kind: 'refused', subscriber: existing };
};

export interface ImportOptions {
  /** Import as pending and send each a confirmation email, instead of vouching for their consent. */
  readonly pending: boolean;
  /** Where the rows came from, for the history ("imported from readers.csv"). */
  readonly source: string;
  /** Told the number of rows handled so far, after each round. */
  readonly onProgress?: (done: number) => void;
}

export interface ImportSummary {
  /** New addresses by the status they were stored with. */
  readonly added: Readonly<Record<SubscriberStatus, number>>;
  /** New addresses that were sent a confirmation email (with `pending`). */
  readonly confirmationsSent: number;
  /** Addresses already on the list: left exactly as they were. */
  readonly present: number;
  /** Rows the store could not write, and new pending addresses whose confirmation email failed (stored, not mailed). */
  readonly unsent: readonly RowProblem[];
  /** Rows whose address its reader erased: left out, since only the reader can sign it up again. */
  readonly erased: readonly RowProblem[];
}

/** Rows handled per round: one batch read of who is there, one batched write of who is new. */
const chunkSize = 1000;

/**
 * Rounds in flight at once: the next round's reads go out while the previous one's writes are still
 * being stored, so neither this process nor the table waits on the other (and a round's objects die
 * young instead of piling up between rounds).
 */
const roundsInFlight = 2;

/**
 * Stores an import file's rows. An address already on the list keeps everything it has (status,
 * name, history); a new one gets the row's status, or `active` (`pending` with `options.pending`) when
 * the file has no status. With `pending`, rows that would be active or pending go through the same
 * sign-up as the web form (a confirmation email each, one at a time); unsubscribed and suppressed rows
 * stay so and are never mailed. A row stored as pending expires, as an unconfirmed sign-up does. A new
 * address gets the row's topics. An address its reader erased is left out, whatever the row says. A row
 * whose address an earlier row already brought is `present`, as it would be in a later import.
 */
export const importSubscribers = async (rows: AsyncIterable<ImportRow>, context: SubscriptionContext, options: ImportOptions): Promise<ImportSummary> => {
  const added: Record<SubscriberStatus, number> = { pending: 0, active: 0, unsubscribed: 0, suppressed: 0 };
  let confirmationsSent = 0;
  let present = 0;
  let done = 0;
  const unsent: RowProblem[] = [];
  const erased: RowProblem[] = [];
  const at = context.now();
  const expiresAt = Math.floor(at.getTime() / 1000) + pendingLifetimeSeconds;
  const reasonFor = (status: SubscriberStatus) =>
    `imported from ${options.source}${options.pending ? ' (pending)' : ''}${status === 'unsubscribed' || status === 'suppressed' ? ` (${status} in the file)` : ''}`;

  // With `pending`, the rows that would be mailable sign up like a reader would; the others are stored as they are.
  const signsUp = (row: ImportRow) => options.pending && (row.status === undefined || row.status === 'active' || row.status === 'pending');

  const signUp = async (rows: readonly ImportRow[]) => {
    for (const row of rows) {
      // Only new addresses: an existing one is never re-mailed or re-subscribed by an import.
      const sentAt = at.toISOString();
      const signup = { confirmationSentAt: sentAt, expiresAt, signupNonce: newSignupNonce(), ...(row.topics ? { topics: row.topics } : {}) };
      const subscriber = await context.subscribers.add(row.email, { status: 'pending', reason: reasonFor('pending'), name: row.name, at, set: signup });
      if (!subscriber) {
        present += 1;
        continue;
      }
      added.pending += 1;
      try {
        await context.sendConfirmation(subscriber, at);
        confirmationsSent += 1;
      } catch (error) {
        // Stored but not mailed: the next sign-up of the address sends the email instead of waiting for this one.
        await context.subscribers.clearConfirmationSent(row.email, sentAt);
        unsent.push({ line: row.line, message: `${row.email}: stored as pending, but the confirmation email could not be sent: ${(error as Error).message}` });
      }
    }
  };
  // Confirmation emails go out one at a time, round after round, as they did before rounds overlapped.
  let signups: Promise<void> = Promise.resolve();

  const importChunk = async (batch: readonly ImportRow[]) => {
    const keys = new Map(batch.map((row) => [row, context.erasureKey(row.email)]));
    const erasures = await context.subscribers.erasures([...keys.values()]);
    const rows: ImportRow[] = [];
    for (const row of batch) {
      const erasure = erasures.get(keys.get(row)!);
      if (erasure) erased.push({ line: row.line, message: `${row.email}: its reader deleted their data on ${erasure.erasedAt.slice(0, 10)}; only they can sign up again` });
      else rows.push(row);
    }
    const direct = rows.filter((row) => !signsUp(row));
    const result = await context.subscribers.addMany(
      direct.map((row) => {
        const status = row.status ?? 'active';
        const set = { ...(status === 'pending' ? { expiresAt } : {}), ...(row.topics ? { topics: row.topics } : {}) };
        return { email: row.email, status, reason: reasonFor(status), name: row.name, at, set };
      }),
    );
    for (const addition of result.added) added[addition.status] += 1;
    present += result.present.length;
    const lineOf = new Map(direct.map((row) => [row.email, row.line]));
    for (const { email, reason } of result.failed) unsent.push({ line: lineOf.get(email)!, message: `${email}: not stored: ${reason}` });

    const signingUp = rows.filter(signsUp);
    if (signingUp.length > 0) await (signups = signups.then(() => signUp(signingUp)));
    done += batch.length;
    options.onProgress?.(done);
  };

  // Read, checked and stored a round at a time, `roundsInFlight` rounds at once: a list of any length never sits in memory whole.
  const running = new Map<Promise<void>, ReadonlySet<string>>();
  let failure: { readonly error: unknown } | undefined;
  const start = async (batch: readonly ImportRow[]) => {
    // A row whose address is in a round still being stored must see that round's write (and be `present`): wait for it.
    if (batch.some((row) => [...running.values()].some((emails) => emails.has(row.email)))) await Promise.all(running.keys());
    while (running.size >= roundsInFlight) await Promise.race(running.keys());
    if (failure) throw failure.error;
    const round: Promise<void> = importChunk(batch)
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => running.delete(round));
    running.set(round, new Set(batch.map((row) => row.email)));
  };

  try {
    let chunk: ImportRow[] = [];
    for await (const row of rows) {
      chunk.push(row);
      if (chunk.length === chunkSize) {
        await start(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await start(chunk);
  } finally {
    // Whatever ends the import (its end, a file that stops parsing, a failed round), nothing is still writing when it returns.
    await Promise.all(running.keys());
  }
  if (failure) throw failure.error;
  return { added, confirmationsSent, present, unsent, erased };
};
