import { resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { templatesDirVariable } from '../lambdas/config/environment.ts';
import { serviceName } from '../lambdas/metrics.ts';
import { bundleSettings } from './bundling.ts';

export const projectRoot = resolve(import.meta.dirname, '..');

/** Where a bundle that renders templates finds them: `templates/` copied next to `index.mjs`. */
export const bundledTemplatesDir = '/var/task/templates';

export interface BriefingFunctionProps {
  /** The handler file, relative to the project root, e.g. `lambdas/handlers/deliver.ts`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Added to the shared environment (Powertools settings, source maps). @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** More memory also means more CPU, which MJML rendering and cold starts need. @default 512 */
  readonly memorySize?: number;
  /** Copy `templates/` into the bundle and point `BRIEFING_TEMPLATES_DIR` at it. @default false */
  readonly templates?: boolean;
  /** How many of it may run at once, set aside from the account's concurrency. @default - no reservation, no limit */
  readonly reservedConcurrentExecutions?: number;
}

/** The one place that holds the defaults every Briefing Lambda shares. */
export class BriefingFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: BriefingFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole (logs:* on every log group): this one
    // writes to its function's log group only.
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: resolve(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: resolve(projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.templates ? { [templatesDirVariable]: bundledTemplatesDir } : {}),
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: bundleSettings.target,
        mainFields: [...bundleSettings.mainFields],
        minify: bundleSettings.minify,
        sourceMap: bundleSettings.sourceMap,
        sourcesContent: bundleSettings.sourcesContent,
        banner: bundleSettings.banner,
        // Replacing the default externals (`@aws-sdk/*`) bundles the SDK: the version the tests
        // ran, tree-shaken, instead of whatever the runtime ships.
        externalModules: [...bundleSettings.externalModules],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => (props.templates ? [`cp -R "${inputDir}/templates" "${outputDir}/templates"`] : []),
        },
      },
    });
    NagSuppressions.addResourceSuppressions(this, [
      {
        id: 'AwsSolutions-L1',
        reason: 'Node 22 on purpose: the runtime the code is developed, tested and benchmarked on (Node 20/22); moving to a newer runtime goes with moving CI.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: ['Resource::*'],
          reason:
            'Only actions without resource-level permissions have "*": X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) in every function, and ses:GetSendQuota in compose. test/infra asserts that no other SES action, and no DynamoDB or SQS action, has a "*" resource.',
        },
      ],
      true,
    );
  }
}
