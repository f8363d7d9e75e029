import { describe, expect, it } from 'vitest';
import { buildEditionReport, formatDuration, type ReportedEdition, reportEmail, reportLines } from '../../lambdas/edition/report.ts';

const edition = (overrides: Partial<ReportedEdition> = {}): ReportedEdition => ({
  editionId: '2026-11-24',
  status: 'sent',
  statusReason: 'every recipient handled',
  subject: 'The Morning Briefing: Comet lights up the sky',
  startedAt: '2026-11-24T06:00:00.000Z',
  completedAt: '2026-11-24T06:23:20.000Z',
  updatedAt: '2026-11-24T06:23:20.000Z',
  enqueued: 20_000,
  sent: 19_950,
  skipped: 30,
  failed: 12,
  uncertain: 8,
  bounces: 120,
  complaints: 3,
  articleIds: ['comet', 'rates'],
  ...overrides,
});

const stories = [
  { id: 'comet', headline: 'Comet lights up the sky', url: 'https://news.example.org/comet' },
  { id: 'rates', headline: 'Rates <held> & steady', url: 'https://news.example.org/rates?a=1&b=2' },
];

describe('buildEditionReport', () => {
  it('reads the figures of a sent edition: recipients, outcomes, feedback, unsubscribes, duration and achieved rate vs budget', () => {
    const report = buildEditionReport({ edition: edition(), stories, unsubscribes: 41, budgetPerSecond: 14 });

    expect(report).toEqual({
      editionId: '2026-11-24',
      status: 'sent',
      reason: 'every recipient handled',
      subject: 'The Morning Briefing: Comet lights up the sky',
      ended: true,
      recipients: 20_000,
      sent: 19_950,
      failed: 12,
      uncertain: 8,
      skipped: 30,
      noNews: 0,
      bounces: 120,
      complaints: 3,
      unsubscribes: 41,
      startedAt: new Date('2026-11-24T06:00:00.000Z'),
      endedAt: new Date('2026-11-24T06:23:20.000Z'),
      durationSeconds: 1400,
      achievedPerSecond: 19_950 / 1400,
      budgetPerSecond: 14,
      stories,
    });
  });

  it('ends a paused or stopped edition when its status changed, and keeps the reason', () => {
    const stopped = buildEditionReport({
      edition: edition({ status: 'stopped', statusReason: 'AccessDenied: not authorized to perform ses:SendRawEmail', completedAt: undefined, updatedAt: '2026-11-24T06:01:40.000Z', sent: 1400 }),
      unsubscribes: 0,
      budgetPerSecond: 14,
    });

    expect(stopped).toMatchObject({ ended: true, reason: 'AccessDenied: not authorized to perform ses:SendRawEmail', durationSeconds: 100, achievedPerSecond: 14 });
    expect(stopped.endedAt).toEqual(new Date('2026-11-24T06:01:40.000Z'));
  });

  it('counts an edition still sending up to now, and falls back to the article ids for the stories', () => {
    const report = buildEditionReport({
      edition: edition({ status: 'sending', statusReason: 'sending', completedAt: undefined, uncertain: undefined }),
      unsubscribes: 0,
      budgetPerSecond: 14,
      now: new Date('2026-11-24T06:10:00.000Z'),
    });

    expect(report).toMatchObject({ ended: false, reason: undefined, endedAt: undefined, durationSeconds: 600, uncertain: 0, stories: [{ id: 'comet' }, { id: 'rates' }] });
  });

  it('measures the rate against the budget the edition recorded when it went out, not the one the caller assumes', () => {
    expect(buildEditionReport({ edition: edition({ rateBudget: 50 }), unsubscribes: 0, budgetPerSecond: 14 }).budgetPerSecond).toBe(50);
    expect(buildEditionReport({ edition: edition(), unsubscribes: 0, budgetPerSecond: 14 }).budgetPerSecond).toBe(14);
  });

  it('has no duration for an edition that never started sending', () => {
    const report = buildEditionReport({ edition: edition({ status: 'skipped', statusReason: 'no valid article', startedAt: undefined, completedAt: undefined, enqueued: 0, sent: 0 }), unsubscribes: 0, budgetPerSecond: 14 });

    expect(report).toMatchObject({ ended: false, durationSeconds: undefined, achievedPerSecond: undefined, reason: 'no valid article' });
  });
});

describe('reportLines (briefing editions show)', () => {
  it('counts the readers with no story in their topics, who got nothing, after the outcomes', () => {
    const lines = reportLines(buildEditionReport({ edition: edition({ noNews: 1_234 }), stories, unsubscribes: 0, budgetPerSecond: 14 }));

    expect(lines.slice(7, 9)).toEqual(['skipped       30: no longer subscribed when their turn came', 'no-news       1,234: no story in their topics, not mailed']);
    expect(reportEmail(buildEditionReport({ edition: edition({ noNews: 7 }), unsubscribes: 0, budgetPerSecond: 14 }), 'Briefing').html).toContain('<tr><th style="padding:2px 12px 2px 0;vertical-align:top;text-align:left">no-news</th>');
  });

  it('prints every figure on its own aligned line, rates as shares of sent, the rate against the budget, and the stories', () => {
    const lines = reportLines(buildEditionReport({ edition: edition(), stories, unsubscribes: 41, budgetPerSecond: 14 }));

    expect(lines).toEqual([
      'edition       2026-11-24',
      'status        sent (every recipient handled)',
      'subject       The Morning Briefing: Comet lights up the sky',
      'recipients    20,000',
      'sent          19,950',
      'failed        12',
      'uncertain     8: SES may or may not have sent them',
      'skipped       30: no longer subscribed when their turn came',
      'bounces       120 (0.60 % of sent)',
      'complaints    3 (0.02 % of sent)',
      'unsubscribes  41 since the send started',
      'started       2026-11-24T06:00:00.000Z',
      'completed     2026-11-24T06:23:20.000Z',
      'duration      23 min 20 s',
      'send rate     14/s achieved of a 14/s budget (102 % of the budget)',
      'stories       1. Comet lights up the sky <https://news.example.org/comet>',
      '              2. Rates <held> & steady <https://news.example.org/rates?a=1&b=2>',
    ]);
  });

  it('says "so far" for an edition still sending, and names a story by its id when the article is gone', () => {
    const lines = reportLines(
      buildEditionReport({
        edition: edition({ status: 'sending', completedAt: undefined, sent: 300 }),
        stories: [{ id: 'comet' }],
        unsubscribes: 0,
        budgetPerSecond: 1,
        now: new Date('2026-11-24T06:10:00.000Z'),
      }),
    );

    expect(lines).toContain('duration      10 min 00 s so far');
    expect(lines.some((line) => line.startsWith('no-news'))).toBe(false);
    expect(lines).toContain('send rate     0.5/s achieved of a 1/s budget (50 % of the budget)');
    expect(lines.at(-1)).toBe('stories       1. comet');
  });
});

describe('reportEmail', () => {
  it('has a subject naming the edition, its status and what went wrong, and the same figures in text and HTML', () => {
    const mail = reportEmail(buildEditionReport({ edition: edition(), stories, unsubscribes: 41, budgetPerSecond: 14 }), 'The Morning Briefing');

    expect(mail.subject).toBe('The Morning Briefing report: 2026-11-24 sent, 19,950 sent, 12 failed, 8 uncertain');
    expect(mail.text.split('\n')[0]).toBe('Edition 2026-11-24 was sent to 19,950 of 20,000 recipients.');
    expect(mail.text).toContain('unsubscribes  41 since the send started');
    expect(mail.html).toContain('<th style="padding:2px 12px 2px 0;vertical-align:top;text-align:left">uncertain</th><td style="padding:2px 12px 2px 0;vertical-align:top;text-align:left">8: SES may or may not have sent them</td>');
    expect(mail.text).not.toContain('--resume');
  });

  it('escapes every value written into the HTML (a headline is plain text, a URL an attribute)', () => {
    const mail = reportEmail(buildEditionReport({ edition: edition(), stories, unsubscribes: 0, budgetPerSecond: 14 }), 'The <Morning> Briefing');

    expect(mail.html).toContain('<a href="https://news.example.org/rates?a=1&#38;b=2">Rates &#60;held&#62; &#38; steady</a>');
    expect(mail.html).toContain('<title>The &#60;Morning&#62; Briefing report');
    expect(mail.html).not.toMatch(/<held>|<Morning>/);
  });

  it('tells the editors why a stopped edition stopped and how to continue it', () => {
    const mail = reportEmail(
      buildEditionReport({ edition: edition({ status: 'stopped', statusReason: 'Throttling: Daily message quota exceeded.', sent: 1400 }), unsubscribes: 0, budgetPerSecond: 14 }),
      'The Morning Briefing',
    );

    expect(mail.subject).toBe('The Morning Briefing report: 2026-11-24 stopped, 1,400 sent, 12 failed, 8 uncertain');
    expect(mail.text.split('\n')[0]).toBe('Edition 2026-11-24 stopped after 1,400 of 20,000 recipients: Throttling: Daily message quota exceeded.');
    expect(mail.text).toContain('npx briefing send --date 2026-11-24 --resume');
    expect(mail.html).toContain('npx briefing send --date 2026-11-24 --resume');
  });
});

describe('formatDuration', () => {
  it.each([
    [0.4, '0 s'],
    [59, '59 s'],
    [187, '3 min 07 s'],
    [71_428, '19 h 50 min'],
  ])('%d s reads %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
