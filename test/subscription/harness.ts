import { domainToASCII } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parseConfig, type BriefingConfig } from '../../lambdas/config/config.ts';
import { createStores } from '../../lambdas/aws/dynamodb/stores.ts';
import type { TableNames } from '../../lambdas/aws/dynamodb/tables.ts';
import type { Stores } from '../../lambdas/stores.ts';
import { createConfirmationSender } from '../../lambdas/subscription/confirmation-email.ts';
import { type InProcessConfirmations, inProcessConfirmations } from '../../lambdas/subscription/confirmations.ts';
import { createSubscriptionDeps } from '../../lambdas/subscription/deps.ts';
import { handleRequest } from '../../lambdas/subscription/router.ts';
import type { SubscriptionDeps } from '../../lambdas/subscription/routes.ts';
import { type InboxMessage, startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';

export const testSecret = 'test-secret-0123456789abcdef0123456789abcdef';
export const siteUrl = 'https://briefing.example.com';

/** A clock the test moves by hand: throttles and expiries without waiting. */
export const testClock = (start = new Date('2026-11-24T07:00:00Z')) => {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
};

export interface RequestOptions {
  readonly query?: string;
  readonly body?: string | Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

/** The event API Gateway's HTTP API (payload 2.0) hands the function: binary bodies base64-encoded, as it does. */
export const apiEvent = (method: string, path: string, options: RequestOptions = {}): APIGatewayProxyEventV2 => {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: {
      host: 'briefing.example.com',
      'user-agent': 'vitest',
      ...(options.contentType ? { 'content-type': options.contentType } : {}),
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'briefing.example.com',
      domainPrefix: 'briefing',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'request',
      routeKey: '$default',
      stage: '$default',
      time: '24/Nov/2026:07:00:00 +0000',
      timeEpoch: 1_795_000_000_000,
    },
    body: body?.toString('base64'),
    isBase64Encoded: body !== undefined,
  };
};

export const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });

export interface Harness {
  readonly emulators: TestEmulators;
  readonly config: BriefingConfig;
  readonly stores: Stores;
  readonly tables: TableNames;
  readonly deps: SubscriptionDeps;
  readonly clock: ReturnType<typeof testClock>;
  /** The confirmation emails queued in this process; `request` waits for them after each answer. */
  readonly confirmations: InProcessConfirmations;
  request(method: string, path: string, options?: RequestOptions): Promise<APIGatewayProxyStructuredResultV2 & { body: string }>;
}

/**
 * Fresh tables, the real confirmation sender into the SES emulator behind the in-process queue, and the
 * router called as the Lambda handler calls it.
 */
const createHarness = async (emulators: TestEmulators): Promise<Harness> => {
  const config = parseConfig({ siteUrl });
  const tables = await emulators.freshTables();
  const stores = createStores(emulators.doc, tables);
  const clock = testClock();
  const confirmations = inProcessConfirmations({ subscribers: stores.subscribers, sendConfirmation: createConfirmationSender({ config, mailer: emulators.mailer, secret: testSecret }) });
  const deps = createSubscriptionDeps({ config, stores, confirmations, secret: testSecret, now: clock.now });
  return {
    emulators,
    config,
    stores,
    tables,
    deps,
    clock,
    confirmations,
    async request(method, path, options) {
      const response = await handleRequest(apiEvent(method, path, options), deps, () => {});
      // The answer is complete; now the emails it queued go out, before the test looks at the inbox.
      await confirmations.settled();
      return { ...response, body: response.body ?? '' };
    },
  };
};

/**
 * The harness for one test file: the emulators started once, then a fresh harness (tables, clock,
 * confirmation queue) and an empty inbox before each test. The object returned takes the new
 * harness's fields before each test, so read them inside tests and hooks.
 */
export const useSubscriptionHarness = (): Harness => {
  const harness = {} as Harness;
  let emulators: TestEmulators | undefined;
  beforeAll(async () => {
    emulators = await startTestEmulators();
  });
  afterAll(async () => emulators?.close());
  beforeEach(async () => {
    await emulators!.clearInbox();
    Object.assign(harness, await createHarness(emulators!));
  });
  return harness;
};

/** The messages in the local inbox addressed to this address. */
export const messagesTo = async (emulators: TestEmulators, email: string): Promise<InboxMessage[]> =>
  (await emulators.inbox()).filter((message) => message.destination.to.map(asciiAddress).includes(email));

/** The text of the page's main element, tags removed and white space collapsed. */
export const mainText = (html: string): string =>
  (/<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** An address as we store it: the emulator's inbox shows international domains decoded. */
export const asciiAddress = (address: string): string => {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1))}`;
};

/** The link the confirmation email in the local inbox carries for this address. */
export const confirmationLink = async (emulators: TestEmulators, email: string): Promise<URL> => {
  const message = (await messagesTo(emulators, email)).at(-1);
  if (!message) throw new Error(`no email to ${email} in the inbox`);
  const link = /https?:\/\/\S+\/confirm\?token=[\w.-]+/.exec(message.body.text ?? '')?.[0];
  if (!link) throw new Error('the confirmation email has no confirm link');
  return new URL(link);
};
