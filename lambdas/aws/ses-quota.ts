import { GetSendQuotaCommand, type SESClient } from '@aws-sdk/client-ses';
import type { SendQuota } from '../sending/quota.ts';

/**
 * The account's sending limits (`GetSendQuota`, an action with no resource-level permission: the
 * grant names `*`). A field missing from the answer is an error, not a limit of 0, so a surprising
 * answer never stops or starts an edition by accident.
 */
export const getSendQuota = async (client: SESClient): Promise<SendQuota> => {
  const output = await client.send(new GetSendQuotaCommand({}));
  const field = (name: 'Max24HourSend' | 'SentLast24Hours' | 'MaxSendRate'): number => {
    const value = output[name];
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`SES GetSendQuota answered without ${name}`);
    return value;
  };
  return { max24HourSend: field('Max24HourSend'), sentLast24Hours: field('SentLast24Hours'), maxSendRate: field('MaxSendRate') };
};
