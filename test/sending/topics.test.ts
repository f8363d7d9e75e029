import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config/config.ts';
import type { Topic } from '../../lambdas/config/topics.ts';
import { compose, type ComposeDeps } from '../../lambdas/sending/compose.ts';
import { ComposeError } from '../../lambdas/sending/compose-request.ts';
import type { DeliveryJob } from '../../lambdas/sending/queue.ts';
import { article } from '../helpers/articles.ts';
import { editedTemplates, numberedStories } from '../helpers/edited-templates.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const topics: Topic[] = [
  { id: 'world', label: 'World', categories: ['World', 'UK'] },
  { id: 'money', label: 'Money', categories: ['Business'] },
  { id: 'science', label: 'Science', categories: ['Science'] },
  { id: 'sport', label: 'Sport', categories: ['Sport'] },
];
const config = parseConfig({ siteUrl: 'https://briefing.example.com', topics, maxStories: 3 });
const editionId = '2026-11-24';

/** Each reader's topics, and the stories (lead first) their briefing holds; no stories: no email today. */
const readers: Readonly<Record<string, { topics: string[]; stories: string[] }>> = {
  'all@example.org': { topics: [], stories: ['summit', 'rail', 'rates'] },
  'every@example.org': { topics: ['world', 'money', 'science', 'sport'], stories: ['summit', 'rail', 'rates'] },
  'science@example.org': { topics: ['science'], stories: ['comet', 'vaccine'] },
  'money-science@example.org': { topics: ['science', 'money'], stories: ['rates', 'comet', 'vaccine'] },
  'world@example.org': { topics: ['world'], stories: ['summit', 'rail'] },
  'world-sport@example.org': { topics: ['sport', 'world'], stories: ['summit', 'rail'] },
  'sport@example.org': { topics: ['sport'], stories: [] },
};

const local = useTestEmulators();
beforeEach(async () => {
  await local.stores.articles.put([
    article({ id: 'summit', category: 'World', priority: 10, publishedAt: '2026-11-24T05:00:00Z' }),
    article({ id: 'rail', category: 'UK', priority: 8, publishedAt: '2026-11-24T05:30:00Z' }),
    article({ id: 'rates', category: 'Business', priority: 5, publishedAt: '2026-11-24T04:00:00Z' }),
    article({ id: 'comet', category: 'Science', priority: 3, publishedAt: '2026-11-24T03:00:00Z' }),
    article({ id: 'vaccine', category: 'Science', publishedAt: '2026-11-24T04:30:00Z' }),
    article({ id: 'museum', category: 'Culture', publishedAt: '2026-11-24T02:00:00Z' }),
  ]);
  for (const [email, reader] of Object.entries(readers)) {
    await local.stores.subscribers.add(email, { status: 'active', reason: 'test', set: { topics: reader.topics } });
  }
  await local.stores.subscribers.add('pending@example.org', { status: 'pending', reason: 'test', set: { topics: ['science'] } });
});

const composeInto = (jobs: DeliveryJob[], deps: Partial<ComposeDeps> = {}, request: Parameters<typeof compose>[0] = { date: editionId }) =>
  compose(request, { stores: local.stores, queue: { enqueue: async (queued) => void jobs.push(...queued) }, config, mailer: local.emulators.mailer, owner: 'test', ...deps });

describe('composing an edition for readers with topics', () => {
  it('renders each distinct selection once, stores the variants, and queues each reader with theirs; a reader with no story in their topics is counted, not queued', async () => {
    const jobs: DeliveryJob[] = [];

    const result = await composeInto(jobs);

    // Topic sets: everything (twice: none, and all four), science, money+science, world, sport+world, sport.
    expect(result).toMatchObject({ kind: 'sending', recipients: 6, noNews: 1, articleIds: ['summit', 'rail', 'rates'], figures: { variants: 4, topicSets: 6 } });
    const stored = await local.stores.variants.list(editionId);
    expect(stored.map((variant) => variant.articleIds).sort()).toEqual([['comet', 'vaccine'], ['rates', 'comet', 'vaccine'], ['summit', 'rail']]);
    expect([...stored.find((variant) => variant.articleIds[0] === 'summit')!.topicSets].sort()).toEqual(['sport,world', 'world']);
    const keyOf = new Map(stored.map((variant) => [variant.articleIds.join(','), variant.variantKey]));
    expect(Object.fromEntries(jobs.map((job) => [job.email, job.variantKey]))).toEqual({
      'all@example.org': undefined,
      'every@example.org': undefined,
      'science@example.org': keyOf.get('comet,vaccine'),
      'money-science@example.org': keyOf.get('rates,comet,vaccine'),
      'world@example.org': keyOf.get('summit,rail'),
      'world-sport@example.org': keyOf.get('summit,rail'),
    });
    // The full edition stays on the edition record, for the archive and for the readers of everything.
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sending', articleIds: ['summit', 'rail', 'rates'], enqueued: 6, noNews: 1, noNewsSets: ['sport'], enqueueComplete: true });
    const science = await local.stores.variants.get(editionId, keyOf.get('comet,vaccine')!);
    const edition = await local.stores.editions.get(editionId);
    expect(science).toMatchObject({ subject: 'Headline of comet', marker: edition?.marker });
    expect(science?.html).toContain('Headline of vaccine');
    expect(science?.html).not.toContain('Headline of summit');
  });

  it('sends the readers whose topics have no story the full edition when noTopicNews is "all"', async () => {
    const jobs: DeliveryJob[] = [];

    const result = await composeInto(jobs, { config: { ...config, noTopicNews: 'all' } });

    expect(result).toMatchObject({ kind: 'sending', recipients: 7, noNews: 0 });
    expect(jobs.find((job) => job.email === 'sport@example.org')).toEqual({ editionId, email: 'sport@example.org' });
    expect(await local.stores.editions.get(editionId)).toMatchObject({ enqueued: 7, noNews: 0, noNewsSets: [] });
  });

  it('counts on a dry run who would get which briefing, and writes nothing', async () => {
    const result = await composeInto([], {}, { date: editionId, dryRun: true });

    expect(result).toMatchObject({ kind: 'dry-run', recipients: 6, noNews: 1, figures: { variants: 4, topicSets: 6 } });
    expect(await local.stores.variants.list(editionId)).toEqual([]);
    expect(await local.stores.editions.get(editionId)).toBeUndefined();
  });

  it('checks the quota against the readers who will get mail, not those with no news', async () => {
    const logged: [string, Record<string, unknown> | undefined][] = [];
    const quota = async () => ({ max24HourSend: 6, sentLast24Hours: 0, maxSendRate: 14 });

    const result = await composeInto([], { sendQuota: quota, log: (message, details) => void logged.push([message, details]) });

    expect(result).toMatchObject({ kind: 'sending', recipients: 6 });
    expect(logged).toContainEqual(['send quota checked', expect.objectContaining({ recipients: 6, remainingAfter: 0 })]);
  });

  it('refuses a test copy of topics the config does not offer, or of topics with no story today, naming them', async () => {
    await expect(composeInto([], {}, { date: editionId, to: 'editor@example.net', topics: ['science', 'weather'] })).rejects.toThrow(
      new ComposeError('--topics: no topic weather in the config (its topics: world, money, science, sport)'),
    );
    await expect(composeInto([], {}, { date: editionId, to: 'editor@example.net', topics: ['sport'] })).rejects.toThrow(
      new ComposeError('no story of edition 2026-11-24 is in the topics sport: a reader of those topics gets no email today (noTopicNews is "skip")'),
    );
    expect(await local.emulators.inbox()).toEqual([]);
  });

  it('warns, and stores variants rendered each from scratch, when the templates cannot be put together from pieces', async () => {
    const warned: [string, Record<string, unknown> | undefined][] = [];
    const jobs: DeliveryJob[] = [];

    const result = await composeInto(jobs, { engine: editedTemplates(numberedStories), warn: (message, details) => void warned.push([message, details]) });

    expect(result).toMatchObject({ kind: 'sending', recipients: 6, figures: { variants: 4, assembled: 0 } });
    expect(warned).toEqual([
      ['topic variants rendered each from scratch (slower, the same mail): a template breaks a rule renderVariants relies on', { editionId, fallback: expect.stringMatching(/cannot be filled with their story alone/) }],
    ]);
    const [moneyScience] = (await local.stores.variants.list(editionId)).filter((variant) => variant.articleIds.length === 3);
    expect((await local.stores.variants.get(editionId, moneyScience!.variantKey))?.html).toContain('2. Headline of vaccine');
  });
});
