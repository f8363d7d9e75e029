import { describe, expect, it } from 'vitest';
import { stopReason } from '../../lambdas/metrics.ts';

describe('stopReason (the reason dimension of EditionsStopped)', () => {
  it('names the daily quota, which SES reports as a throttling error', () => {
    expect(stopReason({ code: 'Throttling', message: 'Daily message quota exceeded.' })).toBe('DailyQuotaExceeded');
  });

  it('keeps the classified SES code otherwise, and never an empty or odd dimension value', () => {
    expect(stopReason({ code: 'AccountSendingPausedException', message: 'Account sending paused' })).toBe('AccountSendingPausedException');
    expect(stopReason({ code: 'AccessDenied', message: 'not authorized to perform ses:SendRawEmail' })).toBe('AccessDenied');
    expect(stopReason({ code: 'weird code/with spaces', message: '' })).toBe('weirdcodewithspaces');
    expect(stopReason({ code: '', message: '' })).toBe('Unknown');
  });
});
