import type { BriefingConfig } from '../config/config.ts';
import { normaliseTopicSet, unknownTopicIds } from '../config/topics.ts';
import type { TemplateEngine } from '../render/engine.ts';
import type { EditionStore } from '../edition/store.ts';
import type { SubscriberStore } from './store.ts';
import { normaliseAddress } from './address.ts';
import { archivePage, isEditionId } from './archive.ts';
import type { ConfirmationQueue } from './confirmations.ts';
import { erasureKeys } from './data-requests.ts';
import { type ApiRequest, firstValues, HttpError, readFieldValues, readFields } from './http.ts';
import { subscriptionLinks } from './links.ts';
import { honeypotField, type PageName, type PageViews, type TopicChoice } from './pages.ts';
import { confirmLinkState, confirmSubscription, recordSignup, subscriberById, type SubscriptionContext, unsubscribe } from './signup.ts';
import { type TokenClaims, type TokenPurpose, tokenLifetimeSeconds, verifyToken } from './tokens.ts';

/** Everything the routes use; the Lambda handler and the local server each build one. */
export interface SubscriptionDeps {
  readonly config: BriefingConfig;
  readonly subscribers: SubscriberStore;
  /** The archive reads editions; an unsubscribe is counted on the latest one that went out (its report's "unsubscribes since the send"). */
  readonly editions: Pick<EditionStore, 'get' | 'countUnsubscribe'>;
  /** The key that signs and checks the links' tokens, and keys the erased list. */
  readonly secret: string;
  /** Where each sign-up's confirmation email is queued, to go out after the answer. */
  readonly confirmations: ConfirmationQueue;
  /** @default the shared engine over the shipped templates */
  readonly engine?: TemplateEngine;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A route's answer: a page to render (and the sentence a JSON client gets instead), finished HTML, or a file to download. */
export type Reply =
  | { readonly kind: 'page'; readonly status: number; readonly page: PageName; readonly view: PageViews[PageName]; readonly message: string }
  | { readonly kind: 'html'; readonly status: number; readonly html: string; readonly cacheSeconds: number }
  | { readonly kind: 'file'; readonly status: number; readonly filename: string; readonly contentType: string; readonly body: string };

export type Route = (request: ApiRequest, deps: SubscriptionDeps) => Promise<Reply>;

export const page = <N extends PageName>(status: number, name: N, view: PageViews[N], message: string): Reply => ({ kind: 'page', status, page: name, view, message });

export const result = (heading: string, paragraphs: string[], link: PageViews['result']['link'] = null): Reply =>
  page(200, 'result', { heading, paragraphs, link }, [heading, ...paragraphs].join(' '));

export const errorReply = (status: number, heading: string, message: string): Reply => page(status, 'error', { heading, message }, message);

export const signupLink = { href: '/', label: 'Go to the sign-up page' };
const validDays = tokenLifetimeSeconds.confirm / 86_400;

export const context = (deps: SubscriptionDeps): Pick<SubscriptionContext, 'subscribers' | 'now' | 'erasureKey'> => ({
  subscribers: deps.subscribers,
  now: deps.now ?? (() => new Date()),
  erasureKey: erasureKeys(deps.secret),
});

/** Every topic the newsletter offers, ticked when `chosen` names it. */
export const topicChoices = (config: BriefingConfig, chosen: readonly string[]): TopicChoice[] =>
  config.topics.map((topic) => ({ id: topic.id, label: topic.label, checked: chosen.includes(topic.id) }));

/** The topics a form ticked, normalised; a message naming the ones the newsletter does not offer (a form not of ours). */
export const chosenTopics = (config: BriefingConfig, ids: readonly string[]): { readonly topics: string[] } | { readonly problem: string } => {
  const unknown = unknownTopicIds(config.topics, ids);
  if (unknown.length > 0) {
    return { problem: `There is no topic ${unknown.map((id) => JSON.stringify(id.slice(0, 40))).join(', ')}: choose from ${config.topics.map((topic) => topic.label).join(', ')}.` };
  }
  return { topics: normaliseTopicSet(config.topics, ids) };
};

/** The token a POST carries: its `token` field, else the one in its URL (where a one-click unsubscribe has it). */
export const postedToken = (request: ApiRequest, fields: Readonly<Record<string, string>>): string | undefined => fields.token ?? request.query.get('token') ?? undefined;

/** The token's claims, or the 400 page that says what is wrong with it. */
export const checkToken = (deps: SubscriptionDeps, token: string | undefined, purpose: TokenPurpose): TokenClaims | Reply => {
  if (!token) return errorReply(400, 'This link does not work', 'This link is incomplete: copy the whole link from the email.');
  const check = verifyToken(deps.secret, token, purpose, (deps.now ?? (() => new Date()))());
  return check.ok ? check.claims : errorReply(400, 'This link does not work', check.message);
};

export const isReply = <T extends object>(value: T | Reply): value is Reply => 'kind' in value;

export const showSignup: Route = async (_request, deps) =>
  page(200, 'signup', { email: '', error: null, topics: topicChoices(deps.config, []) }, 'Sign up with POST /subscribe, an email field and any topics.');

export const subscribe: Route = async (request, deps) => {
  const values = readFieldValues(request);
  const fields = firstValues(values);
  const submitted = fields.email ?? '';
  const ticked = values.topics ?? [];
  const refuse = (error: string) => page(400, 'signup', { email: submitted.slice(0, 254), error, topics: topicChoices(deps.config, ticked) }, error);
  const checked = normaliseAddress(submitted);
  if (!checked.ok) return refuse(checked.reason);
  const chosen = chosenTopics(deps.config, ticked);
  if ('problem' in chosen) return refuse(chosen.problem);
  // A filled-in trap field is a bot: it gets the same answer as a person and nothing is stored or sent.
  if (!fields[honeypotField]) {
    // The same store work and one queued job for every address, and no email inside the request: the
    // answer takes as long whatever the address's state, so its timing tells nobody who reads.
    const now = context(deps).now();
    const { outcome, job } = await recordSignup(context(deps), checked.email, { reason: 'signed up on the web page', topics: chosen.topics, now });
    try {
      await deps.confirmations.enqueue(job);
    } catch (error) {
      // Not queued: the next try may send at once.
      if (outcome === 'confirmation-sent') await deps.subscribers.clearConfirmationSent(checked.email, now.toISOString());
      throw new HttpError(503, 'We could not send your confirmation email', 'Please try again in a few minutes.', { headers: { 'retry-after': '120' }, cause: error });
    }
  }
  // The same answer whether the address was new, pending, active, unsubscribed or suppressed.
  return result('Check your inbox', [
    `If ${checked.email} still needs to confirm, a link to confirm your subscription to ${deps.config.newsletterName} is on its way. It works for ${validDays} days.`,
    'Nothing after a few minutes? Look in your spam folder. If you are already subscribed, nothing changes: the briefing keeps coming.',
  ]);
};

/** Confirmed: with the link to the reader's preference page, where the topics can be chosen. */
const confirmedReply = (deps: SubscriptionDeps, claims: TokenClaims) =>
  result(
    'You are subscribed',
    [`Thank you: ${deps.config.newsletterName} now comes to your inbox. Every email has a link to choose your topics and one to unsubscribe with one click.`],
    { href: subscriptionLinks(deps.config, deps.secret).preferencesUrl(claims.subscriberId, context(deps).now()), label: 'Choose your topics' },
  );

const expiredReply = () =>
  errorReply(400, 'This sign-up has expired', `Sign-ups are kept for ${validDays} days waiting for confirmation. Sign up again to get a new link.`);

const leftReply = () =>
  errorReply(400, 'This link is no longer valid', 'This address left the list after the link was sent. To subscribe again, sign up on the sign-up page.');

const replacedReply = () =>
  errorReply(400, 'This link is no longer valid', 'This address was signed up again after the link was sent: use the link in the latest confirmation email.');

const confirmReplies = { 'already-active': confirmedReply, confirmed: confirmedReply, expired: expiredReply, left: leftReply, replaced: replacedReply } as const;

/** The sign-up an unsubscribe link was sent for is gone: the address was removed from the list since (and maybe added again). */
const notOnListReply = (deps: SubscriptionDeps) =>
  errorReply(
    400,
    'This link no longer applies',
    `The address this link was sent to has been removed from the list since, so this link cannot change anything. If you still receive ${deps.config.newsletterName}, use the unsubscribe link in the latest email.`,
  );

export const showConfirm: Route = async (request, deps) => {
  const claims = checkToken(deps, request.query.get('token') ?? undefined, 'confirm');
  if (isReply(claims)) return claims;
  const state = confirmLinkState(await subscriberById(deps.subscribers, claims.subscriberId), claims.signup, (deps.now ?? (() => new Date()))());
  if (state !== 'open') return confirmReplies[state](deps, claims);
  return page(200, 'confirm', { token: request.query.get('token')! }, 'Confirm with POST /confirm and this token.');
};

export const confirm: Route = async (request, deps) => {
  const fields = readFields(request);
  const claims = checkToken(deps, postedToken(request, fields), 'confirm');
  if (isReply(claims)) return claims;
  return confirmReplies[await confirmSubscription(context(deps), claims)](deps, claims);
};

export const showUnsubscribe: Route = async (request, deps) => {
  const token = request.query.get('token');
  // The web version's footer links here without a token: explain rather than fail.
  if (!token) {
    return result('Unsubscribe', [`Every ${deps.config.newsletterName} email has an unsubscribe link at the bottom: use the one in an email you received.`], signupLink);
  }
  const claims = checkToken(deps, token, 'unsubscribe');
  if (isReply(claims)) return claims;
  if (!(await subscriberById(deps.subscribers, claims.subscriberId))) return notOnListReply(deps);
  return page(200, 'unsubscribe', { token }, 'Unsubscribe with POST /unsubscribe and this token.');
};

/** The web page's button and the RFC 8058 one-click POST (`List-Unsubscribe=One-Click`, token in the URL) both land here. */
export const unsubscribeRoute: Route = async (request, deps) => {
  const fields = readFields(request);
  const claims = checkToken(deps, postedToken(request, fields), 'unsubscribe');
  if (isReply(claims)) return claims;
  const oneClick = fields['List-Unsubscribe'] === 'One-Click';
  const outcome = await unsubscribe(context(deps), claims.subscriberId, oneClick ? 'one-click unsubscribe from the email' : 'unsubscribed on the web page');
  // Never a "done" that changed nothing: the id a link names is gone once the address is removed, and an address added again has a new one.
  if (outcome === 'unknown') return notOnListReply(deps);
  if (outcome === 'unsubscribed') {
    // A figure for the editors' report only: the reader is unsubscribed and told so whatever becomes of it.
    await deps.editions.countUnsubscribe().catch((error: unknown) => console.error(JSON.stringify({ level: 'ERROR', message: 'unsubscribe not counted for the edition report', error: String(error) })));
  }
  // Unsubscribing twice ends in the same place.
  return result('You are unsubscribed', [`We will not send you ${deps.config.newsletterName} again.`, 'Changed your mind? You can sign up again at any time.'], signupLink);
};

export const showArchive = async (editionId: string, deps: SubscriptionDeps): Promise<Reply> => {
  const html = isEditionId(editionId) ? archivePage(await deps.editions.get(editionId), deps.config) : undefined;
  if (html === undefined) return errorReply(404, 'No such edition', 'There is no published edition at this address.');
  return { kind: 'html', status: 200, html, cacheSeconds: 3600 };
};
