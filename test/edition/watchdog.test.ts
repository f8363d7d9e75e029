import { describe, expect, it } from 'vitest';
import { checkEditionDeadline, type WatchedEditions } from '../../lambdas/edition/watchdog.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();

// The schedule fires compose at 06:30 New York time; the check runs 60 minutes later.
const request = { scheduledTime: new Date('2026-11-24T12:30:00Z'), deadlineMinutes: 60 };
const timeZone = 'America/New_York';

/** An edition record as compose and deliver leave it, in the real store. */
const recordEdition = async (editionId: string, status: 'sent' | 'skipped' | 'stopped' | 'sending' | 'composing', reason?: string) => {
  expect(await local.stores.editions.lock(editionId, 'lambda:test')).toBe(true);
  if (status !== 'composing') await local.stores.editions.setStatus(editionId, status, { from: ['composing'], reason });
};

describe('checkEditionDeadline', () => {
  it('is content when the day’s edition is sent', async () => {
    await recordEdition('2026-11-24', 'sent', 'every recipient handled');

    expect(await checkEditionDeadline(request, { editions: local.stores.editions, timeZone })).toEqual({
      editionId: '2026-11-24',
      sent: true,
      status: 'sent',
      message: 'edition 2026-11-24 was sent in time',
    });
  });

  it.each([
    ['skipped', 'no valid article published between 2026-11-23T11:30:00.000Z and 2026-11-24T11:30:00.000Z'],
    ['stopped', 'compose failed: Item size has exceeded the maximum allowed size'],
    ['sending', undefined],
    ['composing', undefined],
  ] as const)('calls a %s edition late, with its reason', async (status, reason) => {
    await recordEdition('2026-11-24', status, reason);

    const check = await checkEditionDeadline(request, { editions: local.stores.editions, timeZone });

    expect(check).toMatchObject({ editionId: '2026-11-24', sent: false, status });
    expect(check.message).toBe(
      `edition 2026-11-24 is not sent 60 minutes after its scheduled time (2026-11-24T11:30:00.000Z): it is ${status}${reason ? ` (${reason})` : ''}`,
    );
  });

  it('calls a day with no edition at all late (the schedule or compose failed before taking it)', async () => {
    await recordEdition('2026-11-23', 'sent');

    const check = await checkEditionDeadline(request, { editions: local.stores.editions, timeZone });

    expect(check).toMatchObject({ editionId: '2026-11-24', sent: false, status: 'missing' });
    expect(check.message).toMatch(/never started/);
  });

  it("checks the edition of the scheduled send's date when the deadline falls after midnight", async () => {
    const asked: string[] = [];
    const editions: WatchedEditions = { get: async (editionId) => (asked.push(editionId), { status: 'sent' }) };

    // Sent at 23:30 New York time on the 24th, checked at 00:30 on the 25th.
    await checkEditionDeadline({ scheduledTime: new Date('2026-11-25T05:30:00Z'), deadlineMinutes: 60 }, { editions, timeZone });

    expect(asked).toEqual(['2026-11-24']);
  });
});
