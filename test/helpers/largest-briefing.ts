import { type Article, articleSchema, maxRecordBytes } from '../../lambdas/articles/schema.ts';
import { loadArticleFiles } from '../../local/article-files.ts';

/**
 * Prose for filling fields to their limits: words drawn at random (seeded, so every run is the same) from the
 * sample articles' running text, each as often as it occurs there. It compresses about as real news copy does —
 * neither a repeated phrase (which gzip would shrink to nothing) nor random characters (which it cannot shrink).
 */
export const proseOf = async (seed = 1) => {
  const { articles } = await loadArticleFiles('samples/articles');
  const words = articles
    .flatMap((sample) => [sample.headline, sample.standfirst ?? '', ...sample.keyPoints, ...(sample.sections ?? []).flatMap((section) => section.paragraphs)])
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
  let state = seed;
  // mulberry32: a small seeded generator, so the measured sizes do not move between runs.
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  /** Exactly `length` characters of words, ending with a full stop. */
  return (length: number): string => {
    let text = '';
    while (text.length < length) text += `${text ? ' ' : ''}${words[Math.floor(random() * words.length)]}`;
    return `${text.slice(0, length - 1).trimEnd()}.`.padEnd(length, '.');
  };
};

/** A link of exactly `length` characters whose path is words, as a newspaper's slugs are. */
const longUrl = (base: string, prose: (length: number) => string, length = 2048): string =>
  `${base}/${prose(length).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, length).replace(/-$/, 'x');

const checked = (articles: Article[]): Article[] => {
  for (const article of articles) {
    const result = articleSchema.safeParse(article);
    if (!result.success) throw new Error(`largest briefing: ${article.id} is not a valid record: ${result.error.message}`);
    if (Buffer.byteLength(JSON.stringify(article)) > maxRecordBytes) throw new Error(`largest briefing: ${article.id} is over ${maxRecordBytes} bytes`);
  }
  return articles;
};

/**
 * The largest briefing docs/data-model.md ("Compiled MIME") measures: 30 stories (`maxStories` at most), every field
 * the briefing shows at its longest — id, category, headline, link, seven key points of 400 characters; the lead's
 * author and image — and the lead's first section 60 paragraphs of 4,000 characters, which the briefing shows in full
 * (the lead has no standfirst). No related links: see `withLongestRelatedLinks`. Each record is one an import accepts.
 */
export const largestBriefingArticles = async (): Promise<Article[]> => {
  const prose = await proseOf();
  const story = (index: number): Article => ({
    id: `story-${String(index).padStart(2, '0')}-${'x'.repeat(119)}`,
    category: prose(40),
    headline: prose(200),
    url: longUrl(`https://news.example.com/${index}`, prose),
    publishedAt: '2026-11-24T06:00:00Z',
    keyPoints: Array.from({ length: 7 }, () => prose(400)),
    priority: index === 0 ? 1000 : 0,
    ...(index === 0
      ? {
          author: { name: prose(120) },
          image: { url: longUrl('https://img.example.com', prose), alt: prose(300), credit: prose(200) },
          sections: [{ heading: prose(200), paragraphs: Array.from({ length: 60 }, () => prose(4000)) }],
        }
      : {}),
  });
  return checked(Array.from({ length: 30 }, (_, index) => story(index)));
};

/**
 * The same stories each with 20 related links (the most a record lists) of 200-character titles and 2,048-character
 * links, all different: the briefing lists all 600, in its HTML and in its text.
 */
export const withLongestRelatedLinks = async (articles: readonly Article[]): Promise<Article[]> => {
  const prose = await proseOf(2);
  return checked(
    articles.map((article, index) => ({
      ...article,
      related: Array.from({ length: 20 }, (_, link) => ({ title: prose(200), url: longUrl(`https://news.example.com/related/${index}/${link}`, prose) })),
    })),
  );
};
