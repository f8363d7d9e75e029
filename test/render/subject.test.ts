import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import { TemplateError } from '../../lambdas/render/engine.ts';
import { shorten } from '../../lambdas/render/subject.ts';
import { article } from '../helpers/articles.ts';

const subjectOf = async (headline: string, settings: Record<string, unknown> = {}) => {
  const edition = buildEdition([article({ id: 'lead', headline, priority: 9 }), article({ id: 'second', headline: 'Second story' })], {
    date: '2026-11-24',
    maxStories: 10,
  });
  return (await renderBriefing(edition, parseConfig(settings))).subject;
};

describe('shorten', () => {
  it('keeps text that fits', () => {
    expect(shorten('Rates held', 78)).toBe('Rates held');
    expect(shorten('x'.repeat(78), 78)).toBe('x'.repeat(78));
  });

  it('cuts at the last word boundary that fits, ellipsis included, without a dangling comma', () => {
    expect(shorten('Rates held at 3.75%, cut expected in the new year', 24)).toBe('Rates held at 3.75%…');
    expect(shorten('Rates held at 3.75%, cut expected in the new year', 24).length).toBeLessThanOrEqual(24);
  });

  it('cuts a single long word where it reaches the limit, and never splits an emoji', () => {
    expect(shorten('Supercalifragilistic', 10)).toBe('Supercali…');
    expect(shorten('🌍🌍🌍🌍🌍', 4)).toBe('🌍🌍🌍…');
  });
});

describe('the briefing subject', () => {
  it('is the lead headline by default, without the newsletter name the inbox already shows', async () => {
    expect(await subjectOf('Rail strike called off')).toBe('Rail strike called off');
  });

  it('is cut at a word boundary to at most 78 characters', async () => {
    const headline = 'Climate summit ends with a deal on the loss and damage fund after an all-night session in Belém';
    const subject = await subjectOf(headline);
    expect([...subject].length).toBeLessThanOrEqual(78);
    expect(subject).toBe('Climate summit ends with a deal on the loss and damage fund after an…');
  });

  it('follows subjectTemplate, a Liquid template over the edition, unescaped', async () => {
    const subject = await subjectOf('Tom & Jerry <return>', {
      subjectTemplate: '{{ newsletter.name }}, {{ edition.dateLabel }}: {{ lead.headline | shorten: 14 }} (+{{ stories.size }})',
    });
    expect(subject).toBe('The Morning Briefing, Tuesday, 24 November 2026: Tom & Jerry… (+1)');
  });

  it('can never break out of its header line, whatever the template or the headline holds', async () => {
    expect(await subjectOf('Rates held\r\nBcc: everyone@example.com')).toBe('Rates held Bcc: everyone@example.com');
    expect(await subjectOf('Rates', { subjectTemplate: '{{ lead.headline }}{{ "\\r\\n" }}X-Injected: yes' })).toBe('Rates X-Injected: yes');
  });

  it('is refused with the config key named when the template is broken or gives nothing', async () => {
    const broken = await subjectOf('Rates', { subjectTemplate: '{{ lead.headlin }}' }).catch((error: unknown) => error);
    expect(broken).toBeInstanceOf(TemplateError);
    expect((broken as Error).message).toMatch(/^subjectTemplate \(BRIEFING_SUBJECT_TEMPLATE\): .*headlin/);
    const unclosed = await subjectOf('Rates', { subjectTemplate: '{% if lead %}x' }).catch((error: unknown) => error);
    expect(unclosed).toBeInstanceOf(TemplateError);
    await expect(subjectOf('Rates', { subjectTemplate: '{{ "" }}' })).rejects.toThrow('subjectTemplate (BRIEFING_SUBJECT_TEMPLATE): gives an empty subject');
  });

  it('is read from BRIEFING_SUBJECT_TEMPLATE and must be one line', () => {
    expect(parseConfig({ subjectTemplate: ' {{ lead.headline }} ' }).subjectTemplate).toBe('{{ lead.headline }}');
    expect(() => parseConfig({ subjectTemplate: '{{ lead.headline }}\nBcc: x' })).toThrow(/subjectTemplate \(BRIEFING_SUBJECT_TEMPLATE\): must be a single line/);
  });
});
