import { describe, expect, it } from 'vitest';
import type { RenderedBriefing } from '../../lambdas/render/briefing.ts';
import { personalise } from '../../lambdas/render/personalise.ts';
import { placeholders } from '../../lambdas/render/placeholders.ts';

const marker = 'brfabc123';
const slot = placeholders(marker);
const rendered: RenderedBriefing = {
  subject: 'Subject',
  preheader: '',
  mjml: '',
  marker,
  html: `<a href="${slot.unsubscribeUrl}">Unsubscribe</a> <a href="${slot.preferencesUrl}">Topics</a> <a href="${slot.browserUrl}">View</a> ${slot.email} and again ${slot.email}`,
  text: `Unsubscribe: ${slot.unsubscribeUrl}\nTopics: ${slot.preferencesUrl}\nTo: ${slot.email}`,
};

describe('personalise', () => {
  it('fills every slot in both parts', () => {
    const copy = personalise(rendered, {
      email: 'ann@example.com',
      unsubscribeUrl: 'https://b.example.com/unsubscribe?token=t1&a=b',
      preferencesUrl: 'https://b.example.com/preferences?token=p1&a=b',
      browserUrl: 'https://b.example.com/archive/e1',
    });
    expect(copy.html).toBe(
      '<a href="https://b.example.com/unsubscribe?token=t1&#38;a=b">Unsubscribe</a> <a href="https://b.example.com/preferences?token=p1&#38;a=b">Topics</a> <a href="https://b.example.com/archive/e1">View</a> ann@example.com and again ann@example.com',
    );
    expect(copy.text).toBe('Unsubscribe: https://b.example.com/unsubscribe?token=t1&a=b\nTopics: https://b.example.com/preferences?token=p1&a=b\nTo: ann@example.com');
  });

  it('gives each recipient their own copy from the same render', () => {
    const first = personalise(rendered, { email: 'a@example.com', unsubscribeUrl: 'https://x/1', preferencesUrl: 'https://x/p1', browserUrl: 'https://x/e' });
    const second = personalise(rendered, { email: 'b@example.com', unsubscribeUrl: 'https://x/2', preferencesUrl: 'https://x/p2', browserUrl: 'https://x/e' });
    expect(first.html).toContain('https://x/1');
    expect(second.html).toContain('https://x/2');
    expect(second.html).not.toContain('a@example.com');
  });

  it('escapes markup in an address so it cannot add HTML', () => {
    const copy = personalise(rendered, { email: '"<b>"@example.com', unsubscribeUrl: 'https://x/1', preferencesUrl: 'https://x/p1', browserUrl: 'https://x/e' });
    expect(copy.html).not.toContain('<b>');
    expect(copy.text).toContain('"<b>"@example.com');
  });
});
