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
import { classifySendError } from '../../lambdas/aws/ses-errors.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { SendError } from '../../lambdas/mail/mailer.ts';

const $metadata = { httpStatusCode: 400 };
const sender = 'briefing@news.example.com';
const unmodelled = (name: string, message: string, status = 400) =>
  new SESServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
const network = (code: string) => Object.assign(new Error(`connect ${code} 203.0.113.1:443`), { code });

describe('classifySendError', () => {
  it.each([
    ['throttling', unmodelled('Throttling', 'Maximum sending rate exceeded.'), 'retryable', 'Throttling'],
    ['a throttling exception', unmodelled('ThrottlingException', 'Rate exceeded'), 'retryable', 'ThrottlingException'],
    ['the rate message under another code', unmodelled('LimitExceeded', 'Maximum sending rate exceeded.'), 'retryable', 'LimitExceeded'],
    ['an internal failure (500)', unmodelled('InternalFailure', 'We encountered an internal error.', 500), 'retryable', 'InternalFailure'],
    ['service unavailable (503)', unmodelled('ServiceUnavailable', 'Service unavailable', 503), 'retryable', 'ServiceUnavailable'],
    ['an unnamed 502', unmodelled('UnknownError', 'Bad gateway', 502), 'retryable', 'UnknownError'],
    ['a reset connection', network('ECONNRESET'), 'retryable', 'ECONNRESET'],
    ['a connect timeout', network('ETIMEDOUT'), 'retryable', 'ETIMEDOUT'],
    ['a DNS hiccup', network('EAI_AGAIN'), 'retryable', 'EAI_AGAIN'],
    ['the SDK giving up on a slow answer', Object.assign(new Error('the request socket timed out'), { name: 'TimeoutError' }), 'retryable', 'TimeoutError'],
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
  // SES's documented Query-protocol error body; aws-ses-v2-local cannot be made to fail, so a small server plays SES here.
  const responses: Array<{ status: number; code: string; message: string }> = [];
  let server: Server;
  let client: SESClient;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const next = responses.shift()!;
        response.writeHead(next.status, { 'content-type': 'text/xml' });
        response.end(
          `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${next.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
            `<Code>${next.code}</Code><Message>${next.message}</Message></Error><RequestId>5f0d8a3e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new SESClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

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

    const error = await sesMailer(client, { sender }).send(Buffer.from('Subject: x\r\n\r\nx'), { destinations: ['reader@example.org'] }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind, code });
  });

  it('throws a refused connection as retryable', async () => {
    const closed = new SESClient({ endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });

    const error = await sesMailer(closed).send(Buffer.from('x'), { destinations: ['reader@example.org'] }).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'SendError', kind: 'retryable', code: 'ECONNREFUSED' });
    closed.destroy();
  });
});
