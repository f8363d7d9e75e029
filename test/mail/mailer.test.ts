import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { headerMailbox } from '../../lambdas/mail/headers.ts';
import { buildMime } from '../../lambdas/mail/mime.ts';
import { type SesEmulator, startSesEmulator } from './ses-emulator.ts';

let ses: SesEmulator;

beforeAll(async () => {
  ses = await startSesEmulator();
});

afterAll(async () => {
  await ses.close();
});

describe('the SES mailer', () => {
  it('hands the raw MIME to SES and returns the message id it was stored under', async () => {
    const raw = await buildMime({
      from: { name: 'The Morning Briefing', address: 'briefing@news.example.com' },
      replyTo: 'desk@news.example.com',
      to: 'reader@example.org',
      subject: 'Утренний брифинг 🌍: the climate deal',
      html: '<p>Negotiators in Belém agreed how the fund will be paid for.</p>',
      text: 'Negotiators in Belém agreed how the fund will be paid for.',
      unsubscribeUrl: 'https://news.example.com/unsubscribe?token=abc',
      listId: { name: 'The Morning Briefing', id: 'morning-briefing.news.example.com' },
      configurationSet: 'briefing-sending',
    });

    const messageId = await sesMailer(ses.client, { configurationSet: 'briefing-sending' }).send(raw, { destinations: ['reader@example.org'] });

    const stored = (await ses.store()).filter((email) => email.messageId === messageId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      from: '"The Morning Briefing" <briefing@news.example.com>',
      replyTo: ['desk@news.example.com'],
      destination: { to: ['reader@example.org'] },
      subject: 'Утренний брифинг 🌍: the climate deal',
      body: {
        html: '<p>Negotiators in Belém agreed how the fund will be paid for.</p>',
        text: 'Negotiators in Belém agreed how the fund will be paid for.',
      },
    });
  });

  it('hands a simple message to SES SendEmail, which composes it, and returns the message id it was stored under', async () => {
    const from = headerMailbox({ name: 'Утренний брифинг', address: 'briefing@news.example.com' }, 'sender address');

    const messageId = await sesMailer(ses.client, { configurationSet: 'briefing-sending' }).sendSimple(
      { from, to: 'editors@news.example.com', replyTo: 'desk@news.example.com', subject: 'Утренний брифинг report: 2026-11-24 sent', text: 'Sent to 3 of 3 — Grüße', html: '<p>Sent to 3 of 3 — Grüße</p>' },
      { tags: { purpose: 'report' } },
    );

    const stored = (await ses.store()).filter((email) => email.messageId === messageId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      from,
      replyTo: ['desk@news.example.com'],
      destination: { to: ['editors@news.example.com'] },
      subject: 'Утренний брифинг report: 2026-11-24 sent',
      body: { text: 'Sent to 3 of 3 — Grüße', html: '<p>Sent to 3 of 3 — Grüße</p>' },
    });
    // The sender's name goes to SES as RFC 2047 encoded words, as SendEmail's Source asks for a name that is not ASCII.
    expect(from).toMatch(/^[\x20-\x7e]+$/);
    expect((await simpleParser(`From: ${from}\r\n\r\n`)).from?.value).toEqual([{ name: 'Утренний брифинг', address: 'briefing@news.example.com' }]);
  });
});
