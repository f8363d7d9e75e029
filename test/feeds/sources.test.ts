import { describe, expect, it } from 'vitest';
import { feedSourcesSchema } from '../../lambdas/feeds/sources.ts';

describe('config key feeds', () => {
  it('is empty by default', () => {
    expect(feedSourcesSchema.parse(undefined)).toEqual([]);
  });

  it('takes http and https feed URLs, each with a default category', () => {
    const feeds = [
      { url: 'https://www.example.com/world/rss', category: 'World' },
      { url: 'http://cms.internal:8080/feeds/business.json', category: ' Business ' },
    ];

    expect(feedSourcesSchema.parse(feeds)).toEqual([feeds[0], { ...feeds[1], category: 'Business' }]);
  });

  it.each([
    [{ url: 'ftp://example.com/feed.xml', category: 'World' }, 'url'],
    [{ url: 'not a url', category: 'World' }, 'url'],
    [{ url: 'https://example.com/feed.xml' }, 'category'],
    [{ url: 'https://example.com/feed.xml', category: '' }, 'category'],
  ])('refuses %j, naming %s', (feed, field) => {
    const result = feedSourcesSchema.safeParse([feed]);

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([`0.${field}`]);
  });
});
