import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import { renderConfirmationEmail } from '../../lambdas/subscription/confirmation-email.ts';

const config = parseConfig({ siteUrl: 'https://news.example.com', newsletterName: 'The Long Name of a Newsletter That Wraps Its Lines' });
const confirmUrl = `https://news.example.com/confirm?token=${'t0k3n'.repeat(20)}`;

describe('the confirmation email’s craft', () => {
  it('wraps its text at 76 columns, the link and the address on lines of their own, and signs off with "-- "', async () => {
    const { text } = await renderConfirmationEmail(config, { email: 'amara.okafor@example.org', confirmUrl });

    const lines = text.split('\n');
    expect(lines).toContain(confirmUrl);
    expect(lines).toContain('amara.okafor@example.org');
    for (const line of lines) if (line !== confirmUrl) expect(line.length, line).toBeLessThanOrEqual(76);
    expect(text).toContain(`\n-- \n${config.postalAddress}\n`);
    expect(text).not.toMatch(/\n\n\n/);
  });

  it('has the briefing’s preheader (hidden without colour) and dark mode', async () => {
    const { html } = await renderConfirmationEmail(config, { email: 'amara.okafor@example.org', confirmUrl });
    const { document } = parseHTML(html);

    const preheader = document.querySelector('[role="article"] > div')!;
    expect(preheader.textContent).toMatch(/^One press and The Long Name of a Newsletter That Wraps Its Lines starts arriving\.[\u034f\u200c\u00a0]{150,}$/);
    expect(preheader.getAttribute('style')).toMatch(/^display:none;/);
    expect(preheader.getAttribute('style')).not.toMatch(/(^|;)color:/);
    expect(document.querySelector('meta[name="color-scheme"]')?.getAttribute('content')).toBe('light dark');
    for (const surface of ['b-page', 'b-mast', 'b-card', 'b-btn', 'b-foot']) expect(document.querySelector(`.${surface}`), surface).not.toBeNull();
  });
});
