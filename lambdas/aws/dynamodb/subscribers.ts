import { randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from './conditions.ts';
import { indexes } from './tables.ts';

export const subscriberStatuses = ['pending', 'active', 'unsubscribed', 'suppressed'] as const;
export type SubscriberStatus = (typeof subscriberStatuses)[number];

export interface StatusChange {
  readonly status: SubscriberStatus;
  /** ISO time of the change. */
  readonly at: string;
  /** Why, in words: "signed up", "confirmed", "one-click unsubscribe", "permanent bounce: …". */
  readonly reason: string;
}

/** One address on the list; `email` is the normalised address and the key. */
export interface Subscriber {
  readonly email: string;
  /** Opaque id that tokens carry instead of the address. */
  readonly id: string;
  readonly status: SubscriberStatus;
  readonly name?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly StatusChange[];
  /** When the last confirmation email went out (pending addresses). */
  readonly confirmationSentAt?: string;
  /** Epoch seconds: DynamoDB's TTL deletes a pending sign-up nobody confirmed. */
  readonly expiresAt?: number;
  /** Soft bounces in a row since the last delivery. */
  readonly transientBounces?: number;
  /** The SES feedback events already applied (bounce and complaint feedback ids): a redelivered event counts once. */
  readonly feedbackIds?: ReadonlySet<string>;
}

export interface StatusChangeOptions {
  readonly reason: string;
  readonly at?: Date;
  /** Only change when the current status is one of these (a conditional write). */
  readonly from?: readonly SubscriberStatus[];
  /** Attributes to set with the change (for example `expiresAt`); `null` removes one. */
  readonly set?: Readonly<Record<string, unknown>>;
}

export interface AddOptions {
  readonly status: SubscriberStatus;
  readonly reason: string;
  readonly name?: string;
  readonly at?: Date;
  readonly set?: Readonly<Record<string, unknown>>;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back to get the next page; absent on the last one. */
  readonly cursor?: Record<string, unknown>;
}

const batchGetLimit = 100;

export type SubscriberStore = ReturnType<typeof createSubscriberStore>;

export const createSubscriberStore = (client: DynamoDBDocumentClient, tableName: string) => {
  const get = async (email: string): Promise<Subscriber | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: { email }, ConsistentRead: true }))).Item as Subscriber | undefined;

  /** One conditional update on an existing address; the subscriber after it, or undefined when the condition did not hold. */
  const update = async (
    email: string,
    expression: string,
    condition: string | undefined,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<Subscriber | undefined> => {
    const output = await unlessConditionFails(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { email },
          UpdateExpression: expression,
          ConditionExpression: condition ? `attribute_exists(email) AND ${condition}` : 'attribute_exists(email)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return output?.Attributes as Subscriber | undefined;
  };

  /**
   * Sets a new status and appends it to the history in one conditional write; returns the subscriber
   * after the change, or undefined when the address is unknown or not in one of `from`.
   */
  const changeStatus = async (email: string, status: SubscriberStatus, options: StatusChangeOptions): Promise<Subscriber | undefined> => {
    const at = (options.at ?? new Date()).toISOString();
    const names: Record<string, string> = { '#status': 'status', '#history': 'history', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':status': status, ':change': [{ status, at, reason: options.reason }], ':at': at };
    const sets = ['#status = :status', '#history = list_append(#history, :change)', '#updatedAt = :at'];
    const removes: string[] = [];
    Object.entries(options.set ?? {}).forEach(([key, value], index) => {
      names[`#s${index}`] = key;
      if (value === null) removes.push(`#s${index}`);
      else {
        values[`:s${index}`] = value;
        sets.push(`#s${index} = :s${index}`);
      }
    });
    let condition: string | undefined;
    if (options.from) {
      condition = `#status IN (${options.from.map((_, index) => `:from${index}`).join(', ')})`;
      options.from.forEach((from, index) => (values[`:from${index}`] = from));
    }
    return update(email, `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`, condition, values, names);
  };

  return {
    get,
    changeStatus,

    /**
     * Records a confirmation email for a pending address, unless one went out after `notSince`: of
     * any number of concurrent sign-ups for one address, one at most gets the subscriber back and sends.
     */
    markConfirmationSent: (email: string, options: { at: Date; notSince: Date; expiresAt: number }) =>
      update(
        email,
        'SET confirmationSentAt = :at, expiresAt = :expires, updatedAt = :at',
        '#status = :pending AND (attribute_not_exists(confirmationSentAt) OR confirmationSentAt <= :notSince)',
        { ':at': options.at.toISOString(), ':expires': options.expiresAt, ':pending': 'pending', ':notSince': options.notSince.toISOString() },
        { '#status': 'status' },
      ),

    /** Forgets a confirmation email that could not be sent, so the next sign-up is not held back by it. */
    clearConfirmationSent: (email: string, sentAt: string) =>
      update(email, 'REMOVE confirmationSentAt', 'confirmationSentAt = :sentAt', { ':sentAt': sentAt }),

    /**
     * Notes one SES feedback event for the address (and a transient bounce in the count of those in a
     * row); undefined when the address is unknown or this event was noted before.
     */
    noteFeedback: (email: string, feedbackId: string, options: { transientBounce: boolean }) =>
      update(
        email,
        `ADD feedbackIds :ids${options.transientBounce ? ', transientBounces :one' : ''}`,
        'NOT contains(feedbackIds, :id)',
        { ':ids': new Set([feedbackId]), ':id': feedbackId, ...(options.transientBounce ? { ':one': 1 } : {}) },
      ),

    /** A delivery ends a run of transient bounces. */
    resetTransientBounces: (email: string) => update(email, 'SET transientBounces = :zero', 'transientBounces > :zero', { ':zero': 0 }),

    /** Deletes the address and its history; returns what was stored, or undefined when it was not on the list. */
    async remove(email: string): Promise<Subscriber | undefined> {
      const output = await client.send(new DeleteCommand({ TableName: tableName, Key: { email }, ReturnValues: 'ALL_OLD' }));
      return output.Attributes as Subscriber | undefined;
    },

    /** Adds a new address; returns undefined (and changes nothing) when it is already on the list. */
    async add(email: string, options: AddOptions): Promise<Subscriber | undefined> {
      const at = (options.at ?? new Date()).toISOString();
      const subscriber: Subscriber = {
        email,
        id: randomUUID(),
        status: options.status,
        name: options.name,
        createdAt: at,
        updatedAt: at,
        history: [{ status: options.status, at, reason: options.reason }],
        ...options.set,
      };
      const written = await unlessConditionFails(client.send(new PutCommand({ TableName: tableName, Item: subscriber, ConditionExpression: 'attribute_not_exists(email)' })));
      return written && subscriber;
    },

    async getById(id: string): Promise<Subscriber | undefined> {
      const output = await client.send(
        new QueryCommand({ TableName: tableName, IndexName: indexes.subscribersById, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': id } }),
      );
      const found = output.Items?.[0] as Subscriber | undefined;
      // The index is eventually consistent; the table has the current status.
      return found && get(found.email);
    },

    /** The subscribers among `emails` (unknown addresses are left out), read consistently. */
    async getMany(emails: readonly string[]): Promise<Map<string, Subscriber>> {
      const found = new Map<string, Subscriber>();
      const unique = [...new Set(emails)];
      for (let start = 0; start < unique.length; start += batchGetLimit) {
        let keys: Record<string, unknown>[] | undefined = unique.slice(start, start + batchGetLimit).map((email) => ({ email }));
        while (keys && keys.length > 0) {
          const output: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
          for (const item of output.Responses?.[tableName] ?? []) found.set(item.email as string, item as Subscriber);
          keys = output.UnprocessedKeys?.[tableName]?.Keys;
        }
      }
      return found;
    },

    /** One page of the subscribers with a status, in address order. */
    async pageByStatus(status: SubscriberStatus, options: { limit?: number; cursor?: Record<string, unknown> } = {}): Promise<Page<Subscriber>> {
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: indexes.subscribersByStatus,
          KeyConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
          Limit: options.limit ?? 500,
          ExclusiveStartKey: options.cursor,
        }),
      );
      return { items: (output.Items ?? []) as Subscriber[], cursor: output.LastEvaluatedKey };
    },

    /** Every subscriber, page by page, any status. */
    async *all(): AsyncGenerator<Subscriber> {
      let cursor: Record<string, unknown> | undefined;
      do {
        const output = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: cursor }));
        yield* (output.Items ?? []) as Subscriber[];
        cursor = output.LastEvaluatedKey;
      } while (cursor);
    },
  };
};
