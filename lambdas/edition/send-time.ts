const offsetMinutes = (at: Date, timeZone: string): number => {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
};

/** The last instant of a calendar date in a time zone. */
export const endOfDayInZone = (date: string, timeZone: string): Date => {
  const utcEnd = Date.parse(`${date}T23:59:59.999Z`);
  return new Date(utcEnd - offsetMinutes(new Date(utcEnd), timeZone) * 60_000);
};

/**
 * When an edition counts as sent, for its publication window: now for today's edition (or a future
 * date's), the end of its day in the newsletter's time zone for an earlier date.
 */
export const editionSendTime = (editionId: string, timeZone: string, now: Date): Date => {
  const end = endOfDayInZone(editionId, timeZone);
  return end < now ? end : now;
};
