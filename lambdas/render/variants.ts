import { randomBytes } from 'node:crypto';
import type { BriefingConfig } from '../config/config.ts';
import type { Edition } from '../edition/model.ts';
import { briefingData, briefingTemplates, defaultEngine, newMarker, type RenderedBriefing, renderBriefing } from './briefing.ts';
import { compileMjml, createTemplateEngine, type TemplateEngine } from './engine.ts';
import { layoutText } from './text-wrap.ts';

/**
 * Many briefings from one edition's articles (one per selection of stories for readers' topics), each the
 * same HTML and text as `renderBriefing` gives it, for a fraction of the MJML work.
 *
 * MJML compilation is what a render costs. The briefing templates show every story through a partial that
 * sees only `story` (`storyPartials`), so a story's block is the same in every variant that shows it in that
 * place; and MJML compiles a section, or a child of a column, without looking at its siblings. So:
 *
 * - each variant is filled by Liquid with the story partials stubbed: a marker naming the place and the story
 *   stands where the partial's output goes. That frame differs between variants only in text that MJML
 *   passes through as it is (the content of `mj-title`, `mj-raw` and `mj-text`: subject, preheader, story
 *   count, related links, footer), so that text is swapped for numbered tokens too, and the markers of
 *   consecutive stories for one: the frame's shape. Each distinct shape (a handful) is compiled once;
 * - every story's block is filled once per place and compiled once, all in one document, cut at markers;
 * - a variant is its shape's HTML with the tokens filled: the text for text, the compiled blocks for markers.
 *   MJML's last step, joining an Outlook conditional comment that ends where the next begins, is run again
 *   over the whole, since blocks meet the frame where MJML saw a marker;
 * - the text part is the frame's text with each story's text in place, laid out as `renderText` does.
 *
 * The first variant of every shape is also rendered from scratch and compared (apart from whitespace): a
 * template edit that breaks the rules above is caught there, and every variant is then rendered from scratch:
 * slower, never different.
 */

export interface RenderedVariants {
  /** One per edition given, in the same order, all with the same marker (so deliver compiles each variant's MIME alike). */
  readonly briefings: readonly RenderedBriefing[];
  readonly marker: string;
  /** How many were assembled from compiled pieces; the others were rendered from scratch. */
  readonly assembled: number;
  /** MJML compilations made, the from-scratch ones included. */
  readonly compilations: number;
  /** Why the variants could not be assembled, when they could not: then each was rendered from scratch. */
  readonly fallback?: string;
}

/** The partials the briefing templates show each story through, by place; each sees only `story`. */
export const storyPartials = {
  lead: { html: 'partials/lead-story.mjml', text: 'partials/lead-story.txt.liquid' },
  other: { html: 'partials/story.mjml', text: 'partials/story.txt.liquid' },
} as const;

type Place = keyof typeof storyPartials;
type BriefingData = ReturnType<typeof briefingData>;
type Slot = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'lead'; readonly id: string } | { readonly kind: 'others'; readonly ids: readonly string[] };

/** One variant taken apart: the shape MJML compiles, and what goes where its tokens are. */
interface Frame {
  readonly shape: string;
  readonly slots: readonly Slot[];
}

// The tags whose content MJML writes out as it is (trimmed); not `mj-style`, whose CSS MJML processes.
const passThrough = /<(mj-title|mj-raw|mj-text)((?:\s[^>]*)?)(?<!\/)>([\s\S]*?)<\/\1\s*>/g;

// MJML's own last step: an Outlook conditional comment that ends right where the next one begins is joined to it.
const mergeOutlookConditionals = (html: string): string => html.replace(/<!\[endif]-->\s*?<!--\[if mso \| IE]>/g, '');

/** HTML as the variants are compared with their render from scratch: the same apart from whitespace. */
export const withoutWhitespace = (html: string): string => html.replace(/>\s+</g, '><').replace(/\s+/g, ' ').trim();

export const renderVariants = async (
  editions: readonly Edition[],
  config: BriefingConfig,
  engine: TemplateEngine = defaultEngine(),
  marker: string = newMarker(),
): Promise<RenderedVariants> => {
  if (editions.length === 0) return { briefings: [], marker, assembled: 0, compilations: 0 };
  let compilations = 0;
  const fromScratch = (edition: Edition) => {
    compilations += 1;
    return renderBriefing(edition, config, engine, marker);
  };
  try {
    const assembler = createAssembler(config, engine, marker, () => (compilations += 1));
    const { briefings, assembled } = await assembler.render(editions, fromScratch);
    return { briefings, marker, assembled, compilations };
  } catch (error) {
    if (!(error instanceof NotAssembled)) throw error;
    return { briefings: await sequentially(editions, fromScratch), marker, assembled: 0, compilations, fallback: error.message };
  }
};

/** The variants cannot be put together from pieces (the templates break a rule above); rendering from scratch still works. */
class NotAssembled extends Error {}

const createAssembler = (config: BriefingConfig, engine: TemplateEngine, marker: string, compiled: () => void) => {
  // Tokens and markers are random per call, so nothing in an article can pass for one.
  const nonce = `v${randomBytes(6).toString('hex')}`;
  const token = (index: number) => `${nonce}_${index}_`;
  const storyMarker = new RegExp(`${nonce}:(lead|other):([a-z0-9-]+):`, 'g');
  const run = new RegExp(`<mj-raw>${nonce}:other:[a-z0-9-]+:</mj-raw>(?:\\s*<mj-raw>${nonce}:other:[a-z0-9-]+:</mj-raw>)*`, 'g');
  const runId = new RegExp(`${nonce}:other:([a-z0-9-]+):`, 'g');
  const slotMarker = new RegExp(`^${nonce}:(?:lead:([a-z0-9-]+)|run:(\\d+)):$`);
  const compile = (mjml: string) => {
    compiled();
    return compileMjml(mjml, briefingTemplates.html).catch((error: unknown) => {
      throw new NotAssembled(`MJML refused a frame or the story blocks: ${(error as Error).message}`);
    });
  };

  // The same templates with each story partial replaced by its marker.
  const stubbed = createTemplateEngine({
    templatesDir: engine.templatesDir,
    templates: Object.fromEntries(
      Object.entries(storyPartials).flatMap(([place, partial]) => {
        const mark = `${nonce}:${place}:{{ story.id }}:`;
        return [
          [partial.html, `<mj-raw>${mark}</mj-raw>`],
          [partial.text, mark],
        ];
      }),
    ),
  });

  // Each story's filled partials, per place: the same in every variant that shows it there.
  const blocks = new Map<string, Promise<{ mjml: string; text: string }>>();
  const block = (place: Place, id: string, views: ReadonlyMap<string, unknown>) => {
    let filled = blocks.get(`${place}:${id}`);
    if (!filled) {
      const story = views.get(id);
      if (story === undefined) throw new NotAssembled(`the ${place} partial was given a story (${id}) that is not in the variant`);
      const data = { story };
      filled = Promise.all([engine.renderHtml(storyPartials[place].html, data), engine.fillText(storyPartials[place].text, data)]).then(
        ([mjml, text]) => ({ mjml, text }),
        (error: unknown) => {
          throw new NotAssembled(`the ${place} partials cannot be filled with their story alone: ${(error as Error).message}`);
        },
      );
      blocks.set(`${place}:${id}`, filled);
    }
    return filled;
  };

  /** A variant filled: its data, its filled MJML and text (as `renderBriefing` fills them) and its frame. */
  const prepare = async (edition: Edition) => {
    const data: BriefingData = briefingData(config, edition, marker);
    const views = new Map<string, unknown>(edition.stories.map((story, index) => [story.id, index === 0 ? data.lead : data.stories[index - 1]]));
    const [frameMjml, frameText] = await Promise.all([stubbed.renderHtml(briefingTemplates.html, data), stubbed.fillText(briefingTemplates.text, data)]);
    const [mjml, text] = await Promise.all([
      replaceMarkers(frameMjml, new RegExp(`<mj-raw>${storyMarker.source}</mj-raw>`, 'g'), async (place, id) => (await block(place, id, views)).mjml),
      replaceMarkers(frameText, storyMarker, async (place, id) => (await block(place, id, views)).text),
    ]);
    return { edition, data, mjml, text: layoutText(text), frame: frameOf(frameMjml) };
  };

  const frameOf = (frameMjml: string): Frame => {
    // Stories one after another (nothing but whitespace between them) are one run: one marker, however many.
    const runs: string[][] = [];
    const withRuns = frameMjml.replace(run, (stories) => {
      runs.push([...stories.matchAll(runId)].map((match) => match[1]!));
      return `<mj-raw>${nonce}:run:${runs.length - 1}:</mj-raw>`;
    });
    const slots: Slot[] = [];
    const shape = withRuns.replace(passThrough, (whole, tag: string, attributes: string, content: string) => {
      // Outlook conditionals in template text are minified by MJML: such text is the same everywhere, so it stays.
      if (content.includes('<!--[if')) return whole;
      const text = content.trim();
      const story = slotMarker.exec(text);
      slots.push(!story ? { kind: 'text', text } : story[1] !== undefined ? { kind: 'lead', id: story[1] } : { kind: 'others', ids: runs[Number(story[2])]! });
      return `<${tag}${attributes}>${token(slots.length - 1)}</${tag}>`;
    });
    return { shape, slots };
  };

  /** Every story block, compiled once per place in one document: the host frame with the blocks where its markers were. */
  const compilePieces = async (frames: readonly Frame[]) => {
    const ids = { lead: new Set<string>(), other: new Set<string>() };
    for (const { slots } of frames) {
      for (const slot of slots) {
        if (slot.kind === 'lead') ids.lead.add(slot.id);
        if (slot.kind === 'others') for (const id of slot.ids) ids.other.add(id);
      }
    }
    const pieces = { lead: new Map<string, string>(), other: new Map<string, string>() };
    if (ids.lead.size + ids.other.size === 0) return pieces;
    const host = frames.find(({ slots }) => slots.some((slot) => slot.kind === 'others')) ?? frames[0]!;
    const hostRun = host.slots.find((slot) => slot.kind === 'others');
    // A separator before each block and one after the last, named by place: the blocks are what lies between.
    const separated = async (place: Place) => {
      let out = '';
      for (const id of ids[place]) out += `<mj-raw>${nonce}P${place}</mj-raw>${(await blocks.get(`${place}:${id}`)!).mjml}`;
      return `${out}<mj-raw>${nonce}P${place}</mj-raw>`;
    };
    const leads = await separated('lead');
    const others = await separated('other');
    const probe = host.shape.replace(new RegExp(`<mj-raw>${nonce}_(\\d+)_</mj-raw>`, 'g'), (whole, index: string) => {
      const slot = host.slots[Number(index)]!;
      if (slot.kind === 'lead') return leads;
      // Every other story goes where the host's first run is; its further runs, if any, stay markers.
      return slot === hostRun ? others : whole;
    });
    const parts = (await compile(probe)).split(new RegExp(`${nonce}P(lead|other)`));
    const after = { lead: [] as string[], other: [] as string[] };
    for (let index = 1; index < parts.length; index += 2) after[parts[index] as Place].push(parts[index + 1]!);
    for (const place of ['lead', 'other'] as const) {
      const wanted = [...ids[place]];
      if (wanted.length > 0 && after[place].length !== wanted.length + 1) {
        throw new NotAssembled(`the ${place} story blocks compiled into ${Math.max(after[place].length - 1, 0)} pieces, not ${wanted.length}`);
      }
      wanted.forEach((id, index) => pieces[place].set(id, after[place][index]!));
    }
    return pieces;
  };

  return {
    async render(editions: readonly Edition[], fromScratch: (edition: Edition) => Promise<RenderedBriefing>) {
      const variants = await sequentially(editions, prepare);
      const pieces = await compilePieces(variants.map((variant) => variant.frame));
      const shapes = new Map<string, readonly string[]>();
      const briefings: RenderedBriefing[] = [];
      let assembled = 0;
      for (const variant of variants) {
        const { frame } = variant;
        let parts = shapes.get(frame.shape);
        const firstOfShape = parts === undefined;
        if (!parts) shapes.set(frame.shape, (parts = (await compile(frame.shape)).split(new RegExp(`${nonce}_(\\d+)_`))));
        const html = fill(parts, frame.slots, pieces);
        if (firstOfShape) {
          const scratch = await fromScratch(variant.edition);
          if (withoutWhitespace(scratch.html) !== withoutWhitespace(html) || scratch.text !== variant.text) {
            const stories = variant.edition.stories.map((story) => story.id).join(', ');
            throw new NotAssembled(`the variant of ${stories} put together from compiled pieces differs from its render from scratch ${firstDifference(scratch, { html, text: variant.text })}`);
          }
          briefings.push(scratch);
          continue;
        }
        briefings.push({ subject: variant.data.subject, preheader: variant.data.preheader, html, text: variant.text, mjml: variant.mjml, marker });
        assembled += 1;
      }
      return { briefings, assembled };
    },
  };
};

/** Replaces each marker (its place and story id captured) with what `replacement` gives for it. */
const replaceMarkers = async (source: string, pattern: RegExp, replacement: (place: Place, id: string) => Promise<string>): Promise<string> => {
  const found = [...source.matchAll(pattern)];
  const replacements = await Promise.all(found.map((match) => replacement(match[1] as Place, match[2]!)));
  let out = '';
  let at = 0;
  found.forEach((match, index) => {
    out += source.slice(at, match.index) + replacements[index]!;
    at = match.index + match[0].length;
  });
  return out + source.slice(at);
};

// One at a time: the work is CPU-bound, and running it side by side only holds more of it in memory.
const sequentially = async <T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = [];
  for (const item of items) results.push(await work(item));
  return results;
};

/** The shape's HTML (split at its tokens: even entries literal, odd ones slot numbers) with each slot's HTML in place. */
const fill = (parts: readonly string[], slots: readonly Slot[], pieces: { lead: Map<string, string>; other: Map<string, string> }): string => {
  let html = parts[0]!;
  for (let index = 1; index < parts.length; index += 2) {
    const slot = slots[Number(parts[index])]!;
    if (slot.kind === 'text') html += slot.text;
    else if (slot.kind === 'lead') html += pieces.lead.get(slot.id)!;
    else for (const id of slot.ids) html += pieces.other.get(id)!;
    html += parts[index + 1]!;
  }
  return mergeOutlookConditionals(html);
};

const firstDifference = (expected: { html: string; text: string }, actual: { html: string; text: string }): string => {
  const [part, a, b] = expected.text === actual.text ? ['HTML', withoutWhitespace(expected.html), withoutWhitespace(actual.html)] : ['text', expected.text, actual.text];
  let at = 0;
  while (at < a.length && a[at] === b[at]) at += 1;
  return `in its ${part} at "${a.slice(Math.max(0, at - 40), at + 40)}" (assembled: "${b.slice(Math.max(0, at - 40), at + 40)}")`;
};
