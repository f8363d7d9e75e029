import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from './conditions.ts';

/** claimed: a worker is sending it now (until `leaseUntil`); the others are final. */
export type DeliveryStatus = 'claimed' | 'sent' | 'failed' | 'skipped';

/** One recipient's copy of one edition, keyed on edition + normalised address (never on a queue message id). */
export interface DeliveryRecord {
  readonly editionId: string;
  readonly email: string;
  readonly status: DeliveryStatus;
  /** Which worker's claim this is: only that worker may finish or release it. */
  readonly claimToken?: string;
  /** Epoch milliseconds after which another worker may take over an unfinished claim. */
  readonly leaseUntil?: number;
  readonly messageId?: string;
  readonly reason?: string;
  readonly updatedAt: string;
  /** Epoch seconds: DynamoDB's TTL removes the record long after any resend of the edition. */
  readonly expiresAt: number;
}

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing?: DeliveryRecord };

const keepSeconds = 400 * 86_400;

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

export const createDeliveryStore = (client: DynamoDBDocumentClient, tableName: string) => {
  const get = async (editionId: string, email: string): Promise<DeliveryRecord | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: { editionId, email }, ConsistentRead: true }))).Item as DeliveryRecord | undefined;

  const expiresAt = (now: number) => Math.floor(now / 1000) + keepSeconds;

  /** Finishes a claim; false when the claim is no longer this worker's (its lease ran out and another took over). */
  const finish = async (editionId: string, email: string, claimToken: string, status: 'sent' | 'failed', details: { messageId?: string; reason?: string }): Promise<boolean> => {
    const written = await unlessConditionFails(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { editionId, email },
          UpdateExpression: 'SET #status = :status, updatedAt = :at, messageId = :messageId, reason = :reason REMOVE leaseUntil',
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': new Date().toISOString(),
            ':messageId': details.messageId ?? null,
            ':reason': details.reason ?? null,
            ':token': claimToken,
          },
        }),
      ),
    );
    return written !== undefined;
  };

  return {
    get,

    /**
     * Takes the delivery for one worker: succeeds when nobody has it, or when another worker's claim
     * outlived its lease (that worker died before sending). Otherwise says what is there.
     */
    async claim(editionId: string, email: string, claimToken: string, leaseMs: number, now = Date.now()): Promise<ClaimResult> {
      const written = await unlessConditionFails(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { editionId, email, status: 'claimed', claimToken, leaseUntil: now + leaseMs, updatedAt: new Date(now).toISOString(), expiresAt: expiresAt(now) },
            ConditionExpression: 'attribute_not_exists(email) OR (#status = :claimed AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now },
          }),
        ),
      );
      return written ? { claimed: true } : { claimed: false, existing: await get(editionId, email) };
    },

    markSent: (editionId: string, email: string, claimToken: string, messageId: string) => finish(editionId, email, claimToken, 'sent', { messageId }),
    markFailed: (editionId: string, email: string, claimToken: string, reason: string) => finish(editionId, email, claimToken, 'failed', { reason }),

    /** Records that a recipient was not sent to (no longer active); false when the delivery was already recorded. */
    async recordSkipped(editionId: string, email: string, reason: string, now = Date.now()): Promise<boolean> {
      const written = await unlessConditionFails(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { editionId, email, status: 'skipped', reason, updatedAt: new Date(now).toISOString(), expiresAt: expiresAt(now) },
            ConditionExpression: 'attribute_not_exists(email)',
          }),
        ),
      );
      return written !== undefined;
    },

    /** Gives a claim back when SES certainly did not take the message, so a redelivery can send it at once. */
    async release(editionId: string, email: string, claimToken: string): Promise<void> {
      await unlessConditionFails(
        client.send(
          new DeleteCommand({ TableName: tableName, Key: { editionId, email }, ConditionExpression: 'claimToken = :token AND #status = :claimed', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':token': claimToken, ':claimed': 'claimed' } }),
        ),
      );
    },

    /** Every delivery record of an edition. */
    async list(editionId: string): Promise<DeliveryRecord[]> {
      const records: DeliveryRecord[] = [];
      let cursor: Record<string, unknown> | undefined;
      do {
        const output = await client.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'editionId = :id', ExpressionAttributeValues: { ':id': editionId }, ConsistentRead: true, ExclusiveStartKey: cursor }),
        );
        records.push(...((output.Items ?? []) as DeliveryRecord[]));
        cursor = output.LastEvaluatedKey;
      } while (cursor);
      return records;
    },
  };
};
