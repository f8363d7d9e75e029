import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { productionContext, synthesize } from './synth.ts';

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
    ({ stack } = synthesize({ nag: true }));
  });

  it('finds no unsuppressed error', () => {
    expect(findings(stack, 'findError')).toEqual([]);
  });

  it('finds no unsuppressed warning', () => {
    expect(findings(stack, 'findWarning')).toEqual([]);
  });

  it('finds none either without the hosted zone and the alarm email', () => {
    const { hostedZoneId: _zone, alarmEmail: _email, ...minimal } = productionContext;
    const bare = synthesize({ context: minimal, nag: true }).stack;
    expect([...findings(bare, 'findError'), ...findings(bare, 'findWarning')]).toEqual([]);
  });

  it('gives every suppression a reason of its own', () => {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }>;
    const suppressions = Object.values(resources).flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const suppression of suppressions) expect(suppression.reason.length, suppression.id).toBeGreaterThan(40);
  });
});
