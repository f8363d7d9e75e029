import { describe, expect, it } from 'vitest';
import { buildEdition, dateInZone, relatedLinks } from '../../lambdas/edition/model.ts';
import { article } from '../helpers/articles.ts';

describe('edition model', () => {
  it('orders by priority, then newest first, and makes the first the lead', () => {
    const edition = buildEdition(
      [
        article({ id: 'old-low', publishedAt: '2026-11-23T06:00:00Z' }),
        article({ id: 'new-low', publishedAt: '2026-11-24T06:00:00Z' }),
        article({ id: 'old-high', publishedAt: '2026-11-22T06:00:00Z', priority: 5 }),
        article({ id: 'negative', publishedAt: '2026-11-24T07:00:00Z', priority: -1 }),
      ],
      { date: '2026-11-24', maxStories: 10 },
    );
    expect(edition.stories.map((story) => story.id)).toEqual(['old-high', 'new-low', 'old-low', 'negative']);
  });

  it('compares publication times across offsets', () => {
    const edition = buildEdition(
      [article({ id: 'london', publishedAt: '2026-11-24T06:00:00Z' }), article({ id: 'tokyo', publishedAt: '2026-11-24T14:00:00+09:00' })],
      { date: '2026-11-24', maxStories: 10 },
    );
    expect(edition.stories[0]?.id).toBe('london');
  });

  it('caps the number of stories', () => {
    const articles = Array.from({ length: 14 }, (_, index) => article({ id: `story-${index}` }));
    expect(buildEdition(articles, { date: '2026-11-24', maxStories: 10 }).stories).toHaveLength(10);
  });

  it('refuses an empty edition', () => {
    expect(() => buildEdition([], { date: '2026-11-24', maxStories: 10 })).toThrow(/at least one valid article/);
  });

  it('de-duplicates related links and drops links to stories in the edition', () => {
    const links = relatedLinks([
      article({
        id: 'a',
        url: 'https://news.example.com/a',
        related: [
          { title: 'Explainer', url: 'https://news.example.com/explainer' },
          { title: 'Story B', url: 'https://news.example.com/b/' },
        ],
      }),
      article({
        id: 'b',
        url: 'https://news.example.com/b',
        related: [
          { title: 'Explainer again', url: 'https://news.example.com/explainer#top' },
          { title: 'Story A', url: 'https://news.example.com/a' },
          { title: 'Archive', url: 'https://news.example.com/archive' },
        ],
      }),
    ]);
    expect(links).toEqual([
      { title: 'Explainer', url: 'https://news.example.com/explainer' },
      { title: 'Archive', url: 'https://news.example.com/archive' },
    ]);
  });

  it("gives the date in the newsletter's time zone", () => {
    const lateEvening = new Date('2026-11-24T23:30:00Z');
    expect(dateInZone('Europe/London', lateEvening)).toBe('2026-11-24');
    expect(dateInZone('Asia/Tokyo', lateEvening)).toBe('2026-11-25');
    expect(dateInZone('America/Los_Angeles', new Date('2026-11-24T05:00:00Z'))).toBe('2026-11-23');
  });
});
