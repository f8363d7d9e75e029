import { Liquid, type Template } from 'liquidjs';
import { configEnvironmentNames } from '../config/config.ts';
import { TemplateError } from './engine.ts';

/**
 * The subject when `subjectTemplate` is not set: the lead headline, cut at a word boundary to fit in
 * 78 characters. Not the newsletter's name: the inbox shows the sender's name beside the subject already.
 */
export const defaultSubjectTemplate = '{{ lead.headline | shorten: 78 }}';

/** Shortens text to at most `max` characters, cut at a word boundary and marked with an ellipsis. */
export const shorten = (text: string, max: number): string => {
  const characters = [...text];
  if (characters.length <= max) return text;
  const head = characters.slice(0, Math.max(max - 1, 1)).join('');
  // Cut at the last space when there is one; a single word that long is cut where it reaches the limit.
  const space = head.lastIndexOf(' ');
  return `${(space > 0 ? head.slice(0, space) : head).replace(/[\s,;:.–—-]+$/u, '')}…`;
};

// Only for subjects: nothing is HTML-escaped, and `shorten` is the one filter it adds.
const liquid = new Liquid({ strictVariables: true, strictFilters: true, ownPropertyOnly: true });
liquid.registerFilter('shorten', (value: unknown, max: unknown = 78) => shorten(String(value ?? ''), Number(max)));

const parsed = new Map<string, Template[]>();
const where = `subjectTemplate (${configEnvironmentNames.subjectTemplate})`;

const parse = (source: string): Template[] => {
  let templates = parsed.get(source);
  if (!templates) {
    try {
      templates = liquid.parse(source);
    } catch (error) {
      throw new TemplateError((error as Error).message, where);
    }
    parsed.set(source, templates);
  }
  return templates;
};

// A subject is one header line: line breaks (header injection) and other control characters become spaces.
const oneLine = (value: string): string =>
  value
    .replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();

/** Fills the subject template (Liquid, unescaped) with the edition's data; an empty result is an error. */
export const renderSubject = (source: string, data: Record<string, unknown>): string => {
  let subject: string;
  try {
    subject = oneLine(liquid.renderSync(parse(source), data) as string);
  } catch (error) {
    throw error instanceof TemplateError ? error : new TemplateError((error as Error).message, where);
  }
  if (subject === '') throw new TemplateError('gives an empty subject', where);
  return subject;
};
