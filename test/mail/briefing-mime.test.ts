import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { briefingEnvelope, briefingFeedbackId } from '../../lambdas/mail/briefing-mime.ts';
import { type RenderedBriefing, renderBriefing } from '../../lambdas/render/briefing.ts';
import { personalise, type Recipient } from '../../lambdas/render/personalise.ts';
import { deliveredMime } from '../helpers/delivered-mime.ts';

const config = parseConfig({ senderName: 'Morning Desk', senderAddress: 'briefing@news.example.com', replyTo: 'desk@news.example.com' });
let rendered: RenderedBriefing;

beforeAll(async () => {
  const { articles } = await loadArticleFiles('samples/articles');
  rendered = await renderBriefing(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }), config);
});

const recipient = (name: string): Recipient => ({
  email: `${name}@example.org`,
  unsubscribeUrl: `https://news.example.com/unsubscribe?token=${name}-t0k3n&from='mail'`,
  preferencesUrl: `https://news.example.com/preferences?token=${name}-pr3fs`,
  browserUrl: 'https://news.example.com/archive/2026-11-24',
});

describe('the briefing MIME deliver sends (the skeleton compose stores, filled in)', () => {
  it('gives each recipient exactly the HTML and text personalise() writes for them, and their own unsubscribe header', async () => {
    const mime = await deliveredMime(rendered, briefingEnvelope(config, { configurationSet: 'briefing-sending' }));

    for (const name of ['ann', 'bob', 'o.connor+news']) {
      const raw = mime.build(recipient(name));
      const parsed = await simpleParser(raw);
      const expected = personalise(rendered, recipient(name));

      expect(parsed.subject).toBe(rendered.subject);
      expect(parsed.html).toBe(expected.html);
      expect(parsed.text).toBe(expected.text);
      expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: recipient(name).unsubscribeUrl.replace(/'/g, '%27') } });
      expect(parsed.to).toMatchObject({ value: [{ address: `${name}@example.org` }] });
      expect(parsed.text).toContain(recipient(name).unsubscribeUrl);
    }
  });

  it('labels every copy of an edition with one Feedback-ID: edition, newsletter, mail type, sender', async () => {
    const mime = await deliveredMime(rendered, briefingEnvelope(config, { editionId: '2026-11-24' }));

    const headers = (name: string) =>
      mime
        .build(recipient(name))
        .toString('utf8')
        .split('\r\n\r\n')[0]!
        .split('\r\n')
        .filter((line) => line.startsWith('Feedback-ID:'));

    expect(headers('ann')).toEqual(['Feedback-ID: 2026-11-24:the-morning-briefing:briefing:example']);
    expect(headers('bob')).toEqual(headers('ann'));
  });

  it('leaves none of the placeholders in any copy', async () => {
    const mime = await deliveredMime(rendered, briefingEnvelope(config));

    const source = mime.build(recipient('ann')).toString('utf8').replace(/=\r\n/g, '');

    expect(source).not.toContain(rendered.marker);
  });
});

describe('briefingEnvelope', () => {
  it('takes the sender, reply-to and a list id under the sender domain from the config', () => {
    expect(briefingEnvelope(config, { configurationSet: 'briefing-sending', unsubscribeMailto: 'unsubscribe@news.example.com' })).toEqual({
      from: { name: 'Morning Desk', address: 'briefing@news.example.com' },
      replyTo: 'desk@news.example.com',
      listId: { name: 'The Morning Briefing', id: 'the-morning-briefing.news.example.com' },
      configurationSet: 'briefing-sending',
      unsubscribeMailto: 'unsubscribe@news.example.com',
    });
  });

  it('gives the Feedback-ID only when it knows the edition', () => {
    expect(briefingEnvelope(config).feedbackId).toBeUndefined();
    expect(briefingEnvelope(config, { editionId: '2026-11-24' }).feedbackId).toBe('2026-11-24:the-morning-briefing:briefing:example');
  });

  it.each([
    ['briefing@news.example.com', 'example'],
    ['news@bbc.co.uk', 'bbc-co'],
    ['desk@mail.abc.net.au', 'abc-net'],
    ['a@Example.RU', 'example'],
    ['a@brief.io', 'brief'],
    ['a@x.io', 'x-io'],
    ['a@newsroom-of-the-northern-isles.example', 'newsroom-of-the'],
  ])('takes the sender id of %s from its domain: %s (Gmail wants 5–15 characters, stable)', (senderAddress, senderId) => {
    expect(briefingFeedbackId(parseConfig({ senderAddress }), '2026-11-24').split(':')[3]).toBe(senderId);
  });

  it('keeps the Feedback-ID to four colon-separated fields without spaces or line breaks, whatever the names hold', () => {
    const id = briefingFeedbackId(parseConfig({ newsletterName: 'Bad: Name\twith "spaces"' }), '2026-11-24:x y\r\nBcc: z');

    expect(id.split(':')).toHaveLength(4);
    expect(id).toMatch(/^[A-Za-z0-9._-]+:[a-z0-9-]+:briefing:[a-z0-9-]+$/);
  });

  it('falls back to a plain label when the newsletter name has no Latin letters', () => {
    const envelope = briefingEnvelope(parseConfig({ newsletterName: 'Утренний брифинг', senderAddress: 'news@Example.RU' }));

    expect(envelope.listId).toEqual({ name: 'Утренний брифинг', id: 'briefing.example.ru' });
  });
});
