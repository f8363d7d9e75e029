import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { parseConfig } from '../../lambdas/config/config.ts';
import { compose, type ComposeDeps } from '../../lambdas/sending/compose.ts';
import { ComposeError } from '../../lambdas/sending/compose-request.ts';
import { createDeliverer } from '../../lambdas/sending/deliver.ts';
import { type DeliveryJob, encodeJob } from '../../lambdas/sending/queue.ts';
import { TokenBucket } from '../../lambdas/sending/token-bucket.ts';
import { subscriptionLinks } from '../../lambdas/subscription/links.ts';
import { sendLocally, type LocalSendOptions } from '../../local/send.ts';
import { editedTemplates, numberedStories } from '../helpers/edited-templates.ts';
import { useTestEmulators } from '../helpers/emulators.ts';
import { startFaultySes } from '../helpers/ses-faults.ts';
import { sqsRecord } from '../helpers/sqs-record.ts';
import { newsTopics, topicStories } from '../helpers/topic-edition.ts';

const config = parseConfig({ siteUrl: 'https://briefing.example.com', topics: newsTopics, maxStories: 3 });
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
const storyIds = ['summit', 'rail', 'rates', 'comet', 'vaccine', 'museum'];
const secret = 'topics-secret';

const local = useTestEmulators();
beforeEach(async () => {
  await local.stores.articles.put(topicStories);
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

const options = (overrides: Partial<LocalSendOptions> = {}): LocalSendOptions => ({ stores: local.stores, mailer: local.emulators.mailer, reportMailer: local.emulators.mailer, config, tokenSecret: secret, ratePerSecond: 1000, ...overrides });

/** Each mail in the SES emulator, read back with mailparser: its recipient, subject, and the stories it holds in the order it shows them. */
const mailbox = async () => {
  const mails = await Promise.all((await local.emulators.inbox()).map((message) => local.emulators.parsed(message.messageId)));
  return mails.map((mail) => {
    const html = String(mail.html);
    const shown = (body: string) => storyIds.filter((id) => body.includes(`Headline of ${id}`)).sort((a, b) => body.indexOf(`Headline of ${a}`) - body.indexOf(`Headline of ${b}`));
    return { to: (mail.to as { text: string }).text, subject: mail.subject, stories: shown(html), textStories: shown(mail.text ?? '') };
  });
};

/** Whom the inbox holds a mail for, with the stories of each, lead first. */
const storiesByReader = async () => Object.fromEntries((await mailbox()).map((mail) => [mail.to, mail.stories]));

describe('sending an edition to readers with topics', () => {
  it('mails each reader their own briefing, led by the best story in their topics, and nothing to a reader with none', async () => {
    const { result, counts } = await sendLocally({ date: editionId }, options());

    expect(result).toMatchObject({ kind: 'sending', recipients: 6, noNews: 1 });
    expect(counts).toMatchObject({ sent: 6, failed: 0, skipped: 0 });
    const mails = await mailbox();
    expect(Object.fromEntries(mails.map((mail) => [mail.to, mail.stories]))).toEqual(Object.fromEntries(Object.entries(readers).filter(([, reader]) => reader.stories.length > 0).map(([email, reader]) => [email, reader.stories])));
    for (const mail of mails) {
      // The subject is the lead's headline, and the plain-text part holds the same stories.
      expect(mail.subject, mail.to).toBe(`Headline of ${readers[mail.to]!.stories[0]}`);
      expect(mail.textStories, mail.to).toEqual(mail.stories);
    }
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 6, sent: 6, noNews: 1 });
  });

  it('mails a reader whose topics have no story the full briefing when noTopicNews is "all"', async () => {
    await sendLocally({ date: editionId }, options({ config: { ...config, noTopicNews: 'all' } }));

    expect((await storiesByReader())['sport@example.org']).toEqual(['summit', 'rail', 'rates']);
    expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 7, sent: 7, noNews: 0 });
  });

  it('sends a test copy of the variant a reader of the given topics gets (--to … --topics)', async () => {
    const { result } = await sendLocally({ date: editionId, to: 'editor@example.net', topics: ['money', 'science'] }, options());

    expect(result).toMatchObject({ kind: 'test', to: 'editor@example.net', subject: '[Test] Headline of rates', articleIds: ['rates', 'comet', 'vaccine'], topics: ['money', 'science'] });
    expect(await mailbox()).toEqual([{ to: 'editor@example.net', subject: '[Test] Headline of rates', stories: ['rates', 'comet', 'vaccine'], textStories: ['rates', 'comet', 'vaccine'] }]);
    expect(await local.stores.editions.get(editionId)).toBeUndefined();
  });

  it('resumes a stopped edition with each reader\'s variant as their topics are now: a set it has a variant for gets that, another the full edition, a set with no story nothing', async () => {
    let paused = true;
    const faulty = await startFaultySes(local.emulators.sesEndpoint, () => (paused ? { status: 400, code: 'AccountSendingPausedException', message: 'Email sending is disabled for this account.' } : undefined));
    try {
      await sendLocally({ date: editionId }, options({ mailer: sesMailer(faulty.client), workers: 1 }));
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'stopped', sent: 0, enqueued: 6, noNews: 1 });
      // While it is stopped, three readers change their topics.
      const retopic = async (email: string, ids: string[]) => {
        const subscriber = (await local.stores.subscribers.get(email))!;
        await local.stores.subscribers.setTopics(email, subscriber.id, ids);
      };
      await retopic('world@example.org', ['science']);
      await retopic('science@example.org', ['money']);
      await retopic('all@example.org', ['sport']);

      paused = false;
      const { result, counts } = await sendLocally({ date: editionId, resume: true }, options({ mailer: sesMailer(faulty.client) }));

      expect(result).toMatchObject({ kind: 'sending', resumed: true, recipients: 5, noNews: 2 });
      expect(counts).toMatchObject({ sent: 5, duplicates: 0 });
      expect(await storiesByReader()).toEqual({
        'every@example.org': ['summit', 'rail', 'rates'],
        'money-science@example.org': ['rates', 'comet', 'vaccine'],
        'world-sport@example.org': ['summit', 'rail'],
        // Science has a variant: theirs now.
        'world@example.org': ['comet', 'vaccine'],
        // Money alone had none when the edition was composed: the full edition.
        'science@example.org': ['summit', 'rail', 'rates'],
      });
      expect(await local.stores.editions.get(editionId)).toMatchObject({ status: 'sent', enqueued: 5, sent: 5, noNews: 2 });
    } finally {
      await faulty.close();
    }
  });
});

describe('deliver with topic variants', () => {
  const deliverer = (variantReads: string[] = []) => {
    const { variants } = local.stores;
    return createDeliverer({
      stores: { ...local.stores, variants: { ...variants, get: (editionId, variantKey) => (variantReads.push(variantKey), variants.get(editionId, variantKey)) } },
      links: subscriptionLinks(config, secret),
      bucket: new TokenBucket({ ratePerSecond: 1000 }),
      mailer: local.emulators.mailer,
    });
  };
  const batch = (jobs: readonly DeliveryJob[]) => ({ Records: jobs.map((job, index) => sqsRecord('delivery', `m-${index}`, encodeJob(job))) });

  it('sends each job the variant it names, a job without one (queued before variants) the full edition, and reads each variant once per container', async () => {
    const jobs: DeliveryJob[] = [];
    await composeInto(jobs);
    const byEmail = new Map(jobs.map((job) => [job.email, job]));
    const reads: string[] = [];
    const worker = deliverer(reads);

    await worker.handler(batch([byEmail.get('science@example.org')!, byEmail.get('money-science@example.org')!, { editionId, email: 'world@example.org' }]));
    await worker.handler(batch([byEmail.get('world-sport@example.org')!, { ...byEmail.get('all@example.org')!, variantKey: byEmail.get('science@example.org')!.variantKey }]));

    expect(await storiesByReader()).toEqual({
      'science@example.org': ['comet', 'vaccine'],
      'money-science@example.org': ['rates', 'comet', 'vaccine'],
      'world@example.org': ['summit', 'rail', 'rates'],
      'world-sport@example.org': ['summit', 'rail'],
      'all@example.org': ['comet', 'vaccine'],
    });
    expect([...reads].sort()).toEqual([...new Set(jobs.flatMap((job) => (job.variantKey ? [job.variantKey] : [])))].sort());
  });

  it('hands back a job whose variant is not stored, and sends nothing for it', async () => {
    await composeInto([]);

    const response = await deliverer().handler(batch([{ editionId, email: 'science@example.org', variantKey: 'not-a-variant' }, { editionId, email: 'all@example.org' }]));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(Object.keys(await storiesByReader())).toEqual(['all@example.org']);
    expect(await local.stores.deliveries.get(editionId, 'science@example.org')).toBeUndefined();
  });
});

describe('an edition composed before compose compiled its MIME', () => {
  it('is stopped by deliver, which mails none of it, and sent by a resume, which compiles the MIME of the stored briefings without rendering them again', async () => {
    const jobs: DeliveryJob[] = [];
    await composeInto(jobs);
    // What compose stored before: the same items, without their skeletons.
    const { doc, tables } = local.emulators;
    await doc.send(new UpdateCommand({ TableName: tables.editions, Key: { editionId }, UpdateExpression: 'REMOVE mime' }));
    for (const { variantKey } of await local.stores.variants.list(editionId)) {
      await doc.send(new UpdateCommand({ TableName: tables.variants, Key: { editionId, variantKey }, UpdateExpression: 'REMOVE mime' }));
    }
    const composed = (await local.stores.editions.get(editionId))!;
    const logged: string[] = [];
    const counted: string[] = [];
    const worker = createDeliverer({
      stores: local.stores,
      links: subscriptionLinks(config, secret),
      bucket: new TokenBucket({ ratePerSecond: 1000 }),
      mailer: local.emulators.mailer,
      log: (message) => void logged.push(message),
      onOutcome: (outcome) => void counted.push(outcome),
    });

    const response = await worker.handler({ Records: jobs.map((job, index) => sqsRecord('delivery', `m-${index}`, encodeJob(job))) });

    // Dropped, not handed back: the queue does not bring them again, the resume queues them.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(counted).toEqual(jobs.map(() => 'dropped'));
    expect(await local.emulators.inbox()).toEqual([]);
    expect(await local.stores.editions.get(editionId)).toMatchObject({
      status: 'stopped',
      statusReason: expect.stringMatching(/^MimeNotCompiled: (edition|variant \S+ of edition) 2026-11-24 was stored without its compiled MIME \(composed by an earlier version\), which a resume compiles$/),
      dropped: 6,
    });
    expect(logged).toEqual(['edition stored without its compiled MIME (composed before compose compiled it): stopped, for send --resume to compile it']);

    const resumedJobs: DeliveryJob[] = [];
    const result = await composeInto(resumedJobs, {}, { date: editionId, resume: true });
    // The same container: what it could not send before, it reads again.
    counted.length = 0;
    await worker.handler({ Records: resumedJobs.map((job, index) => sqsRecord('delivery', `r-${index}`, encodeJob(job))) });

    expect(result).toMatchObject({ kind: 'sending', resumed: true, recipients: 6 });
    expect(counted).toEqual(resumedJobs.map(() => 'sent'));
    expect(await storiesByReader()).toEqual(Object.fromEntries(Object.entries(readers).filter(([, reader]) => reader.stories.length > 0).map(([email, reader]) => [email, reader.stories])));
    const resumed = await local.stores.editions.get(editionId);
    expect(resumed).toMatchObject({ status: 'sent', sent: 6, marker: composed.marker, html: composed.html, mime: { messageIdDomain: 'example.com' } });
    for (const { variantKey } of await local.stores.variants.list(editionId)) {
      expect((await local.stores.variants.get(editionId, variantKey))?.mime, variantKey).toMatchObject({ parts: expect.arrayContaining(['to', 'html', 'text']) });
    }
  });
});
