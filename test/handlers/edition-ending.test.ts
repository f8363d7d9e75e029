import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countPublisher, sendRateBudget } from '../../lambdas/handlers/edition-ending.ts';
import { editionsSentMetric, editionsStoppedMetric, metricsNamespace, serviceName, stopReasonDimension } from '../../lambdas/metrics.ts';
import { capturePowertoolsOutput } from '../helpers/powertools-output.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('countPublisher (the metrics port of the edition ending in a Lambda)', () => {
  it('publishes EditionsStopped at once with exactly the service and reason dimensions, and leaves the invocation\'s other metrics alone', () => {
    // countPublisher logs nothing: every line is a metric document.
    const documents = capturePowertoolsOutput();
    const metrics = new Metrics({ namespace: metricsNamespace, serviceName });
    metrics.addMetric('Sent', MetricUnit.Count, 3);

    countPublisher(metrics)(editionsStoppedMetric, { [stopReasonDimension]: 'DailyQuotaExceeded' });
    countPublisher(metrics)(editionsSentMetric);

    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Briefing', Dimensions: [['service', 'reason']], Metrics: [{ Name: 'EditionsStopped', Unit: 'Count' }] }] },
      service: 'briefing',
      reason: 'DailyQuotaExceeded',
      EditionsStopped: 1,
    });
    expect(documents[1]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['service']], Metrics: [{ Name: 'EditionsSent' }] }] }, EditionsSent: 1 });
    expect(documents[1]).not.toHaveProperty('reason');
    // The invocation's own metrics are still waiting for the end of the invocation, without a reason.
    metrics.publishStoredMetrics();
    expect(documents[2]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['service']] }] }, Sent: 3 });
  });
});

describe('sendRateBudget', () => {
  it('reads the account send rate the stack sets, and refuses a missing or meaningless one by name', () => {
    expect(sendRateBudget({ BRIEFING_SEND_RATE_BUDGET: '14' })).toBe(14);
    expect(() => sendRateBudget({})).toThrow('environment variable BRIEFING_SEND_RATE_BUDGET must be the SES send rate, a number above 0 (got null)');
    expect(() => sendRateBudget({ BRIEFING_SEND_RATE_BUDGET: 'fast' })).toThrow('(got "fast")');
    expect(() => sendRateBudget({ BRIEFING_SEND_RATE_BUDGET: '0' })).toThrow('(got "0")');
  });
});
