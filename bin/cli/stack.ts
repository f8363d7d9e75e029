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

/** The stack cannot be used: no credentials or region, no such stack, or an output missing. */
export class StackError extends BriefingError {
  override name = 'StackError';
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

/**
 * What stops an AWS call before it reaches AWS, as one line: no credentials in the default chain, or
 * no region. Anything else is returned as it is.
 */
export const explainAwsAccess = (error: unknown): unknown => {
  if ((error as Error).name === 'CredentialsProviderError') {
    return new StackError(
      'no AWS credentials: --stack signs in with the default AWS chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws, SSO); sign in (aws configure, aws sso login) or leave out --stack to use the local store',
      { cause: error },
    );
  }
  // An empty AWS_REGION reaches the SDK as the region "".
  const refused = /^Region not accepted: region="(.*)"/.exec((error as Error).message)?.[1];
  if ((error as Error).message === 'Region is missing' || refused === '') return new StackError('no AWS region: pass --region or set AWS_REGION', { cause: error });
  if (refused !== undefined) return new StackError(`"${refused}" is not an AWS region: pass --region (e.g. eu-west-2) or set AWS_REGION`, { cause: error });
  return error;
};

/** A deployed stack's outputs by key (lib/outputs.ts names them). */
export type StackOutputs = ReadonlyMap<string, string>;

export const readStackOutputs = async (client: CloudFormationClient, stack: string): Promise<StackOutputs> => {
  let described;
  try {
    described = await client.send(new DescribeStacksCommand({ StackName: stack }));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') {
      throw new StackError(`no stack named "${stack}" in region ${await client.config.region()}: deploy it (docs/deploy.md) or pass --region`);
    }
    throw explainAwsAccess(error);
  }
  const outputs = described.Stacks?.[0]?.Outputs ?? [];
  return new Map(outputs.flatMap((output) => (output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue] as const] : [])));
};

/** One output's value; a stack without it is not a Briefing stack, or one deployed by an older version. */
export const requireOutput = (outputs: StackOutputs, key: string, stack: string): string => {
  const value = outputs.get(key);
  if (!value) {
    throw new StackError(`stack "${stack}" has no ${key} output: is it a Briefing stack, deployed with this version (npx cdk deploy), and did its deploy finish?`);
  }
  return value;
};

/**
 * `briefing send --stack NAME`: finds the stack's compose function and runs it once, waiting for its
 * summary. The request is checked here with the function's own schema, so a bad one costs no AWS call.
 */
export const sendViaStack = async (options: StackSendOptions): Promise<StackSendResult> => {
  const event = parseComposeRequest(
    Object.fromEntries(
      Object.entries({ date: options.date, articleIds: options.articleIds, to: options.to, topics: options.topics, dryRun: options.dryRun, resume: options.resume, retryUncertain: options.retryUncertain }).filter(([, value]) => value !== undefined),
    ),
  );
  const clients = options.clients ?? stackClients(options.region);
  const functionName = requireOutput(await readStackOutputs(clients.cloudFormation, options.stack), stackOutputs.composeFunctionName, options.stack);
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
