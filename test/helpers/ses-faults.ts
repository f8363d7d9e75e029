import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';

/** An error answer, as SES gives it. */
export interface SesErrorReply {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * What the proxy does with one SendRawEmail call: answer with an SES error instead of passing it on, or
 * (`dropReply`) pass it on and cut the connection once SES has answered, so SES took the message and
 * the caller never hears so.
 */
export type SesFault = SesErrorReply | { readonly dropReply: true };

export interface FaultySes {
  /** The proxy's URL, for a process of its own (BRIEFING_SES_ENDPOINT). */
  readonly endpoint: string;
  /** A real SES client whose calls pass through the fault proxy. */
  readonly client: SESClient;
  /** SendRawEmail calls the proxy answered with an error or whose answer it dropped. */
  readonly faults: () => number;
  close(): Promise<void>;
}

const body = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/**
 * A proxy in front of the SES emulator that answers chosen SendRawEmail calls with the error response
 * SES documents (Query API XML), so the SDK raises exactly what it raises in AWS, or loses SES's answer
 * to them; the rest go through.
 */
export const startFaultySes = async (target: string, decide: (params: URLSearchParams) => SesFault | undefined): Promise<FaultySes> => {
  let faults = 0;
  const server: Server = createServer(async (request, response) => {
    const text = await body(request);
    const params = new URLSearchParams(text);
    const fault = params.get('Action') === 'SendRawEmail' ? decide(params) : undefined;
    if (fault) faults += 1;
    if (fault && !('dropReply' in fault)) {
      response.writeHead(fault.status, { 'content-type': 'text/xml', 'x-amzn-requestid': '5f0d8a3e-0000-4000-8000-000000000000' }).end(
        `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
          `<Code>${fault.code}</Code><Message>${fault.message}</Message></Error><RequestId>5f0d8a3e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
      );
      return;
    }
    const forwarded = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)) as [string, string][]),
      body: text,
    });
    if (fault) {
      // SES has the message and has answered; the answer never reaches the caller.
      await forwarded.arrayBuffer();
      request.socket.destroy();
      return;
    }
    response.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/xml' }).end(await forwarded.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SESClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  return {
    endpoint,
    client,
    faults: () => faults,
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};

/** The recipient of a SendRawEmail call. */
export const destination = (params: URLSearchParams): string => params.get('Destinations.member.1') ?? '';
