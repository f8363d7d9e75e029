const everyDay = new Set(['*', '?']);

/**
 * The EventBridge Scheduler cron (six fields) of the deadline check: the send's cron moved on by
 * `minutes`. The send must be once a day at a fixed time (single minutes and hours), so that the check
 * is the same offset after each send; a deadline past midnight moves the check to the next day, which
 * only a schedule that runs every day can follow.
 */
export const deadlineCron = (cron: string, minutes: number): string => {
  const [minute = '', hour = '', dayOfMonth, month, dayOfWeek, year] = cron.trim().split(/\s+/);
  if (!/^\d{1,2}$/.test(minute) || !/^\d{1,2}$/.test(hour) || year === undefined) {
    throw new Error(`the deadline check needs scheduleCron's minutes and hours as single numbers (one send a day at a fixed time), got "${cron}"`);
  }
  const total = Number(hour) * 60 + Number(minute) + minutes;
  if (total >= 24 * 60 && !(everyDay.has(dayOfMonth!) && everyDay.has(dayOfWeek!) && month === '*' && year === '*')) {
    throw new Error(
      `${minutes} minutes after ${hour.padStart(2, '0')}:${minute.padStart(2, '0')} is the next day, which the deadline check can follow only for a send every day (day-of-month and day-of-week "*" or "?"); choose a deadline before midnight`,
    );
  }
  const at = total % (24 * 60);
  return [String(at % 60), String(Math.floor(at / 60)), dayOfMonth, month, dayOfWeek, year].join(' ');
};
