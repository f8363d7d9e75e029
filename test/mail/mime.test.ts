import { type AddressObject, simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { InvalidRecipientError, MimeError } from '../../lambdas/mail/headers.ts';
import { buildMime, compileMime, compileSkeleton, type MailMessage } from '../../lambdas/mail/mime.ts';
import { type MimeSkeleton, mimeFromSkeleton, recipientFields } from '../../lambdas/mail/mime-skeleton.ts';

const message = (overrides: Partial<MailMessage> = {}): MailMessage => ({
  from: { name: 'The Morning Briefing', address: 'briefing@news.example.com' },
  replyTo: 'desk@news.example.com',
  to: 'reader@example.org',
  subject: 'The Morning Briefing: Climate deal agreed',
  html: '<p>Climate deal agreed after an all-night session</p>',
  text: 'Climate deal agreed after an all-night session',
  unsubscribeUrl: 'https://news.example.com/unsubscribe?token=abc123',
  unsubscribeMailto: 'unsubscribe@news.example.com',
  listId: { name: 'The Morning Briefing', id: 'morning-briefing.news.example.com' },
  configurationSet: 'briefing-sending',
  ...overrides,
});

/** Header lines of the raw message, unfolded, in order. */
const headerLines = (raw: Buffer): string[] => {
  const head = raw.toString('utf8').split('\r\n\r\n')[0]!;
  return head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
};

const header = (raw: Buffer, name: string): string[] =>
  headerLines(raw)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());

const addresses = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field : field ? [field] : []).flatMap((entry) => entry.value);

describe('buildMime', () => {
  it('builds multipart/alternative with the text and the HTML, sender name, reply-to and recipient', async () => {
    const raw = await buildMime(message());
    const parsed = await simpleParser(raw);

    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(parsed.text).toBe('Climate deal agreed after an all-night session');
    expect(parsed.html).toBe('<p>Climate deal agreed after an all-night session</p>');
    expect(addresses(parsed.from)).toEqual([{ name: 'The Morning Briefing', address: 'briefing@news.example.com' }]);
    expect(addresses(parsed.replyTo)).toEqual([{ name: '', address: 'desk@news.example.com' }]);
    expect(addresses(parsed.to)).toEqual([{ name: '', address: 'reader@example.org' }]);
    expect(parsed.messageId).toMatch(/^<[0-9a-f-]{36}@news\.example\.com>$/);
    expect(Math.abs(parsed.date!.getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('writes the one-click unsubscribe headers (RFC 8058), List-Unsubscribe first, and the list id and configuration set', async () => {
    const raw = await buildMime(message({ feedbackId: 'edition-2026-11-24:briefing:newsletter:ses' }));
    const parsed = await simpleParser(raw);

    expect(header(raw, 'List-Unsubscribe')).toEqual([
      '<https://news.example.com/unsubscribe?token=abc123>, <mailto:unsubscribe@news.example.com?subject=unsubscribe>',
    ]);
    expect(header(raw, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe=One-Click']);
    const names = headerLines(raw).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect(names.indexOf('list-unsubscribe')).toBeLessThan(names.indexOf('list-unsubscribe-post'));
    expect(header(raw, 'List-Id')).toEqual(['"The Morning Briefing" <morning-briefing.news.example.com>']);
    expect(headerLines(raw)).toContain('X-SES-CONFIGURATION-SET: briefing-sending');
    expect(header(raw, 'Feedback-ID')).toEqual(['edition-2026-11-24:briefing:newsletter:ses']);
    expect(parsed.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://news.example.com/unsubscribe?token=abc123', mail: 'unsubscribe@news.example.com?subject=unsubscribe' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
      id: { name: 'The Morning Briefing', id: 'morning-briefing.news.example.com' },
    });
  });

  it('leaves the mailto entry out when there is no unsubscribe address, and the optional headers when not given', async () => {
    const raw = await buildMime(message({ unsubscribeMailto: undefined, configurationSet: undefined, replyTo: undefined }));

    expect(header(raw, 'List-Unsubscribe')).toEqual(['<https://news.example.com/unsubscribe?token=abc123>']);
    expect(header(raw, 'X-SES-CONFIGURATION-SET')).toEqual([]);
    expect(header(raw, 'Feedback-ID')).toEqual([]);
    expect(header(raw, 'Reply-To')).toEqual([]);
  });

  it('encodes a UTF-8 subject, sender name, list name and bodies, and reads them back unchanged', async () => {
    const subject = 'Утренний брифинг 🌍: Déjà vu in Zürich — “quotes” & more';
    const raw = await buildMime(
      message({
        subject,
        from: { name: 'Утренний брифинг 📰', address: 'briefing@news.example.com' },
        listId: { name: 'Утренний брифинг', id: 'briefing.news.example.com' },
        html: '<p>Привет, мир 👋 — Grüße</p>',
        text: 'Привет, мир 👋 — Grüße',
      }),
    );
    const parsed = await simpleParser(raw);

    expect(raw.every((byte) => byte < 0x80)).toBe(true);
    expect(parsed.subject).toBe(subject);
    expect(addresses(parsed.from)[0]?.name).toBe('Утренний брифинг 📰');
    // mailparser leaves encoded words in a list name as they are, so the phrase is decoded as a subject would be.
    const [, phrase, id] = /^(.*) <([^>]+)>$/.exec(header(raw, 'List-Id')[0]!)!;
    expect(id).toBe('briefing.news.example.com');
    expect((await simpleParser(`Subject: ${phrase}\r\n\r\n`)).subject).toBe('Утренний брифинг');
    expect(parsed.html).toBe('<p>Привет, мир 👋 — Grüße</p>');
    expect(parsed.text).toBe('Привет, мир 👋 — Grüße');
  });

  it('keeps every line within the limits: CRLF only, body lines of at most 76 characters, header lines under 998', async () => {
    const long = `${'A long paragraph with ünïcödé and = signs '.repeat(60)}\n\n${'x'.repeat(500)}`;
    const raw = await buildMime(message({ html: `<p>${long}</p>`, text: long }));
    const source = raw.toString('utf8');
    const [head, ...body] = source.split('\r\n\r\n');

    expect(source.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(Math.max(...body.join('\r\n\r\n').split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(76);
    expect(Math.max(...head!.split('\r\n').map((line) => line.length))).toBeLessThan(998);
    const parsed = await simpleParser(raw);
    expect(parsed.text).toBe(long);
  });

  it('strips line breaks and control characters from everything that reaches a header', async () => {
    const raw = await buildMime(
      message({
        subject: 'Breaking\r\nBcc: victim@example.net\r\n\r\n<b>injected body</b>',
        from: { name: 'Briefing\nX-Injected: yes', address: 'briefing@news.example.com' },
        listId: { name: 'List\r\nBcc: list@example.net', id: 'briefing.news.example.com' },
        configurationSet: 'set\r\nX-Injected: yes',
        headers: { 'X-Edition': '2026-11-24\r\nBcc: extra@example.net\u2028X-Injected: yes' },
      }),
    );
    const parsed = await simpleParser(raw);

    const names = headerLines(raw).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(parsed.subject).toBe('Breaking Bcc: victim@example.net <b>injected body</b>');
    expect(addresses(parsed.from)[0]).toEqual({ name: 'Briefing X-Injected: yes', address: 'briefing@news.example.com' });
    expect(header(raw, 'X-Edition')).toEqual(['2026-11-24 Bcc: extra@example.net X-Injected: yes']);
    expect(parsed.html).toBe('<p>Climate deal agreed after an all-night session</p>');
  });

  it('refuses a recipient that is not one plain address, naming it', async () => {
    for (const to of ['reader@example.org\r\nBcc: victim@example.net', 'Reader <reader@example.org>', 'a@example.org, b@example.org', 'no-at-sign', 'jürgen@example.org']) {
      await expect(buildMime(message({ to }))).rejects.toThrow(InvalidRecipientError);
    }
    await expect(buildMime(message({ to: 'Reader <reader@example.org>' }))).rejects.toThrow('recipient address "Reader <reader@example.org>" is not a single email address');
  });

  it('writes an internationalised recipient domain in its ASCII form', async () => {
    const raw = await buildMime(message({ to: 'leser@bücher.example' }));

    expect(header(raw, 'To')).toEqual(['leser@xn--bcher-kva.example']);
  });

  it('refuses an unsubscribe link that is not a web URL', async () => {
    await expect(buildMime(message({ unsubscribeUrl: 'javascript:alert(1)' }))).rejects.toThrow(/unsubscribe URL "javascript:alert\(1\)" must be an https:\/\/ URL/);
    await expect(buildMime(message({ unsubscribeUrl: '/unsubscribe' }))).rejects.toThrow(InvalidRecipientError);
  });

  it('refuses a bad sender, list id or extra header with a clear error', async () => {
    await expect(buildMime(message({ from: { name: 'x', address: 'not an address' } }))).rejects.toThrow(/sender address "not an address"/);
    await expect(buildMime(message({ listId: { name: 'x', id: 'no dots' } }))).rejects.toThrow(/list id "no dots"/);
    await expect(buildMime(message({ headers: { 'X-Bad: name': 'v' } }))).rejects.toThrow(MimeError);
    await expect(buildMime(message({ headers: { bcc: 'victim@example.net' } }))).rejects.toThrow(/header bcc is written by the mailer/);
  });
});

describe('compileMime', () => {
  const template = {
    subject: 'Edition',
    html: '<a href="SLOT-URL">Unsubscribe</a> · sent to SLOT-EMAIL · <a href="SLOT-URL">again</a>',
    text: 'Unsubscribe: SLOT-URL\nSent to SLOT-EMAIL',
  };
  const slots = { url: 'SLOT-URL', email: 'SLOT-EMAIL' };

  it('fills each recipient into the To, List-Unsubscribe, Message-ID and body slots', async () => {
    const mime = await compileMime(message(), template, slots);

    const copies = await Promise.all(
      ['ann@example.org', 'bob@example.org'].map(async (to, index) => {
        const url = `https://news.example.com/unsubscribe?token=${index}&list=morning`;
        const raw = mime.build({ to, unsubscribeUrl: url, html: { url: url.replace('&', '&amp;'), email: to }, text: { url, email: to } });
        return { raw, parsed: await simpleParser(raw) };
      }),
    );

    expect(copies.map(({ parsed }) => addresses(parsed.to)[0]?.address)).toEqual(['ann@example.org', 'bob@example.org']);
    expect(copies.map(({ raw }) => header(raw, 'List-Unsubscribe')[0])).toEqual([
      '<https://news.example.com/unsubscribe?token=0&list=morning>, <mailto:unsubscribe@news.example.com?subject=unsubscribe>',
      '<https://news.example.com/unsubscribe?token=1&list=morning>, <mailto:unsubscribe@news.example.com?subject=unsubscribe>',
    ]);
    expect(copies[1]!.parsed.html).toBe(
      '<a href="https://news.example.com/unsubscribe?token=1&amp;list=morning">Unsubscribe</a> · sent to bob@example.org · <a href="https://news.example.com/unsubscribe?token=1&amp;list=morning">again</a>',
    );
    expect(copies[0]!.parsed.text).toBe('Unsubscribe: https://news.example.com/unsubscribe?token=0&list=morning\nSent to ann@example.org');
    expect(copies[0]!.parsed.messageId).not.toBe(copies[1]!.parsed.messageId);
  });

  it('keeps a long value in a slot within the 76-character lines', async () => {
    const mime = await compileMime(message(), template, slots);
    const url = `https://news.example.com/unsubscribe?token=${'t'.repeat(300)}`;

    const raw = mime.build({ to: 'ann@example.org', unsubscribeUrl: url, html: { url, email: 'ann@example.org' }, text: { url, email: 'ann@example.org' } });

    const body = raw.toString('utf8').split('\r\n\r\n').slice(1).join('\r\n\r\n');
    expect(Math.max(...body.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(76);
    expect((await simpleParser(raw)).text).toBe(`Unsubscribe: ${url}\nSent to ann@example.org`);
  });

  it('names a slot the recipient has no value for', async () => {
    const mime = await compileMime(message(), template, slots);

    expect(() => mime.build({ to: 'ann@example.org', unsubscribeUrl: 'https://news.example.com/u', html: { url: 'x' }, text: { url: 'x', email: 'y' } })).toThrow(
      'no value for the HTML slot "email"',
    );
  });
});

describe('compileSkeleton and mimeFromSkeleton (compose compiles, deliver fills in)', () => {
  const content = { html: '<p>Hello SLOT-EMAIL</p>', text: 'Hello SLOT-EMAIL' };
  const slots = { email: 'SLOT-EMAIL' };

  it('compiles plain data that, stored and read back, builds the same message as compiling in one go', async () => {
    const skeleton = await compileSkeleton(message(), 'The Morning Briefing: Climate deal agreed');
    const stored: MimeSkeleton = JSON.parse(JSON.stringify(skeleton));
    const recipient = { to: 'ann@example.org', unsubscribeUrl: 'https://news.example.com/u?t=1', html: { email: 'ann@example.org' }, text: { email: 'ann@example.org' } };

    const filled = await simpleParser(mimeFromSkeleton(stored, content, slots).build(recipient));
    const direct = await simpleParser((await compileMime(message(), { subject: 'The Morning Briefing: Climate deal agreed', ...content }, slots)).build(recipient));

    expect(stored).toEqual(skeleton);
    // Its literal parts hold no recipient's field and no body: those are filled in per recipient.
    expect(skeleton.parts.filter((_, index) => index % 2 === 1)).toEqual(expect.arrayContaining([...recipientFields]));
    expect(skeleton.parts.join('')).not.toMatch(/Hello|ann@example\.org/);
    for (const mail of [filled, direct]) {
      expect(mail.subject).toBe('The Morning Briefing: Climate deal agreed');
      expect(mail.html).toBe('<p>Hello ann@example.org</p>');
      expect(mail.text).toBe('Hello ann@example.org');
      expect(addresses(mail.to)).toEqual([{ name: '', address: 'ann@example.org' }]);
      expect(mail.headers.get('list')).toMatchObject({ unsubscribe: { url: 'https://news.example.com/u?t=1' }, id: { id: 'morning-briefing.news.example.com' } });
    }
    expect(filled.headerLines.map((line) => line.key)).toEqual(direct.headerLines.map((line) => line.key));
  });

  it('refuses a skeleton without each recipient field once, naming what it holds', async () => {
    const { parts, messageIdDomain } = await compileSkeleton(message(), 'Edition');
    const withoutDate = parts.flatMap((part, index) => (part === 'date' && index % 2 === 1 ? [] : [part]));
    const joined = [withoutDate.slice(0, 2).join(''), ...withoutDate.slice(2)];

    expect(() => mimeFromSkeleton({ parts: joined, messageIdDomain }, content, slots)).toThrow(MimeError);
    expect(() => mimeFromSkeleton({ parts: [...parts, 'bcc', ''], messageIdDomain }, content, slots)).toThrow(/must hold each of to, messageId, date, listUnsubscribe, html, text once between literal parts; this one holds .*bcc/);
  });
});
