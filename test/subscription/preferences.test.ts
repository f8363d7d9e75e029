import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { erasureKeys } from '../../lambdas/subscription/data-requests.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { importSubscribers } from '../../lambdas/subscription/operator.ts';
import type { Subscriber } from '../../lambdas/subscription/store.ts';
import { signToken, tokenFor, verifyToken } from '../../lambdas/subscription/tokens.ts';
import { sendLocally } from '../../local/send.ts';
import { article } from '../helpers/articles.ts';
import { readImportFile } from '../helpers/import-file.ts';
import { confirmationLink, form, mainText, messagesTo, testSecret, useSubscriptionHarness } from './harness.ts';

const h = useSubscriptionHarness();

const links = () => subscriptionLinks(h.config, testSecret);
const tokenOf = (url: string | URL) => new URL(url).searchParams.get('token')!;
const preferencesToken = (subscriber: Subscriber) => tokenOf(links().preferencesUrl(subscriber.id, h.clock.now()));
const stored = (email: string) => h.stores.subscribers.get(email);
const mailsTo = (email: string) => messagesTo(h.emulators, email);

/** Every item of the subscribers table, as DynamoDB holds it. */
const subscribersTable = async () => (await h.emulators.doc.send(new ScanCommand({ TableName: h.tables.subscribers, ConsistentRead: true }))).Items ?? [];

const reader = async (email = 'ada@example.org', status: Subscriber['status'] = 'active', topics?: string[]): Promise<Subscriber> =>
  (await h.stores.subscribers.add(email, { status, reason: 'confirmed', at: new Date('2026-11-01T08:00:00Z'), set: topics && { topics } }))!;

/** The form fields a browser posts for these ticked topics. */
const topicsForm = (token: string, topics: readonly string[]) => ({
  body: new URLSearchParams([['token', token], ...topics.map((topic) => ['topics', topic])]).toString(),
  contentType: 'application/x-www-form-urlencoded',
});

/** `briefing send` for one edition, in this process: compose and deliver over these stores, into the SES emulator. */
const send = async (date: string) => {
  await h.stores.articles.put([article({ id: `story-${date}`, category: 'Science', publishedAt: `${date}T05:00:00Z` })]);
  return sendLocally({ date, articleIds: [`story-${date}`] }, { stores: h.stores, mailer: h.emulators.mailer, reportMailer: h.emulators.mailer, config: h.config, tokenSecret: testSecret, ratePerSecond: 1000 });
};

describe('GET /preferences', () => {
  it("shows the reader's address and topics, ticked, with a Save button and the other actions, and changes nothing", async () => {
    const ada = await reader('ada@example.org', 'active', ['science', 'world']);
    const before = await subscribersTable();

    const response = await h.request('GET', '/preferences', { query: `token=${preferencesToken(ada)}` });

    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(mainText(html)).toContain('for ada@example.org');
    expect(html).toMatch(/<form method="post" action="\/preferences">/);
    expect(html).toMatch(/<input type="checkbox" id="topic-science" name="topics" value="science" checked>/);
    expect(html).toMatch(/<input type="checkbox" id="topic-world" name="topics" value="world" checked>/);
    expect(html).toMatch(/<input type="checkbox" id="topic-sport" name="topics" value="sport">/);
    expect(html).toMatch(/<button type="submit">Save my topics<\/button>/);
    for (const action of ['/unsubscribe', '/preferences/data', '/preferences/delete']) expect(html).toContain(`<form method="post" action="${action}">`);
    expect(html).not.toMatch(/<script/i);
    expect(response.headers?.['referrer-policy']).toBe('no-referrer');
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(await subscribersTable()).toEqual(before);
  });

  it('without a token says where the link is, and with a link of an address no longer on the list says so (400)', async () => {
    const gone = await reader('gone@example.org');
    await h.stores.subscribers.remove('gone@example.org');

    const bare = await h.request('GET', '/preferences');
    const stale = await h.request('GET', '/preferences', { query: `token=${preferencesToken(gone)}` });

    expect(bare.statusCode).toBe(200);
    expect(mainText(bare.body)).toContain('has a "Choose your topics" link at the bottom');
    expect(stale.statusCode).toBe(400);
    expect(mainText(stale.body)).toContain('This link no longer applies');
  });

  it('tells an unsubscribed reader where they stand and offers no Unsubscribe button', async () => {
    const left = await reader('left@example.org', 'unsubscribed');

    const html = (await h.request('GET', '/preferences', { query: `token=${preferencesToken(left)}` })).body;

    expect(mainText(html)).toContain('You are unsubscribed');
    expect(html).not.toContain('action="/unsubscribe"');
  });
});

describe('POST /preferences', () => {
  it('saves the ticked topics (normalised), says what the reader now gets, and the page shows them', async () => {
    const ada = await reader();
    const token = preferencesToken(ada);

    const saved = await h.request('POST', '/preferences', topicsForm(token, ['world', 'science', 'world']));

    expect(saved.statusCode).toBe(200);
    expect(mainText(saved.body)).toContain('Saved: you get stories about World, Science.');
    expect((await stored('ada@example.org'))?.topics).toEqual(['science', 'world']);
    expect((await h.request('GET', '/preferences', { query: `token=${token}` })).body).toMatch(/value="science" checked>/);
  });

  it('takes none ticked, or every one, as every story; a JSON client gets JSON', async () => {
    const ada = await reader('ada@example.org', 'active', ['sport']);
    const token = preferencesToken(ada);

    const none = await h.request('POST', '/preferences', topicsForm(token, []));
    expect(mainText(none.body)).toContain('Saved: you get every story.');
    expect((await stored('ada@example.org'))?.topics).toEqual([]);

    const all = await h.request('POST', '/preferences', { body: JSON.stringify({ token, topics: h.config.topics.map((topic) => topic.id) }), contentType: 'application/json' });
    expect(JSON.parse(all.body)).toEqual({ ok: true, message: 'Saved: you get every story.' });
    expect((await stored('ada@example.org'))?.topics).toEqual([]);
  });

  it('refuses a topic that does not exist with 400, naming it, and changes nothing', async () => {
    const ada = await reader('ada@example.org', 'active', ['sport']);

    const response = await h.request('POST', '/preferences', topicsForm(preferencesToken(ada), ['world', 'astrology']));

    expect(response.statusCode).toBe(400);
    expect(mainText(response.body)).toContain('There is no topic "astrology"');
    expect((await stored('ada@example.org'))?.topics).toEqual(['sport']);
  });
});

describe('preference tokens are as strict as unsubscribe tokens', () => {
  const routes = [
    ['GET /preferences', (token: string) => h.request('GET', '/preferences', { query: `token=${encodeURIComponent(token)}` })],
    ['POST /preferences', (token: string) => h.request('POST', '/preferences', topicsForm(token, ['world']))],
    ['POST /preferences/data', (token: string) => h.request('POST', '/preferences/data', form({ token }))],
    ['POST /preferences/delete', (token: string) => h.request('POST', '/preferences/delete', form({ token, confirm: 'yes' }))],
  ] as const;

  it.each(routes)('%s: a tampered, expired or wrong-purpose token gets 400 with a page that says which, and changes nothing', async (_name, call) => {
    const ada = await reader('ada@example.org', 'active', ['sport']);
    const good = preferencesToken(ada);
    const [payload, signature] = good.split('.') as [string, string];
    const otherReader = Buffer.from(Buffer.from(payload, 'base64url').toString().replace(ada.id, 'someone-else')).toString('base64url');
    const expired = signToken(testSecret, { subscriberId: ada.id, purpose: 'preferences', expiresAt: Math.floor(h.clock.now().getTime() / 1000) - 1 });
    const before = await subscribersTable();

    const answers = {
      tampered: await call(`${otherReader}.${signature}`),
      otherKey: await call(tokenFor('not-our-key', ada.id, 'preferences', h.clock.now())),
      expired: await call(expired),
      unsubscribe: await call(tokenOf(links().unsubscribeUrl(ada.id, h.clock.now()))),
      confirm: await call(tokenFor(testSecret, ada.id, 'confirm', h.clock.now(), 'nonce')),
    };

    for (const response of Object.values(answers)) {
      expect(response.statusCode).toBe(400);
      expect(response.headers?.['content-disposition']).toBeUndefined();
    }
    expect(mainText(answers.tampered.body)).toContain('This link is not valid: it was changed or not made by us.');
    expect(mainText(answers.otherKey.body)).toContain('This link is not valid: it was changed or not made by us.');
    expect(mainText(answers.expired.body)).toContain('This link has expired: use the "Choose your topics" link in the latest email.');
    expect(mainText(answers.unsubscribe.body)).toContain('This link is for unsubscribing, not for this page.');
    expect(mainText(answers.confirm.body)).toContain('This link is for confirming a subscription, not for this page.');
    expect(await subscribersTable()).toEqual(before);
  });

  it('a preferences token does not unsubscribe or confirm', async () => {
    const ada = await reader();
    const token = preferencesToken(ada);

    const unsubscribe = await h.request('POST', '/unsubscribe', form({ token }));
    const confirm = await h.request('POST', '/confirm', form({ token }));

    for (const response of [unsubscribe, confirm]) expect(mainText(response.body)).toContain('This link is for choosing your topics and managing your data, not for this page.');
    expect((await stored('ada@example.org'))?.status).toBe('active');
  });

  it('lasts as long as an unsubscribe link: five years, so archived mail keeps working', () => {
    const ada = { id: 'id-1' };
    const check = verifyToken(testSecret, tokenOf(links().preferencesUrl(ada.id, h.clock.now())), 'preferences', h.clock.now());
    expect(check).toMatchObject({ ok: true, claims: { subscriberId: 'id-1', expiresAt: Math.floor(h.clock.now().getTime() / 1000) + 5 * 365 * 86_400 } });
  });
});

describe('the Unsubscribe button on the preference page', () => {
  it('posts a token of its own to /unsubscribe, which unsubscribes the reader', async () => {
    const ada = await reader();
    const page = (await h.request('GET', '/preferences', { query: `token=${preferencesToken(ada)}` })).body;
    const token = /action="\/unsubscribe">\s*<input type="hidden" name="token" value="([^"]+)">/.exec(page)![1]!;

    const response = await h.request('POST', '/unsubscribe', form({ token }));

    expect(mainText(response.body)).toContain('You are unsubscribed');
    expect((await stored('ada@example.org'))?.status).toBe('unsubscribed');
  });
});

describe('POST /preferences/data', () => {
  it('downloads the record and its history as a JSON file, with the topics named and nothing secret', async () => {
    const ada = await reader('ada@example.org', 'active', ['science', 'world']);
    await h.stores.subscribers.changeStatus('ada@example.org', 'unsubscribed', { reason: 'unsubscribed on the web page', at: new Date('2026-11-10T09:00:00Z') });
    await h.stores.subscribers.requestSignup('ada@example.org', {
      nonce: 'secret-nonce-of-the-confirm-link',
      at: new Date('2026-11-20T09:00:00Z'),
      notSince: new Date('2026-11-20T08:50:00Z'),
      expiresAt: 1_795_000_000,
      reason: 'signed up on the web page',
      topics: ['sport'],
      erasureKey: erasureKeys(testSecret)('ada@example.org'),
    });
    const before = await subscribersTable();

    const response = await h.request('POST', '/preferences/data', form({ token: preferencesToken(ada) }));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': 'attachment; filename="my-data-2026-11-24.json"',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const data = JSON.parse(response.body);
    expect(data).toMatchObject({
      newsletter: h.config.newsletterName,
      downloadedAt: '2026-11-24T07:00:00.000Z',
      subscriber: {
        email: 'ada@example.org',
        id: ada.id,
        status: 'unsubscribed',
        createdAt: '2026-11-01T08:00:00.000Z',
        topics: [
          { id: 'science', label: 'Science' },
          { id: 'world', label: 'World' },
        ],
        signupTopics: [{ id: 'sport', label: 'Sport' }],
        history: [
          { status: 'active', at: '2026-11-01T08:00:00.000Z', reason: 'confirmed' },
          { status: 'unsubscribed', at: '2026-11-10T09:00:00.000Z', reason: 'unsubscribed on the web page' },
        ],
      },
    });
    expect(response.body).not.toContain('secret-nonce-of-the-confirm-link');
    expect(await subscribersTable()).toEqual(before);
  });
});

describe('POST /preferences/delete', () => {
  it('first asks, deleting nothing; then deletes the record and its history, leaving only a keyed hash that names no address', async () => {
    const ada = await reader('ada@example.org', 'active', ['science']);
    await reader('other@example.org');
    const token = preferencesToken(ada);

    const asked = await h.request('POST', '/preferences/delete', form({ token }));
    expect(asked.statusCode).toBe(200);
    expect(mainText(asked.body)).toContain('Delete your data?');
    expect(asked.body).toMatch(/<input type="hidden" name="confirm" value="yes">/);
    expect(await stored('ada@example.org')).toBeDefined();

    const deleted = await h.request('POST', '/preferences/delete', form({ token, confirm: 'yes' }));

    expect(deleted.statusCode).toBe(200);
    expect(mainText(deleted.body)).toContain('Your data is deleted');
    expect(await stored('ada@example.org')).toBeUndefined();
    const items = await subscribersTable();
    const left = items.filter((item) => item.email !== 'other@example.org');
    expect(left).toEqual([{ email: `erased#${erasureKeys(testSecret)('ada@example.org')}`, erasedAt: '2026-11-24T07:00:00.000Z', suppressed: false }]);
    expect(JSON.stringify(left)).not.toMatch(/ada|example\.org/);
    expect(JSON.stringify(left)).not.toContain(ada.id);
    // The link is spent: it names a subscriber that is no longer there.
    const again = await h.request('GET', '/preferences', { query: `token=${token}` });
    expect(again.statusCode).toBe(400);
    expect(mainText(again.body)).toContain('This link no longer applies');
  });

  it('blocks mail: a send does not mail the address, an import does not bring it back; a new sign-up, once confirmed, does', async () => {
    const ada = await reader('ada@example.org');
    await reader('other@example.org');
    await h.request('POST', '/preferences/delete', form({ token: preferencesToken(ada), confirm: 'yes' }));

    const first = await send('2026-11-24');
    expect(first.counts.sent).toBe(1);
    expect((await h.emulators.inbox()).map((message) => message.destination.to)).toEqual([['other@example.org']]);

    const imported = await importSubscribers(
      (async function* () {
        yield* (await readImportFile('email,status\nada@example.org,active\n')).rows;
      })(),
      { subscribers: h.stores.subscribers, sendConfirmation: async () => 'not-sent', now: h.clock.now, erasureKey: erasureKeys(testSecret) },
      { pending: false, source: 'list.csv' },
    );
    expect(imported.erased).toHaveLength(1);
    expect(await stored('ada@example.org')).toBeUndefined();

    // The reader signs up anew: a confirmation email (the only mail), and only confirming makes the address mailable.
    h.clock.advance(60_000);
    await h.request('POST', '/subscribe', form({ email: 'ada@example.org' }));
    expect((await stored('ada@example.org'))?.status).toBe('pending');
    expect(await h.stores.subscribers.erasures([erasureKeys(testSecret)('ada@example.org')])).toHaveProperty('size', 1);
    const link = await confirmationLink(h.emulators, 'ada@example.org');
    await h.request('POST', '/confirm', form({ token: tokenOf(link) }));

    expect((await stored('ada@example.org'))?.status).toBe('active');
    expect((await h.stores.subscribers.erasures([erasureKeys(testSecret)('ada@example.org')])).size).toBe(0);
    await send('2026-11-25');
    expect((await mailsTo('ada@example.org')).map((message) => message.subject)).toEqual([`Confirm your subscription to ${h.config.newsletterName}`, expect.stringContaining('Headline of story-2026-11-25')]);
  });

  it('of a suppressed address keeps it suppressed: a later sign-up stores nothing and mails nothing', async () => {
    const bounced = await reader('bounced@example.org', 'suppressed');

    await h.request('POST', '/preferences/delete', form({ token: preferencesToken(bounced), confirm: 'yes' }));
    const signup = await h.request('POST', '/subscribe', form({ email: 'bounced@example.org' }));

    expect(mainText(signup.body)).toContain('Check your inbox');
    expect(await stored('bounced@example.org')).toBeUndefined();
    expect(await subscribersTable()).toEqual([expect.objectContaining({ suppressed: true })]);
    expect(await mailsTo('bounced@example.org')).toEqual([]);
  });
});

describe('the links to the preference page', () => {
  it("are in every briefing's footer, one per reader, and lead to that reader's page", async () => {
    await reader('ada@example.org', 'active', ['science']);
    await reader('bob@example.org');

    await send('2026-11-24');

    for (const email of ['ada@example.org', 'bob@example.org']) {
      const [message] = await mailsTo(email);
      const mail = await h.emulators.parsed(message!.messageId);
      const href = /<a [^>]*href="([^"]+)"[^>]*>Choose your topics<\/a>/.exec(mail.html as string)![1]!.replace(/&amp;/g, '&');
      expect(mail.text).toContain(`Choose your topics, or download or delete your data:\n${href}\n`);
      const page = await h.request('GET', '/preferences', { query: `token=${tokenOf(href)}` });
      expect(mainText(page.body)).toContain(`for ${email}`);
    }
  });

  it('is on the page after confirming: "Choose your topics"', async () => {
    await h.request('POST', '/subscribe', form({ email: 'new@example.org' }));
    const link = await confirmationLink(h.emulators, 'new@example.org');

    const confirmed = await h.request('POST', '/confirm', form({ token: tokenOf(link) }));

    const href = /<a href="([^"]+)">Choose your topics<\/a>/.exec(confirmed.body)![1]!.replace(/&amp;/g, '&');
    const page = await h.request('GET', '/preferences', { query: `token=${tokenOf(href)}` });
    expect(page.statusCode).toBe(200);
    expect(mainText(page.body)).toContain('for new@example.org');
  });
});
