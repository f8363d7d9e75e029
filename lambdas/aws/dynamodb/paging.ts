import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

interface Page {
  readonly Items?: Record<string, unknown>[];
  readonly LastEvaluatedKey?: Record<string, unknown>;
}

/**
 * Pages from `startKey` to the last, each asked for only when the one before has been used up: a caller that stops
 * iterating (it found what it looked for) reads no further page.
 */
async function* pagesFrom<P extends Page>(startKey: Record<string, unknown> | undefined, read: (startKey: Record<string, unknown> | undefined) => Promise<P>): AsyncGenerator<P> {
  let lastKey = startKey;
  do {
    const page = await read(lastKey);
    yield page;
    lastKey = page.LastEvaluatedKey;
  } while (lastKey);
}

/** A Query's pages, from its ExclusiveStartKey (if any) to the last. */
export const queryPages = (client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<QueryCommandOutput> =>
  pagesFrom(input.ExclusiveStartKey, (startKey) => client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));

/** Every item a Query matches, across its pages. */
export async function* queryAll(client: DynamoDBDocumentClient, input: QueryCommandInput): AsyncGenerator<Record<string, unknown>> {
  for await (const page of queryPages(client, input)) yield* page.Items ?? [];
}

/** Every item a Scan reads, across its pages. */
export async function* scanAll(client: DynamoDBDocumentClient, input: ScanCommandInput): AsyncGenerator<Record<string, unknown>> {
  for await (const page of pagesFrom(input.ExclusiveStartKey, (startKey) => client.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey })))) yield* page.Items ?? [];
}
