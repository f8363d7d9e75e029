import { describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import type { Subscriber } from '../../lambdas/subscription/store.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { newSignupNonce, signToken } from '../../lambdas/subscription/tokens.ts';
import { samplesDir } from '../../bin/cli/shared.ts';
import type { ConfirmationJob } from '../../lambdas/subscription/confirmations.ts';
import { handleRequest } from '../../lambdas/subscription/router.ts';
import { apiEvent, confirmationLink, form, mainText, messagesTo, testSecret, useSubscriptionHarness } from './harness.ts';

const h = useSubscriptionHarness();

const minutes = 60_000;
const days = 86_400_000;

const subscribeForm = (email: string) => h.request('POST', '/subscribe', form({ email }));
const mailsTo = (email: string) => messagesTo(h.emulators, email);
const stored = (email: string) => h.stores.subscribers.get(email);
const links = () => subscriptionLinks(h.config, testSecret);
const tokenOf = (url: string | URL) => new URL(url).searchParams.get('token')!;

/** An address already in a given state, as the routes would have left it (a pending one with its sign-up's nonce). */
const existing = async (email: string, status: Subscriber['status']): Promise<Subscriber> => {
  const at = new Date(h.clock.now().getTime() - 30 * days);
  const signup = status === 'pending' ? { signupNonce: newSignupNonce(), confirmationSentAt: at.toISOString() } : undefined;
  return (await h.stores.subscribers.add(email, { status, reason: 'set up by the test', at, set: signup }))!;
};

describe('GET /', () => {
  it('shows an accessible signup form that works without JavaScript, with a trap field and what the newsletter sends', async () => {
    const response = await h.request('GET', '/');

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    expect(html).toMatch(/<html lang="en-GB">/);
    expect(html).toMatch(/<form method="post" action="\/subscribe">/);
    expect(html).toMatch(/<label for="email">Your email address<\/label>/);
    expect(html).toMatch(/<input id="email" name="email" type="email"[^>]* autocomplete="email"[^>]* required/);
    expect(html).toMatch(/<div class="trap" aria-hidden="true">[\s\S]*name="website"[^>]*tabindex="-1"/);
    expect(html).not.toMatch(/<script/i);
    expect(mainText(html)).toContain(h.config.newsletterName);
    expect(mainText(html)).toContain(h.config.description);
    expect(response.headers?.['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('POST /subscribe', () => {
  it('stores a new address as pending (normalised) and sends one confirmation email whose link confirms it', async () => {
    const response = await subscribeForm('  Reader@BÜCHER.example ');

    expect(response.statusCode).toBe(200);
    expect(mainText(response.body)).toContain('Check your inbox');
    const subscriber = await stored('reader@xn--bcher-kva.example');
    expect(subscriber).toMatchObject({ status: 'pending', history: [{ status: 'pending', reason: 'signed up on the web page' }] });
    expect(subscriber?.expiresAt).toBe(Math.floor(h.clock.now().getTime() / 1000) + 7 * 86_400);
    const mails = await mailsTo('reader@xn--bcher-kva.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Confirm your subscription to ${h.config.newsletterName}`);
    expect(mails[0]!.body.html).toContain('Confirm my subscription');

    const link = await confirmationLink(h.emulators, 'reader@xn--bcher-kva.example');
    expect(link.origin + link.pathname).toBe(`${h.config.siteUrl}/confirm`);
    const confirmed = await h.request('POST', '/confirm', form({ token: tokenOf(link) }));
    expect(confirmed.statusCode).toBe(200);
    expect((await stored('reader@xn--bcher-kva.example'))?.status).toBe('active');
  });

  it('takes JSON and answers JSON', async () => {
    const response = await h.request('POST', '/subscribe', { body: JSON.stringify({ email: 'script@example.org' }), contentType: 'application/json' });

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, message: expect.stringContaining('Check your inbox') });
    expect((await stored('script@example.org'))?.status).toBe('pending');
  });

  it('takes multipart/form-data as browsers may send it', async () => {
    const boundary = '----formdata-briefing-7d3';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\nmulti@example.org\r\n--${boundary}\r\nContent-Disposition: form-data; name="website"\r\n\r\n\r\n--${boundary}--\r\n`;

    const response = await h.request('POST', '/subscribe', { body, contentType: `multipart/form-data; boundary=${boundary}` });

    expect(response.statusCode).toBe(200);
    expect((await stored('multi@example.org'))?.status).toBe('pending');
  });

  it('answers the same page whether the address is new, pending, active, unsubscribed or suppressed, and mails only those who may confirm', async () => {
    await existing('pending@example.org', 'pending');
    await existing('active@example.org', 'active');
    await existing('left@example.org', 'unsubscribed');
    await existing('bounced@example.org', 'suppressed');
    const addresses = ['new@example.org', 'pending@example.org', 'active@example.org', 'left@example.org', 'bounced@example.org'];

    const answers = [];
    for (const email of addresses) {
      const response = await subscribeForm(email);
      answers.push({ status: response.statusCode, headers: response.headers, page: response.body.replaceAll(email, 'ADDRESS') });
    }

    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    expect((await mailsTo('new@example.org')).length).toBe(1);
    expect((await mailsTo('pending@example.org')).length).toBe(1);
    expect((await mailsTo('left@example.org')).length).toBe(1);
    expect((await mailsTo('active@example.org')).length).toBe(0);
    expect((await mailsTo('bounced@example.org')).length).toBe(0);
    expect((await stored('active@example.org'))?.status).toBe('active');
    expect((await stored('bounced@example.org'))?.status).toBe('suppressed');
  });

  it('sends at most one confirmation email per address per 10 minutes', async () => {
    await subscribeForm('eager@example.org');
    h.clock.advance(9 * minutes);
    const again = await subscribeForm('eager@example.org');
    expect(again.statusCode).toBe(200);
    expect(await mailsTo('eager@example.org')).toHaveLength(1);

    h.clock.advance(1 * minutes + 1000);
    await subscribeForm('eager@example.org');

    expect(await mailsTo('eager@example.org')).toHaveLength(2);
    const subscriber = await stored('eager@example.org');
    expect(subscriber?.history).toHaveLength(1);
    expect(subscriber?.confirmationSentAt).toBe(h.clock.now().toISOString());
  });

  it('keeps an unsubscribed address unsubscribed, with no expiry, until the reader confirms the new sign-up', async () => {
    const left = await existing('back@example.org', 'unsubscribed');

    await subscribeForm('back@example.org');

    const waiting = await stored('back@example.org');
    expect(waiting).toMatchObject({ status: 'unsubscribed', history: left.history, id: left.id });
    expect(waiting?.signupNonce).toEqual(expect.any(String));
    // No TTL: in AWS the record that keeps the address from being mailed must not be deleted; only the sign-up lapses.
    expect(waiting?.expiresAt).toBeUndefined();
    expect(waiting?.signupExpiresAt).toBe(Math.floor(h.clock.now().getTime() / 1000) + 7 * 86_400);
    expect((await h.stores.subscribers.pageByStatus('active')).items).toEqual([]);

    const link = await confirmationLink(h.emulators, 'back@example.org');
    await h.request('POST', '/confirm', form({ token: tokenOf(link) }));
    const back = await stored('back@example.org');
    expect(back?.status).toBe('active');
    expect(back?.history.map(({ status, reason }) => [status, reason])).toEqual([
      ['unsubscribed', 'set up by the test'],
      ['active', 'confirmed a new sign-up'],
    ]);
    expect(back).not.toHaveProperty('signupNonce');
  });

  it('leaves an unsubscribed address unsubscribed and kept for good when its new sign-up is never confirmed', async () => {
    await existing('undecided@example.org', 'unsubscribed');
    await subscribeForm('undecided@example.org');
    const token = tokenOf(await confirmationLink(h.emulators, 'undecided@example.org'));
    h.clock.advance(7 * days + minutes);

    const late = await h.request('POST', '/confirm', form({ token }));

    expect(mainText(late.body)).toContain('This confirmation link has expired');
    const after = await stored('undecided@example.org');
    expect(after?.status).toBe('unsubscribed');
    expect(after?.expiresAt).toBeUndefined();
    // A sign-up after that starts again.
    await subscribeForm('undecided@example.org');
    expect(await mailsTo('undecided@example.org')).toHaveLength(2);
    expect((await stored('undecided@example.org'))?.status).toBe('unsubscribed');
  });

  it('keeps a suppressed address suppressed, unmailed and without expiry whatever is posted', async () => {
    const bounced = await existing('bounced@example.org', 'suppressed');

    for (let round = 0; round < 2; round += 1) {
      await subscribeForm('bounced@example.org');
      h.clock.advance(11 * minutes);
    }

    expect(await stored('bounced@example.org')).toEqual(bounced);
    expect(await mailsTo('bounced@example.org')).toHaveLength(0);
  });

  it('stores and sends nothing when the trap field is filled in, and says the same as for a person', async () => {
    const bot = await h.request('POST', '/subscribe', form({ email: 'bot@example.org', website: 'https://spam.example' }));
    const person = await subscribeForm('person@example.org');

    expect(bot.statusCode).toBe(200);
    expect(bot.body.replaceAll('bot@example.org', 'X')).toBe(person.body.replaceAll('person@example.org', 'X'));
    expect(await stored('bot@example.org')).toBeUndefined();
    expect(await mailsTo('bot@example.org')).toHaveLength(0);
  });

  it('shows the form again with the reason when the address is not valid, keeping what was typed', async () => {
    const response = await subscribeForm('someone@@example');

    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/role="alert"/);
    expect(response.body).toMatch(/aria-invalid="true"/);
    expect(response.body).toContain('value="someone@@example"');
    expect(mainText(response.body)).toContain('is not a valid email address');
  });

  it('answers 503 when the confirmation cannot be queued, and lets the next try send at once', async () => {
    let calls = 0;
    const flaky = {
      ...h.deps,
      confirmations: {
        enqueue: async (job: ConfirmationJob) => {
          calls += 1;
          if (calls === 1) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
          return h.deps.confirmations.enqueue(job);
        },
      },
    };

    const failed = await handleRequest(apiEvent('POST', '/subscribe', form({ email: 'unlucky@example.org' })), flaky, () => {});
    const retried = await handleRequest(apiEvent('POST', '/subscribe', form({ email: 'unlucky@example.org' })), flaky, () => {});
    await h.confirmations.settled();

    expect(failed.statusCode).toBe(503);
    expect(failed.headers?.['retry-after']).toBe('120');
    expect(retried.statusCode).toBe(200);
    expect(await mailsTo('unlucky@example.org')).toHaveLength(1);
  });

  it('answers before the confirmation email goes out', async () => {
    const response = await handleRequest(apiEvent('POST', '/subscribe', form({ email: 'quick@example.org' })), h.deps, () => {});

    expect(response.statusCode).toBe(200);
    expect(await mailsTo('quick@example.org')).toHaveLength(0);
    await h.confirmations.settled();
    expect(await mailsTo('quick@example.org')).toHaveLength(1);
  });
});

describe('confirm', () => {
  it('GET shows a page with a Confirm button and changes nothing', async () => {
    const subscriber = await existing('careful@example.org', 'pending');
    const token = tokenOf(links().confirmUrl(subscriber.id, subscriber.signupNonce, h.clock.now()));

    const response = await h.request('GET', '/confirm', { query: `token=${token}` });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<form method="post" action="\/confirm">/);
    expect(response.body).toContain(`<input type="hidden" name="token" value="${token}">`);
    expect(response.body).toMatch(/<button type="submit">Confirm my subscription<\/button>/);
    expect(await stored('careful@example.org')).toEqual(subscriber);
  });

  it('POST activates, records why and when, and ends the pending expiry; a second POST is still a success', async () => {
    await subscribeForm('joiner@example.org');
    const token = tokenOf(await confirmationLink(h.emulators, 'joiner@example.org'));
    h.clock.advance(5 * minutes);

    const first = await h.request('POST', '/confirm', form({ token }));
    const second = await h.request('POST', '/confirm', form({ token }));

    expect(first.statusCode).toBe(200);
    expect(mainText(first.body)).toContain('You are subscribed');
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    const subscriber = await stored('joiner@example.org');
    expect(subscriber?.status).toBe('active');
    expect(subscriber?.history.map(({ status, reason }) => [status, reason])).toEqual([
      ['pending', 'signed up on the web page'],
      ['active', 'confirmed'],
    ]);
    expect(subscriber?.history[1]?.at).toBe(h.clock.now().toISOString());
    expect(subscriber?.expiresAt).toBeUndefined();
  });

  it('refuses a link older than 7 days with a page that says so', async () => {
    await subscribeForm('late@example.org');
    const token = tokenOf(await confirmationLink(h.emulators, 'late@example.org'));
    h.clock.advance(7 * days + minutes);

    const response = await h.request('POST', '/confirm', form({ token }));

    expect(response.statusCode).toBe(400);
    expect(mainText(response.body)).toContain('This confirmation link has expired');
    expect((await stored('late@example.org'))?.status).toBe('pending');
  });

  it('does not bring back an address that unsubscribed after the link was sent', async () => {
    await subscribeForm('gone@example.org');
    const token = tokenOf(await confirmationLink(h.emulators, 'gone@example.org'));
    const subscriber = (await stored('gone@example.org'))!;
    await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(subscriber.id, h.clock.now())) }));

    const response = await h.request('POST', '/confirm', form({ token }));

    expect(response.statusCode).toBe(400);
    expect(mainText(response.body)).toContain('This link is no longer valid');
    expect((await stored('gone@example.org'))?.status).toBe('unsubscribed');
  });
});

describe('unsubscribe', () => {
  it('GET shows a page with an Unsubscribe button and changes nothing', async () => {
    const subscriber = await existing('reader@example.org', 'active');
    const token = tokenOf(links().unsubscribeUrl(subscriber.id));

    const response = await h.request('GET', '/unsubscribe', { query: `token=${token}` });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<form method="post" action="\/unsubscribe">/);
    expect(response.body).toMatch(/<button type="submit">Unsubscribe<\/button>/);
    expect(await stored('reader@example.org')).toEqual(subscriber);
  });

  it('POST from the page unsubscribes; doing it twice is fine and recorded once', async () => {
    const subscriber = await existing('reader@example.org', 'active');
    const token = tokenOf(links().unsubscribeUrl(subscriber.id));

    const first = await h.request('POST', '/unsubscribe', form({ token }));
    const second = await h.request('POST', '/unsubscribe', form({ token }));

    expect(first.statusCode).toBe(200);
    expect(mainText(first.body)).toContain('You are unsubscribed');
    expect(second.statusCode).toBe(200);
    const after = await stored('reader@example.org');
    expect(after?.status).toBe('unsubscribed');
    expect(after?.history.filter((change) => change.status === 'unsubscribed')).toEqual([
      { status: 'unsubscribed', at: h.clock.now().toISOString(), reason: 'unsubscribed on the web page' },
    ]);
  });

  it('takes the RFC 8058 one-click POST on the link itself (token in the URL) with a 200', async () => {
    const subscriber = await existing('reader@example.org', 'active');
    const url = new URL(links().unsubscribeUrl(subscriber.id));

    const response = await h.request('POST', url.pathname, { query: url.search.slice(1), ...form({ 'List-Unsubscribe': 'One-Click' }) });

    expect(response.statusCode).toBe(200);
    const after = await stored('reader@example.org');
    expect(after?.status).toBe('unsubscribed');
    expect(after?.history.at(-1)?.reason).toBe('one-click unsubscribe from the email');
  });

  it('leaves a suppressed address suppressed', async () => {
    const subscriber = await existing('bounced@example.org', 'suppressed');

    const response = await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(subscriber.id)) }));

    expect(response.statusCode).toBe(200);
    expect(await stored('bounced@example.org')).toEqual(subscriber);
  });

  it('explains where the link is when opened without a token (the web version links here)', async () => {
    const response = await h.request('GET', '/unsubscribe');

    expect(response.statusCode).toBe(200);
    expect(mainText(response.body)).toContain('unsubscribe link at the bottom');
  });

  it("counts each unsubscribe once (page or one-click) on the latest edition that went out, for its report's \"unsubscribes since the send\"", async () => {
    const { editions } = h.stores;
    await editions.lock('2026-11-23', 'test');
    await editions.saveRendered('2026-11-23', { subject: 'Monday', preheader: '', html: '<p>', text: 't', mjml: '', marker: 'm' }, { articleIds: ['a'] });
    // Today's had no news: it never went out, so the unsubscribes belong to yesterday's.
    await editions.lock('2026-11-24', 'test');
    await editions.setStatus('2026-11-24', 'skipped', { from: ['composing'], reason: 'no news' });
    const page = await existing('page@example.org', 'active');
    const oneClick = new URL(links().unsubscribeUrl((await existing('click@example.org', 'active')).id));

    await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(page.id)) }));
    await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(page.id)) }));
    await h.request('POST', oneClick.pathname, { query: oneClick.search.slice(1), ...form({ 'List-Unsubscribe': 'One-Click' }) });

    expect((await editions.get('2026-11-23'))?.unsubscribes).toBe(2);
    expect((await editions.get('2026-11-24'))?.unsubscribes).toBe(0);
  });

  it('unsubscribes the reader and says so when the count cannot be written', async () => {
    const subscriber = await existing('reader@example.org', 'active');
    const deps = { ...h.deps, editions: { ...h.deps.editions, countUnsubscribe: () => Promise.reject(new Error('ProvisionedThroughputExceededException')) } };
    const errors: string[] = [];
    const consoleError = console.error;
    console.error = (line: string) => void errors.push(line);
    let response;
    try {
      response = await handleRequest(apiEvent('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(subscriber.id)) })), deps, () => {});
    } finally {
      console.error = consoleError;
    }

    expect(response.statusCode).toBe(200);
    expect(mainText(response.body ?? '')).toContain('You are unsubscribed');
    expect((await stored('reader@example.org'))?.status).toBe('unsubscribed');
    expect(errors.map((line) => JSON.parse(line) as unknown)).toEqual([{ level: 'ERROR', message: 'unsubscribe not counted for the edition report', error: 'Error: ProvisionedThroughputExceededException' }]);
  });
});

describe('links bound to what they were sent for', () => {
  it('an old unsubscribe link of an address removed and added again says it no longer applies, and changes nothing', async () => {
    const before = await existing('again@example.org', 'active');
    const oldLink = new URL(links().unsubscribeUrl(before.id));
    await h.stores.subscribers.remove('again@example.org');
    const after = await existing('again@example.org', 'active');

    const page = await h.request('GET', '/unsubscribe', { query: oldLink.search.slice(1) });
    const pressed = await h.request('POST', '/unsubscribe', form({ token: tokenOf(oldLink) }));
    const oneClick = await h.request('POST', oldLink.pathname, { query: oldLink.search.slice(1), ...form({ 'List-Unsubscribe': 'One-Click' }) });

    for (const response of [page, pressed, oneClick]) {
      expect(response.statusCode).toBe(400);
      expect(mainText(response.body)).toContain('This link no longer applies');
      expect(mainText(response.body)).not.toContain('You are unsubscribed');
    }
    expect(await stored('again@example.org')).toEqual(after);
    // The links in mail sent since the address came back work.
    await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(after.id)) }));
    expect((await stored('again@example.org'))?.status).toBe('unsubscribed');
  });

  it("an old confirm link does not confirm a later, separate sign-up; that sign-up's own link does", async () => {
    await subscribeForm('twice@example.org');
    const first = tokenOf(await confirmationLink(h.emulators, 'twice@example.org'));
    await h.request('POST', '/confirm', form({ token: first }));
    const { id } = (await stored('twice@example.org'))!;
    await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(id)) }));
    h.clock.advance(11 * minutes);
    await subscribeForm('twice@example.org');
    const second = tokenOf(await confirmationLink(h.emulators, 'twice@example.org'));
    expect(second).not.toBe(first);

    const shown = await h.request('GET', '/confirm', { query: `token=${first}` });
    const old = await h.request('POST', '/confirm', form({ token: first }));

    for (const response of [shown, old]) {
      expect(response.statusCode).toBe(400);
      expect(mainText(response.body)).toContain('This link is no longer valid');
    }
    expect((await stored('twice@example.org'))?.status).not.toBe('active');
    expect((await h.request('POST', '/confirm', form({ token: second }))).statusCode).toBe(200);
    expect((await stored('twice@example.org'))?.status).toBe('active');
  });

  it('a confirm link dies when a new sign-up replaces its own, and when it expires', async () => {
    await subscribeForm('slow@example.org');
    const first = tokenOf(await confirmationLink(h.emulators, 'slow@example.org'));
    h.clock.advance(11 * minutes);
    await subscribeForm('slow@example.org');
    const second = tokenOf(await confirmationLink(h.emulators, 'slow@example.org'));

    const replaced = await h.request('POST', '/confirm', form({ token: first }));

    expect(replaced.statusCode).toBe(400);
    expect(mainText(replaced.body)).toContain('use the link in the latest confirmation email');
    expect((await stored('slow@example.org'))?.status).toBe('pending');
    h.clock.advance(7 * days + minutes);
    expect(mainText((await h.request('POST', '/confirm', form({ token: second }))).body)).toContain('This confirmation link has expired');
    expect((await stored('slow@example.org'))?.status).toBe('pending');
  });

  it('a confirm link sent before sign-ups had a nonce still confirms the sign-up of then, and no later one', async () => {
    const legacy = (await h.stores.subscribers.add('early@example.org', { status: 'pending', reason: 'signed up on the web page', at: h.clock.now() }))!;
    const token = signToken(testSecret, { subscriberId: legacy.id, purpose: 'confirm', expiresAt: Math.floor(h.clock.now().getTime() / 1000) + 86_400 });

    expect((await h.request('POST', '/confirm', form({ token }))).statusCode).toBe(200);
    expect((await stored('early@example.org'))?.status).toBe('active');

    await h.request('POST', '/unsubscribe', form({ token: tokenOf(links().unsubscribeUrl(legacy.id)) }));
    await subscribeForm('early@example.org');
    expect((await h.request('POST', '/confirm', form({ token }))).statusCode).toBe(400);
    expect((await stored('early@example.org'))?.status).not.toBe('active');
  });
});

describe('GET /archive/{editionId}', () => {
  const storeEdition = async (editionId: string, status: 'sent' | 'composing') => {
    await h.stores.editions.lock(editionId, 'test');
    if (status === 'composing') return undefined;
    const { articles } = await loadArticleFiles(samplesDir);
    const rendered = await renderBriefing(buildEdition(articles, { date: editionId, maxStories: 3 }), h.config);
    await h.stores.editions.saveRendered(editionId, rendered, { articleIds: articles.map((article) => article.id) });
    return rendered;
  };

  it('shows a sent edition with no personal data: no address, no token, the placeholders filled', async () => {
    const rendered = (await storeEdition('2026-11-24', 'sent'))!;

    const response = await h.request('GET', '/archive/2026-11-24');

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(rendered.subject.replace(`${h.config.newsletterName}: `, '').slice(0, 20));
    expect(response.body).not.toContain(rendered.marker);
    expect(response.body).not.toMatch(/token=/);
    expect(response.body).toContain(`href="${h.config.siteUrl}/archive/2026-11-24"`);
    expect(response.body).toContain(`href="${h.config.siteUrl}/unsubscribe"`);
    expect(response.headers?.['cache-control']).toMatch(/^public/);
  });

  it('is a 404 for an edition that is not out, does not exist or cannot be an id', async () => {
    await storeEdition('2026-11-25', 'composing');

    for (const path of ['/archive/2026-11-25', '/archive/2026-11-26', '/archive/..%2F..%2Fetc', '/archive/%E0%A4%A']) {
      const response = await h.request('GET', path);
      expect(response.statusCode, path).toBe(404);
      expect(mainText(response.body), path).toContain('There is no published edition at this address.');
    }
  });
});

describe('everything else', () => {
  it('is a 404 page for an unknown path and a 405 with Allow for a method a route does not take', async () => {
    const missing = await h.request('GET', '/admin');
    const wrongMethod = await h.request('DELETE', '/unsubscribe');

    expect(missing.statusCode).toBe(404);
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.allow).toBe('GET, POST');
  });
});
