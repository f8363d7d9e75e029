import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../lambdas/subscription/store.ts';
import { confirmationLink, mainText, useSubscriptionHarness } from './harness.ts';

const h = useSubscriptionHarness();

/** The sign-up form as a browser posts it: each ticked box sends `topics` once. */
const signupForm = (email: string, topics: readonly string[]) => ({
  body: new URLSearchParams([['email', email], ...topics.map((topic) => ['topics', topic])]).toString(),
  contentType: 'application/x-www-form-urlencoded',
});
const stored = (email: string) => h.stores.subscribers.get(email);
const confirmFor = async (email: string) => {
  const link = await confirmationLink(h.emulators, email);
  return h.request('POST', '/confirm', { body: `token=${link.searchParams.get('token')}`, contentType: 'application/x-www-form-urlencoded' });
};

describe('the sign-up page', () => {
  it('shows every topic as a checkbox, none ticked, in a group with a legend that says none ticked means every story', async () => {
    const html = (await h.request('GET', '/')).body;

    expect(html).toMatch(/<fieldset class="topics" aria-describedby="topics-hint">\s*<legend>Topics \(optional\)<\/legend>/);
    expect(mainText(html)).toContain('Leave them all unticked to get every story.');
    for (const topic of h.config.topics) {
      expect(html).toContain(`<input type="checkbox" id="topic-${topic.id}" name="topics" value="${topic.id}"><label for="topic-${topic.id}">${topic.label}</label>`);
    }
    // Inside the one form: without JavaScript the boxes go with the address.
    expect(html.indexOf('name="topics"')).toBeGreaterThan(html.indexOf('<form method="post" action="/subscribe">'));
    expect(html.indexOf('name="topics"')).toBeLessThan(html.indexOf('</form>'));
  });
});

describe('POST /subscribe with topics', () => {
  it('gives a new address the ticked topics at once (normalised), and none ticked means every story', async () => {
    await h.request('POST', '/subscribe', signupForm('ada@example.org', ['world', 'science', 'world']));
    await h.request('POST', '/subscribe', signupForm('bob@example.org', []));

    expect((await stored('ada@example.org'))?.topics).toEqual(['science', 'world']);
    expect((await stored('bob@example.org'))?.topics).toEqual([]);
    await confirmFor('ada@example.org');
    expect(await stored('ada@example.org')).toMatchObject({ status: 'active', topics: ['science', 'world'] });
  });

  it('takes topics from a JSON list and from multipart fields too', async () => {
    await h.request('POST', '/subscribe', { body: JSON.stringify({ email: 'json@example.org', topics: ['sport'] }), contentType: 'application/json' });
    const boundary = 'xYzZY';
    const multipart = ['email', 'multi@example.org', 'topics', 'health', 'topics', 'culture']
      .reduce<string[]>((parts, value, index, all) => (index % 2 === 0 ? [...parts, `--${boundary}\r\nContent-Disposition: form-data; name="${value}"\r\n\r\n${all[index + 1]}\r\n`] : parts), [])
      .join('');
    await h.request('POST', '/subscribe', { body: `${multipart}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` });

    expect((await stored('json@example.org'))?.topics).toEqual(['sport']);
    expect((await stored('multi@example.org'))?.topics).toEqual(['culture', 'health']);
  });

  it('keeps the topics of an address on the list until its reader confirms the new sign-up, then applies them', async () => {
    await h.stores.subscribers.add('back@example.org', { status: 'unsubscribed', reason: 'unsubscribed on the web page', set: { topics: ['sport'] } });

    await h.request('POST', '/subscribe', signupForm('back@example.org', ['world']));
    expect(await stored('back@example.org')).toMatchObject({ status: 'unsubscribed', topics: ['sport'], signupTopics: ['world'] });

    await confirmFor('back@example.org');
    const confirmed = (await stored('back@example.org')) as Subscriber;
    expect(confirmed).toMatchObject({ status: 'active', topics: ['world'] });
    expect(confirmed.signupTopics).toBeUndefined();
  });

  it('changes no topics of an active address (the sign-up is refused, the answer the same)', async () => {
    await h.stores.subscribers.add('reader@example.org', { status: 'active', reason: 'confirmed', set: { topics: ['sport'] } });

    const response = await h.request('POST', '/subscribe', signupForm('reader@example.org', ['world']));

    expect(mainText(response.body)).toContain('Check your inbox');
    const after = await stored('reader@example.org');
    expect(after?.topics).toEqual(['sport']);
    expect(after?.signupTopics).toBeUndefined();
  });

  it('refuses a topic that does not exist with 400 and the form again, the boxes as ticked, storing nothing', async () => {
    const response = await h.request('POST', '/subscribe', signupForm('ada@example.org', ['world', 'astrology']));

    expect(response.statusCode).toBe(400);
    expect(mainText(response.body)).toContain('There is no topic "astrology"');
    expect(response.body).toMatch(/value="world" checked>/);
    expect(response.body).toContain('value="ada@example.org"');
    expect(await stored('ada@example.org')).toBeUndefined();
    expect(await h.emulators.inbox()).toEqual([]);
  });
});
