import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { loadArticleFiles } from '../local/article-files.ts';
import { parseConfig } from '../lambdas/config/config.ts';
import { topicSetKey } from '../lambdas/config/topics.ts';
import type { Edition } from '../lambdas/edition/model.ts';
import { selectVariants } from '../lambdas/edition/variants.ts';
import { briefingEnvelope, briefingMime } from '../lambdas/mail/briefing-mime.ts';
import { compileSkeleton } from '../lambdas/mail/mime.ts';
import type { MimeSkeleton } from '../lambdas/mail/mime-skeleton.ts';
import { renderBriefing } from '../lambdas/render/briefing.ts';
import { personalise } from '../lambdas/render/personalise.ts';
import { renderVariants, withoutWhitespace } from '../lambdas/render/variants.ts';
import { everyTopicSet, numberedTopics, storiesOverTopics } from '../test/helpers/topic-edition.ts';
import { median, report } from './stats.ts';

const subscribers = 100_000;
const date = '2026-11-24';

const recipient = (index: number) => ({
  email: `reader${index}@example.com`,
  unsubscribeUrl: `https://briefing.example.com/unsubscribe?token=${index.toString(36).padStart(40, 'x')}`,
  preferencesUrl: `https://briefing.example.com/preferences?token=${index.toString(36).padStart(40, 'y')}`,
  browserUrl: `https://briefing.example.com/archive/${date}`,
});

/** CPU microseconds of one call, read from this process's CPU clock. */
const cpuMicros = (work: () => unknown): number => {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
};

/**
 * Issue 14: an edition of 30 stories over 8 topics, 100,000 subscribers spread over all 256 topic sets.
 * Compose's render of every distinct selection against rendering each from scratch, what they take to store,
 * and deliver's CPU per recipient (personalise + MIME) against today's single briefing.
 */
export const benchTopics = async (): Promise<void> => {
  console.log(`\n## Topics (30 stories over 8 topics; ${subscribers.toLocaleString('en')} subscribers over all 256 topic sets)`);
  const topics = numberedTopics(8);
  const config = parseConfig({ siteUrl: 'https://briefing.example.com', topics });
  const { articles: samples } = await loadArticleFiles('samples/articles');
  const articles = storiesOverTopics(samples, 30, topics);

  // Compose's grouping, without a database: each subscriber's topics (as stored) to its set's key, counted.
  const sets = everyTopicSet(topics);
  const groupStart = performance.now();
  const readers = new Map<string, { ids: readonly string[]; count: number }>();
  for (let index = 0; index < subscribers; index += 1) {
    const ids = sets[index % sets.length]!;
    const key = topicSetKey(config.topics, ids);
    const group = readers.get(key);
    if (group) group.count += 1;
    else readers.set(key, { ids, count: 1 });
  }
  const selection = selectVariants(
    articles,
    [...readers.values()].map((group) => group.ids),
    config,
    date,
  );
  const groupMs = performance.now() - groupStart;
  const editions = selection.variants.map((variant) => variant.edition);
  const noNewsReaders = selection.noNews.reduce((sum, key) => sum + readers.get(key)!.count, 0);
  console.log(
    `${sets.length} topic sets (${readers.size} once every topic counts as everything) → ${editions.length} distinct selections; ${selection.noNews.length} sets (${noNewsReaders.toLocaleString('en')} readers) with no news; grouping and selection took ${groupMs.toFixed(0)} ms`,
  );
  // The issue's worst case: every one of the 256 sets its own variant (the same selections, none shared).
  const everySet = sets.map((ids) => selection.variants.find((variant) => variant.key === selection.variantOf.get(topicSetKey(config.topics, ids)))!.edition);

  // Interleaved rounds after a warm-up, so JIT and machine noise weigh on both figures alike.
  const time = async (work: () => Promise<unknown>) => {
    const start = performance.now();
    await work();
    return performance.now() - start;
  };
  const fromScratch = async (list: readonly Edition[]) => {
    for (const edition of list) await renderBriefing(edition, config);
  };
  await renderVariants(editions, config);
  await fromScratch(editions.slice(0, 10));
  const runs = { distinct: [] as number[], distinctScratch: [] as number[], every: [] as number[], everyScratch: [] as number[] };
  let result = await renderVariants(editions, config);
  for (let round = 0; round < 3; round += 1) {
    runs.distinct.push(await time(async () => (result = await renderVariants(editions, config))));
    runs.distinctScratch.push(await time(() => fromScratch(editions)));
    runs.every.push(await time(() => renderVariants(everySet, config)));
    runs.everyScratch.push(await time(() => fromScratch(everySet)));
  }
  const [distinctMs, distinctScratchMs, everyMs, everyScratchMs] = [runs.distinct, runs.distinctScratch, runs.every, runs.everyScratch].map(median) as [number, number, number, number];
  console.log(
    `distinct selections: ${result.assembled} of ${editions.length} put together from pieces with ${result.compilations} MJML compilations${result.fallback ? ` (FELL BACK: ${result.fallback})` : ''}; ${distinctMs.toFixed(0)} ms against ${distinctScratchMs.toFixed(0)} ms from scratch (${(distinctScratchMs / editions.length).toFixed(2)} ms a variant), ${(distinctScratchMs / distinctMs).toFixed(1)}× faster`,
  );
  report(`render of all ${everySet.length} variants (one per topic set, none shared)`, everyMs, 'ms', { value: 500, better: 'lower' });
  report(`speed-up over rendering each of the ${everySet.length} from scratch (${everyScratchMs.toFixed(0)} ms)`, everyScratchMs / everyMs, '×', { value: 3, better: 'higher' });

  let same = 0;
  for (const [index, edition] of editions.entries()) {
    const scratch = await renderBriefing(edition, config, undefined, result.marker);
    const variant = result.briefings[index]!;
    if (withoutWhitespace(scratch.html) === withoutWhitespace(variant.html) && scratch.text === variant.text && scratch.subject === variant.subject) same += 1;
  }
  console.log(`${same} of ${editions.length} variants are their render from scratch: HTML (apart from whitespace), text and subject`);

  const sizes = result.briefings.map((briefing) => ({
    raw: Buffer.byteLength(briefing.html) + Buffer.byteLength(briefing.text),
    gzip: gzipSync(briefing.html).length + gzipSync(briefing.text).length,
  }));
  const total = (key: 'raw' | 'gzip') => sizes.reduce((sum, size) => sum + size[key], 0) / 1024;
  const largest = (key: 'raw' | 'gzip') => Math.max(...sizes.map((size) => size[key])) / 1024;
  console.log(
    `stored per edition (HTML + text of the ${editions.length} variants): ${(total('raw') / 1024).toFixed(1)} MB raw, ${(total('gzip') / 1024).toFixed(2)} MB gzipped ` +
      `(${((total('gzip') / editions.length) * everySet.length / 1024).toFixed(1)} MB were all ${everySet.length} sets distinct); largest variant ${largest('raw').toFixed(0)} KB raw, ${largest('gzip').toFixed(1)} KB gzipped`,
  );
  report('largest variant item (gzipped HTML + text) against DynamoDB’s 400 KB item limit', largest('gzip'), 'KB', { value: 400, better: 'lower' });

  // Deliver: today one compiled MIME for everybody; now one per variant (compiled once per container), each
  // recipient built from their set's. Compose is to queue each variant's readers together, so an SQS batch
  // holds one variant: "grouped". "Interleaved" (every recipient another variant) is the worst case.
  const single = await renderBriefing(selection.full.edition, config);
  const envelope = briefingEnvelope(config, { editionId: date });
  const singleMime = briefingMime(single, await compileSkeleton(envelope, single.subject));
  // Compose compiles each variant's MIME skeleton once (MailComposer); each deliver container fills it with the variant's bodies once.
  const composeStart = performance.now();
  const skeletons: MimeSkeleton[] = [];
  for (const briefing of result.briefings) skeletons.push(await compileSkeleton(envelope, briefing.subject));
  const composeMs = performance.now() - composeStart;
  const compileStart = performance.now();
  const mimes = result.briefings.map((briefing, index) => briefingMime(briefing, skeletons[index]!));
  const compileMs = performance.now() - compileStart;
  const mailed = [...Array(subscribers).keys()].flatMap((index) => {
    const key = selection.variantOf.get(topicSetKey(config.topics, sets[index % sets.length]!));
    return key === undefined ? [] : [{ index, variant: selection.variants.findIndex((variant) => variant.key === key) }];
  });
  const grouped = [...mailed].sort((a, b) => a.variant - b.variant);
  const cpu = { single: [] as number[], grouped: [] as number[], interleaved: [] as number[], personaliseSingle: [] as number[], personaliseVariant: [] as number[] };
  const sample = 2000;
  for (let round = 0; round < 5; round += 1) {
    const from = round * sample;
    for (let offset = 0; offset < sample; offset += 1) cpu.single.push(cpuMicros(() => singleMime.build(recipient(from + offset))));
    for (const { index, variant } of grouped.slice(from, from + sample)) cpu.grouped.push(cpuMicros(() => mimes[variant]!.build(recipient(index))));
    for (const { index, variant } of mailed.slice(from, from + sample)) cpu.interleaved.push(cpuMicros(() => mimes[variant]!.build(recipient(index))));
    for (let offset = 0; offset < sample; offset += 1) cpu.personaliseSingle.push(cpuMicros(() => personalise(single, recipient(from + offset))));
    for (const { index, variant } of grouped.slice(from, from + sample)) cpu.personaliseVariant.push(cpuMicros(() => personalise(result.briefings[variant]!, recipient(index))));
  }
  const amortised = (compileMs * 1000) / mailed.length;
  console.log(
    `MIME: compose compiles each variant's skeleton once, ${(composeMs / mimes.length).toFixed(2)} ms each (${composeMs.toFixed(0)} ms for all ${mimes.length}); a deliver container prepares each variant's once, ${(compileMs / mimes.length).toFixed(2)} ms each, ${compileMs.toFixed(0)} ms for all (${amortised.toFixed(1)} µs a recipient were one container to send the edition)`,
  );
  console.log(`personalise() per recipient: ${median(cpu.personaliseVariant).toFixed(1)} µs from their variant, ${median(cpu.personaliseSingle).toFixed(1)} µs from the single briefing`);
  console.log(`today, from the single briefing: ${median(cpu.single).toFixed(1)} µs per recipient; variants interleaved (every recipient another variant): ${median(cpu.interleaved).toFixed(1)} µs`);
  report('deliver CPU per recipient (personalise + MIME build), variants grouped as queued', median(cpu.grouped), 'µs', { value: median(cpu.single), better: 'lower' });
};

