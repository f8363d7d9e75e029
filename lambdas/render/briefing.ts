import { randomBytes } from 'node:crypto';
import type { Article } from '../articles/schema.ts';
import type { BriefingConfig } from '../config/config.ts';
import type { Edition } from '../edition/model.ts';
import { createTemplateEngine, type TemplateEngine } from './engine.ts';
import { placeholders } from './placeholders.ts';
import { defaultSubjectTemplate, renderSubject } from './subject.ts';

/** One edition rendered once for everybody; `personalise()` fills the per-recipient placeholders. */
export interface RenderedBriefing {
  readonly subject: string;
  readonly preheader: string;
  readonly html: string;
  readonly text: string;
  /** The filled-in MJML the HTML was compiled from (for the preview and for debugging). */
  readonly mjml: string;
  /** Random per render; every placeholder in `html` and `text` is built from it. */
  readonly marker: string;
}

// Building an Intl formatter costs far more than using one, so each language and zone gets one per container.
const formatters = new Map<string, Intl.DateTimeFormat>();
const formatter = (key: string, language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  let cached = formatters.get(key);
  if (!cached) formatters.set(key, (cached = new Intl.DateTimeFormat(language, options)));
  return cached;
};

const longDate = (config: BriefingConfig, date: string): string =>
  formatter(`long|${config.language}`, config.language, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
    new Date(`${date}T12:00:00Z`),
  );

const publishedLabel = (config: BriefingConfig, iso: string): string =>
  formatter(`published|${config.language}|${config.timeZone}`, config.language, {
    timeZone: config.timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));

// Templates run with strict variables, so every optional field is present as null rather than missing.
const storyView = (config: BriefingConfig, article: Article) => {
  const firstSection = article.sections?.[0];
  return {
    id: article.id,
    category: article.category,
    headline: article.headline,
    url: article.url,
    publishedAt: article.publishedAt,
    publishedLabel: publishedLabel(config, article.publishedAt),
    author: article.author?.name ?? null,
    image: article.image
      ? { url: article.image.url, alt: article.image.alt, credit: article.image.credit ?? null, width: article.image.width ?? null, height: article.image.height ?? null }
      : null,
    keyPoints: article.keyPoints,
    standfirst: article.standfirst ?? null,
    summary: article.standfirst ? null : firstSection ? { heading: firstSection.heading, paragraphs: firstSection.paragraphs } : null,
  };
};

// Each part ends as a sentence, so the inbox's one line of preview text does not run them together.
const sentence = (text: string): string => (/[.!?…]['"’”)]*$/u.test(text) ? text : `${text}.`);

const preheaderOf = (lead: Article, others: readonly Article[]): string => {
  const also = others.slice(0, 3).map((story) => story.headline);
  return [sentence(lead.keyPoints[0]!), ...(also.length ? [sentence(`Also: ${also.join('; ')}`)] : [])].join(' ');
};

/** The data every briefing template sees; exported so the preview shows exactly what the sender renders. */
export const briefingData = (config: BriefingConfig, edition: Edition, marker: string) => {
  const [lead, ...others] = edition.stories;
  if (!lead) throw new Error('an edition needs at least one story');
  const slots = placeholders(marker);
  // What the subject template sees: the edition, never a recipient's placeholders (one subject serves everyone).
  const editionView = {
    newsletter: {
      name: config.newsletterName,
      description: config.description,
      language: config.language,
      postalAddress: config.postalAddress,
      siteUrl: config.siteUrl,
    },
    edition: { date: edition.date, dateLabel: longDate(config, edition.date), storyCount: edition.stories.length },
    lead: storyView(config, lead),
    stories: others.map((article) => storyView(config, article)),
  };
  return {
    ...editionView,
    subject: renderSubject(config.subjectTemplate ?? defaultSubjectTemplate, editionView),
    preheader: preheaderOf(lead, others),
    related: edition.related,
    links: { unsubscribe: slots.unsubscribeUrl, preferences: slots.preferencesUrl, browser: slots.browserUrl, signup: `${config.siteUrl}/` },
    recipient: slots.email,
  };
};

export const briefingTemplates = { html: 'briefing.mjml', text: 'briefing.txt.liquid' } as const;

let sharedEngine: TemplateEngine | undefined;

/** The engine renders use when given none: one per container, templates read once. */
export const defaultEngine = (): TemplateEngine => (sharedEngine ??= createTemplateEngine());

/** A fresh marker: the placeholders of a render are built from it, so article text cannot forge them. */
export const newMarker = (): string => `brf${randomBytes(6).toString('hex')}`;

/**
 * Renders the edition once: Liquid fills the MJML, MJML compiles it, and a text template gives the plain part.
 * `marker` is given when several renders are to share one (the topic variants of an edition).
 */
export const renderBriefing = async (
  edition: Edition,
  config: BriefingConfig,
  engine: TemplateEngine = defaultEngine(),
  marker: string = newMarker(),
): Promise<RenderedBriefing> => {
  const data = briefingData(config, edition, marker);
  const { mjml, html } = await engine.renderMjml(briefingTemplates.html, data);
  const text = await engine.renderText(briefingTemplates.text, data);
  return { subject: data.subject, preheader: data.preheader, html, text, mjml, marker };
};
