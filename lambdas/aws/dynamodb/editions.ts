import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RenderedBriefing } from '../../render/briefing.ts';
import { unlessConditionFails } from './conditions.ts';
import { indexes } from './tables.ts';

/**
 * composing → sending → sent; composing → skipped (no news); sending → paused (feedback) or stopped
 * (SES refuses to send) → sending again on resume.
 */
export type EditionStatus = 'composing' | 'sending' | 'paused' | 'stopped' | 'sent' | 'skipped';

/** How each queued recipient ended; every job is counted once under one of these. */
export const outcomeNames = ['sent', 'skipped', 'failed', 'duplicates', 'dropped'] as const;
export type OutcomeName = (typeof outcomeNames)[number];
export type OutcomeCounts = Partial<Record<OutcomeName, number>>;

export interface EditionRecord {
  readonly editionId: string;
  readonly kind: 'edition';
  readonly status: EditionStatus;
  readonly statusReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Who holds the compose lock: a Lambda request id or `cli:<host>:<pid>`. */
  readonly lockedBy: string;
  readonly subject?: string;
  readonly preheader?: string;
  /** HTML and text with the per-recipient placeholders still in (see `personalise`). */
  readonly html?: string;
  readonly text?: string;
  readonly marker?: string;
  readonly articleIds?: string[];
  readonly windowFrom?: string;
  readonly windowTo?: string;
  /** When sending began: the next edition's window starts here. */
  readonly startedAt?: string;
  readonly completedAt?: string;
  /** Jobs queued; `enqueueComplete` once compose has paged through every subscriber. */
  readonly enqueued: number;
  readonly enqueueComplete: boolean;
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  /** Jobs for recipients already handled (a redelivered message, a resumed edition). */
  readonly duplicates: number;
  /** Jobs that arrived while the edition was paused or stopped; resume queues them again. */
  readonly dropped: number;
  readonly bounces: number;
  readonly complaints: number;
}

const zeroCounts = { enqueued: 0, sent: 0, skipped: 0, failed: 0, duplicates: 0, dropped: 0, bounces: 0, complaints: 0 };

/** The briefing as compose rendered it, placeholders still in; undefined until the edition is rendered. */
export const storedBriefing = (edition: EditionRecord): RenderedBriefing | undefined =>
  edition.html === undefined || edition.text === undefined || edition.marker === undefined
    ? undefined
    : { subject: edition.subject ?? '', preheader: edition.preheader ?? '', html: edition.html, text: edition.text, mjml: '', marker: edition.marker };

export const handledJobs = (edition: EditionRecord): number => outcomeNames.reduce((sum, name) => sum + (edition[name] ?? 0), 0);

export type EditionStore = ReturnType<typeof createEditionStore>;

export const createEditionStore = (client: DynamoDBDocumentClient, tableName: string) => {
  const get = async (editionId: string): Promise<EditionRecord | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: { editionId }, ConsistentRead: true }))).Item as EditionRecord | undefined;

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
    return output?.Attributes as EditionRecord | undefined;
  };

  const setStatus = (editionId: string, status: EditionStatus, options: { from: readonly EditionStatus[]; reason?: string; at?: Date }) =>
    update(
      editionId,
      `SET #status = :status, updatedAt = :at, statusReason = :reason${status === 'sent' ? ', completedAt = :at' : ''}`,
      {
        ':status': status,
        ':at': (options.at ?? new Date()).toISOString(),
        ':reason': options.reason ?? status,
        ...Object.fromEntries(options.from.map((from, index) => [`:from${index}`, from])),
      },
      `#status IN (${options.from.map((_, index) => `:from${index}`).join(', ')})`,
    );

  /** Marks the edition sent when every queued job is handled; a no-op otherwise, or when another worker got there first. */
  const completeIfDone = async (edition: EditionRecord | undefined, at = new Date()): Promise<EditionRecord | undefined> => {
    if (!edition || edition.status !== 'sending' || !edition.enqueueComplete || handledJobs(edition) < edition.enqueued) return edition;
    return (await setStatus(edition.editionId, 'sent', { from: ['sending'], reason: 'every recipient handled', at })) ?? edition;
  };

  /** Only the status: what deliver checks every batch, without reading the stored briefing again. */
  const getStatus = async (editionId: string): Promise<EditionStatus | undefined> =>
    (
      (
        await client.send(
          new GetCommand({ TableName: tableName, Key: { editionId }, ConsistentRead: true, ProjectionExpression: '#status', ExpressionAttributeNames: { '#status': 'status' } }),
        )
      ).Item as Pick<EditionRecord, 'status'> | undefined
    )?.status;

  return {
    get,
    getStatus,
    setStatus,
    completeIfDone,

    /**
     * Takes the edition: only the first of any number of concurrent calls for one id gets true
     * (a scheduled run, its Lambda retry and a manual send cannot both compose it).
     */
    async lock(editionId: string, owner: string, at = new Date()): Promise<boolean> {
      const now = at.toISOString();
      const item: EditionRecord = { editionId, kind: 'edition', status: 'composing', createdAt: now, updatedAt: now, lockedBy: owner, enqueueComplete: false, ...zeroCounts };
      return (await unlessConditionFails(client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(editionId)' })))) !== undefined;
    },

    /** Stores the rendered briefing and opens the edition for sending. */
    saveRendered: (
      editionId: string,
      rendered: RenderedBriefing,
      details: { articleIds: readonly string[]; windowFrom?: string; windowTo?: string; at?: Date },
    ) =>
      update(
        editionId,
        'SET #status = :sending, updatedAt = :at, startedAt = :at, subject = :subject, preheader = :preheader, html = :html, #text = :text, marker = :marker, articleIds = :articleIds, windowFrom = :from, windowTo = :to',
        {
          ':sending': 'sending',
          ':at': (details.at ?? new Date()).toISOString(),
          ':subject': rendered.subject,
          ':preheader': rendered.preheader,
          ':html': rendered.html,
          ':text': rendered.text,
          ':marker': rendered.marker,
          ':articleIds': [...details.articleIds],
          ':from': details.windowFrom ?? null,
          ':to': details.windowTo ?? null,
          ':composing': 'composing',
        },
        '#status = :composing',
        { '#text': 'text' },
      ),

    /** Counts queued jobs; `complete` once the last page of subscribers is queued. */
    async addEnqueued(editionId: string, count: number, complete: boolean): Promise<EditionRecord | undefined> {
      const edition = await update(editionId, `SET updatedAt = :at${complete ? ', enqueueComplete = :true' : ''} ADD enqueued :count`, {
        ':at': new Date().toISOString(),
        ':count': count,
        ...(complete ? { ':true': true } : {}),
      });
      return complete ? completeIfDone(edition) : edition;
    },

    /** Adds a batch's outcomes with one atomic ADD and completes the edition when that was the last of them. */
    async addOutcomes(editionId: string, counts: OutcomeCounts, at = new Date()): Promise<EditionRecord | undefined> {
      const entries = Object.entries(counts).filter(([, value]) => value && value > 0);
      if (entries.length === 0) return get(editionId);
      const edition = await update(
        editionId,
        `SET updatedAt = :at ADD ${entries.map(([name]) => `#${name} :${name}`).join(', ')}`,
        { ':at': at.toISOString(), ...Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])) },
        undefined,
        Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
      );
      return completeIfDone(edition, at);
    },

    /** Adds bounce and complaint counts from SES feedback. */
    addFeedback: (editionId: string, counts: { bounces?: number; complaints?: number }) =>
      update(editionId, 'SET updatedAt = :at ADD bounces :bounces, complaints :complaints', {
        ':at': new Date().toISOString(),
        ':bounces': counts.bounces ?? 0,
        ':complaints': counts.complaints ?? 0,
      }),

    /** Reopens a paused or stopped edition (or one whose enqueueing was cut off) for `send --resume`. */
    reopen: (editionId: string, at = new Date()) =>
      update(
        editionId,
        'SET #status = :sending, updatedAt = :at, statusReason = :reason, enqueueComplete = :false',
        { ':sending': 'sending', ':at': at.toISOString(), ':reason': 'resumed', ':false': false, ':paused': 'paused', ':stopped': 'stopped' },
        '#status IN (:paused, :stopped, :sending)',
      ),

    /** The most recent editions, newest first. */
    async recent(limit: number): Promise<EditionRecord[]> {
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexes.editionsByKind,
          KeyConditionExpression: 'kind = :kind',
          ExpressionAttributeValues: { ':kind': 'edition' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (output.Items ?? []) as EditionRecord[];
    },

    /** The latest edition before this one that went out: the next window starts when it was sent. */
    async previousSent(editionId: string): Promise<EditionRecord | undefined> {
      let cursor: Record<string, unknown> | undefined;
      do {
        const output = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: indexes.editionsByKind,
            KeyConditionExpression: 'kind = :kind AND editionId < :id',
            ExpressionAttributeValues: { ':kind': 'edition', ':id': editionId },
            ScanIndexForward: false,
            Limit: 20,
            ExclusiveStartKey: cursor,
          }),
        );
        const found = (output.Items as EditionRecord[] | undefined)?.find((edition) => edition.startedAt && edition.status !== 'skipped');
        if (found) return found;
        cursor = output.LastEvaluatedKey;
      } while (cursor);
      return undefined;
    },
  };
};
