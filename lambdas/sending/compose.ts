import type { BriefingConfig } from '../config/config.ts';
import { unknownTopicIds } from '../config/topics.ts';
import type { EditionEnding } from '../edition/ending.ts';
import { dateInZone } from '../edition/model.ts';
import type { EditionRecord, EditionStatus, RecipientOutcomes } from '../edition/store.ts';
import type { StoredVariant } from '../edition/variant-store.ts';
import { briefingEnvelope } from '../mail/briefing-mime.ts';
import type { Mailer } from '../mail/mailer.ts';
import { buildMime, compileSkeleton } from '../mail/mime.ts';
import { personalise } from '../render/personalise.ts';
import type { TemplateEngine } from '../render/engine.ts';
import { previewRecipient } from '../render/preview-recipient.ts';
import type { Stores } from '../stores.ts';
import type { Subscriber } from '../subscription/store.ts';
import { forEachActivePage, type Route, takeCensus, type TopicCensus, variantRoutes } from './audience.ts';
import { ComposeError, type ComposeRequest } from './compose-request.ts';
import { type DeliveryJob, type DeliveryQueue, variantBatches } from './queue.ts';
import { checkSendQuota, type SendQuota } from './quota.ts';
import { forEachRecipientPage, type EditionRecipient } from './edition-recipients.ts';
import { forEachDeliveryPage, outcomeOf, recountIfShort } from './recount.ts';
import { noNewsReason, problemLines, renderForTopicSets, selectArticles, type Selection, type TopicBriefings } from './selection.ts';

export interface ComposeDeps {
  readonly stores: Pick<Stores, 'articles' | 'subscribers' | 'editions' | 'deliveries' | 'variants'>;
  readonly queue: DeliveryQueue;
  readonly config: BriefingConfig;
  /** Sends the test copy (`to`). */
  readonly mailer: Mailer;
  /** The SES configuration set, named in the headers of the test copy and of the MIME compiled for deliver. */
  readonly configurationSet?: string;
  /** Who holds the lock (a Lambda request id, `cli:<host>:<pid>`). */
  readonly owner: string;
  /**
   * The account's SES sending quota (`GetSendQuota`): an edition, or a resume, larger than what is left of the
   * 24-hour quota stops before anybody is queued. @default no check (aws-ses-v2-local does not answer GetSendQuota)
   */
  readonly sendQuota?: () => Promise<SendQuota>;
  /** The send rate deliver works to, recorded on the edition for its report. */
  readonly sendRateBudget?: number;
  /** Told the record after each write that may end the edition (no recipients, a stop): publishes, logs and reports the end once. */
  readonly ending?: EditionEnding;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
  /** The templates to render with. @default the templates the function carries (`defaultEngine`) */
  readonly engine?: TemplateEngine;
  /** Told what went wrong without stopping the send (the variants rendered each from scratch). @default `log` */
  readonly warn?: (message: string, details?: Record<string, unknown>) => void;
}

/** What compose rendered for the active readers' topics. */
export interface VariantFigures {
  /** Distinct briefings rendered: one per selection of stories, the full edition (the archive's) included. */
  readonly variants: number;
  /** Distinct topic sets among the active readers ("everything" is one). */
  readonly topicSets: number;
  /** Variants put together from compiled pieces rather than rendered whole. */
  readonly assembled: number;
}

export type ComposeResult =
  | {
      readonly kind: 'test';
      readonly editionId: string;
      readonly to: string;
      readonly subject: string;
      readonly messageId: string;
      /** The copy's stories, lead first: the variant of `topics`, or the full edition. */
      readonly articleIds: string[];
      readonly topics?: string[];
      readonly problems: string[];
    }
  | {
      readonly kind: 'dry-run';
      readonly editionId: string;
      readonly subject: string;
      readonly articleIds: string[];
      /** Active readers who would get it. */
      readonly recipients: number;
      /** Active readers with no story in their topics, who would get nothing. */
      readonly noNews: number;
      readonly figures: VariantFigures;
      readonly problems: string[];
    }
  | { readonly kind: 'already'; readonly editionId: string; readonly status: EditionStatus }
  | { readonly kind: 'skipped'; readonly editionId: string; readonly reason: string; readonly problems: string[] }
  | {
      readonly kind: 'sending';
      readonly editionId: string;
      readonly subject: string;
      readonly articleIds: string[];
      /** Recipients queued by this call. */
      readonly recipients: number;
      /** Active readers not queued for having no story in their topics (on a resume: of those without an outcome). */
      readonly noNews: number;
      /** Absent on a resume, which renders nothing. */
      readonly figures?: VariantFigures;
      readonly resumed: boolean;
      readonly problems: string[];
    };

/** One compose call: the edition it is about, what it may use, and where it logs. */
interface Run {
  readonly editionId: string;
  readonly articleIds?: readonly string[];
  /** With a resume: send the uncertain deliveries again. */
  readonly retryUncertain?: boolean;
  readonly deps: ComposeDeps;
  readonly log: NonNullable<ComposeDeps['log']>;
  readonly warn: NonNullable<ComposeDeps['warn']>;
  /** Hands the record a write returned to the ending (a function, so that the write happens with no ending too). */
  readonly settle: (edition: EditionRecord | undefined) => Promise<void>;
}

const select = (run: Run) => selectArticles(run.editionId, run.articleIds, run.deps);

/** The left-out records, logged and returned for the caller to show. */
const problemsOf = (run: Run, selection: Selection): string[] => {
  const lines = problemLines(selection);
  for (const problem of lines) run.log('article left out', { editionId: run.editionId, problem });
  return lines;
};

const refuseEmpty = (selection: Selection): void => {
  if (selection.articles.length === 0) throw new ComposeError(`nothing to send: ${noNewsReason(selection)}`);
};

/** The job that sends `email` what `route` says (a job without a variant sends the full edition). */
const jobFor = (editionId: string, email: string, route: Exclude<Route, { kind: 'no-news' }>): DeliveryJob =>
  route.kind === 'variant' ? { editionId, email, variantKey: route.variantKey } : { editionId, email };

/**
 * The edition's briefings for the readers counted in `census`: every distinct selection of stories once. Readers of
 * sets with no story in their topics are counted apart (`noNews`) and get nothing.
 */
const renderForReaders = async (run: Run, selection: Selection, census: TopicCensus) => {
  const rendered = await renderForTopicSets(run.editionId, selection.articles, [...census.sets.values()].map((set) => set.ids), run.deps.config, run.deps.engine);
  if (rendered.fallback) run.warn('topic variants rendered each from scratch (slower, the same mail): a template breaks a rule renderVariants relies on', { editionId: run.editionId, fallback: rendered.fallback });
  const noNews = rendered.noNewsSets.reduce((sum, set) => sum + (census.sets.get(set)?.readers ?? 0), 0);
  const figures: VariantFigures = { variants: rendered.variants.length + 1, topicSets: census.sets.size, assembled: rendered.assembled };
  return { rendered, noNews, mailed: census.readers - noNews, figures };
};

/**
 * The MIME skeleton of one of the edition's briefings (`compileSkeleton`), compiled here, where the MIME builder is
 * bundled anyway, and stored with the briefing: deliver fills it in per recipient without one.
 */
const skeletonOf = (run: Run, subject: string) =>
  compileSkeleton(briefingEnvelope(run.deps.config, { configurationSet: run.deps.configurationSet, editionId: run.editionId }), subject);

const storedVariants = (run: Run, rendered: TopicBriefings): Promise<StoredVariant[]> =>
  Promise.all(
    rendered.variants.map(async ({ briefing, articleIds, variantKey, topicSets }) => ({
      editionId: run.editionId,
      variantKey,
      subject: briefing.subject,
      preheader: briefing.preheader,
      html: briefing.html,
      text: briefing.text,
      marker: briefing.marker,
      mime: await skeletonOf(run, briefing.subject),
      articleIds,
      topicSets,
    })),
  );

/**
 * An edition composed before compose compiled MIME for deliver: its variants' skeletons and its own, compiled from
 * the stored briefings (nothing is rendered again) — the variants first, so that the edition's marks the work done.
 */
const compileStoredMime = async (run: Run, subject: string): Promise<void> => {
  const { editions, variants } = run.deps.stores;
  const compiled: StoredVariant[] = [];
  for (const { variantKey } of await variants.list(run.editionId)) {
    const variant = await variants.get(run.editionId, variantKey);
    if (variant && variant.mime === undefined) compiled.push({ ...variant, mime: await skeletonOf(run, variant.subject) });
  }
  await variants.putMany(compiled);
  await editions.saveMime(run.editionId, await skeletonOf(run, subject));
  run.log('MIME compiled for an edition stored without it', { editionId: run.editionId, variants: compiled.length });
};

/**
 * Compose's second pass: one job per active subscriber, with the variant `route` gives them, each variant's jobs
 * queued together; readers with no story in their topics are counted, not queued. Counted on the edition page by
 * page (with nobody queued, the edition is sent at once).
 */
const enqueueActive = async (run: Run, route: (subscriber: Subscriber) => Route) => {
  const batches = variantBatches(run.deps.queue);
  let recipients = 0;
  let noNews = 0;
  await forEachActivePage(run.deps.stores.subscribers, async (page, last) => {
    const jobs: DeliveryJob[] = [];
    let left = 0;
    for (const subscriber of page) {
      const to = route(subscriber);
      if (to.kind === 'no-news') left += 1;
      else jobs.push(jobFor(run.editionId, subscriber.email, to));
    }
    const queued = await batches.add(jobs, last);
    recipients += queued;
    noNews += left;
    await run.settle(await recountIfShort(run.deps.stores, await run.deps.stores.editions.addEnqueued(run.editionId, queued, last, left)));
  });
  return { recipients, noNews };
};

/** The edition cannot go out now: an end of its own, reported like any other. */
const stop = async (run: Run, from: readonly EditionStatus[], reason: string): Promise<void> => {
  await run.settle(await run.deps.stores.editions.setStatus(run.editionId, 'stopped', { from, reason }));
};

/**
 * The quota pre-check: an edition that does not fit in what is left of the account's 24-hour SES quota stops before
 * anybody is queued, rather than half way through with "Daily message quota exceeded". `count` is what is about to
 * be queued: readers who will get mail (not those with no story in their topics). Without an answer from SES the send goes ahead: deliver stops it if SES refuses.
 */
const checkQuota = async (run: Run, count: number, from: readonly EditionStatus[]): Promise<void> => {
  if (!run.deps.sendQuota) return;
  let quota: SendQuota;
  try {
    quota = await run.deps.sendQuota();
  } catch (error) {
    run.log('send quota not checked: SES did not answer GetSendQuota; sending anyway', { editionId: run.editionId, error: (error as Error).message });
    return;
  }
  const decision = checkSendQuota(quota, count);
  if (decision.ok) {
    run.log('send quota checked', { editionId: run.editionId, recipients: count, remainingAfter: decision.remainingAfter, secondsAtMaxRate: decision.secondsAtMaxRate });
    return;
  }
  await stop(run, from, `InsufficientSendQuota: ${decision.reason}`);
  throw new ComposeError(`edition ${run.editionId} stopped before sending anybody: ${decision.reason}. Once there is room: briefing send --date ${run.editionId} --resume`);
};

/**
 * `to`: one copy, marked as a test, to any address — with `topics`, the one a reader of those topics gets, rendered
 * as compose renders it; the edition and its deliveries are not touched.
 */
const sendTestCopy = async (run: Run, to: string, topics: readonly string[] = []): Promise<ComposeResult> => {
  const { config, configurationSet, mailer } = run.deps;
  const unknown = unknownTopicIds(config.topics, topics);
  if (unknown.length > 0) throw new ComposeError(`--topics: no topic ${unknown.join(', ')} in the config (its topics: ${config.topics.map((topic) => topic.id).join(', ')})`);
  const selection = await select(run);
  refuseEmpty(selection);
  const copy = (await renderForTopicSets(run.editionId, selection.articles, [topics], config, run.deps.engine)).forTopics(topics);
  if (!copy) throw new ComposeError(`no story of edition ${run.editionId} is in the topics ${topics.join(', ')}: a reader of those topics gets no email today (noTopicNews is "skip")`);
  const personal = personalise(copy.briefing, { ...previewRecipient(config, run.editionId), email: to });
  const subject = `[Test] ${copy.briefing.subject}`;
  const raw = await buildMime({
    ...briefingEnvelope(config, { configurationSet, editionId: run.editionId }),
    subject,
    html: personal.html,
    text: personal.text,
    to,
    unsubscribeUrl: `${config.siteUrl}/unsubscribe`,
  });
  const messageId = await mailer.send(raw, { destinations: [to] });
  return { kind: 'test', editionId: run.editionId, to, subject, messageId, articleIds: copy.articleIds, ...(topics.length > 0 ? { topics: [...topics] } : {}), problems: problemsOf(run, selection) };
};

/** `dryRun`: counts the readers by topic set and renders what they would get; sends and writes nothing. */
const dryRun = async (run: Run): Promise<ComposeResult> => {
  const selection = await select(run);
  refuseEmpty(selection);
  const census = await takeCensus(run.deps.stores.subscribers, run.deps.config.topics);
  const { rendered, mailed, noNews, figures } = await renderForReaders(run, selection, census);
  return {
    kind: 'dry-run',
    editionId: run.editionId,
    subject: rendered.full.briefing.subject,
    articleIds: rendered.full.articleIds,
    recipients: mailed,
    noNews,
    figures,
    problems: problemsOf(run, selection),
  };
};

/**
 * Renders, stores and queues an edition whose lock this run holds; a failure leaves it stopped (still locked), to be
 * resumed. Two passes over the active subscribers, so that no more than a page of them is held at once: the first
 * counts their topic sets (a few thousand at most), which decides the variants to render; the second queues each
 * reader with theirs.
 */
const composeLocked = async (run: Run, selection: Selection, resumed: boolean): Promise<ComposeResult> => {
  const { editions, subscribers, variants } = run.deps.stores;
  const { config } = run.deps;
  try {
    const problems = problemsOf(run, selection);
    if (selection.articles.length === 0) {
      const reason = noNewsReason(selection);
      await editions.setStatus(run.editionId, 'skipped', { from: ['composing'], reason });
      run.log('edition skipped', { editionId: run.editionId, reason });
      return { kind: 'skipped', editionId: run.editionId, reason, problems };
    }
    const census = await takeCensus(subscribers, config.topics);
    const { rendered, mailed, figures } = await renderForReaders(run, selection, census);
    const stored = await storedVariants(run, rendered);
    // Before the edition opens for sending: deliver finds every variant a job names.
    await variants.putMany(stored);
    const { full } = rendered;
    await editions.saveRendered(run.editionId, full.briefing, {
      articleIds: full.articleIds,
      mime: await skeletonOf(run, full.briefing.subject),
      windowFrom: selection.window?.from.toISOString(),
      windowTo: selection.window?.to.toISOString(),
      noNewsSets: rendered.noNewsSets,
      rateBudget: run.deps.sendRateBudget,
    });
    await checkQuota(run, mailed, ['sending']);
    const { recipients, noNews } = await enqueueActive(run, variantRoutes(config.topics, stored, rendered.noNewsSets));
    run.log('edition queued', { editionId: run.editionId, recipients, noNews, articles: full.articleIds.length, ...figures });
    return { kind: 'sending', editionId: run.editionId, subject: full.briefing.subject, articleIds: full.articleIds, recipients, noNews, figures, resumed, problems };
  } catch (error) {
    // The lock stays taken, so a retry cannot compose the edition a second time; stopped, it can be resumed once the cause is fixed.
    // (An edition the quota check stopped is no longer composing or sending: this changes nothing.)
    await stop(run, ['composing', 'sending'], `ComposeFailed: ${(error as Error).message}`);
    throw error;
  }
};

/** What a resume does with one address (see `forEachRecipientPage`), or undefined: nothing, it is not a recipient. */
type ResumeStep = { readonly kind: 'settled'; readonly outcome: keyof RecipientOutcomes } | { readonly kind: 'no-news' } | { readonly kind: 'open'; readonly job: DeliveryJob };

/**
 * Who a resume is about: the recipients with an outcome in the deliveries table, counted, and those still to be
 * sent to — active subscribers with no delivery yet, deliveries left claimed (deliver settles those), and uncertain
 * ones whose retry was asked for — each with their variant as `route` gives it now; readers with no story in their
 * topics are counted again, not queued.
 */
const resumeStep = (run: Run, route: (subscriber: Subscriber) => Route, { email, delivery, subscriber }: EditionRecipient): ResumeStep | undefined => {
  if (delivery) {
    const outcome = outcomeOf(delivery);
    if (outcome) return { kind: 'settled', outcome };
    // Queued before, so it goes again whatever their topics are now: a retry asked for, or a claim to settle. No
    // longer active: deliver settles their claim or records them skipped, without sending.
    const to = subscriber ? route(subscriber) : undefined;
    return { kind: 'open', job: jobFor(run.editionId, email, to && to.kind !== 'no-news' ? to : { kind: 'full' }) };
  }
  if (!subscriber) return undefined;
  const to = route(subscriber);
  return to.kind === 'no-news' ? { kind: 'no-news' } : { kind: 'open', job: jobFor(run.editionId, email, to) };
};

/**
 * Walks the edition's recipients page by page (`forEachRecipientPage`), handing each page's open ones to `queue`, if
 * given, and keeping counts only: the outcomes, the recipients (`enqueued`: outcomes and open ones), the readers with
 * no news, and the open ones.
 */
const walkRecipients = async (run: Run, route: (subscriber: Subscriber) => Route, queue?: (jobs: DeliveryJob[]) => Promise<unknown>) => {
  const stock = { sent: 0, skipped: 0, failed: 0, uncertain: 0, enqueued: 0, noNews: 0 };
  let open = 0;
  await forEachRecipientPage(run.deps.stores, run.editionId, async (page) => {
    const jobs: DeliveryJob[] = [];
    for (const recipient of page) {
      const step = resumeStep(run, route, recipient);
      if (step?.kind === 'settled') stock[step.outcome] += 1;
      else if (step?.kind === 'no-news') stock.noNews += 1;
      else if (step?.kind === 'open') jobs.push(step.job);
    }
    open += jobs.length;
    if (queue && jobs.length > 0) await queue(jobs);
  });
  stock.enqueued = stock.sent + stock.skipped + stock.failed + stock.uncertain + open;
  return { stock, open };
};

/** `retryUncertain`: each uncertain delivery is opened to one more send (deliver may then mail a second copy). */
const openUncertain = async (run: Run) => {
  let count = 0;
  await forEachDeliveryPage(run.deps.stores.deliveries, run.editionId, async (page) => {
    for (const delivery of page) {
      if (delivery.status !== 'uncertain' || delivery.retryRequested) continue;
      await run.deps.stores.deliveries.requestRetry(run.editionId, delivery.email);
      count += 1;
    }
  });
  if (count > 0) run.log('uncertain deliveries to be sent again', { editionId: run.editionId, count });
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
  // Composed before deliver stopped carrying a MIME builder, and stopped by deliver for it: compiled now.
  if (edition.mime === undefined) await compileStoredMime(run, edition.subject ?? '');
  // Each reader's variant as it stands now: a reader whose topics changed since gets their new set's variant if the
  // edition has one, else the full edition (see variantRoutes); the sets that had no story stay without mail.
  const route = variantRoutes(run.deps.config.topics, await run.deps.stores.variants.list(run.editionId), edition.noNewsSets ?? []);
  // Counted first, for the quota check and the reopen, which needs every count before anybody is queued (a job that
  // came while the edition is stopped would be dropped); walked again after it to queue, page by page.
  let counted = await walkRecipients(run, route);
  // A sent edition reopened for its uncertain deliveries is not stopped by a refusal: it stays sent, with an error.
  await checkQuota(run, counted.open, ['paused', 'stopped', 'sending']);
  for (let attempt = 1; !(await editions.reopen(run.editionId, counted.stock, edition)); attempt += 1) {
    edition = await editions.get(run.editionId);
    if (edition?.status === 'skipped' || (edition?.status === 'sent' && !run.retryUncertain)) return { kind: 'already', editionId: run.editionId, status: edition.status };
    if (!edition || edition.status === 'composing' || attempt === recountAttempts) {
      throw new ComposeError(`edition ${run.editionId} kept changing while it was being resumed (${edition?.status ?? 'gone'}): is another send still running? Try again when it has finished or stopped`);
    }
    counted = await walkRecipients(run, route);
  }
  run.log('edition resumed', { editionId: run.editionId, previousStatus: edition.status, ...counted.stock, queued: counted.open });
  const batches = variantBatches(run.deps.queue);
  const queued = await walkRecipients(run, route, (jobs) => batches.add(jobs));
  await batches.add([], true);
  // The edition ends up with the figures of the walk that queued, which the count may miss by a reader who joined or
  // left meanwhile, or a delivery settled meanwhile (its worker counts its outcome after the reopen, as this walk does).
  // Until this last write the edition is not complete, so it cannot be sent on the count's figures.
  const { enqueued, noNews } = queued.stock;
  await run.settle(await recountIfShort(run.deps.stores, await editions.addEnqueued(run.editionId, enqueued - counted.stock.enqueued, true, noNews - counted.stock.noNews)));
  return {
    kind: 'sending',
    editionId: run.editionId,
    subject: edition.subject ?? '',
    articleIds: [...(edition.articleIds ?? [])],
    recipients: queued.open,
    noNews,
    resumed: true,
    problems: [],
  };
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
    warn: deps.warn ?? deps.log ?? (() => undefined),
    settle: async (edition) => deps.ending?.settle(edition),
  };
  if (request.to !== undefined) return sendTestCopy(run, request.to, request.topics);
  if (request.dryRun) return dryRun(run);
  if (request.resume) return resume(run);
  return sendEdition(run);
};
