import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { feedsContext, productionContext, synthesize } from './synth.ts';

const findings = (stack: Stack, kind: 'findError' | 'findWarning'): string[] =>
  Annotations.fromStack(stack)
    [kind]('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);

interface Suppression {
  id: string;
  reason: string;
}

describe('cdk-nag AwsSolutions', () => {
  let stack: Stack;

  beforeAll(() => {
    // The whole stack: with feeds, so the feed poller and its schedule are checked too.
    ({ stack } = synthesize({ context: feedsContext, nag: true }));
  });

  it('finds no unsuppressed error', () => {
    expect(findings(stack, 'findError')).toEqual([]);
  });

  it('finds no unsuppressed warning', () => {
    expect(findings(stack, 'findWarning')).toEqual([]);
  });

  const { hostedZoneId: _zone, alarmEmail: _email, ...minimal } = productionContext;
  it.each([
    ['without the hosted zone and the alarm email (alarms=none)', { ...minimal, alarms: 'none' }],
    ['with an existing identity in the SES sandbox', { ...productionContext, identity: 'existing', sesSandbox: 'true' }],
    ['with an existing alarm topic and a custom API domain', {
      ...minimal,
      alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:ops-pager',
      hostedZoneId: productionContext.hostedZoneId,
      apiDomain: 'briefing.news.example.org',
      certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    }],
  ])('finds none either %s', (_name, context) => {
    const variant = synthesize({ context, nag: true }).stack;
    expect([...findings(variant, 'findError'), ...findings(variant, 'findWarning')]).toEqual([]);
  });

  it('gives every suppression a reason of its own', () => {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }>;
    const suppressions = Object.values(resources).flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const suppression of suppressions) expect(suppression.reason.length, suppression.id).toBeGreaterThan(40);
  });
});
