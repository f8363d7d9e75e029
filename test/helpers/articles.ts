import type { Article } from '../../lambdas/articles/schema.ts';

/** A valid article record; tests override the fields they are about. */
export const article = (overrides: Partial<Article> & { id: string }): Article => ({
  category: 'News',
  headline: `Headline of ${overrides.id}`,
  url: `https://news.example.com/${overrides.id}`,
  publishedAt: '2026-11-24T06:00:00Z',
  keyPoints: [`First point of ${overrides.id}`],
  ...overrides,
});
