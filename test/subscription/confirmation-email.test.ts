import type { SendRawEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { createConfirmationSender, renderConfirmationEmail } from '../../lambdas/subscription/confirmation-email.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { verifyToken } from '../../lambdas/subscription/tokens.ts';

const config = parseConfig({ siteUrl: 'https://briefing.example.com', senderAddress: 'briefing@news.example.com', newsletterName: 'The Morning Briefing' });
const secret = 'confirmation-test-secret';
const subscriber = { email: 'reader@example.org', id: '6f1c2b9e-8d0a-4e57-9a3b-2c1d0e9f8a7b', signupNonce: 'Xq3v9LrT0aYb2cDeFgHiJw' };
const now = new Date('2026-11-24T07:00:00Z');

/** Keeps the SendRawEmail requests: the SES emulator drops most headers of a raw message, and the headers are what this is about. */
const recordingSes = () => {
  const sent: SendRawEmailCommand['input'][] = [];
  const client = { send: async (command: SendRawEmailCommand) => (sent.push(command.input), { MessageId: `message-${sent.length}` }) };
  return { sent, client: client as unknown as SESClient };
};

describe('confirmation email', () => {
  it('goes to the address alone, with the confirm link, List-Unsubscribe one-click, the configuration set and a purpose tag', async () => {
    const ses = recordingSes();
    const send = createConfirmationSender({ config, mailer: sesMailer(ses.client, { configurationSet: 'BriefingSet' }), secret, configurationSet: 'BriefingSet' });

    const messageId = await send(subscriber, now);

    expect(messageId).toBe('message-1');
    const [input] = ses.sent;
    expect(input?.Destinations).toEqual([subscriber.email]);
    expect(input?.ConfigurationSetName).toBe('BriefingSet');
    expect(input?.Tags).toEqual([{ Name: 'purpose', Value: 'confirmation' }]);
    const mail = await simpleParser(Buffer.from(input!.RawMessage!.Data!));
    expect(mail.subject).toBe('Confirm your subscription to The Morning Briefing');
    expect(mail.from?.value).toEqual([{ name: 'The Morning Briefing', address: 'briefing@news.example.com' }]);
    expect(mail.to).toMatchObject({ value: [{ address: subscriber.email }] });
    const links = subscriptionLinks(config, secret);
    const header = (name: string) => mail.headerLines.find((line) => line.key === name)?.line.replace(/\r\n\s+/g, ' ');
    expect(header('list-unsubscribe')).toBe(`List-Unsubscribe: <${links.unsubscribeUrl(subscriber.id, now)}>`);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header('x-ses-configuration-set')).toBe('X-SES-CONFIGURATION-SET: BriefingSet');
    const confirmUrl = links.confirmUrl(subscriber.id, subscriber.signupNonce, now);
    expect(mail.text).toContain(confirmUrl);
    expect(mail.html).toContain(`href="${confirmUrl}"`);
    expect(mail.text).toContain(subscriber.email);
    const token = new URL(confirmUrl).searchParams.get('token')!;
    expect(verifyToken(secret, token, 'confirm', now)).toMatchObject({ ok: true, claims: { subscriberId: subscriber.id, signup: subscriber.signupNonce } });
  });

  it('is what the preview renders, byte for byte in both parts', async () => {
    const ses = recordingSes();
    await createConfirmationSender({ config, mailer: sesMailer(ses.client), secret })(subscriber, now);
    const mail = await simpleParser(Buffer.from(ses.sent[0]!.RawMessage!.Data!));

    const preview = await renderConfirmationEmail(config, { email: subscriber.email, confirmUrl: subscriptionLinks(config, secret).confirmUrl(subscriber.id, subscriber.signupNonce, now) });

    expect(mail.text).toBe(preview.text.replace(/\r?\n/g, '\n'));
    expect(mail.html).toBe(preview.html);
    expect(preview.html).toMatch(/^<!doctype html>/i);
    expect(preview.html).toContain('lang="en-GB"');
  });

  it('escapes what it shows: an address is text in the HTML part', async () => {
    const preview = await renderConfirmationEmail(config, { email: "o'neil&co@example.org", confirmUrl: 'https://briefing.example.com/confirm?token=a.b' });

    expect(preview.html).toContain('o&#39;neil&#38;co@example.org');
    expect(preview.text).toContain("o'neil&co@example.org");
  });
});
