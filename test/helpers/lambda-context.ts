import type { Context } from 'aws-lambda';

/** The context Lambda hands every invocation, as its Node.js runtime builds it. */
export const lambdaContext = (functionName = 'briefing-test', awsRequestId = 'c6af9ac6-7b61-11e6-9a41-93e812345678'): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/11/24/[$LATEST]0123456789abcdef0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
