import { eraseSubscriber, personalData } from './data-requests.ts';
import { firstValues, readFieldValues, readFields } from './http.ts';
import { checkToken, chosenTopics, context, errorReply, isReply, page, postedToken, type Reply, type Route, result, signupLink, type SubscriptionDeps, topicChoices } from './routes.ts';
import { subscriberById } from './signup.ts';
import type { Subscriber } from './store.ts';
import { tokenFor } from './tokens.ts';

/**
 * The reader's own page, reached from every briefing's "Choose your topics" link and the page after
 * confirming: their topics, unsubscribing, and their data to download or delete. The link's token
 * (purpose `preferences`) names the subscriber; the page only shows, every change is a POST.
 */

const noSubscriberReply = (deps: SubscriptionDeps) =>
  errorReply(
    400,
    'This link no longer applies',
    `The address this link was sent to is not on the list any more (it was removed, or its data was deleted), so there is nothing to change here. To get ${deps.config.newsletterName}, sign up on the sign-up page.`,
  );

/** The subscriber the request's preferences token names, or the page that says why there is none. */
const tokenSubscriber = async (deps: SubscriptionDeps, token: string | undefined): Promise<{ readonly token: string; readonly subscriber: Subscriber } | Reply> => {
  const claims = checkToken(deps, token, 'preferences');
  if (isReply(claims)) return claims;
  const subscriber = await subscriberById(deps.subscribers, claims.subscriberId);
  return subscriber ? { token: token!, subscriber } : noSubscriberReply(deps);
};

const topicWords = (deps: SubscriptionDeps, topics: readonly string[]): string =>
  topics.length === 0 ? 'every story' : `stories about ${deps.config.topics.filter((topic) => topics.includes(topic.id)).map((topic) => topic.label).join(', ')}`;

const standingOf = (deps: SubscriptionDeps, subscriber: Subscriber): string | null => {
  const name = deps.config.newsletterName;
  switch (subscriber.status) {
    case 'active':
      return null;
    case 'pending':
      return `Your subscription waits for you to confirm it: use the link in the confirmation email. Your topics apply from then.`;
    case 'unsubscribed':
      return `You are unsubscribed: we do not send you ${name}. Your topics apply if you sign up again.`;
    case 'suppressed':
      return `We no longer send ${name} to this address: mail to it bounced or was reported as unwanted.`;
  }
};

const preferencesPage = (deps: SubscriptionDeps, token: string, subscriber: Subscriber, notice: string | null, status = 200, problem: string | null = null): Reply => {
  const leaving = subscriber.status === 'active' || subscriber.status === 'pending';
  const now = context(deps).now();
  return page(
    status,
    'preferences',
    {
      token,
      email: subscriber.email,
      topics: topicChoices(deps.config, subscriber.topics ?? []),
      notice,
      standing: standingOf(deps, subscriber),
      unsubscribeToken: leaving ? tokenFor(deps.secret, subscriber.id, 'unsubscribe', now) : null,
      problem,
    },
    problem ?? notice ?? `Your topics: ${topicWords(deps, subscriber.topics ?? [])}. Save them with POST /preferences, the token and topics.`,
  );
};

/** `GET /preferences?token=…`: shows the reader's topics and what else they can do; changes nothing. */
export const showPreferences: Route = async (request, deps) => {
  const token = request.query.get('token');
  // The web version's footer links here without a token: explain rather than fail.
  if (!token) {
    return result('Choose your topics', [`Every ${deps.config.newsletterName} email has a "Choose your topics" link at the bottom: use the one in an email you received.`], signupLink);
  }
  const found = await tokenSubscriber(deps, token);
  if (isReply(found)) return found;
  return preferencesPage(deps, found.token, found.subscriber, null);
};

/** `POST /preferences`: saves the ticked topics (none ticked: every story). */
export const savePreferences: Route = async (request, deps) => {
  const values = readFieldValues(request);
  const found = await tokenSubscriber(deps, postedToken(request, firstValues(values)));
  if (isReply(found)) return found;
  const chosen = chosenTopics(deps.config, values.topics ?? []);
  if ('problem' in chosen) return preferencesPage(deps, found.token, found.subscriber, null, 400, chosen.problem);
  const saved = await deps.subscribers.setTopics(found.subscriber.email, found.subscriber.id, chosen.topics);
  if (!saved) return noSubscriberReply(deps);
  return preferencesPage(deps, found.token, saved, `Saved: you get ${topicWords(deps, chosen.topics)}.`);
};

/** `POST /preferences/data`: everything the list keeps about the reader, as a JSON file to save. */
export const downloadData: Route = async (request, deps) => {
  const found = await tokenSubscriber(deps, postedToken(request, readFields(request)));
  if (isReply(found)) return found;
  const now = context(deps).now();
  const data = personalData(found.subscriber, { newsletterName: deps.config.newsletterName, topics: deps.config.topics, now });
  return { kind: 'file', status: 200, filename: `my-data-${now.toISOString().slice(0, 10)}.json`, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(data, null, 2)}\n` };
};

/**
 * `POST /preferences/delete`: first a page that says what deleting means, whose button posts again with
 * `confirm=yes`; then the record and its history are deleted and the address kept only as a keyed hash.
 */
export const deleteData: Route = async (request, deps) => {
  const fields = readFields(request);
  const found = await tokenSubscriber(deps, postedToken(request, fields));
  if (isReply(found)) return found;
  const { subscriber } = found;
  if (fields.confirm !== 'yes') return page(200, 'erase', { token: found.token, email: subscriber.email }, 'Delete your data with POST /preferences/delete, the token and confirm=yes.');
  if ((await eraseSubscriber(context(deps), subscriber.id)) === 'unknown') return noSubscriberReply(deps);
  return result(
    'Your data is deleted',
    [
      `We deleted ${subscriber.email} from the list of ${deps.config.newsletterName}, with your topics and the history of your subscription.`,
      'We keep only a one-way code made from the address, which cannot be turned back into it, so that nobody adds it to the list again and nothing is sent to it.',
      'Want the briefing again one day? Sign up and confirm: that is the only way back.',
    ],
    signupLink,
  );
};
