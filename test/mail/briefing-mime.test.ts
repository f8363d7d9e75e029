import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { briefingEnvelope, compileBriefingMime } from '../../lambdas/mail/briefing-mime.ts';
import { type RenderedBriefing, renderBriefing } from '../../lambdas/render/briefing.ts';
import { personalise, type Recipient } from '../../lambdas/render/personalise.ts';

const config = parseConfig({ senderName: 'Morning Desk', senderAddress: 'briefing@news.example.com', replyTo: 'desk@news.example.com' });
let rendered: RenderedBriefing;

beforeAll(async () => {
  const { articles } = await loadArticleFiles('samples/articles');
  rendered = await renderBriefing(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }), config);
});

const recipient = (name: string): Recipient => ({
  email: `${name}@example.org`,
  unsubscribeUrl: `https://news.example.com/unsubscribe?token=${name}-t0k3n&from='mail'`,
  browserUrl: 'https://news.example.com/archive/2026-11-24',
});

describe('compileBriefingMime', () => {
  it('gives each recipient exactly the HTML and text personalise() writes for them, and their own unsubscribe header', async () => {
    const mime = await compileBriefingMime(rendered, briefingEnvelope(config, { configurationSet: 'briefing-sending' }));

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

  it('leaves none of the placeholders in any copy', async () => {
    const mime = await compileBriefingMime(rendered, briefingEnvelope(config));

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

  it('falls back to a plain label when the newsletter name has no Latin letters', () => {
    const envelope = briefingEnvelope(parseConfig({ newsletterName: 'Утренний брифинг', senderAddress: 'news@Example.RU' }));

    expect(envelope.listId).toEqual({ name: 'Утренний брифинг', id: 'briefing.example.ru' });
  });
});
