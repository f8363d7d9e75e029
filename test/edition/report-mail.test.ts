import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesClient } from '../../lambdas/aws/clients.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEditionReport } from '../../lambdas/edition/report.ts';
import { sendEditionReport } from '../../lambdas/edition/report-mail.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';

let emulators: TestEmulators;
beforeAll(async () => {
  emulators = await startTestEmulators();
});
afterAll(() => emulators.close());

const report = buildEditionReport({
  edition: {
    editionId: '2026-11-24',
    status: 'paused',
    statusReason: 'bounce rate 6.0 % (12 of 200 sent) reached 5.0 %',
    subject: 'The Morning Briefing: Comet lights up the sky',
    startedAt: '2026-11-24T06:00:00.000Z',
    updatedAt: '2026-11-24T06:00:20.000Z',
    enqueued: 1000,
    sent: 200,
    skipped: 0,
    failed: 0,
    bounces: 12,
    complaints: 0,
    articleIds: ['comet'],
  },
  stories: [{ id: 'comet', headline: 'Comet <lights> up the sky', url: 'https://news.example.org/comet' }],
  unsubscribes: 2,
  budgetPerSecond: 14,
});

/**
 * The SES mailer over the emulator, with the configuration set the functions give it, keeping the input of each
 * request it makes (the emulator keeps neither the configuration set nor the tags).
 */
const recordingSender = () => {
  const requests: { command: string; input: unknown }[] = [];
  const client = createSesClient(emulators.settings);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push({ command: context.commandName!, input: args.input });
      return next(args);
    },
    { step: 'initialize' },
  );
  return { sender: sesMailer(client, { configurationSet: 'briefing-sending' }), requests, close: () => client.destroy() };
};

describe('sendEditionReport', () => {
  it('mails the report to the report address from the newsletter, tagged as a report and not as the edition', async () => {
    await emulators.clearInbox();
    const config = parseConfig({ reportAddress: 'editors@news.example.org', siteUrl: 'https://news.example.org', senderAddress: 'briefing@news.example.org' });
    const { sender, requests, close } = recordingSender();

    const messageId = await sendEditionReport(report, { config, sender });
    close();

    expect(messageId).toEqual(expect.any(String));
    // A simple message SES composes: the MIME builder stays out of the functions that end editions.
    expect(requests).toEqual([
      {
        command: 'SendEmailCommand',
        input: expect.objectContaining({
          Source: '"The Morning Briefing" <briefing@news.example.org>',
          Destination: { ToAddresses: ['editors@news.example.org'] },
          ConfigurationSetName: 'briefing-sending',
          Tags: [{ Name: 'purpose', Value: 'report' }],
        }),
      },
    ]);
    const [stored] = await emulators.inbox();
    const mail = await emulators.parsed(stored!.messageId);
    expect(mail.subject).toBe('The Morning Briefing report: 2026-11-24 paused, 200 sent');
    expect(mail.from?.value).toEqual([{ name: 'The Morning Briefing', address: 'briefing@news.example.org' }]);
    expect(mail.to).toMatchObject({ value: [{ address: 'editors@news.example.org' }] });
    expect(mail.text).toContain('Edition 2026-11-24 is paused after 200 of 1,000 recipients: bounce rate 6.0 % (12 of 200 sent) reached 5.0 %.');
    expect(mail.text).toContain('unsubscribes  2 since the send started');
    expect(mail.text).toContain('npx briefing send --date 2026-11-24 --resume');
    expect(mail.html).toContain('<a href="https://news.example.org/comet">Comet &#60;lights&#62; up the sky</a>');
  });

  it('sends nothing when no report address is configured', async () => {
    const { sender, requests, close } = recordingSender();

    expect(await sendEditionReport(report, { config: parseConfig({}), sender })).toBeUndefined();
    close();
    expect(requests).toEqual([]);
  });
});
