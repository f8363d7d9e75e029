import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientSettings, createDocumentClient } from '../../lambdas/aws/clients.ts';

export interface DynamoCall {
  /** The low-level command, as the SDK names it: `GetItemCommand`, `UpdateItemCommand`, … */
  readonly command: string;
  readonly table: string | undefined;
}

const writes = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

export interface RecordingClient {
  /** The real document client over the emulator, with the recorder in its middleware. */
  readonly doc: DynamoDBDocumentClient;
  /** Every call since the last `clear`, in order. */
  readonly calls: readonly DynamoCall[];
  clear(): void;
  /** Fails the `n`th write from now (1 is the next one) once, before it reaches the table, as DynamoDB's InternalServerError. */
  failWrite(n: number): void;
  destroy(): void;
}

/** A document client that records each DynamoDB call it makes and can fail one chosen write: the fault at the exact step. */
export const recordingClient = (settings: ClientSettings): RecordingClient => {
  const doc = createDocumentClient(settings);
  const calls: DynamoCall[] = [];
  let writesSeen = 0;
  let failing: number | undefined;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      calls.push({ command, table: (args.input as { TableName?: string }).TableName });
      if (writes.has(command) && failing !== undefined && (writesSeen += 1) === failing) {
        failing = undefined;
        throw Object.assign(new Error(`injected failure of write ${writesSeen} (${command})`), { name: 'InternalServerError', $fault: 'server' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordCalls' },
  );
  return {
    doc,
    calls,
    clear: () => {
      calls.length = 0;
    },
    failWrite: (n) => {
      writesSeen = 0;
      failing = n;
    },
    destroy: () => doc.destroy(),
  };
};
