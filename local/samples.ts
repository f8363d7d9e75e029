import type { Article } from '../lambdas/articles/schema.ts';
import { dateInZone } from '../lambdas/edition/model.ts';
import { selectArticles, type SelectionDeps } from '../lambdas/sending/selection.ts';

/** How old the newest sample is once dated again: just published. */
const newestAgeMs = 5 * 60_000;

/**
 * The samples moved in time so that the newest was published five minutes before `now`, each keeping
 * its place and distance from the others (the ten shipped span 18½ hours: all inside a 24-hour window).
 */
export const samplesDatedBefore = (samples: readonly Article[], now: Date): Article[] => {
  const newest = Math.max(...samples.map((sample) => Date.parse(sample.publishedAt)));
  // Whole seconds, like the records as written.
  const shift = Math.floor((now.getTime() - newestAgeMs) / 1000) * 1000 - newest;
  return samples.map((sample) => ({ ...sample, publishedAt: new Date(Date.parse(sample.publishedAt) + shift).toISOString().replace(/\.000Z$/, 'Z') }));
};

/**
 * What `briefing dev` does so that the commands it suggests always have news: when today's edition
 * would find no story in its window (`send` would say "nothing to send"), the sample articles are
 * stored again, dated the last hours. Stories of the newsroom's own (imported, polled, posted) that are
 * in the window leave the samples as they are. Returns whether it dated them.
 */
export const keepSamplesCurrent = async (samples: readonly Article[], deps: SelectionDeps, now: Date = new Date()): Promise<boolean> => {
  const { articles } = await selectArticles(dateInZone(deps.config.timeZone, now), undefined, deps);
  if (articles.length > 0) return false;
  await deps.stores.articles.put(samplesDatedBefore(samples, now));
  return true;
};
