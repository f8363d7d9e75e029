import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import type { Article } from '../../lambdas/articles/schema.ts';
import { loadConfig } from '../../lambdas/config/config.ts';
import { buildEdition } from '../../lambdas/edition/model.ts';
import { type RenderedBriefing, renderBriefing } from '../../lambdas/render/briefing.ts';
import { personalise } from '../../lambdas/render/personalise.ts';
import { article } from '../helpers/articles.ts';

const config = loadConfig({ env: { BRIEFING_SITE_URL: 'https://briefing.example.com', BRIEFING_LANGUAGE: 'en-GB' } });
const recipient = {
  email: 'reader@example.org',
  unsubscribeUrl: 'https://briefing.example.com/unsubscribe?token=abc&x=1',
  preferencesUrl: 'https://briefing.example.com/preferences?token=def&y=2',
  browserUrl: 'https://briefing.example.com/archive/2026-11-24',
};

const renderArticles = async (articles: Article[]) => {
  const rendered = await renderBriefing(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }), config);
  const copy = personalise(rendered, recipient);
  return { rendered, copy, document: parseHTML(copy.html).document };
};

const texts = (document: Document, selector: string) => [...document.querySelectorAll(selector)].map((node) => node.textContent?.trim());

describe('the briefing rendered from the samples', () => {
  let rendered: RenderedBriefing;
  let document: Document;
  let text: string;
  let samples: Article[];

  beforeAll(async () => {
    samples = (await loadArticleFiles('samples/articles')).articles;
    const result = await renderArticles(samples);
    rendered = result.rendered;
    document = result.document;
    text = result.copy.text;
  });

  it('leads with the highest-priority story in full, its headline cut at a word to fit the subject', () => {
    expect(document.querySelector('h1')?.textContent).toBe(
      'Climate summit ends with a deal on the loss and damage fund after an all-night session',
    );
    expect(rendered.subject).toBe('Climate summit ends with a deal on the loss and damage fund after an…');
    expect(document.querySelector('title')?.textContent).toBe(rendered.subject);
  });

  it('sets the language and a preheader of whole sentences, hidden by display and size rather than by colour', () => {
    expect(document.documentElement.getAttribute('lang')).toBe('en-GB');
    expect(rendered.preheader).toBe(
      'Rich countries will pay in $38bn over five years, with a review in 2028. Also: Rail strike called off hours before it was due to start; ' +
        'Central bank holds interest rates at 3.75% and signals a cut in the new year; A comet brighter than any in 30 years will be visible to the naked eye this week.',
    );
    const preheader = document.querySelector('[role="article"] > div')!;
    expect(preheader.textContent?.startsWith(rendered.preheader)).toBe(true);
    const style = preheader.getAttribute('style')!;
    expect(style).toMatch(/display:none/);
    expect(style).toMatch(/max-height:0/);
    expect(style).toMatch(/opacity:0/);
    expect(style).not.toMatch(/(^|;)\s*color:/);
  });

  it('pads the preheader with invisible characters so the inbox shows no body text after it', () => {
    const filler = document.querySelector('[role="article"] > div')!.textContent!.slice(rendered.preheader.length);
    expect(filler.length).toBeGreaterThanOrEqual(150);
    expect(filler).toMatch(/^[\u034f\u200c\u00a0]+$/);
  });

  it('declares light and dark schemes, with dark colours for every surface and the Outlook.com selectors', () => {
    const meta = (name: string) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content');
    expect(meta('color-scheme')).toBe('light dark');
    expect(meta('supported-color-schemes')).toBe('light dark');
    const css = [...document.querySelectorAll('style')].map((node) => node.textContent).join('\n');
    const dark = /@media \(prefers-color-scheme: dark\) \{([\s\S]*?)\n    \}/.exec(css)?.[1] ?? '';
    // page, masthead, story surfaces, key-points box, button, footer
    for (const surface of ['b-page', 'b-mast', 'b-card', 'b-box', 'b-btn', 'b-foot']) {
      expect(dark, surface).toContain(`.${surface}`);
      expect(document.querySelector(`.${surface}`), surface).not.toBeNull();
    }
    expect(css).toMatch(/\[data-ogsc\] \.b-card div \{ color:/);
    expect(css).toMatch(/\[data-ogsb\] \.b-card/);
  });

  it('has one heading outline: h1 lead, h2 sections, h3 for each other story', () => {
    const outline = [...document.querySelectorAll('h1, h2, h3, h4')].map((node) => `${node.tagName.toLowerCase()} ${node.textContent?.trim()}`);
    const others = samples.filter((story) => story.id !== 'climate-summit-loss-fund-deal').sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
    expect(outline[0]).toBe('h1 Climate summit ends with a deal on the loss and damage fund after an all-night session');
    expect(outline.slice(1, 3)).toEqual(['h2 What do you need to know?', 'h2 Also in the briefing']);
    expect(outline.slice(3, -1)).toHaveLength(others.length);
    expect(outline.slice(3, -1).every((heading) => heading.startsWith('h3 '))).toBe(true);
    expect(outline.at(-1)).toBe('h2 Related content');
  });

  it('gives every link a text that names where it goes: one text, one destination', () => {
    const destinations = new Map<string, Set<string>>();
    for (const link of document.querySelectorAll('a')) {
      const name = link.textContent?.trim() || link.querySelector('img')?.getAttribute('alt') || '';
      expect(name, link.getAttribute('href')!).not.toBe('');
      destinations.set(name, (destinations.get(name) ?? new Set()).add(link.getAttribute('href')!));
    }
    expect([...destinations].filter(([, hrefs]) => hrefs.size > 1)).toEqual([]);
    expect(destinations.has('Read more')).toBe(false);
  });

  it('shows the masthead with the name and the date in words', () => {
    expect(document.body.textContent).toContain('The Morning Briefing');
    expect(document.body.textContent).toContain('Tuesday, 24 November 2026');
  });

  it('lists the lead key points under "What do you need to know?" as list items', () => {
    const heading = [...document.querySelectorAll('h2')].find((node) => node.textContent === 'What do you need to know?');
    expect(heading).toBeDefined();
    const items = [...heading!.parentElement!.querySelectorAll('li')].map((node) => node.textContent);
    expect(items).toEqual(samples.find((story) => story.id === 'climate-summit-loss-fund-deal')!.keyPoints);
  });

  it('shows the lead image with its alt text, the column width, the height at that width and the credit', () => {
    const image = document.querySelector('img[alt="Delegates applaud in the plenary hall as the summit president bangs the gavel"]');
    expect(image?.getAttribute('src')).toBe('https://images.example.com/2026/11/climate-summit-plenary.jpg');
    // The sample's 1200 × 800 source at the column's 552 px.
    expect(image?.getAttribute('width')).toBe('552');
    expect(image?.getAttribute('height')).toBe('368');
    expect(image?.getAttribute('style')).toContain('height:auto');
    expect(document.body.textContent).toContain('Image: Lucas Ferreira / Example Pictures');
    expect(document.body.textContent).toContain('By Amara Okafor');
  });

  it('has a "Read the full story" button to the lead', () => {
    const button = [...document.querySelectorAll('a')].find((link) => link.textContent?.trim() === 'Read the full story');
    expect(button?.getAttribute('href')).toBe('https://news.example.com/world/2026/11/24/climate-summit-loss-fund-deal');
  });

  it('shows every other story compactly with its headline linked', () => {
    const headlines = texts(document, 'h3 a');
    expect(headlines).toHaveLength(samples.length - 1);
    expect(headlines[0]).toBe('Rail strike called off hours before it was due to start');
  });

  it('lists related content once, without links to stories in the edition', () => {
    const related = [...document.querySelectorAll('h2')].find((node) => node.textContent === 'Related content')!.parentElement!;
    const hrefs = [...related.querySelectorAll('a')].map((link) => link.getAttribute('href'));
    expect(new Set(hrefs).size).toBe(hrefs.length);
    expect(hrefs).toContain('https://news.example.com/explainers/climate-finance');
    expect(hrefs).not.toContain('https://news.example.com/uk/2026/11/24/rail-strike-called-off');
  });

  it('has the footer links, filled in for the recipient, and the postal address', () => {
    const link = (label: string) => [...document.querySelectorAll('a')].find((node) => node.textContent === label)?.getAttribute('href');
    expect(link('Unsubscribe')).toBe(recipient.unsubscribeUrl);
    expect(link('Choose your topics')).toBe(recipient.preferencesUrl);
    expect(link('View in browser')).toBe(recipient.browserUrl);
    expect(document.body.textContent).toContain(config.postalAddress);
    expect(document.body.textContent).toContain('reader@example.org subscribed');
  });

  it('leaves no placeholder behind', () => {
    expect(document.documentElement.outerHTML).not.toContain(rendered.marker);
  });

  it('stays well under Gmail’s 102 KB clipping limit', () => {
    expect(Buffer.byteLength(document.documentElement.outerHTML)).toBeLessThan(102 * 1024);
  });

  it('gives a plain-text version with every story, key point and link, and the HTML’s headings', () => {
    const unwrapped = text.replace(/\n {2,}/g, ' ').replace(/\n(?!\n|https?:|  \* )/g, ' ');
    for (const story of samples) {
      expect(unwrapped).toContain(story.headline);
      for (const point of story.keyPoints) expect(unwrapped).toContain(point);
    }
    for (const link of document.querySelectorAll('a')) expect(text.split('\n').map((line) => line.trim())).toContain(link.getAttribute('href'));
    for (const heading of texts(document, 'h1, h2, h3')) expect(unwrapped).toContain(heading);
    expect(text).toContain(`Unsubscribe:\n${recipient.unsubscribeUrl}\n`);
    expect(text).toContain(`Choose your topics, or download or delete your data:\n${recipient.preferencesUrl}\n`);
    expect(text).toContain(`View in browser:\n${recipient.browserUrl}\n`);
    expect(text).not.toMatch(/<[a-z]/i);
  });

  it('wraps the text at 76 columns, links whole on lines of their own, with single blank lines', () => {
    for (const line of text.split('\n')) {
      if (/https?:\/\//.test(line)) expect(line.trim(), line).toMatch(/^https?:\/\/\S+$/);
      else expect(line.length, line).toBeLessThanOrEqual(76);
    }
    expect(text).not.toMatch(/\n\n\n/);
    expect(text).not.toMatch(/[ \t]\n/);
    expect(text.startsWith('THE MORNING BRIEFING\n')).toBe(true);
  });
});

describe('hostile and unusual text in records', () => {
  const hostile = [
    '<script>alert(1)</script>',
    '{{ newsletter.name }}',
    '{% raw %}x{% endraw %}',
    '<mj-include path="/etc/passwd" />',
    '</mj-text><mj-button href="https://evil.example">Click</mj-button>',
  ];

  it.each(hostile)('shows %s as literal text and creates no element', async (payload) => {
    const { document, copy } = await renderArticles([
      article({ id: 'lead', headline: payload, keyPoints: [payload], standfirst: payload, author: { name: payload } }),
    ]);
    expect(document.querySelector('h1')?.textContent).toBe(payload);
    expect(texts(document, 'li')).toContain(payload);
    expect(document.querySelector('script')).toBeNull();
    expect(document.querySelector('a[href="https://evil.example"]')).toBeNull();
    expect(copy.text).toContain(payload);
    expect(copy.html).not.toContain('root:x:0:0');
  });

  it('renders Cyrillic, Arabic and emoji intact', async () => {
    const headline = 'Новости дня — أخبار اليوم 🌍📰';
    const { document, copy, rendered } = await renderArticles([article({ id: 'unicode', headline, keyPoints: ['Ключевой момент 🔑', 'نقطة رئيسية'] })]);
    expect(document.querySelector('h1')?.textContent).toBe(headline);
    expect(texts(document, 'li')).toEqual(expect.arrayContaining(['Ключевой момент 🔑', 'نقطة رئيسية']));
    expect(copy.text).toContain(headline);
    expect(rendered.subject).toContain(headline);
  });

  it('cannot forge a personalisation slot from article text', async () => {
    const { rendered, copy } = await renderArticles([article({ id: 'forge', headline: 'brf000000000000-email' })]);
    expect(rendered.marker).not.toBe('brf000000000000');
    expect(copy.html).toContain('brf000000000000-email');
  });

  it('renders a story with every optional field absent', async () => {
    const { document } = await renderArticles([article({ id: 'bare' })]);
    expect(document.querySelector('h1')?.textContent).toBe('Headline of bare');
    expect(document.querySelector('img')).toBeNull();
    expect(document.body.textContent).not.toContain('Related content');
  });

  it('falls back to the first section when there is no standfirst', async () => {
    const { document } = await renderArticles([
      article({ id: 'sections', sections: [{ heading: 'Why does it matter?', paragraphs: ['Because it does.', 'Second paragraph.'] }] }),
    ]);
    expect(texts(document, 'h2')).toContain('Why does it matter?');
    expect(document.body.textContent).toContain('Second paragraph.');
  });
});

describe('the lead image', () => {
  const image = { url: 'https://images.example.com/a.jpg', alt: 'A comet above a line of hills' };
  const leadImage = async (overrides: Partial<NonNullable<Article['image']>>) =>
    (await renderArticles([article({ id: 'pictured', image: { ...image, ...overrides } })])).document.querySelector('img')!;

  it.each([
    [1600, 900, '311'],
    [2048, 1365, '368'],
    [800, 1200, '828'],
    [552, 300, '300'],
  ])('of %i × %i px is given the height it has at 552 px: %s', async (width, height, expected) => {
    const img = await leadImage({ width, height });
    expect(img.getAttribute('width')).toBe('552');
    expect(img.getAttribute('height')).toBe(expected);
    // Scales down on a phone: the attributes reserve the box, the style lets it shrink in proportion.
    expect(img.getAttribute('style')).toMatch(/width:100%;max-width:552px;height:auto/);
  });

  it('has no height without the source size, as before', async () => {
    const img = await leadImage({});
    expect(img.getAttribute('width')).toBe('552');
    expect(img.hasAttribute('height')).toBe(false);
    expect(img.getAttribute('style')).toContain('height:auto');
  });

  it('leaves the plain text as it was', async () => {
    const sized = await renderArticles([article({ id: 'pictured', image: { ...image, width: 1600, height: 900 } })]);
    const unsized = await renderArticles([article({ id: 'pictured', image })]);
    expect(sized.rendered.text).toBe(unsized.rendered.text.replaceAll(unsized.rendered.marker, sized.rendered.marker));
  });
});
