import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BriefingError } from '../../lambdas/errors.ts';
import { type ComposeRequest, parseComposeRequest } from '../../lambdas/sending/compose-request.ts';
import { stackOutputs } from '../../lib/outputs.ts';

/** The compose function's event is a compose request: the same choices as a local `briefing send`. */
export interface StackSendOptions extends ComposeRequest {
  /** The CloudFormation stack name (`stackName` in the CDK context, `Briefing` by default). */
  readonly stack: string;
  /** @default the AWS SDK's region resolution (AWS_REGION, the profile) */
  readonly region?: string;
  /** For tests; by default real clients for `region`. */
  readonly clients?: { readonly cloudFormation: CloudFormationClient; readonly lambda: LambdaClient };
}

export interface StackSendResult {
  readonly functionName: string;
  /** What compose returned (its summary of the edition). */
  readonly result: unknown;
}

export class StackSendError extends BriefingError {
  override name = 'StackSendError';
}

/** Real clients for `region`. */
export const stackClients = (region?: string) => ({
  cloudFormation: new CloudFormationClient({ region }),
  // One attempt: a retried invoke of a test send (`--to`) would mail that copy twice.
  lambda: new LambdaClient({ region, maxAttempts: 1 }),
});

const composeFunctionName = async (client: CloudFormationClient, stack: string): Promise<string> => {
  let described;
  try {
    described = await client.send(new DescribeStacksCommand({ StackName: stack }));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') {
      throw new StackSendError(`no stack named "${stack}" in region ${await client.config.region()}: deploy it (docs/deploy.md) or pass --region`);
    }
    throw error;
  }
  const outputs = described.Stacks?.[0]?.Outputs ?? [];
  const name = outputs.find((output) => output.OutputKey === stackOutputs.composeFunctionName)?.OutputValue;
  if (!name) {
    throw new StackSendError(`stack "${stack}" has no ${stackOutputs.composeFunctionName} output: is it a Briefing stack, and did its deploy finish?`);
  }
  return name;
};

/**
 * `briefing send --stack NAME`: finds the stack's compose function and runs it once, waiting for its
 * summary. The request is checked here with the function's own schema, so a bad one costs no AWS call.
 */
export const sendViaStack = async (options: StackSendOptions): Promise<StackSendResult> => {
  const event = parseComposeRequest(
    Object.fromEntries(
      Object.entries({ date: options.date, articleIds: options.articleIds, to: options.to, dryRun: options.dryRun, resume: options.resume }).filter(([, value]) => value !== undefined),
    ),
  );
  const clients = options.clients ?? stackClients(options.region);
  const functionName = await composeFunctionName(clients.cloudFormation, options.stack);
  const response = await clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  const payload: unknown = text ? JSON.parse(text) : undefined;
  if (response.FunctionError) {
    const failure = payload as { errorType?: string; errorMessage?: string } | undefined;
    throw new StackSendError(`compose (${functionName}) failed: ${failure?.errorType ?? response.FunctionError}: ${failure?.errorMessage ?? text}`);
  }
  return { functionName, result: payload };
};
