import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { sendViaStack, StackSendError, stackClients } from '../../bin/cli/stack.ts';
import { ComposeError } from '../../lambdas/sending/compose-request.ts';

// No emulator exists for CloudFormation outputs or Lambda invoke: real SDK clients whose `send`
// answers as AWS documents, recording each command so its class and input can be checked.
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

interface Answers {
  readonly describe: () => unknown;
  readonly invoke?: () => unknown;
}

const fakeAws = (answers: Answers) => {
  const sent: unknown[] = [];
  const cloudFormation = new CloudFormationClient({ region: 'eu-west-2', credentials });
  const lambda = new LambdaClient({ region: 'eu-west-2', credentials });
  const record = (answer: () => unknown) => async (command: unknown) => {
    sent.push(command);
    return answer();
  };
  Object.assign(cloudFormation, { send: record(answers.describe) });
  Object.assign(lambda, { send: record(answers.invoke ?? (() => ({ StatusCode: 200 }))) });
  return { sent, clients: { cloudFormation, lambda } };
};

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const stackWithOutputs = (outputs: { OutputKey: string; OutputValue: string }[]) => () => ({
  Stacks: [{ StackName: 'Briefing', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs }],
});

const deployed = stackWithOutputs([
  { OutputKey: 'ApiUrl', OutputValue: 'https://abc123.execute-api.eu-west-2.amazonaws.com' },
  { OutputKey: 'ComposeFunctionName', OutputValue: 'Briefing-SendingCompose0239E86F-AbCdEf' },
]);

describe('briefing send --stack', () => {
  it("finds the compose function in the stack's outputs and invokes it synchronously with the send options", async () => {
    const summary = { editionId: '2026-11-24', status: 'sending', recipients: 1204 };
    const aws = fakeAws({ describe: deployed, invoke: () => ({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: json(summary) }) });

    const result = await sendViaStack({ stack: 'Briefing', date: '2026-11-24', articleIds: ['comet', 'rates'], clients: aws.clients });

    expect(result).toEqual({ functionName: 'Briefing-SendingCompose0239E86F-AbCdEf', result: summary });
    expect(aws.sent).toHaveLength(2);
    const [describe, invoke] = aws.sent as [DescribeStacksCommand, InvokeCommand];
    expect(describe).toBeInstanceOf(DescribeStacksCommand);
    expect(describe.input).toEqual({ StackName: 'Briefing' });
    expect(invoke).toBeInstanceOf(InvokeCommand);
    expect(invoke.input).toEqual({
      FunctionName: 'Briefing-SendingCompose0239E86F-AbCdEf',
      InvocationType: 'RequestResponse',
      Payload: expect.any(Uint8Array),
    });
    expect(JSON.parse(new TextDecoder().decode(invoke.input.Payload as Uint8Array))).toEqual({ date: '2026-11-24', articleIds: ['comet', 'rates'] });
  });

  it('passes a test send (--to, with --topics) and a dry run as the compose event, and nothing that was not asked for', async () => {
    const aws = fakeAws({ describe: deployed, invoke: () => ({ StatusCode: 200, Payload: json({ status: 'test-sent' }) }) });

    await sendViaStack({ stack: 'Briefing', to: 'editor@example.org', clients: aws.clients });
    await sendViaStack({ stack: 'Briefing', date: '2026-11-24', dryRun: true, clients: aws.clients });
    await sendViaStack({ stack: 'Briefing', to: 'editor@example.org', topics: ['science', 'health'], clients: aws.clients });

    const [, testSend, , dryRun, , topicsSend] = aws.sent as InvokeCommand[];
    expect(JSON.parse(new TextDecoder().decode(testSend!.input.Payload as Uint8Array))).toEqual({ to: 'editor@example.org' });
    expect(JSON.parse(new TextDecoder().decode(dryRun!.input.Payload as Uint8Array))).toEqual({ date: '2026-11-24', dryRun: true });
    expect(JSON.parse(new TextDecoder().decode(topicsSend!.input.Payload as Uint8Array))).toEqual({ to: 'editor@example.org', topics: ['science', 'health'] });
  });

  it('passes a resume that sends the uncertain deliveries again (--resume --retry-uncertain) on to compose', async () => {
    const aws = fakeAws({ describe: deployed, invoke: () => ({ StatusCode: 200, Payload: json({ kind: 'sending' }) }) });

    await sendViaStack({ stack: 'Briefing', date: '2026-11-24', resume: true, retryUncertain: true, clients: aws.clients });

    const [, invoke] = aws.sent as InvokeCommand[];
    expect(JSON.parse(new TextDecoder().decode(invoke!.input.Payload as Uint8Array))).toEqual({ date: '2026-11-24', resume: true, retryUncertain: true });
  });

  it('refuses a request the compose function would refuse (its own schema), before any AWS call', async () => {
    const aws = fakeAws({ describe: deployed });

    await expect(sendViaStack({ stack: 'Briefing', to: 'editor@example.org', dryRun: true, clients: aws.clients })).rejects.toThrow(
      new ComposeError('--to sends one test copy: it cannot be combined with --dry-run or --resume'),
    );
    expect(aws.sent).toEqual([]);
  });

  it("reports compose's own error, as Lambda returns it, instead of a summary", async () => {
    const aws = fakeAws({
      describe: deployed,
      invoke: () => ({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: json({ errorType: 'UnknownArticleError', errorMessage: 'unknown article id "nope"', trace: ['UnknownArticleError: …'] }),
      }),
    });

    await expect(sendViaStack({ stack: 'Briefing', articleIds: ['nope'], clients: aws.clients })).rejects.toThrow(
      new StackSendError('compose (Briefing-SendingCompose0239E86F-AbCdEf) failed: UnknownArticleError: unknown article id "nope"'),
    );
  });

  it('says so when the stack does not exist in the region, and invokes nothing', async () => {
    const aws = fakeAws({
      describe: () => {
        throw new CloudFormationServiceException({
          name: 'ValidationError',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Stack with id Nope does not exist',
        });
      },
    });

    await expect(sendViaStack({ stack: 'Nope', clients: aws.clients })).rejects.toThrow(/no stack named "Nope" in region eu-west-2.*--region/);
    expect(aws.sent).toHaveLength(1);
  });

  it('says so when the stack has no compose output (not a Briefing stack, or still deploying)', async () => {
    const aws = fakeAws({ describe: stackWithOutputs([]) });

    await expect(sendViaStack({ stack: 'Other', clients: aws.clients })).rejects.toThrow(/stack "Other" has no ComposeFunctionName output/);
    expect(aws.sent).toHaveLength(1);
  });

  it('uses the given region, and never retries an invoke (a retried test send would arrive twice)', async () => {
    const clients = stackClients('ap-southeast-2');

    expect(await clients.cloudFormation.config.region()).toBe('ap-southeast-2');
    expect(await clients.lambda.config.region()).toBe('ap-southeast-2');
    expect(await clients.lambda.config.maxAttempts()).toBe(1);
  });
});
