import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InfraConfigError, parseInfraConfig } from '../../lib/config.ts';
import { cdkJsonContext, productionContext, projectRoot } from './synth.ts';

const parse = (overrides: Record<string, unknown>) => {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...overrides };
  return parseInfraConfig((key) => context[key]);
};

const problem = (overrides: Record<string, unknown>): string => {
  try {
    parse(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(InfraConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the context to be rejected');
};

describe('CDK context', () => {
  it("accepts cdk.json's defaults as they are", () => {
    expect(parse({})).toMatchObject({
      stackName: 'Briefing',
      domain: 'example.com',
      senderAddress: 'briefing@example.com',
      senderName: 'The Morning Briefing',
      mailFromDomain: 'bounce.example.com',
      scheduleCron: '0 6 * * ? *',
      timeZone: 'Europe/London',
      maxSendRate: 1,
    });
  });

  it('reads -c strings: numbers, a cron written as cron(...), a site URL with a trailing slash, the sender name from the newsletter name', () => {
    expect(parse({ ...productionContext, scheduleCron: 'cron(0 7 ? * MON-FRI *)', siteUrl: 'https://news.example.org/' })).toMatchObject({
      maxSendRate: 14,
      scheduleCron: '0 7 ? * MON-FRI *',
      siteUrl: 'https://news.example.org',
      senderName: productionContext.newsletterName,
    });
  });

  it('treats an empty value (-c key=) as unset', () => {
    expect(parse({ ...productionContext, hostedZoneId: '', alarmEmail: '' })).toMatchObject({ hostedZoneId: undefined, alarmEmail: undefined });
  });

  it.each([
    [{ domain: undefined }, /domain: required \(set it in cdk.json or with -c domain=…\)/],
    [{ domain: 'not a domain' }, /domain: must be a domain name/],
    [{ senderAddress: 'briefing@elsewhere.org' }, /senderAddress: must be an address at example\.com .*"briefing@elsewhere\.org"/],
    [{ mailFromDomain: 'bounce.elsewhere.org' }, /mailFromDomain: must be a subdomain of example\.com/],
    [{ hostedZoneId: 'my-zone' }, /hostedZoneId: must be a Route 53 hosted zone id/],
    [{ scheduleCron: '0 6 * * *' }, /scheduleCron: must be six cron fields/],
    [{ scheduleCron: '0 6 * * MON *' }, /scheduleCron: must be six cron fields .*"\?"/],
    [{ timeZone: 'Mars/Olympus_Mons' }, /timeZone: must be an IANA time zone/],
    [{ siteUrl: 'http://news.example.com' }, /siteUrl: must be an https:\/\/ URL/],
    [{ maxSendRate: 'fast' }, /maxSendRate: must be a number of emails per second \(got "fast"\)/],
    [{ maxSendRate: '0.5' }, /maxSendRate: must be at least 1 email per second/],
    [{ alarmEmail: 'ops' }, /alarmEmail: /],
    [{ stackName: '1st' }, /stackName: must be a CloudFormation stack name/],
    [{ postalAddress: 'line 1\nline 2' }, /postalAddress: must be a single line/],
  ])('rejects %o, naming the key and the value', (overrides, message) => {
    expect(problem(overrides)).toMatch(message);
  });

  it('reports every bad key at once', () => {
    const message = problem({ timeZone: 'Nowhere', maxSendRate: '-1' });
    expect(message).toMatch(/timeZone:/);
    expect(message).toMatch(/maxSendRate:/);
  });

  it('stops `cdk synth` before any resource is made, with the key in the message', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'briefing-cdk-'));
    try {
      const failure = await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir, '-c', 'timeZone=Mars/Olympus_Mons'], {
        cwd: projectRoot,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(/invalid CDK context[\s\S]*timeZone: must be an IANA time zone/);
      expect(failure?.stderr).not.toMatch(/Bundling asset/);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
