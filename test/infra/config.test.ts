import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InfraConfigError, parseInfraConfig } from '../../lib/config.ts';
import { deadlineCron } from '../../lib/schedule-cron.ts';
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
      editionDeadlineMinutes: 60,
      identity: 'create',
      sesSandbox: false,
      alarms: undefined,
      alarmTopicArn: undefined,
      reportAddress: undefined,
    });
  });

  it('reads the operations keys as -c gives them: the deadline, identity mode, sandbox flag, opt-out, topic, report address', () => {
    expect(
      parse({
        ...productionContext,
        alarmEmail: undefined,
        editionDeadlineMinutes: '90',
        identity: 'existing',
        sesSandbox: 'true',
        alarms: 'none',
        alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:ops-pager',
        reportAddress: 'editors@news.example.org',
      }),
    ).toMatchObject({
      editionDeadlineMinutes: 90,
      identity: 'existing',
      sesSandbox: true,
      alarms: 'none',
      alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:ops-pager',
      reportAddress: 'editors@news.example.org',
    });
    expect(parse({ sesSandbox: 'false' }).sesSandbox).toBe(false);
    expect(parse({ sesSandbox: true }).sesSandbox).toBe(true);
  });

  it('links to the custom API domain unless a site URL is given', () => {
    const domain = { apiDomain: 'briefing.news.example.org', certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' };
    expect(parse({ ...productionContext, ...domain }).siteUrl).toBe('https://briefing.news.example.org');
    expect(parse({ ...productionContext, ...domain, siteUrl: 'https://news.example.org/briefing' }).siteUrl).toBe('https://news.example.org/briefing');
  });

  it('reads -c strings: numbers, a cron written as cron(...), a site URL with a trailing slash, the sender name from the newsletter name', () => {
    expect(parse({ ...productionContext, scheduleCron: 'cron(0 7 ? * MON-FRI *)', siteUrl: 'https://news.example.org/' })).toMatchObject({
      maxSendRate: 14,
      scheduleCron: '0 7 ? * MON-FRI *',
      siteUrl: 'https://news.example.org',
      senderName: productionContext.newsletterName,
    });
  });

  it('reads the feeds as -c gives them (JSON) and as cdk.json holds them (a list), polled every 15 minutes unless told otherwise', () => {
    const feeds = [{ url: 'https://www.example.com/world/rss', category: 'World' }, { url: 'http://cms.internal:8080/feeds/business.json', category: 'Business' }];
    expect(parse({ ...productionContext, feeds: JSON.stringify(feeds), feedPollMinutes: '30' })).toMatchObject({ feeds, feedPollMinutes: 30 });
    expect(parse({ ...productionContext, feeds })).toMatchObject({ feeds, feedPollMinutes: 15 });
    expect(parse(productionContext)).toMatchObject({ feeds: [], feedPollMinutes: 15 });
  });

  it('refuses more feeds than one poll can read in time: within Lambda\'s 15 minutes, and before the next poll starts', () => {
    const feeds = (count: number) => JSON.stringify(Array.from({ length: count }, (_, index) => ({ url: `https://feeds.example.com/${index}.xml`, category: 'News' })));
    expect(parse({ ...productionContext, feeds: feeds(200), feedPollMinutes: '15' }).feeds).toHaveLength(200);
    expect(problem({ ...productionContext, feeds: feeds(300), feedPollMinutes: '30' })).toMatch(/feeds: 300 feeds may take 1140 s to poll .*more than a Lambda function may run \(900 s\): list fewer feeds/);
    expect(problem({ ...productionContext, feeds: feeds(100), feedPollMinutes: '5' })).toMatch(/feeds: 100 feeds may take 390 s to poll .*more than the 5 minutes between polls: raise feedPollMinutes/);
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
    [{ editionDeadlineMinutes: 'soon' }, /editionDeadlineMinutes: must be a number of minutes/],
    [{ editionDeadlineMinutes: '2' }, /editionDeadlineMinutes: must be at least 5 minutes/],
    [{ editionDeadlineMinutes: '1440' }, /editionDeadlineMinutes: must be less than a day/],
    [{ scheduleCron: '0 6,18 * * ? *' }, /editionDeadlineMinutes: the deadline check needs scheduleCron's minutes and hours as single numbers/],
    [{ scheduleCron: '30 23 ? * MON-FRI *' }, /editionDeadlineMinutes: 60 minutes after 23:30 is the next day/],
    [{ identity: 'import' }, /identity: must be "create" or "existing"/],
    [{ sesSandbox: 'yes' }, /sesSandbox: /],
    [{ alarms: 'off' }, /alarms: must be "none"/],
    [{ alarmTopicArn: 'ops-topic' }, /alarmTopicArn: must be an SNS topic ARN/],
    [{ alarmEmail: 'ops@example.org', alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:ops' }, /alarmTopicArn: give alarmEmail or alarmTopicArn, not both/],
    [{ apiDomain: 'briefing.example.com' }, /certificateArn: apiDomain and certificateArn go together/],
    [{ certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' }, /apiDomain: apiDomain and certificateArn go together/],
    [{ apiDomain: 'briefing.example.com', certificateArn: 'my-cert' }, /certificateArn: must be an ACM certificate ARN/],
    [{ reportAddress: 'editors' }, /reportAddress: /],
    [{ postalAddress: 'line 1\nline 2' }, /postalAddress: must be a single line/],
    [{ feeds: '[{"url": "https://www.example.com/rss"' }, /feeds: must be JSON, e.g. \[\{"url"/],
    [{ feeds: '[{"url": "ftp://www.example.com/rss", "category": "World"}]' }, /feeds\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/],
    [{ feedPollMinutes: '1' }, /feedPollMinutes: must be at least 5 minutes/],
    [{ feedPollMinutes: '1440' }, /feedPollMinutes: must be at most 480 minutes/],
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

  it("refuses `cdk synth` (and so `cdk deploy`) of cdk.json as shipped: the placeholder domain, and alarms that would tell nobody", async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'briefing-cdk-'));
    try {
      const failure = await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir], {
        cwd: projectRoot,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      const output = `${failure?.stdout}${failure?.stderr}`;
      expect(output).toMatch(/ERROR domain is example\.com, the placeholder of cdk\.json/);
      expect(output).toMatch(/ERROR no alarmEmail or alarmTopicArn/);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('deadlineCron', () => {
  it.each([
    ['0 6 * * ? *', 60, '0 7 * * ? *'],
    ['30 6 ? * MON-FRI *', 60, '30 7 ? * MON-FRI *'],
    ['45 6 ? * MON-FRI *', 30, '15 7 ? * MON-FRI *'],
    ['30 22 * * ? *', 120, '30 0 * * ? *'],
    ['0 6 ? * * *', 1380, '0 5 ? * * *'],
  ])('moves %s on by %d minutes: %s', (cron, minutes, expected) => {
    expect(deadlineCron(cron, minutes)).toBe(expected);
  });

  it('cannot move a schedule past midnight unless it runs every day', () => {
    expect(() => deadlineCron('30 23 ? * MON-FRI *', 60)).toThrow(/is the next day/);
    expect(() => deadlineCron('30 23 1 * ? *', 60)).toThrow(/is the next day/);
  });
});
