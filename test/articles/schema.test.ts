import { describe, expect, it } from 'vitest';
import { formatProblem, validateArticle } from '../../lambdas/articles/schema.ts';
import { article } from '../helpers/articles.ts';

const problemsOf = (record: unknown) => {
  const result = validateArticle(record, 'today.json[3]');
  return result.ok ? [] : result.problems;
};

const fieldMessage = (record: unknown, field: string) => problemsOf(record).find((problem) => problem.field === field)?.message;

describe('article validation', () => {
  it('accepts a record with only the required fields', () => {
    const result = validateArticle(article({ id: 'minimal' }), 'a.json');
    expect(result.ok).toBe(true);
  });

  it.each([
    ['id', { id: 'Not A Slug' }, 'lower-case slug'],
    ['id', { id: 'x'.repeat(129) }, 'at most 128'],
    ['headline', { headline: 'h'.repeat(201) }, 'at most 200 characters'],
    ['headline', { headline: '   ' }, 'must not be empty'],
    ['url', { url: 'javascript:alert(1)' }, 'not javascript:'],
    ['url', { url: 'http://news.example.com/a' }, 'not http:'],
    ['url', { url: 'data:text/html,<b>hi</b>' }, 'not data:'],
    ['url', { url: '/relative/path' }, 'absolute https://'],
    ['publishedAt', { publishedAt: '24/11/2026' }, 'ISO-8601'],
    ['publishedAt', { publishedAt: '2026-11-24T06:00:00' }, 'ISO-8601'],
    ['keyPoints', { keyPoints: [] }, 'at least 1 key point'],
    ['keyPoints', { keyPoints: Array.from({ length: 8 }, (_, index) => `point ${index}`) }, 'at most 7 key points'],
    ['image.alt', { image: { url: 'https://images.example.com/a.jpg' } }, 'is required'],
    ['image.height', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 1200 } }, 'is required when width is given (give both, or neither)'],
    ['image.width', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', height: 800 } }, 'is required when height is given (give both, or neither)'],
    ['image.width', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 1200.5, height: 800 } }, 'whole number of pixels'],
    ['image.width', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: '1200', height: 800 } }, 'whole number of pixels'],
    ['image.height', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 1200, height: 0 } }, 'at least 1 pixel'],
    ['image.width', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 65_536, height: 8000 } }, 'at most 65535 pixels'],
    ['image.height', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 100, height: 1001 } }, 'more than 10 times the width (100 × 1001 px)'],
    ['image.width', { image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 1001, height: 100 } }, 'more than 10 times the height (1001 × 100 px)'],
    ['related[0].url', { related: [{ title: 'x', url: 'http://insecure.example.com' }] }, 'not http:'],
    ['priority', { priority: 1.5 }, 'integer'],
    ['author.name', { author: {} }, 'is required'],
  ])('reports %s with what is wrong', (field, overrides, expected) => {
    expect(fieldMessage({ ...article({ id: 'case' }), ...overrides }, field)).toContain(expected);
  });

  it('accepts an image with its width and height, and one with neither', () => {
    const image = { url: 'https://images.example.com/a.jpg', alt: 'A comet over the hills' };
    const sized = validateArticle(article({ id: 'sized', image: { ...image, width: 1600, height: 900 } }), 'a.json');
    expect(sized.ok && sized.article.image).toEqual({ ...image, width: 1600, height: 900 });
    expect(validateArticle(article({ id: 'unsized', image }), 'a.json').ok).toBe(true);
    // The bounds themselves: a 1 × 10 strip and the largest JPEG side.
    expect(validateArticle(article({ id: 'strip', image: { ...image, width: 1, height: 10 } }), 'a.json').ok).toBe(true);
    expect(validateArticle(article({ id: 'huge', image: { ...image, width: 65_535, height: 6554 } }), 'a.json').ok).toBe(true);
  });

  it('names the record and field of an image with one side only', () => {
    const [problem] = problemsOf({ ...article({ id: 'half-sized' }), image: { url: 'https://images.example.com/a.jpg', alt: 'A comet', width: 1200 } });
    expect(formatProblem(problem!)).toBe('today.json[3] (id half-sized): image.height: is required when width is given (give both, or neither)');
  });

  it('names every missing required field', () => {
    const fields = problemsOf({ id: 'empty' }).map((problem) => problem.field);
    expect(fields).toEqual(expect.arrayContaining(['category', 'headline', 'url', 'publishedAt', 'keyPoints']));
  });

  it('rejects unknown fields instead of silently dropping them', () => {
    expect(fieldMessage({ ...article({ id: 'extra' }), sumary: 'typo' }, '(record)')).toBe('unknown field sumary');
  });

  it('formats a problem with where it came from, the id, the field and the reason', () => {
    const [problem] = problemsOf({ ...article({ id: 'long-one' }), headline: 'h'.repeat(201) });
    expect(formatProblem(problem!)).toBe('today.json[3] (id long-one): headline: must be at most 200 characters');
  });

  it('reports a record that is not an object', () => {
    expect(problemsOf('just a string')[0]?.field).toBe('(record)');
  });
});

describe('records that could not be stored whole', () => {
  it('refuses a record too large for one DynamoDB item, by its id, before anything is written', () => {
    const paragraphs = Array.from({ length: 60 }, (_, index) => `${index} ${'word '.repeat(790)}`.trim());
    const huge = { ...article({ id: 'huge-story' }), sections: Array.from({ length: 2 }, (_, index) => ({ heading: `Part ${index}`, paragraphs })) };

    const [problem] = problemsOf(huge);

    expect(problem).toMatchObject({ id: 'huge-story', field: '(record)' });
    expect(problem!.message).toMatch(/^is \d+ KB as stored JSON; a record may be at most 350 KB/);
  });

  it('limits sections and paragraphs per section', () => {
    expect(fieldMessage({ ...article({ id: 'many' }), sections: Array.from({ length: 41 }, () => ({ heading: 'h', paragraphs: ['p'] })) }, 'sections')).toBe(
      'must list at most 40 sections',
    );
    expect(fieldMessage({ ...article({ id: 'long' }), sections: [{ heading: 'h', paragraphs: Array.from({ length: 61 }, () => 'p') }] }, 'sections[0].paragraphs')).toBe(
      'must hold at most 60 paragraphs',
    );
  });
});
