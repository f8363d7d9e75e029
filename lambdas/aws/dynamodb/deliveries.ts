import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type DeliveryRecord, type DeliveryStatus, deliveryStatuses, type DeliveryStore } from '../../sending/delivery-store.ts';
import { unlessConditionFails } from './conditions.ts';
import { CursorError, decodeCursor, encodeCursor, startKey } from './cursor.ts';
import { itemReader } from './items.ts';
import { queryAll } from './paging.ts';

const deliveryItem = z.object({
  editionId: z.string(),
  email: z.string(),
  status: z.enum(deliveryStatuses),
  claimToken: z.optional(z.string()),
  leaseUntil: z.optional(z.number()),
  messageId: z.optional(z.string()),
  reason: z.optional(z.string()),
  retryRequested: z.optional(z.boolean()),
  updatedAt: z.string(),
  expiresAt: z.number(),
});

// A page of marks reads three attributes of each item: a resume of a million holds a page, never the list.
const deliveryMark = z.object({ email: z.string(), status: z.enum(deliveryStatuses), retryRequested: z.optional(z.boolean()) });

/** What a page of an edition's deliveries is keyed on. */
const pageKey = startKey('editionId', 'email');

const keepSeconds = 400 * 86_400;

// Nothing recorded yet, or an uncertain delivery that an operator asked to be sent again.
const open = {
  ConditionExpression: 'attribute_not_exists(email) OR (#status = :uncertain AND retryRequested = :true)',
  ExpressionAttributeNames: { '#status': 'status' },
  ExpressionAttributeValues: { ':uncertain': 'uncertain', ':true': true },
};

export const createDeliveryStore = (client: DynamoDBDocumentClient, tableName: string): DeliveryStore => {
  const read = itemReader(tableName, ['editionId', 'email'], deliveryItem);
  const readMark = itemReader(tableName, ['editionId', 'email'], deliveryMark);

  const get = async (editionId: string, email: string): Promise<DeliveryRecord | undefined> => {
    const { Item: item } = await client.send(new GetCommand({ TableName: tableName, Key: { editionId, email }, ConsistentRead: true }));
    return item && read(item);
  };

  const expiresAt = (now: number) => Math.floor(now / 1000) + keepSeconds;

  /** One conditional update of a delivery; false when its condition did not hold. */
  const updateIf = async (editionId: string, email: string, expression: string, condition: string, values: Record<string, unknown>): Promise<boolean> =>
    (await unlessConditionFails(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { editionId, email },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    )) !== undefined;

  /** Writes a delivery's record while it is `open`; false when it is not. */
  const putIfOpen = async (item: Record<string, unknown>): Promise<boolean> =>
    (await unlessConditionFails(client.send(new PutCommand({ TableName: tableName, Item: item, ...open })))) !== undefined;

  /** Finishes a claim still open under this token; false when it was finished already. */
  const finish = (editionId: string, email: string, claimToken: string, status: Exclude<DeliveryStatus, 'claimed'>, details: { messageId?: string; reason?: string }) =>
    updateIf(editionId, email, 'SET #status = :status, updatedAt = :at, messageId = :messageId, reason = :reason REMOVE leaseUntil', 'claimToken = :token AND #status = :claimed', {
      ':claimed': 'claimed',
      ':status': status,
      ':at': new Date().toISOString(),
      ':messageId': details.messageId ?? null,
      ':reason': details.reason ?? null,
      ':token': claimToken,
    });

  return {
    get,

    async claim(editionId, email, claimToken, leaseMs, now = Date.now()) {
      const claimed = await putIfOpen({ editionId, email, status: 'claimed', claimToken, leaseUntil: now + leaseMs, updatedAt: new Date(now).toISOString(), expiresAt: expiresAt(now) });
      return claimed ? { claimed: true } : { claimed: false, existing: await get(editionId, email) };
    },

    markSent: (editionId, email, claimToken, messageId) => finish(editionId, email, claimToken, 'sent', { messageId }),
    markFailed: (editionId, email, claimToken, reason) => finish(editionId, email, claimToken, 'failed', { reason }),
    markSkipped: (editionId, email, claimToken, reason) => finish(editionId, email, claimToken, 'skipped', { reason }),
    markUncertain: (editionId, email, claimToken, reason) => finish(editionId, email, claimToken, 'uncertain', { reason }),

    recordSkipped: (editionId, email, reason, now = Date.now()) =>
      putIfOpen({ editionId, email, status: 'skipped', reason, updatedAt: new Date(now).toISOString(), expiresAt: expiresAt(now) }),

    requestRetry: (editionId, email) =>
      updateIf(editionId, email, 'SET retryRequested = :true, updatedAt = :at', '#status = :uncertain', { ':true': true, ':uncertain': 'uncertain', ':at': new Date().toISOString() }),

    async release(editionId, email, claimToken) {
      await unlessConditionFails(
        client.send(
          new DeleteCommand({ TableName: tableName, Key: { editionId, email }, ConditionExpression: 'claimToken = :token AND #status = :claimed', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':token': claimToken, ':claimed': 'claimed' } }),
        ),
      );
    },

    async list(editionId) {
      const records: DeliveryRecord[] = [];
      const query = { TableName: tableName, KeyConditionExpression: 'editionId = :id', ExpressionAttributeValues: { ':id': editionId }, ConsistentRead: true };
      for await (const item of queryAll(client, query)) records.push(read(item));
      return records;
    },

    async page(editionId, options = {}) {
      const startKey = decodeCursor(options.cursor, pageKey);
      if (startKey && startKey.editionId !== editionId) throw new CursorError(`cursor of edition ${startKey.editionId}'s deliveries passed for edition ${editionId}'s`);
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'editionId = :id',
          ProjectionExpression: 'email, #status, retryRequested',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':id': editionId },
          ConsistentRead: true,
          Limit: options.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      return { items: (output.Items ?? []).map((item) => readMark(item, { editionId, email: item.email })), cursor: encodeCursor(output.LastEvaluatedKey) };
    },
  };
};
