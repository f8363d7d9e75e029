import type { BriefingConfig } from '../config/config.ts';
import { briefingEnvelope } from '../mail/briefing-mime.ts';
import { buildMime } from '../mail/mime.ts';
import { type EditionReport, reportEmail } from './report.ts';

/** Hands one raw message over (SES in AWS, aws-ses-v2-local locally); the configuration set is the sender's business. */
export interface ReportSender {
  send(raw: Uint8Array, options: { readonly destinations: readonly string[]; readonly tags?: Readonly<Record<string, string>> }): Promise<string>;
}

/**
 * Mails the edition report to `reportAddress` from the newsletter's sender; returns the message id, or
 * undefined when no report address is configured. Tagged `purpose=report` (no `edition` tag), so its own
 * delivery events never count towards the edition it reports on.
 */
export const sendEditionReport = async (
  report: EditionReport,
  deps: { readonly config: BriefingConfig; readonly sender: ReportSender },
): Promise<string | undefined> => {
  const to = deps.config.reportAddress;
  if (to === undefined) return undefined;
  const envelope = briefingEnvelope(deps.config);
  const raw = await buildMime({
    ...envelope,
    // Its own list: a mail client filing or muting reports leaves the briefing alone.
    listId: { name: `${deps.config.newsletterName} edition reports`, id: `reports.${envelope.listId.id}` },
    unsubscribeMailto: undefined,
    ...reportEmail(report, deps.config.newsletterName),
    to,
    // buildMime writes List-Unsubscribe on every message; the editors get the public page, as a test copy does.
    unsubscribeUrl: `${deps.config.siteUrl}/unsubscribe`,
  });
  return deps.sender.send(raw, { destinations: [to], tags: { purpose: 'report' } });
};
