import { describe, expect, it } from 'vitest';
import { validateArticle } from '../../lambdas/articles/schema.ts';
import { mapItem, type MappedItem } from '../../lambdas/feeds/map-item.ts';
import { parseFeed } from '../../lambdas/feeds/parse-feed.ts';
import { fixtures, parsedFixture, rss, rssItem } from './fixtures.ts';

const mapFixture = (name: keyof typeof fixtures, category: string | undefined = 'World'): MappedItem[] =>
  parsedFixture(name).items.map((item) => mapItem(item, category));

const article = (result: MappedItem | undefined) => {
  if (!result?.ok) throw new Error(`expected a record, got ${JSON.stringify(result)}`);
  return result.article;
};

const mapOne = (document: string, category?: string, base?: string) => mapItem(parseFeed(document, base).items[0]!, category);

describe('every fixture', () => {
  it('maps to records that pass validateArticle exactly like imported ones', () => {
    for (const name of Object.keys(fixtures) as (keyof typeof fixtures)[]) {
      for (const result of mapFixture(name)) {
        if (!result.ok) continue;
        expect(validateArticle(JSON.parse(JSON.stringify(result.article)), name)).toEqual({ ok: true, article: result.article });
      }
    }
  });
});

describe('headline', () => {
  it('is the title as plain text: entities decoded (also inside CDATA), tags removed', () => {
    expect(article(mapFixture('bbc')[1]).headline).toBe("Q&A: What's in the Budget – and what it means for you");
    expect(article(mapFixture('atom')[0]).headline).toBe('Comet Tsuchinshan brightens & may be visible to the naked eye');
  });

  it('keeps a "<" in an Atom type="text" title as text', () => {
    expect(article(mapFixture('atom')[1]).headline).toBe('Why 3 < 5 matters for reef recovery');
  });
});

describe('url', () => {
  it('is the item link; for Atom the rel="alternate" link resolved against xml:base', () => {
    expect(article(mapFixture('nyt')[0]).url).toBe('https://www.nytimes.com/2026/11/24/world/europe/eu-defense-spending-summit.html');
    expect(article(mapFixture('atom')[0]).url).toBe('https://www.example.org/news/2026/11/24/comet-brightens.html');
  });

  it('leaves out an item whose link is not https, and says so', () => {
    expect(mapFixture('bbc')[2]).toEqual({ ok: false, problems: [{ field: 'url', message: 'must be an https:// URL, not http:' }] });
    expect(mapFixture('json')[2]).toEqual({ ok: false, problems: [{ field: 'url', message: 'must be an https:// URL, not http:' }] });
  });

  it('leaves out an item with no link at all', () => {
    const result = mapOne(rss('<item><title>No link</title><guid isPermaLink="false">abc</guid><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate><description>Text.</description></item>'), 'News');

    expect(result).toEqual({ ok: false, problems: [{ field: 'url', message: 'the item has no link' }] });
  });
});

describe('id', () => {
  it('is the same on every read of the feed, a slug of [a-z0-9-] within 128 characters', () => {
    const first = (Object.keys(fixtures) as (keyof typeof fixtures)[]).flatMap((name) => mapFixture(name).flatMap((result) => (result.ok ? [result.article.id] : [])));
    const second = (Object.keys(fixtures) as (keyof typeof fixtures)[]).flatMap((name) => mapFixture(name).flatMap((result) => (result.ok ? [result.article.id] : [])));

    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    for (const id of first) expect(id.length).toBeLessThanOrEqual(128);
  });

  it('reads as the end of the guid’s path, then a hash of the guid', () => {
    expect(article(mapFixture('guardian')[0]).id).toMatch(/^ceasefire-talks-resume-cairo-aid-convoys-[0-9a-f]{10}$/);
    expect(article(mapFixture('nyt')[0]).id).toMatch(/^eu-defense-spending-summit-[0-9a-f]{10}$/);
    expect(article(mapFixture('atom')[0]).id).toMatch(/^comet-brightens-[0-9a-f]{10}$/);
    expect(article(mapFixture('wordpress')[0]).id).toMatch(/^p-48213-[0-9a-f]{10}$/);
  });

  it('follows the guid, not the headline or link, so an edited story keeps its id', () => {
    const before = mapOne(rss(rssItem('story', '', 'First headline')), 'News');
    const after = mapOne(rss(rssItem('story', '', 'Corrected headline').replace('<link>https://news.example.com/story</link>', '<link>https://news.example.com/story?updated=1</link>')), 'News');

    expect(article(after).id).toBe(article(before).id);
  });

  it('keys a bare guid (unique only in its feed, like JSON Feed’s 90211) on the link instead', () => {
    const numeric = article(mapFixture('json')[1]);
    const sameIdOtherFeed = mapOne(
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: [{ id: 90211, url: 'https://other.example.com/story', title: 'Other', summary: 'Other story.', date_published: '2026-11-24T06:00:00Z' }] }),
      'News',
    );

    expect(numeric.id).toMatch(/^retail-sales-[0-9a-f]{10}$/);
    expect(article(sameIdOtherFeed).id).not.toBe(numeric.id);
  });

  it('keeps two items whose paths end alike apart', () => {
    const a = mapOne(rss(rssItem('2026/11/24/live')), 'News');
    const b = mapOne(rss(rssItem('2026/11/25/live')), 'News');

    expect(article(a).id).not.toBe(article(b).id);
    expect(article(a).id.startsWith('live-')).toBe(true);
  });
});

describe('publishedAt', () => {
  it('is an ISO instant from pubDate (with its offset), Atom published, JSON Feed date_published', () => {
    expect(article(mapFixture('nyt')[0]).publishedAt).toBe('2026-11-24T05:02:11Z');
    expect(article(mapFixture('bbc')[0]).publishedAt).toBe('2026-11-24T06:41:07Z');
    expect(article(mapFixture('atom')[0]).publishedAt).toBe('2026-11-24T05:00:00Z');
    expect(article(mapFixture('json')[0]).publishedAt).toBe('2026-11-24T07:00:00Z');
  });

  it('falls back to Atom updated when there is no published', () => {
    expect(article(mapFixture('atom')[1]).publishedAt).toBe('2026-11-23T18:00:00Z');
  });

  it('leaves out an item with no date or one that is not a date', () => {
    const undated = mapOne(rss(rssItem('u').replace(/<pubDate>.*<\/pubDate>/, '')), 'News');
    const garbled = mapOne(rss(rssItem('g').replace(/<pubDate>.*<\/pubDate>/, '<pubDate>yesterday-ish</pubDate>')), 'News');

    expect(undated).toEqual({ ok: false, problems: [{ field: 'publishedAt', message: 'the item has no date (pubDate, published, updated or date_published)' }] });
    expect(garbled).toEqual({ ok: false, problems: [{ field: 'publishedAt', message: '"yesterday-ish" is not a date' }] });
  });
});

describe('category', () => {
  it('is the first category / term / tag', () => {
    expect(article(mapFixture('guardian')[0]).category).toBe('Middle East and north Africa');
    expect(article(mapFixture('atom')[0]).category).toBe('Space');
    expect(article(mapFixture('json')[0]).category).toBe('Economy');
  });

  it('is the feed’s configured category for an item without one', () => {
    expect(article(mapFixture('bbc', 'UK')[0]).category).toBe('UK');
  });

  it('leaves out an item without one when the feed has no default either', () => {
    expect(mapItem(parsedFixture('bbc').items[0]!, undefined)).toEqual({ ok: false, problems: [{ field: 'category', message: 'the item has none and the feed has no default category' }] });
  });
});

describe('author', () => {
  it('comes from dc:creator, RSS author, Atom author/name and JSON Feed authors', () => {
    expect(article(mapFixture('nyt')[0]).author).toEqual({ name: 'Jeanna Smialek and Lara Jakes' });
    expect(article(mapOne(rss(rssItem('a', '<author>desk@example.com (Maria Lopez)</author>')), 'News')).author).toEqual({ name: 'Maria Lopez' });
    expect(article(mapFixture('atom')[0]).author).toEqual({ name: 'Dr Amara Okafor' });
    expect(article(mapFixture('json')[0]).author).toEqual({ name: 'Hannah Cole, Ravi Shah' });
  });

  it('is absent when the feed names nobody', () => {
    expect(article(mapFixture('bbc')[0]).author).toBeUndefined();
  });
});

describe('standfirst', () => {
  it('is the summary’s paragraph text, without the "Continue reading…" link', () => {
    expect(article(mapFixture('guardian')[0]).standfirst).toBe(
      'Negotiators return to the table after a week-long pause, with mediators pressing for a deal before winter. Hundreds of lorries are queued at the Rafah crossing. Officials say the first 48 hours will decide whether the talks hold.',
    );
  });

  it('leaves out the WordPress "The post … appeared first on …" footer', () => {
    expect(article(mapFixture('wordpress')[0]).standfirst).toBe('The council has confirmed the Grade II-listed crossing will shut to all traffic while its ironwork is repaired.');
  });

  it('keeps whole paragraphs within 600 characters, else cuts the first at a word', () => {
    const long = 'word '.repeat(200).trim();
    const twoParagraphs = mapOne(rss(rssItem('p', `<description>&lt;p&gt;Short opening.&lt;/p&gt;&lt;p&gt;${long}&lt;/p&gt;</description>`).replace(/<description>Summary.*?<\/description>/, '')), 'News');
    const oneParagraph = mapOne(rss(rssItem('q', `<description>${long}</description>`).replace(/<description>Summary.*?<\/description>/, '')), 'News');

    expect(article(twoParagraphs).standfirst).toBe('Short opening.');
    expect(article(oneParagraph).standfirst!.length).toBeLessThanOrEqual(600);
    expect(article(oneParagraph).standfirst).toMatch(/^word( word)+…$/);
  });
});

describe('key points', () => {
  it('are the list under a "What do you need to know?" heading', () => {
    expect(article(mapFixture('wordpress')[0]).keyPoints).toEqual([
      'The bridge closes to all traffic on 5 January',
      'Buses 4 and 7 will be diverted via Mill Lane',
      'A free shuttle will run every 15 minutes at peak times',
    ]);
  });

  it('are the list under a bold "Key points" paragraph', () => {
    expect(article(mapFixture('wordpress')[1]).keyPoints).toEqual(['Open until 9pm on weekdays from 1 December', 'Saturday hours unchanged']);
  });

  it('are at most 7 of a longer list', () => {
    const items = Array.from({ length: 9 }, (_, index) => `&lt;li&gt;Point ${index + 1}&lt;/li&gt;`).join('');
    const result = mapOne(rss(rssItem('k', `<content:encoded>&lt;h3&gt;Key points&lt;/h3&gt;&lt;ul&gt;${items}&lt;/ul&gt;</content:encoded>`)), 'News');

    expect(article(result).keyPoints).toEqual(['Point 1', 'Point 2', 'Point 3', 'Point 4', 'Point 5', 'Point 6', 'Point 7']);
  });

  it('are otherwise 1–3 sentences of the standfirst', () => {
    expect(article(mapFixture('guardian')[0]).keyPoints).toEqual([
      'Negotiators return to the table after a week-long pause, with mediators pressing for a deal before winter.',
      'Hundreds of lorries are queued at the Rafah crossing.',
      'Officials say the first 48 hours will decide whether the talks hold.',
    ]);
    expect(article(mapFixture('guardian')[1]).keyPoints).toHaveLength(1);
    const four = mapOne(rss(rssItem('s', '<description>One happened. Two followed. Three is news. Four is not.</description>').replace(/<description>Summary.*?<\/description>/, '')), 'News');
    expect(article(four).keyPoints).toEqual(['One happened.', 'Two followed.', 'Three is news.']);
  });

  it('come from the content when there is no summary', () => {
    expect(article(mapFixture('json')[1]).keyPoints).toEqual(['Shoppers spent more in October.', 'Clothing and food led the rise, the statistics office said.']);
  });

  it('leave the item out when there is nothing to take them from', () => {
    const result = mapOne(rss('<item><title>Bare</title><link>https://news.example.com/bare</link><pubDate>Tue, 24 Nov 2026 06:00:00 GMT</pubDate></item>'), 'News');

    expect(result).toEqual({ ok: false, problems: [{ field: 'keyPoints', message: 'no key points list, summary or content to take sentences from' }] });
  });
});

describe('sections and related links', () => {
  it('are the content’s h2/h3 headings with their paragraphs (not figure captions), and a "Related" list’s https links', () => {
    const bridge = article(mapFixture('wordpress')[0]);

    expect(bridge.sections).toEqual([
      {
        heading: 'Why is the bridge closing?',
        paragraphs: ['Engineers found corrosion in the main girders during a routine inspection in the summer.', '\u201cWe have no choice,\u201d said the council\u2019s head of highways.'],
      },
      { heading: 'How long will the work take?', paragraphs: ['Six months, if the weather holds. See all roadworks.'] },
    ]);
    expect(bridge.related).toEqual([
      { title: 'Bridge inspection finds corrosion', url: 'https://news.example.com/2026/10/02/bridge-inspection-report/' },
      { title: 'The council\u2019s traffic plan', url: 'https://news.example.com/2026/09/14/traffic-plan/' },
    ]);
  });

  it('read Atom xhtml content, resolving related links against xml:base', () => {
    const comet = article(mapFixture('atom')[0]);

    expect(comet.sections).toEqual([{ heading: 'Where should you look?', paragraphs: ['Face west-southwest about 30 minutes after sunset & look low on the horizon.'] }]);
    expect(comet.related).toEqual([{ title: 'Meteor showers to watch in 2026', url: 'https://www.example.org/news/science/meteor-showers-2026.html' }]);
  });

  it('are absent when the content has no headings', () => {
    expect(article(mapFixture('guardian')[0]).sections).toBeUndefined();
    expect(article(mapFixture('guardian')[0]).related).toBeUndefined();
  });
});

describe('image', () => {
  it('is the widest media:content image, with its credit and its media:description as alt', () => {
    expect(article(mapFixture('guardian')[1]).image).toEqual({
      url: 'https://i.guim.co.uk/img/media/9d0f/0_120_4000_2400/master/4000.jpg?width=460&quality=85&auto=format&fit=max&s=7a8b',
      alt: 'Residents watch as a wildfire burns on a hillside near the village of Limni on Evia',
      credit: 'Photograph: Costas Baltas/AP',
    });
  });

  it('takes alt and credit from the item’s media elements (NYT) and alt from media:title (WordPress)', () => {
    expect(article(mapFixture('nyt')[0]).image).toEqual({
      url: 'https://static01.nyt.com/images/2026/11/24/multimedia/24eu-defense-1-abcd/24eu-defense-1-abcd-mediumSquareAt3X.jpg',
      alt: 'President Emmanuel Macron of France, center, arriving for the summit in Brussels on Monday.',
      credit: 'Olivier Hoslet/EPA, via Shutterstock',
      width: 1800,
      height: 1800,
    });
    expect(article(mapFixture('wordpress')[0]).image).toEqual({
      url: 'https://news.example.com/wp-content/uploads/2026/11/bridge.jpg',
      alt: 'The Old Town Bridge at dusk, seen from the river path',
      width: 2048,
      height: 1365,
    });
  });

  it('has the width and height of its media:content or media:thumbnail when the feed gives both', () => {
    const content = mapOne(rss(rssItem('c', '<media:content url="https://img.example.com/c.jpg" medium="image" width="1600" height="900"><media:description>A quiet harbour at dawn</media:description></media:content>')), 'News');
    const thumbnail = mapOne(rss(rssItem('t', '<media:thumbnail url="https://img.example.com/t.jpg" width="240" height="135"/><media:description>Flooded fields near the river</media:description>')), 'News');

    expect(article(content).image).toEqual({ url: 'https://img.example.com/c.jpg', alt: 'A quiet harbour at dawn', width: 1600, height: 900 });
    expect(article(thumbnail).image).toEqual({ url: 'https://img.example.com/t.jpg', alt: 'Flooded fields near the river', width: 240, height: 135 });
    expect(content).toMatchObject({ notes: [] });
  });

  it.each([
    ['a width alone (the Guardian’s shape)', 'width="460"'],
    ['a height alone', 'height="276"'],
    ['a size that is not a number', 'width="wide" height="tall"'],
    ['a zero size', 'width="0" height="0"'],
  ])('has no size, and no note, with %s', (_, attributes) => {
    const result = mapOne(rss(rssItem('s', `<media:content url="https://img.example.com/s.jpg" medium="image" ${attributes}><media:description>A quiet harbour at dawn</media:description></media:content>`)), 'News');

    expect(article(result).image).toEqual({ url: 'https://img.example.com/s.jpg', alt: 'A quiet harbour at dawn' });
    expect(result).toMatchObject({ notes: [] });
  });

  it('keeps the image without its size, with a note, when the record schema refuses the size', () => {
    const result = mapOne(rss(rssItem('r', '<media:content url="https://img.example.com/r.jpg" medium="image" width="2000" height="100"><media:description>A panorama of the bay</media:description></media:content>')), 'News');

    expect(article(result).image).toEqual({ url: 'https://img.example.com/r.jpg', alt: 'A panorama of the bay' });
    expect(result).toMatchObject({ notes: [{ field: 'image.width', message: 'left out, the image kept without its size: is more than 10 times the height (2000 × 100 px)' }] });
  });

  it('falls back to a described thumbnail, then an enclosure, when there is no media:content', () => {
    const thumbnail = mapOne(rss(rssItem('t', '<media:thumbnail url="https://img.example.com/t.jpg" width="240"/><media:description>Flooded fields near the river</media:description>')), 'News');

    expect(article(thumbnail).image).toEqual({ url: 'https://img.example.com/t.jpg', alt: 'Flooded fields near the river' });
  });

  it('is left out, with a note, when there is no meaningful alt text', () => {
    const [storm] = mapFixture('bbc');
    const tokyo = mapFixture('nyt')[1];
    const guardian = mapFixture('guardian')[0];
    const json = mapFixture('json')[0];

    for (const result of [storm, tokyo, guardian, json]) expect(article(result).image).toBeUndefined();
    expect(storm).toMatchObject({ notes: [{ field: 'image', message: 'left out: no meaningful alt text (media:description or media:title): https://ichef.bbci.co.uk/ace/standard/240/cpsprodpb/8f1c/live/storm-bert-flooding.jpg' }] });
    // "Photo" says nothing about the picture.
    expect(tokyo).toMatchObject({ notes: [{ field: 'image', message: expect.stringContaining('no meaningful alt text') }] });
    expect(json).toMatchObject({ notes: [{ field: 'image', message: 'left out: JSON Feed carries no alt text for an image: https://ledger.example.com/images/rates-board.jpg' }] });
  });

  it.each([['image'], ['IMG_2041.JPG'], ['https://img.example.com/a.jpg'], ['Photo: Jan Novak']])('does not take %j as alt text', (alt) => {
    const result = mapOne(rss(rssItem('a', `<media:content url="https://img.example.com/a.jpg" medium="image"><media:description>${alt}</media:description><media:credit>Photo: Jan Novak</media:credit></media:content>`)), 'News');

    expect(article(result).image).toBeUndefined();
  });

  it('is left out, with a note, when its address is not https', () => {
    const result = mapOne(rss(rssItem('h', '<media:content url="http://img.example.com/a.jpg" medium="image"><media:description>A quiet harbour at dawn</media:description></media:content>')), 'News');

    expect(result).toMatchObject({ ok: true, notes: [{ field: 'image', message: 'left out: not an https:// address: http://img.example.com/a.jpg' }] });
    expect(article(result).image).toBeUndefined();
  });

  it('is dropped with a note, keeping the story, when the record schema refuses it', () => {
    const credit = 'C'.repeat(250);
    const result = mapOne(rss(rssItem('c', `<media:content url="https://img.example.com/a.jpg" medium="image"><media:description>A quiet harbour at dawn</media:description><media:credit>${credit}</media:credit></media:content>`)), 'News');

    expect(result).toMatchObject({ ok: true, notes: [{ field: 'image.credit', message: 'left out: must be at most 200 characters' }] });
    expect(article(result).image).toBeUndefined();
  });
});

describe('items the schema refuses', () => {
  it('are refused with every problem named by field', () => {
    const result = mapOne(rss(rssItem('x', '', 'H'.repeat(201))), 'A category that is far too long to be one at all');

    expect(result).toEqual({
      ok: false,
      problems: [
        { field: 'category', message: 'must be at most 40 characters' },
        { field: 'headline', message: 'must be at most 200 characters' },
      ],
    });
  });
});
