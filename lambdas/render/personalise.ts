import type { RenderedBriefing } from './briefing.ts';
import { placeholders } from './placeholders.ts';
import { escapeHtml, fillSlots, type SlotParts, splitAtSlots } from './slots.ts';

export interface Recipient {
  readonly email: string;
  readonly unsubscribeUrl: string;
  /** The reader's preference page ("Choose your topics"): their topics, and their data to download or delete. */
  readonly preferencesUrl: string;
  readonly browserUrl: string;
}

export interface PersonalisedBriefing {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

const compiled = new WeakMap<RenderedBriefing, { html: SlotParts; text: SlotParts }>();

/** One recipient's values as they are written into the HTML (escaped) and into the text (as they are). */
export const recipientValues = (recipient: Recipient) => {
  const text = { unsubscribeUrl: recipient.unsubscribeUrl, preferencesUrl: recipient.preferencesUrl, browserUrl: recipient.browserUrl, email: recipient.email };
  return {
    text,
    html: { unsubscribeUrl: escapeHtml(text.unsubscribeUrl), preferencesUrl: escapeHtml(text.preferencesUrl), browserUrl: escapeHtml(text.browserUrl), email: escapeHtml(text.email) },
  };
};

/** Fills one recipient's links and address into a rendered briefing: string work only, no template engine. */
export const personalise = (rendered: RenderedBriefing, recipient: Recipient): PersonalisedBriefing => {
  let parts = compiled.get(rendered);
  if (!parts) {
    const slots = placeholders(rendered.marker);
    parts = { html: splitAtSlots(rendered.html, slots), text: splitAtSlots(rendered.text, slots) };
    compiled.set(rendered, parts);
  }
  const values = recipientValues(recipient);
  return { subject: rendered.subject, html: fillSlots(parts.html, values.html), text: fillSlots(parts.text, values.text) };
};
