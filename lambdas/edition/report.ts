import type { MailContent } from '../mail/mime.ts';
import { escapeHtml } from '../render/slots.ts';

/** What the report reads of an edition record (the editions store's record has every field). */
export interface ReportedEdition {
  readonly editionId: string;
  readonly status: string;
  readonly statusReason?: string;
  /** When it entered its status: the end's time (older records have only `updatedAt`, which later counts also move). */
  readonly statusAt?: string;
  readonly subject?: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly updatedAt: string;
  readonly enqueued: number;
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  /** Deliveries SES may or may not have sent (a timeout after the request left); absent on older records. */
  readonly uncertain?: number;
  /** Active readers not mailed because none of the edition's stories is in their topics; absent on older records. */
  readonly noNews?: number;
  readonly bounces: number;
  readonly complaints: number;
  readonly articleIds?: readonly string[];
  /** The send rate it went out under, when it recorded one. */
  readonly rateBudget?: number;
}

export interface ReportedStory {
  readonly id: string;
  /** From the article store; left out when the article is gone, and then the id stands for it. */
  readonly headline?: string;
  readonly url?: string;
}

export interface EditionReportInput {
  readonly edition: ReportedEdition;
  /** The edition's stories, lead first, with their headlines when the article store still has them. @default the record's article ids */
  readonly stories?: readonly ReportedStory[];
  /** Readers who unsubscribed since the edition started sending. */
  readonly unsubscribes: number;
  /** The send rate the edition was allowed, emails per second, for an edition that recorded none. */
  readonly budgetPerSecond: number;
  /** For an edition still sending: the duration so far ends now. @default new Date() */
  readonly now?: Date;
}

/** Where an edition stops being worked on; a report is about one of these (or one still under way, for `editions show`). */
export const endedStatuses = ['sent', 'stopped', 'paused'] as const;

export interface EditionReport {
  readonly editionId: string;
  readonly status: string;
  /** Why it is in that status, when that says more than the status itself. */
  readonly reason?: string;
  readonly subject?: string;
  readonly ended: boolean;
  readonly recipients: number;
  readonly sent: number;
  readonly failed: number;
  readonly uncertain: number;
  readonly skipped: number;
  readonly noNews: number;
  readonly bounces: number;
  readonly complaints: number;
  readonly unsubscribes: number;
  readonly startedAt?: Date;
  /** When it was sent, paused or stopped. */
  readonly endedAt?: Date;
  readonly durationSeconds?: number;
  /** Sent per second over the duration. */
  readonly achievedPerSecond?: number;
  readonly budgetPerSecond: number;
  readonly stories: readonly ReportedStory[];
}

const instant = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
};

/** An edition's figures, from its record and what the caller counted elsewhere (unsubscribes, the rate budget). */
export const buildEditionReport = (input: EditionReportInput): EditionReport => {
  const { edition } = input;
  const ended = (endedStatuses as readonly string[]).includes(edition.status);
  const startedAt = instant(edition.startedAt);
  const endedAt = ended ? instant(edition.status === 'sent' ? (edition.completedAt ?? edition.statusAt ?? edition.updatedAt) : (edition.statusAt ?? edition.updatedAt)) : undefined;
  const until = endedAt ?? (edition.status === 'sending' ? (input.now ?? new Date()) : undefined);
  const durationSeconds = startedAt && until ? Math.max(0, (until.getTime() - startedAt.getTime()) / 1000) : undefined;
  return {
    editionId: edition.editionId,
    status: edition.status,
    reason: edition.statusReason && edition.statusReason !== edition.status ? edition.statusReason : undefined,
    subject: edition.subject,
    ended,
    recipients: edition.enqueued,
    sent: edition.sent,
    failed: edition.failed,
    uncertain: edition.uncertain ?? 0,
    skipped: edition.skipped,
    noNews: edition.noNews ?? 0,
    bounces: edition.bounces,
    complaints: edition.complaints,
    unsubscribes: input.unsubscribes,
    startedAt,
    endedAt,
    durationSeconds,
    achievedPerSecond: durationSeconds ? edition.sent / durationSeconds : undefined,
    budgetPerSecond: edition.rateBudget ?? input.budgetPerSecond,
    stories: input.stories ?? (edition.articleIds ?? []).map((id) => ({ id })),
  };
};

const count = (value: number): string => value.toLocaleString('en-GB');

const share = (part: number, whole: number): string => (whole > 0 ? ` (${((part / whole) * 100).toFixed(part / whole < 0.01 ? 2 : 1)} % of sent)` : '');

const rate = (perSecond: number): string => (perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1).replace(/\.0$/, ''));

/** 45 s, 3 min 07 s, 19 h 50 min. */
export const formatDuration = (seconds: number): string => {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};

/** Label and value pairs, in the order every rendering shows them. */
const rows = (report: EditionReport): [string, string][] => {
  const timing: [string, string][] = [];
  if (report.startedAt) timing.push(['started', report.startedAt.toISOString()]);
  if (report.endedAt) timing.push([report.status === 'sent' ? 'completed' : report.status, report.endedAt.toISOString()]);
  if (report.durationSeconds !== undefined) timing.push(['duration', `${formatDuration(report.durationSeconds)}${report.ended ? '' : ' so far'}`]);
  if (report.achievedPerSecond !== undefined) {
    const used = report.budgetPerSecond > 0 ? ` (${Math.round((report.achievedPerSecond / report.budgetPerSecond) * 100)} % of the budget)` : '';
    timing.push(['send rate', `${rate(report.achievedPerSecond)}/s achieved of a ${rate(report.budgetPerSecond)}/s budget${used}`]);
  }
  return [
    ['status', `${report.status}${report.reason ? ` (${report.reason})` : ''}`],
    ['subject', report.subject ?? '(not rendered)'],
    ['recipients', count(report.recipients)],
    ['sent', count(report.sent)],
    ['failed', count(report.failed)],
    ['uncertain', `${count(report.uncertain)}${report.uncertain > 0 ? ': SES may or may not have sent them' : ''}`],
    ['skipped', `${count(report.skipped)}${report.skipped > 0 ? ': no longer subscribed when their turn came' : ''}`],
    // Only with readers who chose topics: a newsletter whose readers all get everything has no such line.
    ...(report.noNews > 0 ? [['no-news', `${count(report.noNews)}: no story in their topics, not mailed`] as [string, string]] : []),
    ['bounces', `${count(report.bounces)}${share(report.bounces, report.sent)}`],
    ['complaints', `${count(report.complaints)}${share(report.complaints, report.sent)}`],
    ['unsubscribes', `${count(report.unsubscribes)} since the send started`],
    ...timing,
  ];
};

const storyText = (story: ReportedStory): string => (story.headline ? `${story.headline}${story.url ? ` <${story.url}>` : ''}` : story.id);

/** The report as aligned lines, for `briefing editions show`, with any `more` label and value pairs after the figures. */
export const reportLines = (report: EditionReport, more: readonly (readonly [string, string])[] = []): string[] => {
  const labelled: (readonly [string, string])[] = [['edition', report.editionId], ...rows(report), ...more];
  const width = Math.max(...labelled.map(([label]) => label.length)) + 2;
  const stories = report.stories.length
    ? report.stories.map((story, index) => `${(index === 0 ? 'stories' : '').padEnd(width)}${index + 1}. ${storyText(story)}`)
    : [`${'stories'.padEnd(width)}(none)`];
  return [...labelled.map(([label, value]) => `${label.padEnd(width)}${value}`), ...stories];
};

const sentence = (text: string): string => `${text.replace(/[.\s]+$/, '')}.`;

const headline = (report: EditionReport): string => {
  switch (report.status) {
    case 'sent':
      return `Edition ${report.editionId} was sent to ${count(report.sent)} of ${count(report.recipients)} recipients.`;
    case 'paused':
      return `Edition ${report.editionId} is paused after ${count(report.sent)} of ${count(report.recipients)} recipients: ${sentence(report.reason ?? 'paused')}`;
    case 'stopped':
      return `Edition ${report.editionId} stopped after ${count(report.sent)} of ${count(report.recipients)} recipients: ${sentence(report.reason ?? 'stopped')}`;
    default:
      return `Edition ${report.editionId} is ${report.status}: ${count(report.sent)} of ${count(report.recipients)} recipients sent so far.`;
  }
};

const nextStep = (report: EditionReport): string | undefined =>
  report.status === 'paused' || report.status === 'stopped'
    ? `Once the cause is fixed, continue it with: npx briefing send --date ${report.editionId} --resume (add --stack <name> for the deployed stack). Nobody is sent it twice.`
    : undefined;

/** The email to the editors: a plain-text body and a simple HTML one with the same figures (no template engine). */
export const reportEmail = (report: EditionReport, newsletterName: string): MailContent => {
  const subject = `${newsletterName} report: ${report.editionId} ${report.status}, ${count(report.sent)} sent${report.failed ? `, ${count(report.failed)} failed` : ''}${report.uncertain ? `, ${count(report.uncertain)} uncertain` : ''}`;
  const intro = headline(report);
  const next = nextStep(report);
  const text = [intro, '', ...reportLines(report), ...(next ? ['', next] : []), ''].join('\n');
  const cell = 'style="padding:2px 12px 2px 0;vertical-align:top;text-align:left"';
  const tableRows = [['edition', report.editionId] as [string, string], ...rows(report)]
    .map(([label, value]) => `<tr><th ${cell}>${escapeHtml(label)}</th><td ${cell}>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const stories = report.stories
    .map((story) =>
      story.headline && story.url
        ? `<li><a href="${escapeHtml(story.url)}">${escapeHtml(story.headline)}</a></li>`
        : `<li>${escapeHtml(story.headline ?? story.id)}</li>`,
    )
    .join('\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;color:#1a1a1a">',
    `<p>${escapeHtml(intro)}</p>`,
    `<table role="presentation" style="border-collapse:collapse">\n${tableRows}\n</table>`,
    `<h2 style="font-size:16px">Stories</h2>`,
    stories ? `<ol>\n${stories}\n</ol>` : '<p>(none)</p>',
    ...(next ? [`<p>${escapeHtml(next)}</p>`] : []),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
};
