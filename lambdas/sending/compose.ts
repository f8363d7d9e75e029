import type { BriefingConfig } from '../config/config.ts';
import type { EditionEnding } from '../edition/ending.ts';
import { dateInZone } from '../edition/model.ts';
import type { EditionRecord, EditionStatus } from '../edition/store.ts';
import { briefingEnvelope } from '../mail/briefing-mime.ts';
import type { Mailer } from '../mail/mailer.ts';
import { buildMime } from '../mail/mime.ts';
import { personalise } from '../render/personalise.ts';
import { previewRecipient } from '../render/preview-recipient.ts';
import type { Stores } from '../stores.ts';
import { ComposeError, type ComposeRequest } from './compose-request.ts';
import type { DeliveryQueue } from './queue.ts';
import { checkSendQuota, type SendQuota } from './quota.ts';
import { countDeliveries, recountIfShort } from './recount.ts';
import { noNewsReason, problemLines, renderSelection, selectArticles, type Selection } from './selection.ts';

export interface ComposeDeps {
  readonly stores: Pick<Stores, 'articles' | 'subscribers' | 'editions' | 'deliveries'>;
  readonly queue: DeliveryQueue;
  readonly config: BriefingConfig;
  /** Sends the test copy (`to`). */
  readonly mailer: Mailer;
  /** The SES configuration set, named in the test copy's headers. */
  readonly configurationSet?: string;
  /** Who holds the lock (a Lambda request id, `cli:<host>:<pid>`). */
  readonly owner: string;
  /**
   * The account's SES sending quota (`GetSendQuota`): an edition, or a resume, larger than what is left of the
   * 24-hour quota stops before anybody is queued. @default no check (aws-ses-v2-local does not answer GetSendQuota)
   */
  readonly sendQuota?: () => Promise<SendQuota>;
  /** Told the record after each write that may end the edition (no recipients, a stop): publishes, logs and reports the end once. */
  readonly ending?: EditionEnding;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
}

export type ComposeResult =
  | { readonly kind: 'test'; readonly editionId: string; readonly to: string; readonly subject: string; readonly messageId: string; readonly problems: string[] }
  | { readonly kind: 'dry-run'; readonly editionId: string; readonly subject: string; readonly articleIds: string[]; readonly recipients: number; readonly problems: string[] }
  | { readonly kind: 'already'; readonly editionId: string; readonly status: EditionStatus }
  | { readonly kind: 'skipped'; readonly editionId: string; readonly reason: string; readonly problems: string[] }
  | { readonly kind: 'sending'; readonly editionId: string; readonly subject: string; readonly articleIds: string[]; readonly recipients: number; readonly resumed: boolean; readonly problems: string[] };

/** One compose call: the edition it is about, what it may use, and where it logs. */
interface Run {
  readonly editionId: string;
  readonly articleIds?: readonly string[];
  /** With a resume: send the uncertain deliveries again. */
  readonly retryUncertain?: boolean;
  readonly deps: ComposeDeps;
  readonly log: NonNullable<ComposeDeps['log']>;
  /** Hands the record a write returned to the ending (a function, so that the write happens with no ending too). */
  readonly settle: (edition: EditionRecord | undefined) => Promise<void>;
}

/** Subscribers read and queued per page. */
const pageSize = 500;

const select = (run: Run) => selectArticles(run.editionId, run.articleIds, run.deps);

/** The left-out records, logged and returned for the caller to show. */
const problemsOf = (run: Run, selection: Selection): string[] => {
  const lines = problemLines(selection);
  for (const problem of lines) run.log('article left out', { editionId: run.editionId, problem });
  return lines;
};

/** For the modes that write nothing (test copy, dry run): the edition rendered, or a clear refusal when there is no news. */
const renderOrRefuse = async (run: Run) => {
  const selection = await select(run);
  if (selection.articles.length === 0) throw new ComposeError(`nothing to send: ${noNewsReason(selection)}`);
  return { selection, ...(await renderSelection(run.editionId, selection, run.deps.config)) };
};

/** Calls `each` with every page of active subscribers, telling it whether the page is the last; returns how many there were. */
const forEachActivePage = async (run: Run, each: (emails: string[], last: boolean) => Promise<void>): Promise<number> => {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await run.deps.stores.subscribers.pageByStatus('active', { limit: pageSize, cursor });
    cursor = page.cursor;
    total += page.items.length;
    await each(page.items.map((subscriber) => subscriber.email), cursor === undefined);
  } while (cursor);
  return total;
};

/** Queues one job per active subscriber, counting them on the edition as it goes (with none, the edition is sent at once). */
const enqueueActive = (run: Run) =>
  forEachActivePage(run, async (emails, last) => {
    await run.deps.queue.enqueue(emails.map((email) => ({ editionId: run.editionId, email })));
    await run.settle(await recountIfShort(run.deps.stores, await run.deps.stores.editions.addEnqueued(run.editionId, emails.length, last)));
  });

/** The edition cannot go out now: an end of its own, reported like any other. */
const stop = async (run: Run, from: readonly EditionStatus[], reason: string): Promise<void> => {
  await run.settle(await run.deps.stores.editions.setStatus(run.editionId, 'stopped', { from, reason }));
};

/**
 * The quota pre-check: an edition that does not fit in what is left of the account's 24-hour SES quota stops before
 * anybody is queued, rather than half way through with "Daily message quota exceeded". `recipients` is what is
 * about to be queued. Without an answer from SES the send goes ahead: deliver stops it if SES refuses.
 */
const checkQuota = async (run: Run, recipients: () => Promise<number>, from: readonly EditionStatus[]): Promise<void> => {
  if (!run.deps.sendQuota) return;
  let quota: SendQuota;
  try {
    quota = await run.deps.sendQuota();
  } catch (error) {
    run.log('send quota not checked: SES did not answer GetSendQuota; sending anyway', { editionId: run.editionId, error: (error as Error).message });
    return;
  }
  const count = await recipients();
  const decision = checkSendQuota(quota, count);
  if (decision.ok) {
    run.log('send quota checked', { editionId: run.editionId, recipients: count, remainingAfter: decision.remainingAfter, secondsAtMaxRate: decision.secondsAtMaxRate });
    return;
  }
  await stop(run, from, `InsufficientSendQuota: ${decision.reason}`);
  throw new ComposeError(`edition ${run.editionId} stopped before sending anybody: ${decision.reason}. Once there is room: briefing send --date ${run.editionId} --resume`);
};

/** `to`: one copy, marked as a test, to any address; the edition and its deliveries are not touched. */
const sendTestCopy = async (run: Run, to: string): Promise<ComposeResult> => {
  const { config, configurationSet, mailer } = run.deps;
  const { selection, rendered } = await renderOrRefuse(run);
  const copy = personalise(rendered, { ...previewRecipient(config, run.editionId), email: to });
  const subject = `[Test] ${rendered.subject}`;
  const raw = await buildMime({
    ...briefingEnvelope(config, { configurationSet, editionId: run.editionId }),
    subject,
    html: copy.html,
    text: copy.text,
    to,
    unsubscribeUrl: `${config.siteUrl}/unsubscribe`,
  });
  const messageId = await mailer.send(raw, { destinations: [to] });
  return { kind: 'test', editionId: run.editionId, to, subject, messageId, problems: problemsOf(run, selection) };
};

/** `dryRun`: renders and counts the recipients; sends and writes nothing. */
const dryRun = async (run: Run): Promise<ComposeResult> => {
  const { selection, rendered, articleIds } = await renderOrRefuse(run);
  const recipients = await forEachActivePage(run, async () => undefined);
  return { kind: 'dry-run', editionId: run.editionId, subject: rendered.subject, articleIds, recipients, problems: problemsOf(run, selection) };
};

/** Renders, stores and queues an edition whose lock this run holds; a failure leaves it stopped (still locked), to be resumed. */
const composeLocked = async (run: Run, selection: Selection, resumed: boolean): Promise<ComposeResult> => {
  const { editions } = run.deps.stores;
  try {
    const problems = problemsOf(run, selection);
    if (selection.articles.length === 0) {
      const reason = noNewsReason(selection);
      await editions.setStatus(run.editionId, 'skipped', { from: ['composing'], reason });
      run.log('edition skipped', { editionId: run.editionId, reason });
      return { kind: 'skipped', editionId: run.editionId, reason, problems };
    }
    const { rendered, articleIds } = await renderSelection(run.editionId, selection, run.deps.config);
    await editions.saveRendered(run.editionId, rendered, { articleIds, windowFrom: selection.window?.from.toISOString(), windowTo: selection.window?.to.toISOString() });
    await checkQuota(run, () => run.deps.stores.subscribers.countByStatus('active'), ['sending']);
    const recipients = await enqueueActive(run);
    run.log('edition queued', { editionId: run.editionId, recipients, articles: articleIds.length });
    return { kind: 'sending', editionId: run.editionId, subject: rendered.subject, articleIds, recipients, resumed, problems };
  } catch (error) {
    // The lock stays taken, so a retry cannot compose the edition a second time; stopped, it can be resumed once the cause is fixed.
    // (An edition the quota check stopped is no longer composing or sending: this changes nothing.)
    await stop(run, ['composing', 'sending'], `ComposeFailed: ${(error as Error).message}`);
    throw error;
  }
};

/**
 * Who a resume is about: the recipients with an outcome in the deliveries table, counted, and those still to be
 * sent to — active subscribers with no delivery yet, deliveries left claimed (deliver settles those), and uncertain
 * ones whose retry was asked for.
 */
const takeStock = async (run: Run) => {
  const { outcomes, unsettled, recorded } = await countDeliveries(run.deps.stores, run.editionId);
  const open = [...unsettled];
  await forEachActivePage(run, async (emails) => void open.push(...emails.filter((email) => !recorded.has(email))));
  return { recount: { ...outcomes, enqueued: outcomes.sent + outcomes.skipped + outcomes.failed + outcomes.uncertain + open.length }, open };
};

/** `retryUncertain`: each uncertain delivery is opened to one more send (deliver may then mail a second copy). */
const openUncertain = async (run: Run) => {
  const uncertain = (await run.deps.stores.deliveries.list(run.editionId)).filter((delivery) => delivery.status === 'uncertain' && !delivery.retryRequested);
  for (const delivery of uncertain) await run.deps.stores.deliveries.requestRetry(run.editionId, delivery.email);
  if (uncertain.length > 0) run.log('uncertain deliveries to be sent again', { editionId: run.editionId, count: uncertain.length });
};

/** A recount lost to a worker adding its counts meanwhile is made again, this many times in all. */
const recountAttempts = 5;

/**
 * `resume`: a paused, stopped or interrupted edition. Its counts are made again from the deliveries table (a
 * worker that died may have recorded outcomes it never counted), and only the recipients without an outcome are
 * queued, so resuming any number of times neither grows the recipient count nor queues anybody settled.
 */
const resume = async (run: Run): Promise<ComposeResult> => {
  const { editions } = run.deps.stores;
  let edition = await editions.get(run.editionId);
  if (!edition) throw new ComposeError(`there is no edition ${run.editionId} to resume`);
  // A sent edition is reopened only to send its uncertain deliveries again.
  if (edition.status === 'skipped' || (edition.status === 'sent' && !(run.retryUncertain && edition.uncertain > 0))) return { kind: 'already', editionId: run.editionId, status: edition.status };
  if (run.retryUncertain) await openUncertain(run);
  if (edition.html === undefined) {
    // It failed before it was rendered: compose it again under the same lock.
    const selection = await select(run);
    if (!(await editions.setStatus(run.editionId, 'composing', { from: ['stopped'], reason: 'resumed' }))) {
      throw new ComposeError(`edition ${run.editionId} is still being composed (${edition.lockedBy}); try again when it has stopped`);
    }
    return composeLocked(run, selection, true);
  }
  let stock = await takeStock(run);
  const toQueue = stock.open.length;
  // A sent edition reopened for its uncertain deliveries is not stopped by a refusal: it stays sent, with an error.
  await checkQuota(run, async () => toQueue, ['paused', 'stopped', 'sending']);
  for (let attempt = 1; !(await editions.reopen(run.editionId, stock.recount, edition)); attempt += 1) {
    edition = await editions.get(run.editionId);
    if (edition?.status === 'skipped' || (edition?.status === 'sent' && !run.retryUncertain)) return { kind: 'already', editionId: run.editionId, status: edition.status };
    if (!edition || edition.status === 'composing' || attempt === recountAttempts) {
      throw new ComposeError(`edition ${run.editionId} kept changing while it was being resumed (${edition?.status ?? 'gone'}): is another send still running? Try again when it has finished or stopped`);
    }
    stock = await takeStock(run);
  }
  run.log('edition resumed', { editionId: run.editionId, previousStatus: edition.status, ...stock.recount, queued: stock.open.length });
  for (let start = 0; start < stock.open.length; start += pageSize) {
    await run.deps.queue.enqueue(stock.open.slice(start, start + pageSize).map((email) => ({ editionId: run.editionId, email })));
  }
  await run.settle(await recountIfShort(run.deps.stores, await editions.addEnqueued(run.editionId, 0, true)));
  return { kind: 'sending', editionId: run.editionId, subject: edition.subject ?? '', articleIds: [...(edition.articleIds ?? [])], recipients: stock.open.length, resumed: true, problems: [] };
};

/** The scheduled or manual send: takes the edition (once, whoever asks) and composes it. */
const sendEdition = async (run: Run): Promise<ComposeResult> => {
  const { editions } = run.deps.stores;
  // Selecting first: an unknown article id is refused before the edition is taken.
  const selection = await select(run);
  if (!(await editions.lock(run.editionId, run.deps.owner))) {
    const existing = await editions.get(run.editionId);
    run.log('edition already taken', { editionId: run.editionId, status: existing?.status, lockedBy: existing?.lockedBy });
    return { kind: 'already', editionId: run.editionId, status: existing?.status ?? 'composing' };
  }
  return composeLocked(run, selection, false);
};

/**
 * Carries out one compose request (checked with `parseComposeRequest` at the edge that received it):
 * a test copy, a dry run, a resume, or the edition itself.
 */
export const compose = (request: ComposeRequest, deps: ComposeDeps): Promise<ComposeResult> => {
  const run: Run = {
    editionId: request.date ?? dateInZone(deps.config.timeZone),
    articleIds: request.articleIds,
    retryUncertain: request.retryUncertain,
    deps,
    log: deps.log ?? (() => undefined),
    settle: async (edition) => deps.ending?.settle(edition),
  };
  if (request.to !== undefined) return sendTestCopy(run, request.to);
  if (request.dryRun) return dryRun(run);
  if (request.resume) return resume(run);
  return sendEdition(run);
};
