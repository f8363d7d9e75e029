import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface QueuedMessage {
  readonly queueUrl: string;
  readonly body: string;
}

/**
 * SQS has no local emulator here: a loopback server that takes what the SDK v3 client sends for
 * SendMessage (the AWS JSON 1.0 protocol: POST, `X-Amz-Target: AmazonSQS.SendMessage`, a JSON body
 * with QueueUrl and MessageBody), answers as SQS documents (MessageId and the body's MD5, which the
 * client checks) and keeps the messages. Anything else is answered with SQS's error shape.
 */
export const startSqsStub = async () => {
  const messages: QueuedMessage[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const body = JSON.parse(raw || '{}') as { QueueUrl?: string; MessageBody?: string };
      if (request.method !== 'POST' || target !== 'AmazonSQS.SendMessage' || !body.QueueUrl || typeof body.MessageBody !== 'string') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidParameterValue', message: `not a SendMessage request: ${String(target)}` }));
        return;
      }
      messages.push({ queueUrl: body.QueueUrl, body: body.MessageBody });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MessageId: `m-${messages.length}`, MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
