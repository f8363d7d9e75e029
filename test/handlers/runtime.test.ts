import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaHandler, metrics } from '../../lambdas/handlers/runtime.ts';
import { ComposeError } from '../../lambdas/sending/compose-request.ts';
import { lambdaContext } from '../helpers/lambda-context.ts';
import { capturePowertoolsOutput, isMetricDocument } from '../helpers/powertools-output.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('lambdaHandler', () => {
  it('logs an expected failure as a warning and anything else as an error, with the request id, and still throws both', async () => {
    const lines = capturePowertoolsOutput();
    const handler = lambdaHandler(async (event: { readonly expected: boolean }) => {
      throw event.expected ? new ComposeError('date: must be a calendar date, YYYY-MM-DD') : new TypeError("Cannot read properties of undefined (reading 'html')");
    });

    await expect(handler({ expected: true }, lambdaContext('compose', 'request-1'))).rejects.toThrow(ComposeError);
    await expect(handler({ expected: false }, lambdaContext('compose', 'request-2'))).rejects.toThrow(TypeError);

    expect(lines).toMatchObject([
      { level: 'WARN', message: 'date: must be a calendar date, YYYY-MM-DD', function_request_id: 'request-1', function_name: 'compose', error: { name: 'ComposeError' } },
      { level: 'ERROR', message: 'invocation failed', function_request_id: 'request-2', error: { name: 'TypeError', message: "Cannot read properties of undefined (reading 'html')" } },
    ]);
  });

  it('publishes the metrics added during an invocation after it, also when it fails', async () => {
    const lines = capturePowertoolsOutput();
    const handler = lambdaHandler(
      async (event: { readonly fail: boolean }) => {
        metrics.addMetric('Sent', MetricUnit.Count, 1);
        if (event.fail) throw new Error('SES did not answer');
        return 'done';
      },
      { publishMetrics: true },
    );

    expect(await handler({ fail: false }, lambdaContext())).toBe('done');
    await expect(handler({ fail: true }, lambdaContext())).rejects.toThrow('SES did not answer');

    const published = lines.filter(isMetricDocument);
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Briefing', Metrics: [{ Name: 'Sent', Unit: 'Count' }] }] }, service: 'briefing', Sent: 1 });
  });

  it('publishes nothing for a function that publishes no metrics', async () => {
    const lines = capturePowertoolsOutput();
    metrics.addMetric('Sent', MetricUnit.Count, 1);

    await lambdaHandler(async () => 'done')({}, lambdaContext());

    expect(lines.filter(isMetricDocument)).toEqual([]);
    metrics.clearMetrics();
  });
});
