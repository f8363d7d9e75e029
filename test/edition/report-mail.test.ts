import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEditionReport } from '../../lambdas/edition/report.ts';
import { type ReportSender, sendEditionReport } from '../../lambdas/edition/report-mail.ts';
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

/** SendRawEmail to the SES emulator with the real client, recording what was asked of it. */
const recordingSender = () => {
  const calls: { destinations: readonly string[]; tags?: Readonly<Record<string, string>> }[] = [];
  const sender: ReportSender = {
    send: async (raw, options) => {
      calls.push(options);
      const output = await emulators.ses.send(
        new SendRawEmailCommand({ RawMessage: { Data: raw }, Destinations: [...options.destinations], Tags: Object.entries(options.tags ?? {}).map(([Name, Value]) => ({ Name, Value })) }),
      );
      return output.MessageId!;
    },
  };
  return { sender, calls };
};

describe('sendEditionReport', () => {
  it('mails the report to the report address from the newsletter, tagged as a report and not as the edition', async () => {
    await emulators.clearInbox();
    const config = parseConfig({ reportAddress: 'editors@news.example.org', siteUrl: 'https://news.example.org', senderAddress: 'briefing@news.example.org' });
    const { sender, calls } = recordingSender();

    const messageId = await sendEditionReport(report, { config, sender });

    expect(messageId).toEqual(expect.any(String));
    expect(calls).toEqual([{ destinations: ['editors@news.example.org'], tags: { purpose: 'report' } }]);
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
    const { sender, calls } = recordingSender();

    expect(await sendEditionReport(report, { config: parseConfig({}), sender })).toBeUndefined();
    expect(calls).toEqual([]);
  });
});
