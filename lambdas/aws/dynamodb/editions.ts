import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type EditionRecord, type EditionStatus, editionStatuses, type EditionStore, type RecipientOutcomes, settledRecipients } from '../../edition/store.ts';
import { BriefingError } from '../../errors.ts';
import { unlessConditionFails } from './conditions.ts';
import { gunzipText, gzippedText, gzipText, itemSize, maxItemBytes } from './gzip.ts';
import { itemReader, StoredItemError } from './items.ts';
import { mimeSkeletonItem } from './mime-item.ts';
import { queryAll } from './paging.ts';
import { indexes } from './tables.ts';

const status = z.enum(editionStatuses);
/** Gzipped since the largest briefing outgrew the item (see `saveRendered`); a string on editions stored before. */
const storedText = z.optional(z.union([z.string(), gzippedText]));
const topicSets = z.array(z.string());

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
  html: storedText,
  text: storedText,
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
  // A list on editions stored before; now its JSON gzipped: 12 topics make up to 4,096 sets, some hundreds of KB of keys.
  noNewsSets: z.optional(z.union([topicSets, gzippedText])),
  bounces: z.number(),
  complaints: z.number(),
  unsubscribes: z._default(z.number(), 0),
  duplicatesRecounted: z._default(z.number(), 0),
  version: z._default(z.number(), 0),
});

/**
 * Room left on the edition item for what later writes add to it — counters, a status reason, the report's claim — and
 * for what `lock` wrote: the rendered edition may take the rest.
 */
const reserveBytes = 4 * 1024;

const kilobytes = (bytes: number): string => `${Math.ceil(bytes / 1024).toLocaleString('en')} KB`;

/** A rendered edition too large for its item even gzipped: nothing was written, and the edition is still composing. */
export class EditionTooLargeError extends BriefingError {
  override name = 'EditionTooLargeError';
}

/** Every edition carries this under `kind`: the by-kind index holds them all, sorted by id. */
const editionKind = 'edition';
const zeroCounts = { enqueued: 0, sent: 0, skipped: 0, failed: 0, uncertain: 0, duplicates: 0, dropped: 0, noNews: 0, bounces: 0, complaints: 0, unsubscribes: 0 };

export const createEditionStore = (client: DynamoDBDocumentClient, tableName: string): EditionStore => {
  const readItem = itemReader(tableName, ['editionId'], editionItem);
  const setsOf = (key: Record<string, unknown>, json: string): string[] => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      // Reported below, as anything else that is not a list of keys.
    }
    const sets = topicSets.safeParse(parsed);
    if (!sets.success) throw new StoredItemError(tableName, key, ['noNewsSets: is not a gzipped JSON list of topic sets']);
    return sets.data;
  };
  const read = (item: Record<string, unknown>): EditionRecord => {
    const { html, text, noNewsSets, ...stored } = readItem(item);
    const key = { editionId: stored.editionId };
    const plain = (field: string, value: string | Uint8Array) => (typeof value === 'string' ? value : gunzipText(tableName, key, field, value));
    return {
      ...stored,
      ...(html === undefined ? {} : { html: plain('html', html) }),
      ...(text === undefined ? {} : { text: plain('text', text) }),
      ...(noNewsSets === undefined ? {} : { noNewsSets: Array.isArray(noNewsSets) ? noNewsSets : setsOf(key, plain('noNewsSets', noNewsSets)) }),
    };
  };
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

    /** The HTML, text and topic sets gzipped; refused before writing when even so they would not fit in the item. */
    async saveRendered(editionId, rendered, details) {
      const at = (details.at ?? new Date()).toISOString();
      const content = {
        subject: rendered.subject,
        preheader: rendered.preheader,
        html: gzipText(rendered.html),
        text: gzipText(rendered.text),
        marker: rendered.marker,
        mime: details.mime ?? null,
        articleIds: [...details.articleIds],
        windowFrom: details.windowFrom ?? null,
        windowTo: details.windowTo ?? null,
        noNewsSets: details.noNewsSets ? gzipText(JSON.stringify(details.noNewsSets)) : null,
        rateBudget: details.rateBudget ?? null,
      };
      const size = itemSize(content);
      if (size + reserveBytes > maxItemBytes) {
        const parts = [`HTML ${kilobytes(content.html.length)} (${kilobytes(Buffer.byteLength(rendered.html))} before gzip)`, `text ${kilobytes(content.text.length)} (${kilobytes(Buffer.byteLength(rendered.text))})`];
        if (content.noNewsSets) parts.push(`${details.noNewsSets!.length} topic sets without news ${kilobytes(content.noNewsSets.length)}`);
        throw new EditionTooLargeError(
          `edition ${editionId} (${details.articleIds.length} stories) is ${kilobytes(size)} gzipped — ${parts.join(', ')} — over the ${kilobytes(maxItemBytes - reserveBytes)} its item holds ` +
            `(DynamoDB's ${kilobytes(maxItemBytes)} item limit, less ${kilobytes(reserveBytes)} for its counts and status); nothing was stored. ` +
            `Shorten or leave out its longest stories and related links, then: briefing send --date ${editionId} --resume`,
        );
      }
      return update(
        editionId,
        'SET #status = :sending, updatedAt = :at, statusAt = :at, startedAt = :at, subject = :subject, preheader = :preheader, html = :html, #text = :text, marker = :marker, mime = :mime, articleIds = :articleIds, windowFrom = :windowFrom, windowTo = :windowTo, noNewsSets = :noNewsSets, rateBudget = :rateBudget',
        { ...Object.fromEntries(Object.entries(content).map(([name, value]) => [`:${name}`, value])), ':sending': 'sending', ':at': at, ':composing': 'composing' },
        '#status = :composing',
        { '#text': 'text' },
      );
    },

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
