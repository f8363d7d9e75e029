import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type EditionRecord, type EditionStatus, editionStatuses, type EditionStore, type RecipientOutcomes, settledRecipients } from '../../edition/store.ts';
import { unlessConditionFails } from './conditions.ts';
import { itemReader } from './items.ts';
import { mimeSkeletonItem } from './mime-item.ts';
import { queryAll } from './paging.ts';
import { indexes } from './tables.ts';

const status = z.enum(editionStatuses);

const editionItem = z.object({
  editionId: z.string(),
  status,
  statusReason: z.optional(z.string()),
  statusAt: z.optional(z.string()),
  reportedFor: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  lockedBy: z.string(),
  subject: z.optional(z.string()),
  preheader: z.optional(z.string()),
  html: z.optional(z.string()),
  text: z.optional(z.string()),
  marker: z.optional(z.string()),
  mime: z.optional(mimeSkeletonItem),
  articleIds: z.optional(z.array(z.string())),
  windowFrom: z.optional(z.string()),
  windowTo: z.optional(z.string()),
  startedAt: z.optional(z.string()),
  rateBudget: z.optional(z.number()),
  completedAt: z.optional(z.string()),
  enqueued: z.number(),
  enqueueComplete: z.boolean(),
  sent: z.number(),
  skipped: z.number(),
  failed: z.number(),
  // Editions written before deliveries could be uncertain have no such counter.
  uncertain: z._default(z.number(), 0),
  duplicates: z.number(),
  dropped: z.number(),
  noNews: z._default(z.number(), 0),
  noNewsSets: z.optional(z.array(z.string())),
  bounces: z.number(),
  complaints: z.number(),
  unsubscribes: z._default(z.number(), 0),
  duplicatesRecounted: z._default(z.number(), 0),
  version: z._default(z.number(), 0),
});

/** Every edition carries this under `kind`: the by-kind index holds them all, sorted by id. */
const editionKind = 'edition';
const zeroCounts = { enqueued: 0, sent: 0, skipped: 0, failed: 0, uncertain: 0, duplicates: 0, dropped: 0, noNews: 0, bounces: 0, complaints: 0, unsubscribes: 0 };

export const createEditionStore = (client: DynamoDBDocumentClient, tableName: string): EditionStore => {
  const read = itemReader(tableName, ['editionId'], editionItem);
  const readMaybe = (item: Record<string, unknown> | undefined) => item && read(item);
  const readStatus = itemReader(tableName, ['editionId'], z.object({ status }));

  const get = async (editionId: string): Promise<EditionRecord | undefined> =>
    readMaybe((await client.send(new GetCommand({ TableName: tableName, Key: { editionId }, ConsistentRead: true }))).Item);

  /** One conditional update; undefined when the condition did not hold. */
  const update = async (
    editionId: string,
    expression: string,
    values: Record<string, unknown>,
    condition = 'attribute_exists(editionId)',
    names: Record<string, string> = {},
  ): Promise<EditionRecord | undefined> => {
    const output = await unlessConditionFails(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { editionId },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: /#status\b/.test(`${expression} ${condition}`) ? { '#status': 'status', ...names } : Object.keys(names).length ? names : undefined,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return readMaybe(output?.Attributes);
  };

  const setStatus = (editionId: string, status: EditionStatus, options: { from: readonly EditionStatus[]; reason?: string; at?: Date }) =>
    update(
      editionId,
      `SET #status = :status, updatedAt = :at, statusAt = :at, statusReason = :reason${status === 'sent' ? ', completedAt = :at' : ''}`,
      {
        ':status': status,
        ':at': (options.at ?? new Date()).toISOString(),
        ':reason': options.reason ?? status,
        ...Object.fromEntries(options.from.map((from, index) => [`:from${index}`, from])),
      },
      `#status IN (${options.from.map((_, index) => `:from${index}`).join(', ')})`,
    );

  /** Marks the edition sent when every recipient has an outcome; a no-op otherwise, or when another worker got there first. */
  const completeIfDone = async (edition: EditionRecord | undefined, at = new Date()): Promise<EditionRecord | undefined> => {
    if (!edition || edition.status !== 'sending' || !edition.enqueueComplete || settledRecipients(edition) < edition.enqueued) return edition;
    return (await setStatus(edition.editionId, 'sent', { from: ['sending'], reason: 'every recipient handled', at })) ?? edition;
  };

  /**
   * Sets the recipients' outcomes to what the deliveries table says, with `set` and on `condition`, unless the
   * counters changed since `read` (its version): a recount never overwrites counts it was not made from.
   */
  const overwriteCounts = (editionId: string, outcomes: RecipientOutcomes, read: EditionRecord, set: string, values: Record<string, unknown>, condition: string, at = new Date()) =>
    update(
      editionId,
      `${set}, sent = :sent, skipped = :skipped, failed = :failed, uncertain = :uncertain, duplicatesRecounted = :duplicates, version = :next`,
      {
        ...values,
        ':at': at.toISOString(),
        ':sent': outcomes.sent,
        ':skipped': outcomes.skipped,
        ':failed': outcomes.failed,
        ':uncertain': outcomes.uncertain,
        ':duplicates': read.duplicates,
        ':version': read.version,
        ':next': read.version + 1,
      },
      // A record written before versions has none: it reads as 0.
      `${condition} AND ${read.version === 0 ? '(attribute_not_exists(version) OR version = :version)' : 'version = :version'}`,
    );

  /** Editions from the by-kind index, newest first: all of them, or those before an id. */
  const newestFirst = (options: { limit: number; before?: string; projection?: string }): QueryCommandInput => ({
    TableName: tableName,
    IndexName: indexes.editionsByKind,
    KeyConditionExpression: options.before === undefined ? 'kind = :kind' : 'kind = :kind AND editionId < :id',
    ExpressionAttributeValues: { ':kind': editionKind, ...(options.before === undefined ? {} : { ':id': options.before }) },
    ProjectionExpression: options.projection,
    ScanIndexForward: false,
    Limit: options.limit,
  });

  /** Only the status: what deliver checks every batch, without reading the stored briefing again. */
  const getStatus = async (editionId: string): Promise<EditionStatus | undefined> => {
    const { Item: item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { editionId }, ConsistentRead: true, ProjectionExpression: '#status', ExpressionAttributeNames: { '#status': 'status' } }),
    );
    return item && readStatus(item, { editionId }).status;
  };

  return {
    get,
    getStatus,
    setStatus,

    async lock(editionId, owner, at = new Date()) {
      const now = at.toISOString();
      const item = { editionId, kind: editionKind, status: 'composing', createdAt: now, updatedAt: now, statusAt: now, lockedBy: owner, enqueueComplete: false, ...zeroCounts };
      return (await unlessConditionFails(client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(editionId)' })))) !== undefined;
    },

    saveRendered: (editionId, rendered, details) =>
      update(
        editionId,
        'SET #status = :sending, updatedAt = :at, statusAt = :at, startedAt = :at, subject = :subject, preheader = :preheader, html = :html, #text = :text, marker = :marker, mime = :mime, articleIds = :articleIds, windowFrom = :from, windowTo = :to, noNewsSets = :noNewsSets, rateBudget = :rateBudget',
        {
          ':sending': 'sending',
          ':at': (details.at ?? new Date()).toISOString(),
          ':subject': rendered.subject,
          ':preheader': rendered.preheader,
          ':html': rendered.html,
          ':text': rendered.text,
          ':marker': rendered.marker,
          ':mime': details.mime ?? null,
          ':articleIds': [...details.articleIds],
          ':from': details.windowFrom ?? null,
          ':to': details.windowTo ?? null,
          ':noNewsSets': details.noNewsSets ? [...details.noNewsSets] : null,
          ':rateBudget': details.rateBudget ?? null,
          ':composing': 'composing',
        },
        '#status = :composing',
        { '#text': 'text' },
      ),

    async saveMime(editionId, mime) {
      await update(editionId, 'SET mime = :mime, updatedAt = :at', { ':mime': mime, ':at': new Date().toISOString() });
    },

    async addEnqueued(editionId, count, complete, noNews = 0) {
      const edition = await update(editionId, `SET updatedAt = :at${complete ? ', enqueueComplete = :true' : ''} ADD enqueued :count, noNews :noNews, version :one`, {
        ':at': new Date().toISOString(),
        ':count': count,
        ':noNews': noNews,
        ':one': 1,
        ...(complete ? { ':true': true } : {}),
      });
      return complete ? completeIfDone(edition) : edition;
    },

    /** One atomic ADD of every count. */
    async addOutcomes(editionId, counts, at = new Date()) {
      const entries = Object.entries(counts).filter(([, value]) => value && value > 0);
      if (entries.length === 0) return get(editionId);
      const edition = await update(
        editionId,
        `SET updatedAt = :at ADD ${entries.map(([name]) => `#${name} :${name}`).join(', ')}, version :one`,
        { ':at': at.toISOString(), ':one': 1, ...Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])) },
        undefined,
        Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
      );
      return completeIfDone(edition, at);
    },

    addFeedback: (editionId, counts) =>
      update(editionId, 'SET updatedAt = :at ADD bounces :bounces, complaints :complaints', {
        ':at': new Date().toISOString(),
        ':bounces': counts.bounces ?? 0,
        ':complaints': counts.complaints ?? 0,
      }),

    async recount(editionId, outcomes, read) {
      return completeIfDone(await overwriteCounts(editionId, outcomes, read, 'SET updatedAt = :at', { ':sending': 'sending' }, '#status = :sending'));
    },

    reopen: (editionId, recount, read, at = new Date()) =>
      overwriteCounts(
        editionId,
        recount,
        read,
        `SET #status = :sending, updatedAt = :at, statusAt = :at, statusReason = :reason, enqueueComplete = :false, enqueued = :enqueued${recount.noNews === undefined ? '' : ', noNews = :noNews'}`,
        {
          ':sending': 'sending',
          ':reason': 'resumed',
          ':false': false,
          ':paused': 'paused',
          ':stopped': 'stopped',
          ':done': 'sent',
          ':enqueued': recount.enqueued,
          ...(recount.noNews === undefined ? {} : { ':noNews': recount.noNews }),
        },
        '#status IN (:paused, :stopped, :sending, :done)',
        at,
      ),

    claimReport: (editionId, statusAt, at = new Date()) =>
      update(
        editionId,
        'SET reportedFor = :statusAt, reportedAt = :at',
        { ':statusAt': statusAt, ':at': at.toISOString(), ':sent': 'sent', ':paused': 'paused', ':stopped': 'stopped' },
        'statusAt = :statusAt AND #status IN (:sent, :paused, :stopped) AND (attribute_not_exists(reportedFor) OR reportedFor <> :statusAt)',
      ),

    async countUnsubscribe() {
      // The newest few by id, ids and start times only: usually the first is the one (a skipped or composing edition has no startedAt).
      for await (const item of queryAll(client, newestFirst({ limit: 3, projection: 'editionId, startedAt' }))) {
        if (typeof item.startedAt !== 'string') continue;
        const editionId = String(item.editionId);
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { editionId },
            UpdateExpression: 'ADD unsubscribes :one',
            ConditionExpression: 'attribute_exists(startedAt)',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
        return editionId;
      }
      return undefined;
    },

    async recent(limit) {
      const output = await client.send(new QueryCommand(newestFirst({ limit })));
      return (output.Items ?? []).map((item) => read(item));
    },

    async previousSent(editionId) {
      for await (const item of queryAll(client, newestFirst({ before: editionId, limit: 20 }))) {
        const edition = read(item);
        if (edition.startedAt && edition.status !== 'skipped') return edition;
      }
      return undefined;
    },
  };
};
