import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type AddOptions, type Erasure, type Subscriber, subscriberStatuses, type SubscriberStore, type StatusChangeOptions } from '../../subscription/store.ts';
import { getInBatches } from './batch-get.ts';
import { unlessConditionFails } from './conditions.ts';
import { decodeCursor, encodeCursor, startKey } from './cursor.ts';
import { itemReader } from './items.ts';
import { queryPages, scanAll } from './paging.ts';
import { putInBatches } from './batch-write.ts';
import { indexes } from './tables.ts';

const status = z.enum(subscriberStatuses);

const subscriberItem = z.object({
  email: z.string(),
  id: z.string(),
  status,
  name: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(z.object({ status, at: z.string(), reason: z.string() })),
  confirmationSentAt: z.optional(z.string()),
  signupNonce: z.optional(z.string()),
  signupExpiresAt: z.optional(z.number()),
  expiresAt: z.optional(z.number()),
  transientBounces: z.optional(z.number()),
  topics: z.optional(z.array(z.string())),
  signupTopics: z.optional(z.array(z.string())),
  // feedbackIds and feedbackToCount are the store's own (see feedbackMarks): only feedbackState reads them.
});

/** What the store keeps about SES feedback: the events applied, and those whose edition count is still to be added. */
const feedbackMarks = z.object({ feedbackIds: z.optional(z.set(z.string())), feedbackToCount: z.optional(z.set(z.string())) });

/**
 * The erased list lives in the subscribers table, one item per erased address keyed `erased#<key>`: no
 * status and no id, so neither index holds it (compose, which pages through `byStatus`, never sees one),
 * and no address can take the key (an address has an @, a key has none).
 */
const erasedPrefix = 'erased#';
const erasedItem = z.object({ email: z.string(), erasedAt: z.string(), suppressed: z.boolean() });
const isErasedItem = (item: Readonly<Record<string, unknown>>): boolean => typeof item.email === 'string' && item.email.startsWith(erasedPrefix);

const batchesInFlight = 4;
/** What a page of the by-status index is keyed on: its own key and the table's. */
const statusPageKey = startKey('status', 'email');

export const createSubscriberStore = (client: DynamoDBDocumentClient, tableName: string): SubscriberStore => {
  const read = itemReader(tableName, ['email'], subscriberItem);
  const readErasedItem = itemReader(tableName, ['email'], erasedItem);
  const readErasure = (item: Record<string, unknown>): Erasure => {
    const { email, erasedAt, suppressed } = readErasedItem(item);
    return { key: email.slice(erasedPrefix.length), erasedAt, suppressed };
  };
  const readFeedbackMarks = itemReader(tableName, ['email'], feedbackMarks);
  const readMaybe = (item: Record<string, unknown> | undefined) => item && read(item);

  /** The by-status index's query for one status. */
  const byStatus = (status: Subscriber['status']): QueryCommandInput => ({
    TableName: tableName,
    IndexName: indexes.subscribersByStatus,
    KeyConditionExpression: '#status = :status',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': status },
  });

  const get = async (email: string): Promise<Subscriber | undefined> =>
    readMaybe((await client.send(new GetCommand({ TableName: tableName, Key: { email }, ConsistentRead: true }))).Item);

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
    return readMaybe(output?.Attributes);
  };

  const changeStatus = async (email: string, status: Subscriber['status'], options: StatusChangeOptions): Promise<Subscriber | undefined> => {
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
    const conditions: string[] = [];
    if (options.from) {
      conditions.push(`#status IN (${options.from.map((_, index) => `:from${index}`).join(', ')})`);
      options.from.forEach((from, index) => (values[`:from${index}`] = from));
    }
    if (options.signup === null) conditions.push('attribute_not_exists(signupNonce)');
    else if (options.signup !== undefined) {
      conditions.push('signupNonce = :signup');
      values[':signup'] = options.signup;
    }
    const condition = conditions.length > 0 ? conditions.join(' AND ') : undefined;
    return update(email, `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`, condition, values, names);
  };

  const newSubscriber = (email: string, options: AddOptions): Subscriber => {
    const at = (options.at ?? new Date()).toISOString();
    // A field set to null is left out, as changeStatus removes it.
    const fields = Object.fromEntries(Object.entries(options.set ?? {}).filter(([, value]) => value !== null));
    return {
      email,
      id: randomUUID(),
      status: options.status,
      name: options.name,
      createdAt: at,
      updatedAt: at,
      history: [{ status: options.status, at, reason: options.reason }],
      ...fields,
    };
  };

  const add = async (email: string, options: AddOptions): Promise<Subscriber | undefined> => {
    const subscriber = newSubscriber(email, options);
    const written = await unlessConditionFails(client.send(new PutCommand({ TableName: tableName, Item: subscriber, ConditionExpression: 'attribute_not_exists(email)' })));
    return written && subscriber;
  };

  /**
   * The items with these keys (subscribers' addresses or erased-list keys), read consistently, by key; only `attributes`
   * of them, when given. A few calls in flight: an import reads who is on the list a thousand addresses at a time.
   */
  const getItems = (keys: readonly string[], attributes?: readonly string[]): Promise<Map<string, Record<string, unknown>>> =>
    getInBatches(client, tableName, 'email', keys, { attributes, consistentRead: true, concurrency: batchesInFlight });

  const getMany = async (emails: readonly string[]): Promise<Map<string, Subscriber>> =>
    new Map([...(await getItems(emails))].map(([email, item]) => [email, read(item)]));

  return {
    get,
    getMany,
    add,
    changeStatus,

    async addMany(entries) {
      // Only whether each address is there: its key alone, not the record and its history to parse.
      const existing = await getItems(entries.map((entry) => entry.email), ['email']);
      const present = entries.filter((entry) => existing.has(entry.email)).map((entry) => entry.email);
      const fresh = new Map(entries.filter((entry) => !existing.has(entry.email)).map((entry) => [entry.email, newSubscriber(entry.email, entry)]));
      // Batched (25 to a call) rather than one conditional put each: a list of 100,000 imports in seconds, not minutes.
      // BatchWriteItem takes no condition, so an address created between the read above and this write is
      // overwritten by the import's row; only a brand-new sign-up can appear that fast, and it is still pending.
      const { stored, failed } = await putInBatches(client, tableName, 'email', [...fresh.values()], { concurrency: 8 });
      return { added: stored.map((email) => fresh.get(email)!), present, failed: failed.map(({ key, reason }) => ({ email: key, reason })) };
    },

    async requestSignup(email, request) {
      // The address and its erased-list entry in one consistent read, whatever the state.
      const erasedKey = `${erasedPrefix}${request.erasureKey}`;
      const items = await getItems([email, erasedKey]);
      const existing = readMaybe(items.get(email));
      const erasedEntry = items.get(erasedKey);
      const erasure = erasedEntry && readErasure(erasedEntry);
      const at = request.at.toISOString();
      // One expression for every state, the values alone differ: a new address is created pending, a pending
      // one gets the new sign-up, an unsubscribed one keeps its status (the if_not_exists parts change nothing)
      // and gets the sign-up's expiry in signupExpiresAt, never in the TTL attribute. Active, suppressed and
      // recently mailed addresses get the same write, refused by its condition: the sign-up costs what any
      // other does, so its answer time cannot tell anyone the state. The topics go straight to a new address,
      // and wait in signupTopics for the confirmation of one on the list. An address erased while suppressed
      // has no record to refuse the write: it is aimed at the address's erased-list entry, which has no
      // status, so the same condition refuses it there.
      const waiting = existing?.status === 'unsubscribed' ? 'unsubscribed' : 'pending';
      const target = !existing && erasure?.suppressed ? erasedKey : email;
      const sets = [
        '#status = if_not_exists(#status, :pending)',
        'id = if_not_exists(id, :id)',
        'createdAt = if_not_exists(createdAt, :at)',
        '#history = if_not_exists(#history, :history)',
        'updatedAt = :at',
        'signupNonce = :signup',
        'confirmationSentAt = :at',
        '#expiry = :expires',
        '#topics = :topics',
      ];
      const names: Record<string, string> = {
        '#status': 'status',
        '#history': 'history',
        '#expiry': waiting === 'pending' ? 'expiresAt' : 'signupExpiresAt',
        '#topics': existing ? 'signupTopics' : 'topics',
      };
      const values: Record<string, unknown> = {
        ':at': at,
        ':signup': request.nonce,
        ':notSince': request.notSince.toISOString(),
        ':pending': 'pending',
        ':waiting': waiting,
        ':id': randomUUID(),
        ':history': [{ status: 'pending', at, reason: request.reason }],
        ':expires': request.expiresAt,
        ':topics': request.topics,
      };
      if (request.name !== undefined) {
        sets.push('#name = if_not_exists(#name, :name)');
        names['#name'] = 'name';
        values[':name'] = request.name;
      }
      const expression = `SET ${sets.join(', ')}`;
      // Written without nested parentheses (AND binds before OR, so it means the same): the local emulator's
      // parser backtracks through each level of them, and the nested form cost it 1.2 ms a sign-up, a sixth
      // of the local server's CPU for one.
      const condition =
        'attribute_not_exists(email) OR #status = :waiting AND attribute_not_exists(confirmationSentAt) OR #status = :waiting AND confirmationSentAt <= :notSince';
      const output = await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { email: target },
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            // Nothing back, recorded or refused: the item written is never needed (the confirmation job reads it
            // again), and with ALL_NEW a recorded sign-up cost 0.9 ms more CPU than a refused one locally.
            ReturnValues: 'NONE',
          }),
        ),
      );
      return { recorded: output !== undefined, subscriber: existing, erasure };
    },

    clearConfirmationSent: (email, sentAt) => update(email, 'REMOVE confirmationSentAt', 'confirmationSentAt = :sentAt', { ':sentAt': sentAt }),

    async feedbackState(email, feedbackId) {
      const item = (await client.send(new GetCommand({ TableName: tableName, Key: { email }, ConsistentRead: true }))).Item;
      if (!item) return undefined;
      const marks = readFeedbackMarks(item);
      return { subscriber: read(item), applied: marks.feedbackIds?.has(feedbackId) ?? false, countPending: marks.feedbackToCount?.has(feedbackId) ?? false };
    },

    applyFeedback(email, change) {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':ids': new Set([change.feedbackId]), ':id': change.feedbackId, ':seenStatus': change.seen.status };
      const adds = ['feedbackIds :ids'];
      const sets: string[] = [];
      if (change.transientBounce) {
        adds.push('transientBounces :one');
        values[':one'] = 1;
      }
      if (change.countPending) adds.push('feedbackToCount :ids');
      if (change.suppress) {
        const at = change.suppress.at.toISOString();
        sets.push('#status = :suppressed', '#history = list_append(#history, :change)', 'updatedAt = :at');
        names['#history'] = 'history';
        Object.assign(values, { ':suppressed': 'suppressed', ':change': [{ status: 'suppressed', at, reason: change.suppress.reason }], ':at': at });
      }
      // The state the change was worked out from must still hold: two events for one address cannot both count the same bounce.
      const seenBounces = change.seen.transientBounces ?? 0;
      values[':seenBounces'] = seenBounces;
      const bouncesCondition = seenBounces === 0 ? '(attribute_not_exists(transientBounces) OR transientBounces = :seenBounces)' : 'transientBounces = :seenBounces';
      return update(
        email,
        `ADD ${adds.join(', ')}${sets.length > 0 ? ` SET ${sets.join(', ')} REMOVE expiresAt, signupNonce, signupExpiresAt, signupTopics` : ''}`,
        `NOT contains(feedbackIds, :id) AND #status = :seenStatus AND ${bouncesCondition}`,
        values,
        names,
      );
    },

    async feedbackCounted(email, feedbackId) {
      await update(email, 'DELETE feedbackToCount :ids', undefined, { ':ids': new Set([feedbackId]) });
    },

    resetTransientBounces: (email) => update(email, 'SET transientBounces = :zero', 'transientBounces > :zero', { ':zero': 0 }),

    async remove(email) {
      const output = await client.send(new DeleteCommand({ TableName: tableName, Key: { email }, ReturnValues: 'ALL_OLD' }));
      return readMaybe(output.Attributes);
    },

    setTopics: (email, id, topics) => update(email, 'SET topics = :topics', 'id = :id', { ':topics': topics, ':id': id }),

    async erase(subscriber, erasure) {
      const entry = { email: `${erasedPrefix}${erasure.key}`, erasedAt: erasure.erasedAt, suppressed: erasure.suppressed };
      await client.send(new PutCommand({ TableName: tableName, Item: entry }));
      const deleted = await unlessConditionFails(
        client.send(new DeleteCommand({ TableName: tableName, Key: { email: subscriber.email }, ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': subscriber.id } })),
      );
      return deleted !== undefined;
    },

    async erasures(keys) {
      const items = await getItems(keys.map((key) => `${erasedPrefix}${key}`));
      return new Map([...items.values()].map((item) => readErasure(item)).map((erasure) => [erasure.key, erasure]));
    },

    async clearErasure(key) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { email: `${erasedPrefix}${key}` } }));
    },

    async getById(id) {
      const output = await client.send(
        new QueryCommand({ TableName: tableName, IndexName: indexes.subscribersById, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': id } }),
      );
      const found = readMaybe(output.Items?.[0]);
      // The index is eventually consistent; the table has the current status.
      return found && get(found.email);
    },

    async pageByStatus(status, options = {}) {
      const output = await client.send(new QueryCommand({ ...byStatus(status), Limit: options.limit ?? 500, ExclusiveStartKey: decodeCursor(options.cursor, statusPageKey) }));
      return { items: (output.Items ?? []).map((item) => read(item)), cursor: encodeCursor(output.LastEvaluatedKey) };
    },

    async countByStatus(status) {
      let count = 0;
      // Select COUNT: DynamoDB still reads up to 1 MB a page, but sends back only the number.
      for await (const page of queryPages(client, { ...byStatus(status), Select: 'COUNT' })) count += page.Count ?? 0;
      return count;
    },

    async *all() {
      for await (const item of scanAll(client, { TableName: tableName })) if (!isErasedItem(item)) yield read(item);
    },
  };
};
