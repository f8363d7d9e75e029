import type { BriefingConfig } from '../config/config.ts';
import { headerAddress, headerMailbox, headerText } from '../mail/headers.ts';
import type { SimpleMailer } from '../mail/mailer.ts';
import { type EditionReport, reportEmail } from './report.ts';

/**
 * Mails the edition report to `reportAddress` from the newsletter's sender; returns the message id, or
 * undefined when no report address is configured. Tagged `purpose=report` (no `edition` tag), so its own
 * delivery events never count towards the edition it reports on.
 *
 * A simple message that SES composes (`SendEmail`), not MIME of ours: it goes to the editors, not to a list, so it
 * needs none of the list headers the MIME builder is there for, and the functions that end editions (deliver,
 * feedback) stay without it.
 */
export const sendEditionReport = async (
  report: EditionReport,
  deps: { readonly config: BriefingConfig; readonly sender: SimpleMailer },
): Promise<string | undefined> => {
  const to = deps.config.reportAddress;
  if (to === undefined) return undefined;
  const { config } = deps;
  const { subject, text, html } = reportEmail(report, config.newsletterName);
  return deps.sender.sendSimple(
    {
      from: headerMailbox({ name: config.senderName, address: config.senderAddress }, 'sender address'),
      to: headerAddress(headerText(to), 'report address'),
      ...(config.replyTo === undefined ? {} : { replyTo: headerAddress(headerText(config.replyTo), 'reply-to address') }),
      subject: headerText(subject),
      text,
      html,
    },
    { tags: { purpose: 'report' } },
  );
};
