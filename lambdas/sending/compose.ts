import { type Article, formatProblem, type RecordProblem } from '../articles/schema.ts';
import type { BriefingConfig } from '../config/config.ts';
import { buildEdition, dateInZone } from '../edition/model.ts';
import { editionSendTime } from '../edition/send-time.ts';
import { editionWindow, type EditionWindow } from '../edition/window.ts';
import { briefingEnvelope } from '../mail/briefing-mime.ts';
import { buildMime } from '../mail/mime.ts';
import type { Mailer } from '../mail/mailer.ts';
import { type RenderedBriefing, renderBriefing } from '../render/briefing.ts';
import type { TemplateEngine } from '../render/engine.ts';
import { personalise } from '../render/personalise.ts';
import { previewRecipient } from '../render/preview-recipient.ts';
import type { EditionStatus } from '../edition/store.ts';
import type { Stores } from '../stores.ts';
import type { DeliveryJob, DeliveryQueue } from './queue.ts';
import { BriefingError } from '../errors.ts';

/** What starts an edition: the schedule sends `{}`, `briefing send` its options. */
export interface ComposeRequest {
  /** The edition's date (YYYY-MM-DD in the newsletter's time zone). @default today */
  readonly date?: string;
  /** These stories instead of the ones published in the window. */
  readonly articleIds?: readonly string[];
  /** Send one test copy to this address; the edition and the deliveries are not touched. */
  readonly to?: string;
  /** Render and count recipients; send nothing, write nothing. */
  readonly dryRun?: boolean;
  /** Continue a paused or stopped edition: queue every active subscriber again (deliveries already made are skipped). */
  readonly resume?: boolean;
}

export interface ComposeDeps {
  readonly stores: Stores;
  readonly queue: DeliveryQueue;
  readonly config: BriefingConfig;
  /** Sends the test copy. */
  readonly mailer: Mailer;
  readonly configurationSet?: string;
  /** Who holds the lock (a Lambda request id, `cli:<host>:<pid>`). */
  readonly owner: string;
  readonly engine?: TemplateEngine;
  readonly now?: () => Date;
  /** Hours of news in an edition when there is no previous one to start from. @default 24 */
  readonly windowHours?: number;
  /** With no news: record a skipped edition (`skip`), or record it and fail (`error`) so that an alarm fires. @default 'skip' */
  readonly onNoNews?: 'skip' | 'error';
  /** Subscribers read and queued per page. @default 500 */
  readonly pageSize?: number;
  readonly log?: (message: string, details?: Record<string, unknown>) => void;
}

interface Selection {
  readonly articles: Article[];
  readonly problems: RecordProblem[];
  readonly window?: EditionWindow;
}

export type ComposeResult =
  | { readonly kind: 'test'; readonly editionId: string; readonly to: string; readonly subject: string; readonly messageId: string; readonly problems: string[] }
  | { readonly kind: 'dry-run'; readonly editionId: string; readonly subject: string; readonly articleIds: string[]; readonly recipients: number; readonly problems: string[] }
  | { readonly kind: 'already'; readonly editionId: string; readonly status: EditionStatus }
  | { readonly kind: 'skipped'; readonly editionId: string; readonly reason: string; readonly problems: string[] }
  | { readonly kind: 'sending'; readonly editionId: string; readonly subject: string; readonly articleIds: string[]; readonly recipients: number; readonly resumed: boolean; readonly problems: string[] };

/** A request that cannot be carried out as asked; nothing was sent or written. */
export class ComposeError extends BriefingError {
  override name = 'ComposeError';
}

const editionIdPattern = /^\d{4}-\d{2}-\d{2}$/;

export const compose = async (request: ComposeRequest, deps: ComposeDeps): Promise<ComposeResult> => {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const editionId = request.date ?? dateInZone(deps.config.timeZone, now());
  if (!editionIdPattern.test(editionId)) throw new ComposeError(`date "${editionId}" is not a calendar date (YYYY-MM-DD)`);
  if (request.to !== undefined && (request.dryRun || request.resume)) throw new ComposeError('--to sends one test copy: it cannot be combined with --dry-run or --resume');

  const select = async (): Promise<Selection> => {
    if (request.articleIds && request.articleIds.length > 0) {
      const { articles, problems, missing } = await deps.stores.articles.getMany(request.articleIds);
      if (missing.length > 0) throw new ComposeError(`no article with id ${missing.join(', ')} in the article store (briefing articles list shows what is there)`);
      return { articles, problems };
    }
    const previous = await deps.stores.editions.previousSent(editionId);
    const window = editionWindow(editionSendTime(editionId, deps.config.timeZone, now()), previous?.startedAt ? new Date(previous.startedAt) : undefined, deps.windowHours);
    return { ...(await deps.stores.articles.inWindow(window)), window };
  };

  /** Renders once; the ids are the stories that made it into the edition, lead first. */
  const render = async (selection: Selection): Promise<{ rendered: RenderedBriefing; articleIds: string[] }> => {
    const edition = buildEdition(selection.articles, { date: editionId, maxStories: deps.config.maxStories });
    return { rendered: await renderBriefing(edition, deps.config, deps.engine), articleIds: edition.stories.map((story) => story.id) };
  };

  const problemLines = (selection: Selection) => {
    for (const problem of selection.problems) log('article left out', { editionId, problem: formatProblem(problem) });
    return selection.problems.map(formatProblem);
  };

  const noNews = (selection: Selection) =>
    selection.window
      ? `no valid article published between ${selection.window.from.toISOString()} and ${selection.window.to.toISOString()}`
      : 'none of the requested articles is valid';

  /** For a test send or a dry run, which write nothing: the edition rendered, or a clear refusal when there is no news. */
  const renderUnlocked = async () => {
    const selection = await select();
    if (selection.articles.length === 0) throw new ComposeError(`nothing to send: ${noNews(selection)}`);
    return { selection, ...(await render(selection)) };
  };

  if (request.to !== undefined) {
    const { selection, rendered } = await renderUnlocked();
    const copy = personalise(rendered, { ...previewRecipient(deps.config, editionId), email: request.to });
    const subject = `[Test] ${rendered.subject}`;
    const raw = await buildMime({
      ...briefingEnvelope(deps.config, { configurationSet: deps.configurationSet, editionId }),
      subject,
      html: copy.html,
      text: copy.text,
      to: request.to,
      unsubscribeUrl: `${deps.config.siteUrl}/unsubscribe`,
    });
    const messageId = await deps.mailer.send(raw, { destinations: [request.to] });
    return { kind: 'test', editionId, to: request.to, subject, messageId, problems: problemLines(selection) };
  }

  /** Calls `each` with every page of active subscribers, telling it whether the page is the last; returns how many there were. */
  const forEachActivePage = async (each: (emails: string[], last: boolean) => Promise<void>): Promise<number> => {
    let total = 0;
    let cursor: string | undefined;
    do {
      const page = await deps.stores.subscribers.pageByStatus('active', { limit: deps.pageSize ?? 500, cursor });
      cursor = page.cursor;
      total += page.items.length;
      await each(page.items.map((subscriber) => subscriber.email), cursor === undefined);
    } while (cursor);
    return total;
  };

  /** Queues one job per active subscriber, counting them on the edition as it goes. */
  const enqueueActive = () =>
    forEachActivePage(async (emails, last) => {
      const jobs: DeliveryJob[] = emails.map((email) => ({ editionId, email }));
      await deps.queue.enqueue(jobs);
      await deps.stores.editions.addEnqueued(editionId, jobs.length, last);
    });

  if (request.dryRun) {
    const { selection, rendered, articleIds } = await renderUnlocked();
    return { kind: 'dry-run', editionId, subject: rendered.subject, articleIds, recipients: await forEachActivePage(async () => undefined), problems: problemLines(selection) };
  }

  /** Renders, stores and queues an edition this caller holds the lock of. */
  const composeLocked = async (selection: Selection, resumed: boolean): Promise<ComposeResult> => {
    try {
      const problems = problemLines(selection);
      if (selection.articles.length === 0) {
        const reason = noNews(selection);
        await deps.stores.editions.setStatus(editionId, 'skipped', { from: ['composing'], reason, at: now() });
        log('edition skipped', { editionId, reason });
        if (deps.onNoNews === 'error') throw new ComposeError(`edition ${editionId} skipped: ${reason}`);
        return { kind: 'skipped', editionId, reason, problems };
      }
      const { rendered, articleIds } = await render(selection);
      await deps.stores.editions.saveRendered(editionId, rendered, {
        articleIds,
        windowFrom: selection.window?.from.toISOString(),
        windowTo: selection.window?.to.toISOString(),
        at: now(),
      });
      const recipients = await enqueueActive();
      log('edition queued', { editionId, recipients, articles: articleIds.length });
      return { kind: 'sending', editionId, subject: rendered.subject, articleIds, recipients, resumed, problems };
    } catch (error) {
      if (error instanceof ComposeError) throw error;
      // The lock stays taken, so a retry cannot compose the edition a second time; stopped, it can be resumed once the cause is fixed.
      await deps.stores.editions.setStatus(editionId, 'stopped', { from: ['composing', 'sending'], reason: `compose failed: ${(error as Error).message}`, at: now() });
      throw error;
    }
  };

  if (request.resume) {
    const edition = await deps.stores.editions.get(editionId);
    if (!edition) throw new ComposeError(`there is no edition ${editionId} to resume`);
    if (edition.status === 'sent' || edition.status === 'skipped') return { kind: 'already', editionId, status: edition.status };
    if (edition.html === undefined) {
      // It failed before it was rendered: compose it again under the same lock.
      const selection = await select();
      if (!(await deps.stores.editions.setStatus(editionId, 'composing', { from: ['stopped'], reason: 'resumed', at: now() }))) {
        throw new ComposeError(`edition ${editionId} is still being composed (${edition.lockedBy}); try again when it has stopped`);
      }
      return composeLocked(selection, true);
    }
    await deps.stores.editions.reopen(editionId, now());
    log('edition resumed', { editionId, previousStatus: edition.status });
    const recipients = await enqueueActive();
    return { kind: 'sending', editionId, subject: edition.subject ?? '', articleIds: [...(edition.articleIds ?? [])], recipients, resumed: true, problems: [] };
  }

  // Selecting first: an unknown article id is refused before the edition is taken.
  const selection = await select();
  if (!(await deps.stores.editions.lock(editionId, deps.owner, now()))) {
    const existing = await deps.stores.editions.get(editionId);
    log('edition already taken', { editionId, status: existing?.status, lockedBy: existing?.lockedBy });
    return { kind: 'already', editionId, status: existing?.status ?? 'composing' };
  }
  return composeLocked(selection, false);
};
