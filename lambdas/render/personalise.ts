import type { RenderedBriefing } from './briefing.ts';
import { type PlaceholderName, placeholders } from './placeholders.ts';

export interface Recipient {
  readonly email: string;
  readonly unsubscribeUrl: string;
  readonly browserUrl: string;
}

export interface PersonalisedBriefing {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** Text split at the placeholders: even entries are literal text, odd ones the slot to fill. */
type Segments = readonly string[];

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const split = (source: string, marker: string): Segments => {
  const names = placeholders(marker);
  const byToken = new Map(Object.entries(names).map(([name, token]) => [token, name]));
  const pattern = new RegExp(`(${Object.values(names).join('|')})`);
  return source.split(pattern).map((part, index) => (index % 2 === 1 ? (byToken.get(part) as string) : part));
};

const compiled = new WeakMap<RenderedBriefing, { html: Segments; text: Segments }>();

const join = (segments: Segments, values: Record<PlaceholderName, string>): string => {
  let out = segments[0] ?? '';
  for (let index = 1; index < segments.length; index += 2) {
    out += values[segments[index] as PlaceholderName] + (segments[index + 1] ?? '');
  }
  return out;
};

/** Fills one recipient's links and address into a rendered briefing: string work only, no template engine. */
export const personalise = (rendered: RenderedBriefing, recipient: Recipient): PersonalisedBriefing => {
  let parts = compiled.get(rendered);
  if (!parts) {
    parts = { html: split(rendered.html, rendered.marker), text: split(rendered.text, rendered.marker) };
    compiled.set(rendered, parts);
  }
  const raw = { unsubscribeUrl: recipient.unsubscribeUrl, browserUrl: recipient.browserUrl, email: recipient.email };
  const html = { unsubscribeUrl: escapeHtml(raw.unsubscribeUrl), browserUrl: escapeHtml(raw.browserUrl), email: escapeHtml(raw.email) };
  return { subject: rendered.subject, html: join(parts.html, html), text: join(parts.text, raw) };
};
