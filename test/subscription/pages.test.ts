import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { pageNames, renderPage } from '../../lambdas/subscription/pages.ts';
import { pagePreviews } from '../../local/preview/templates/subscription.ts';

const config = parseConfig({ newsletterName: 'The <Evening> Briefing', language: 'fr-FR' });

describe('pages', () => {
  it.each(pageNames)('%s: one h1, the language, a title, the brand, no script, and only the signup page indexable', async (name) => {
    const html = await renderPage(name, pagePreviews(config)[name] as never, config);

    expect(html).toMatch(/^<!doctype html>\n<html lang="fr-FR">/);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toMatch(/<title>[^<]+ · The &lt;Evening&gt; Briefing<\/title>/);
    expect(html).toContain('<a class="skip" href="#main">');
    expect(html).not.toMatch(/<script|\son\w+=/i);
    expect(html.includes('name="robots" content="noindex')).toBe(name !== 'signup');
  });

  it('escapes every value it shows', async () => {
    const html = await renderPage('signup', { email: '"><script>alert(1)</script>', error: '<b>bad</b>', topics: [{ id: 'world', label: '<i>World</i>', checked: true }] }, config);

    expect(html).not.toContain('<script>');
    expect(html).toContain('value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;');
    expect(html).toContain('<label for="topic-world">&lt;i&gt;World&lt;/i&gt;</label>');
  });
});
