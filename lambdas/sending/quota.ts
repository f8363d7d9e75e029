/** The account's sending limits as SES `GetSendQuota` answers them. */
export interface SendQuota {
  /** Emails the account may send in a rolling 24 hours; -1 means no limit. */
  readonly max24HourSend: number;
  readonly sentLast24Hours: number;
  /** Emails per second. */
  readonly maxSendRate: number;
}

export type QuotaDecision =
  | {
      readonly ok: true;
      /** What is left of the 24-hour quota after this edition (Infinity without a limit). */
      readonly remainingAfter: number;
      /** How long the edition takes at the account's maximum rate, in seconds. */
      readonly secondsAtMaxRate: number;
    }
  | { readonly ok: false; readonly reason: string };

const count = (value: number): string => Math.floor(value).toLocaleString('en-GB');

/**
 * Whether an edition of `recipients` may start: it must fit in what is left of the 24-hour quota,
 * so that it never stops half way with "Daily message quota exceeded". The quota rolls (mail sent 24
 * hours ago frees up), so an edition that does not fit now may fit later.
 */
export const checkSendQuota = (quota: SendQuota, recipients: number): QuotaDecision => {
  if (!Number.isInteger(recipients) || recipients < 0) throw new RangeError(`recipients must be a whole number of at least 0, got ${recipients}`);
  if (!(quota.maxSendRate > 0)) {
    return { ok: false, reason: `SES allows this account no sending (maximum send rate ${quota.maxSendRate}/s): is sending paused for the account?` };
  }
  const secondsAtMaxRate = recipients / quota.maxSendRate;
  if (quota.max24HourSend < 0) return { ok: true, remainingAfter: Infinity, secondsAtMaxRate };
  const remaining = Math.max(0, quota.max24HourSend - quota.sentLast24Hours);
  if (recipients <= remaining) return { ok: true, remainingAfter: remaining - recipients, secondsAtMaxRate };
  return {
    ok: false,
    reason:
      `the edition has ${count(recipients)} recipients but only ${count(remaining)} of the 24-hour SES quota are left ` +
      `(${count(quota.max24HourSend)} a day, ${count(quota.sentLast24Hours)} sent in the last 24 hours): ` +
      'send it later, when the mail of the last 24 hours has rolled off, or ask AWS for a higher quota (Service Quotas → Amazon SES → Sending quota)',
  };
};
