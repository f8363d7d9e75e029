import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSesClient } from '../../lambdas/aws/clients.ts';
import { getSendQuota } from '../../lambdas/aws/ses-quota.ts';
import { checkSendQuota } from '../../lambdas/sending/quota.ts';

describe('checkSendQuota', () => {
  const quota = { max24HourSend: 50_000, sentLast24Hours: 12_345, maxSendRate: 14 };

  it('lets an edition start that fits in what is left of the 24-hour quota, saying how long it takes at the maximum rate', () => {
    expect(checkSendQuota(quota, 37_655)).toEqual({ ok: true, remainingAfter: 0, secondsAtMaxRate: 37_655 / 14 });
  });

  it('stops an edition one recipient larger than what is left, before anything is sent, naming the figures and the remedies', () => {
    const decision = checkSendQuota(quota, 37_656);

    expect(decision.ok).toBe(false);
    const { reason } = decision as { reason: string };
    expect(reason).toContain('37,656 recipients but only 37,655 of the 24-hour SES quota are left');
    expect(reason).toContain('50,000 a day, 12,345 sent in the last 24 hours');
    expect(reason).toMatch(/send it later.*higher quota/);
  });

  it('treats a quota already used up (SES can report more sent than the quota) as nothing left', () => {
    expect(checkSendQuota({ max24HourSend: 200, sentLast24Hours: 230, maxSendRate: 1 }, 1)).toMatchObject({ ok: false, reason: expect.stringContaining('only 0 of') });
    expect(checkSendQuota({ max24HourSend: 200, sentLast24Hours: 230, maxSendRate: 1 }, 0)).toMatchObject({ ok: true, remainingAfter: 0 });
  });

  it('lets any edition start when the account has no daily limit (-1)', () => {
    expect(checkSendQuota({ max24HourSend: -1, sentLast24Hours: 5_000_000, maxSendRate: 1000 }, 1_000_000)).toEqual({
      ok: true,
      remainingAfter: Infinity,
      secondsAtMaxRate: 1000,
    });
  });

  it('refuses when the account may not send at all (a rate of 0)', () => {
    expect(checkSendQuota({ max24HourSend: 200, sentLast24Hours: 0, maxSendRate: 0 }, 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/paused/) });
  });

  it('refuses a recipient count that is not a count', () => {
    expect(() => checkSendQuota(quota, -1)).toThrow(/recipients must be a whole number/);
    expect(() => checkSendQuota(quota, 1.5)).toThrow(/recipients must be a whole number/);
  });
});

// aws-ses-v2-local implements only SendEmail and SendRawEmail of the v1 API and leaves any other
// Action unanswered, so this stands in for SES: it checks the Query-protocol request AWS documents
// for GetSendQuota and answers with the documented XML.
const sesStub = (answer: (body: URLSearchParams) => { status: number; xml: string }) => {
  const requests: URLSearchParams[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const params = new URLSearchParams(body);
      requests.push(params);
      const { status, xml } = answer(params);
      response.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  return { server, requests };
};

const quotaXml = (fields: string) => `<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">
  <GetSendQuotaResult>${fields}</GetSendQuotaResult>
  <ResponseMetadata><RequestId>273021c6-c866-11e0-b926-699e21c3af9e</RequestId></ResponseMetadata>
</GetSendQuotaResponse>`;

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolveClose) => server!.close(resolveClose));
  server = undefined;
});

const listen = async (stub: ReturnType<typeof sesStub>): Promise<string> => {
  server = stub.server;
  await new Promise<void>((resolveListen) => stub.server.listen(0, '127.0.0.1', resolveListen));
  return `http://127.0.0.1:${(stub.server.address() as { port: number }).port}`;
};

describe('getSendQuota', () => {
  it('asks SES (Action=GetSendQuota, API 2010-12-01) and reads the three figures', async () => {
    const stub = sesStub(() => ({ status: 200, xml: quotaXml('<SentLast24Hours>127.0</SentLast24Hours><Max24HourSend>200.0</Max24HourSend><MaxSendRate>1.0</MaxSendRate>') }));
    const ses = createSesClient({ sesEndpoint: await listen(stub), region: 'eu-west-2' });

    const quota = await getSendQuota(ses);

    expect(quota).toEqual({ max24HourSend: 200, sentLast24Hours: 127, maxSendRate: 1 });
    expect(stub.requests).toHaveLength(1);
    expect(Object.fromEntries(stub.requests[0]!)).toEqual({ Action: 'GetSendQuota', Version: '2010-12-01' });
  });

  it('fails, naming the field, when SES answers without one', async () => {
    const stub = sesStub(() => ({ status: 200, xml: quotaXml('<SentLast24Hours>127.0</SentLast24Hours><MaxSendRate>1.0</MaxSendRate>') }));
    const ses = createSesClient({ sesEndpoint: await listen(stub), region: 'eu-west-2' });

    await expect(getSendQuota(ses)).rejects.toThrow('SES GetSendQuota answered without Max24HourSend');
  });

  it("passes SES's own refusal through (no permission: the grant is missing)", async () => {
    const stub = sesStub(() => ({
      status: 403,
      xml: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform ses:GetSendQuota</Message></Error><RequestId>r1</RequestId></ErrorResponse>',
    }));
    const ses = createSesClient({ sesEndpoint: await listen(stub), region: 'eu-west-2' });

    await expect(getSendQuota(ses)).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('ses:GetSendQuota') });
  });
});
