import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import type { Article } from '../../lambdas/articles/schema.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { buildEdition, type Edition } from '../../lambdas/edition/model.ts';
import { selectVariants } from '../../lambdas/edition/variants.ts';
import { briefingEnvelope } from '../../lambdas/mail/briefing-mime.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import type { TemplateEngine } from '../../lambdas/render/engine.ts';
import { personalise } from '../../lambdas/render/personalise.ts';
import { renderVariants, type RenderedVariants, withoutWhitespace } from '../../lambdas/render/variants.ts';
import { article } from '../helpers/articles.ts';
import { editedTemplates, numberedStories } from '../helpers/edited-templates.ts';
import { everyTopicSet, numberedTopics, storiesOverTopics } from '../helpers/topic-edition.ts';
import { deliveredMime } from '../helpers/delivered-mime.ts';

const topics = numberedTopics(8);
const config = parseConfig({ siteUrl: 'https://briefing.example.com', topics });
const date = '2026-11-24';
const recipient = (name: string) => ({
  email: `${name}@example.org`,
  unsubscribeUrl: `https://briefing.example.com/unsubscribe?token=${name}&x=1`,
  preferencesUrl: `https://briefing.example.com/preferences?token=${name}&y=2`,
  browserUrl: `https://briefing.example.com/archive/${date}`,
});

/** Each variant against `renderBriefing` of the same edition with the same marker: the HTML apart from whitespace, the rest exactly. */
const expectSameAsFromScratch = async (editions: readonly Edition[], rendered: RenderedVariants, engine?: TemplateEngine) => {
  expect(rendered.briefings).toHaveLength(editions.length);
  for (const [index, edition] of editions.entries()) {
    const scratch = await renderBriefing(edition, config, engine, rendered.marker);
    const variant = rendered.briefings[index]!;
    const stories = edition.stories.map((story) => story.id).join(', ');
    expect(withoutWhitespace(variant.html), stories).toBe(withoutWhitespace(scratch.html));
    expect({ ...variant, html: '' }, stories).toEqual({ ...scratch, html: '' });
  }
};

describe('renderVariants', () => {
  let samples: Article[];
  let editions: Edition[];
  let rendered: RenderedVariants;

  beforeAll(async () => {
    samples = (await loadArticleFiles('samples/articles')).articles;
    // 30 stories over 8 topics, every topic set: the bench, and every selection compose would render.
    const selection = selectVariants(storiesOverTopics(samples, 30, topics), everyTopicSet(topics), config, date);
    editions = selection.variants.map((variant) => variant.edition);
    rendered = await renderVariants(editions, config);
  });

  it('puts each variant together from compiled pieces, and gives the HTML, text and subject a render from scratch gives', async () => {
    expect(editions.length).toBeGreaterThan(100);
    expect(rendered.fallback).toBeUndefined();
    // Only the first variant of each frame shape is rendered whole (to check the pieces fit); there are a handful.
    expect(rendered.assembled).toBeGreaterThan(editions.length - 5);
    expect(rendered.compilations).toBeLessThan(12);
    await expectSameAsFromScratch(editions, rendered);
  });

  it('covers the edges of the layout too: one story, no related links, every optional field absent, a lead image without its size, hostile and non-Latin text', async () => {
    const hostile = ['<script>alert(1)</script>', '{{ newsletter.name }}', '</mj-text><mj-raw>x</mj-raw>', '<!--[if mso | IE]><table><![endif]-->', 'v0123456789ab:lead:bare:'];
    const edges = [
      buildEdition(samples.slice(2, 3), { date, maxStories: 10 }),
      buildEdition([article({ id: 'bare' })], { date, maxStories: 10 }),
      buildEdition([article({ id: 'bare' }), article({ id: 'plain', priority: -1 })], { date, maxStories: 10 }),
      buildEdition(
        hostile.map((payload, index) => article({ id: `hostile-${index}`, headline: payload, keyPoints: [payload], standfirst: payload, author: { name: payload } })),
        { date, maxStories: 10 },
      ),
      buildEdition([article({ id: 'unicode', headline: 'Новости дня — أخبار اليوم 🌍📰', keyPoints: ['Ключевой момент 🔑'] }), ...samples.slice(0, 3)], { date, maxStories: 10 }),
      buildEdition(samples, { date, maxStories: 10 }),
      buildEdition([article({ id: 'unsized', priority: 1000, image: { url: 'https://images.example.com/unsized.jpg', alt: 'A pier in fog' } }), ...samples.slice(0, 3)], { date, maxStories: 10 }),
    ];

    const edgeRendered = await renderVariants(edges, config);

    expect(edgeRendered.fallback).toBeUndefined();
    expect(edgeRendered.assembled).toBeGreaterThan(0);
    await expectSameAsFromScratch(edges, edgeRendered);
  });

  it('gives every variant one marker, so personalise() and the compiled MIME fill each the same way', async () => {
    expect(new Set(rendered.briefings.map((briefing) => briefing.marker))).toEqual(new Set([rendered.marker]));
    const variant = rendered.briefings.at(-1)!;

    const copy = personalise(variant, recipient('ann'));
    const raw = (await deliveredMime(variant, briefingEnvelope(config))).build(recipient('ann'));
    const parsed = await simpleParser(raw);

    expect(copy.html).not.toContain(rendered.marker);
    expect(copy.text).not.toContain(rendered.marker);
    expect(copy.html).toContain('href="https://briefing.example.com/unsubscribe?token=ann&#38;x=1"');
    expect(copy.text).toContain('Unsubscribe:\nhttps://briefing.example.com/unsubscribe?token=ann&x=1\n');
    expect(copy.html).toContain('ann@example.org subscribed');
    expect(parsed.html).toBe(copy.html);
    expect(parsed.text).toBe(copy.text);
    expect(parsed.subject).toBe(variant.subject);
  });

  it('renders nothing for no variants', async () => {
    expect(await renderVariants([], config)).toMatchObject({ briefings: [], assembled: 0, compilations: 0 });
  });
});

describe('renderVariants with templates that do not split', () => {
  let editions: Edition[];
  beforeAll(async () => {
    const { articles } = await loadArticleFiles('samples/articles');
    editions = [buildEdition(articles, { date, maxStories: 10 }), buildEdition(articles.slice(1, 4), { date, maxStories: 10 }), buildEdition(articles.slice(2, 3), { date, maxStories: 10 })];
  });

  it('renders each variant whole when a story partial needs more than its story, and says why', async () => {
    const engine = editedTemplates(numberedStories);

    const rendered = await renderVariants(editions, config, engine);

    expect(rendered.fallback).toMatch(/the other partials cannot be filled with their story alone/);
    expect(rendered.assembled).toBe(0);
    await expectSameAsFromScratch(editions, rendered, engine);
    expect(rendered.briefings[0]!.html).toContain('1. Rail strike');
  });

  it('renders each variant whole when a story block changes the document’s head (an mj-image for the lead’s image), and says why', async () => {
    const engine = editedTemplates({
      'partials/lead-story.mjml': (source) => source.replace(/<mj-text padding="4px 0 0"><a[^\n]*<\/mj-text>/, '<mj-image src="{{ story.image.url }}" alt="{{ story.image.alt }}" href="{{ story.url }}" padding="4px 0 0" />'),
    });

    const rendered = await renderVariants(editions, config, engine);

    expect(rendered.fallback).toMatch(/differs from its render from scratch in its HTML/);
    await expectSameAsFromScratch(editions, rendered, engine);
  });
});
