import { describe, expect, it } from 'vitest';
import { editionWindow, isInWindow } from '../../lambdas/edition/window.ts';

const sendTime = new Date('2026-11-24T06:30:00Z');

describe('edition window', () => {
  it('covers the 24 hours before the send time by default', () => {
    const window = editionWindow(sendTime);
    expect(window.from.toISOString()).toBe('2026-11-23T06:30:00.000Z');
    expect(isInWindow('2026-11-24T06:30:00Z', window)).toBe(true);
    expect(isInWindow('2026-11-23T06:30:00Z', window)).toBe(false);
    expect(isInWindow('2026-11-24T06:31:00Z', window)).toBe(false);
  });

  it('starts at the previous edition when it was sent within the window', () => {
    const window = editionWindow(sendTime, new Date('2026-11-23T18:00:00Z'));
    expect(isInWindow('2026-11-23T17:59:00Z', window)).toBe(false);
    expect(isInWindow('2026-11-23T18:01:00Z', window)).toBe(true);
  });

  it('ignores a previous edition older than the window', () => {
    expect(editionWindow(sendTime, new Date('2026-11-20T06:30:00Z')).from.toISOString()).toBe('2026-11-23T06:30:00.000Z');
  });

  it('compares instants, not strings, across offsets', () => {
    expect(isInWindow('2026-11-24T08:00:00+02:00', editionWindow(sendTime))).toBe(true);
  });
});
