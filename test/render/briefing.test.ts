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

  it('leads with the highest-priority story in full', () => {
    expect(document.querySelector('h1')?.textContent).toBe(
      'Climate summit ends with a deal on the loss and damage fund after an all-night session',
    );
    expect(rendered.subject).toBe('The Morning Briefing: Climate summit ends with a deal on the loss and damage fund after an all-night session');
  });

  it('sets the language and a hidden preheader', () => {
    expect(document.documentElement.getAttribute('lang')).toBe('en-GB');
    expect(rendered.preheader).toContain('Rich countries will pay in $38bn');
    expect(document.body.textContent).toContain(rendered.preheader);
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

  it('shows the lead image with its alt text and the credit', () => {
    const image = document.querySelector('img[alt="Delegates applaud in the plenary hall as the summit president bangs the gavel"]');
    expect(image?.getAttribute('src')).toBe('https://images.example.com/2026/11/climate-summit-plenary.jpg');
    expect(document.body.textContent).toContain('Image: Lucas Ferreira / Example Pictures');
    expect(document.body.textContent).toContain('By Amara Okafor');
  });

  it('has a "Read the full story" button to the lead', () => {
    const button = [...document.querySelectorAll('a')].find((link) => link.textContent?.trim() === 'Read the full story');
    expect(button?.getAttribute('href')).toBe('https://news.example.com/world/2026/11/24/climate-summit-loss-fund-deal');
  });

  it('shows every other story compactly with its headline linked', () => {
    const headlines = texts(document, 'h2 a');
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

  it('gives a plain-text version with every story, key point and link', () => {
    for (const story of samples) {
      expect(text).toContain(story.headline);
      expect(text).toContain(story.url);
      for (const point of story.keyPoints) expect(text).toContain(point);
    }
    expect(text).toContain('https://news.example.com/explainers/climate-finance');
    expect(text).toContain(`Unsubscribe: ${recipient.unsubscribeUrl}`);
    expect(text).toContain(`View in browser: ${recipient.browserUrl}`);
    expect(text).not.toMatch(/<[a-z]/i);
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
    expect(document.querySelector('h3')?.textContent).toBe('Why does it matter?');
    expect(document.body.textContent).toContain('Second paragraph.');
  });
});
