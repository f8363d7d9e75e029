import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccountSendingPausedException,
  ConfigurationSetDoesNotExistException,
  ConfigurationSetSendingPausedException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SESClient,
  SESServiceException,
} from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesClient } from '../../lambdas/aws/clients.ts';
import { classifySendError } from '../../lambdas/aws/ses-errors.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { SendError } from '../../lambdas/mail/mailer.ts';

const $metadata = { httpStatusCode: 400 };
const sender = 'briefing@news.example.com';
const unmodelled = (name: string, message: string, status = 400) =>
  new SESServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
/** As the SDK reads SES's own answers: with the x-amzn-RequestId header's value. */
const signed = (error: SESServiceException) => Object.assign(error, { $metadata: { ...error.$metadata, requestId: '5f0d8a3e-0000-4000-8000-000000000000' } });
// As Node.js raises them: a connection that could not be made names its syscall; one that broke later does not.
const network = (code: string, syscall = 'connect') => Object.assign(new Error(`${syscall} ${code} 203.0.113.1:443`), { code, syscall, errno: -1 });
// As the SDK's HTTP handler passes them on: ECONNRESET, EPIPE and ETIMEDOUT renamed TimeoutError, the code kept.
const broken = (code: string, message: string) => Object.assign(new Error(message), { code, name: 'TimeoutError' });
const timeout = (message: string) => Object.assign(new Error(message), { name: 'TimeoutError' });

describe('classifySendError', () => {
  it.each([
    ['throttling', unmodelled('Throttling', 'Maximum sending rate exceeded.'), 'retryable', 'Throttling'],
    ['a throttling exception', unmodelled('ThrottlingException', 'Rate exceeded'), 'retryable', 'ThrottlingException'],
    ['the rate message under another code', unmodelled('LimitExceeded', 'Maximum sending rate exceeded.'), 'retryable', 'LimitExceeded'],
    ['an internal failure (500)', unmodelled('InternalFailure', 'We encountered an internal error.', 500), 'retryable', 'InternalFailure'],
    ['service unavailable (503)', unmodelled('ServiceUnavailable', 'Service unavailable', 503), 'retryable', 'ServiceUnavailable'],
    ['an unnamed 502 that SES signed with a request id', signed(unmodelled('UnknownError', 'Bad gateway', 502)), 'retryable', 'UnknownError'],
    ['a refused connection', network('ECONNREFUSED'), 'retryable', 'ECONNREFUSED'],
    ['a connection reset while connecting', network('ECONNRESET'), 'retryable', 'ECONNRESET'],
    ['a connect timeout', network('ETIMEDOUT'), 'retryable', 'ETIMEDOUT'],
    ['a DNS failure', network('ENOTFOUND', 'getaddrinfo'), 'retryable', 'ENOTFOUND'],
    ['a DNS hiccup', network('EAI_AGAIN', 'getaddrinfo'), 'retryable', 'EAI_AGAIN'],
    ['a TLS handshake cut short', broken('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), 'retryable', 'ECONNRESET'],
    ["the SDK's connection timeout", timeout('@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.'), 'retryable', 'TimeoutError'],
    ['an unnamed 502 from something in between (no request id)', unmodelled('UnknownError', 'Bad gateway', 502), 'uncertain', 'UnknownError'],
    ['a 504 gateway timeout (no request id)', unmodelled('UnknownError', 'Gateway Timeout', 504), 'uncertain', 'UnknownError'],
    ['a reset after the request was written', broken('ECONNRESET', 'socket hang up'), 'uncertain', 'ECONNRESET'],
    ['a broken pipe while writing', broken('EPIPE', 'write EPIPE'), 'uncertain', 'EPIPE'],
    ["the SDK's request timeout", broken('ETIMEDOUT', '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.'), 'uncertain', 'ETIMEDOUT'],
    ['the SDK giving up on a slow answer', timeout('@smithy/node-http-handler - the request socket timed out after 2000 ms of inactivity (configured by client requestHandler).'), 'uncertain', 'TimeoutError'],
    ['a hang-up without a code', new Error('socket hang up'), 'uncertain', 'Error'],
    ['a rejected message', new MessageRejected({ message: 'Address blacklisted.', $metadata }), 'permanent', 'MessageRejected'],
    [
      'an unverified recipient in the sandbox',
      new MessageRejected({ message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: reader@example.org', $metadata }),
      'permanent',
      'MessageRejected',
    ],
    ['an illegal address', unmodelled('InvalidParameterValue', 'Illegal address'), 'permanent', 'InvalidParameterValue'],
    ['a local part with whitespace', unmodelled('InvalidParameterValue', 'Local address contains control or whitespace'), 'permanent', 'InvalidParameterValue'],
    ['the daily quota', unmodelled('Throttling', 'Daily message quota exceeded.'), 'stop', 'Throttling'],
    ['a paused account', new AccountSendingPausedException({ message: 'Account sending paused.', $metadata }), 'stop', 'AccountSendingPausedException'],
    [
      'a paused configuration set',
      new ConfigurationSetSendingPausedException({ message: 'Sending is paused for this configuration set.', $metadata, ConfigurationSetName: 'briefing-sending' }),
      'stop',
      'ConfigurationSetSendingPausedException',
    ],
    [
      'a missing configuration set',
      new ConfigurationSetDoesNotExistException({ message: 'Configuration set <briefing-sending> does not exist.', $metadata, ConfigurationSetName: 'briefing-sending' }),
      'stop',
      'ConfigurationSetDoesNotExistException',
    ],
    ['an unverified MAIL FROM domain', new MailFromDomainNotVerifiedException({ message: 'MAIL FROM domain not verified', $metadata }), 'stop', 'MailFromDomainNotVerifiedException'],
    [
      'an unverified sender',
      new MessageRejected({
        message: `Email address is not verified. The following identities failed the check in region EU-WEST-1: The Morning Briefing <${sender}>, ${sender}`,
        $metadata,
      }),
      'stop',
      'MessageRejected',
    ],
    [
      'an unverified list that SES cut short',
      new MessageRejected({ message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: a@example.org, b@example.org...', $metadata }),
      'stop',
      'MessageRejected',
    ],
    ['a message that is too large', unmodelled('InvalidParameterValue', 'Message length is more than 10485760 bytes long'), 'stop', 'InvalidParameterValue'],
    ['bad credentials', unmodelled('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'stop', 'InvalidClientTokenId'],
    ['missing permission', unmodelled('AccessDenied', 'User is not authorized to perform ses:SendRawEmail', 403), 'stop', 'AccessDenied'],
    ['anything else', new Error('something unexpected'), 'stop', 'Error'],
  ])('%s → %s', (_, error, kind, code) => {
    expect(classifySendError(error, { sender })).toMatchObject({ kind, code, message: (error as Error).message });
  });

  it('stops on an unverified-address rejection when it cannot tell whether the sender is meant', () => {
    const error = new MessageRejected({
      message: 'Email address is not verified. The following identities failed the check in region EU-WEST-1: reader@example.org',
      $metadata,
    });

    expect(classifySendError(error).kind).toBe('stop');
  });

  it('classifies a value that is not an error without failing', () => {
    expect(classifySendError('boom')).toMatchObject({ kind: 'stop', code: 'Unknown', message: 'boom' });
  });
});

describe('the SES mailer on errors as the SDK reads them from SES responses', () => {
  /**
   * SES's documented Query-protocol error body and request id header; or, in place of an answer, a connection
   * cut once the request was read (`drop`), a gateway's page without a request id, or no answer at all (`silence`).
   * aws-ses-v2-local cannot be made to fail, so a small server plays SES here.
   */
  type Response = { status: number; code: string; message: string } | 'drop' | 'gateway' | 'silence';
  const responses: Response[] = [];
  let server: Server;
  let client: SESClient;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const next = responses.shift()!;
        if (next === 'silence') return;
        if (next === 'drop') return void request.socket.destroy();
        if (next === 'gateway') return void response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        response.writeHead(next.status, { 'content-type': 'text/xml', 'x-amzn-requestid': '5f0d8a3e-0000-4000-8000-000000000000' });
        response.end(
          `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${next.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
            `<Code>${next.code}</Code><Message>${next.message}</Message></Error><RequestId>5f0d8a3e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new SESClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (through = client) => sesMailer(through, { sender }).send(Buffer.from('Subject: x\r\n\r\nx'), { destinations: ['reader@example.org'] }).catch((caught: unknown) => caught);

  it.each([
    [400, 'Throttling', 'Maximum sending rate exceeded.', 'retryable'],
    [400, 'Throttling', 'Daily message quota exceeded.', 'stop'],
    [400, 'MessageRejected', 'Address blacklisted.', 'permanent'],
    [400, 'AccountSendingPausedException', 'Account sending paused.', 'stop'],
    [400, 'ConfigurationSetDoesNotExist', 'Configuration set &lt;briefing-sending&gt; does not exist.', 'stop'],
    [400, 'ConfigurationSetSendingPausedException', 'Sending paused for configuration set.', 'stop'],
    [400, 'MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified.', 'stop'],
    [400, 'InvalidParameterValue', 'Missing final &apos;@domain&apos;', 'permanent'],
    [500, 'InternalFailure', 'We encountered an internal error.', 'retryable'],
    [503, 'ServiceUnavailable', 'Service is unavailable.', 'retryable'],
  ])('%i %s "%s" → %s', async (status, code, message, kind) => {
    responses.push({ status, code, message });

    const error = await send();

    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind, code });
  });

  it('throws a connection cut after the request was read as uncertain: SES may have taken the message', async () => {
    responses.push('drop');

    expect(await send()).toMatchObject({ name: 'SendError', kind: 'uncertain', code: 'ECONNRESET', message: 'socket hang up' });
  });

  it('throws an answer that never came as uncertain once the socket timeout runs out', async () => {
    responses.push('silence');
    const impatient = new SESClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1, requestHandler: { socketTimeout: 200 } });

    expect(await send(impatient)).toMatchObject({ name: 'SendError', kind: 'uncertain', code: 'TimeoutError' });
    impatient.destroy();
  });

  it('throws a SendRawEmail that hangs as uncertain once the client\'s request timeout runs out, instead of waiting for the function\'s timeout', async () => {
    // The deployed client's settings (createSesClient), shortened: SES takes the request and never answers.
    responses.push('silence');
    const deployed = createSesClient({ sesEndpoint: endpoint }, { connectionTimeout: 1000, requestTimeout: 300 });
    const started = performance.now();

    const error = await send(deployed);

    expect(error).toMatchObject({ name: 'SendError', kind: 'uncertain', code: 'ETIMEDOUT', message: expect.stringContaining('300 ms requestTimeout') });
    expect(performance.now() - started).toBeLessThan(2000);
    deployed.destroy();
  });

  it("throws a gateway's 502 without SES's request id as uncertain", async () => {
    responses.push('gateway');

    expect(await send()).toMatchObject({ name: 'SendError', kind: 'uncertain' });
  });

  it('throws a refused connection as retryable', async () => {
    const closed = new SESClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });

    const error = await sesMailer(closed).send(Buffer.from('x'), { destinations: ['reader@example.org'] }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'SendError', kind: 'retryable', code: 'ECONNREFUSED' });
    closed.destroy();
  });
});
