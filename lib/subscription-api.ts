import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { configEnvironmentNames } from '../lambdas/config/config.ts';
import { BriefingFunction } from './briefing-function.ts';
import type { Email } from './email.ts';
import type { Storage } from './storage.ts';
import type { TokenSecret } from './token-secret.ts';

/** The subscription routes; a GET only ever shows a page, the state changes are POSTs. */
export const subscriptionRoutes: readonly { readonly path: string; readonly methods: readonly HttpMethod[] }[] = [
  { path: '/', methods: [HttpMethod.GET] },
  { path: '/subscribe', methods: [HttpMethod.POST] },
  { path: '/confirm', methods: [HttpMethod.GET, HttpMethod.POST] },
  { path: '/unsubscribe', methods: [HttpMethod.GET, HttpMethod.POST] },
  { path: '/archive/{editionId}', methods: [HttpMethod.GET] },
];

export interface SubscriptionApiProps {
  readonly storage: Storage;
  readonly email: Email;
  readonly tokenSecret: TokenSecret;
  /** The newsletter settings every function gets (the site URL is added here). */
  readonly environment: Readonly<Record<string, string>>;
  /** Where readers reach these pages, when a custom domain fronts the API. @default - the API's own URL */
  readonly siteUrl?: string;
}

/**
 * Requests per second across all routes, steady and in a burst: far above what readers and link
 * scanners need after a send, far below what would run up a bill.
 */
export const apiThrottle = { rateLimit: 50, burstLimit: 100 } as const;

/** The signup, confirm, unsubscribe and archive pages: an HTTP API in front of one function. */
export class SubscriptionApi extends Construct {
  readonly api: HttpApi;
  readonly handler: BriefingFunction;
  /** The base URL of every link in the emails and pages. */
  readonly siteUrl: string;

  constructor(scope: Construct, id: string, props: SubscriptionApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'Briefing: subscription pages and one-click unsubscribe',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // API Gateway answers 429 beyond these, before the function (or a bot) spends anything.
      throttle: apiThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    this.siteUrl = props.siteUrl ?? this.api.apiEndpoint;

    this.handler = new BriefingFunction(this, 'Handler', {
      entry: 'lambdas/handlers/subscription-api.ts',
      description: 'Briefing: signup page, double opt-in, one-click unsubscribe, web archive',
      templates: true,
      memorySize: 1024,
      timeout: Duration.seconds(15),
      environment: { ...props.environment, [configEnvironmentNames.siteUrl]: this.siteUrl },
    });
    props.storage.grantReadWrite(this.handler, 'subscribers');
    props.storage.grantRead(this.handler, 'editions');
    props.email.grantSend(this.handler);
    props.tokenSecret.grantRead(this.handler);

    const integration = new HttpLambdaIntegration('Handler', this.handler);
    for (const route of subscriptionRoutes) {
      const created = this.api.addRoutes({ path: route.path, methods: [...route.methods], integration });
      NagSuppressions.addResourceSuppressions(created, [
        {
          id: 'AwsSolutions-APIG4',
          reason: 'Public pages for anyone to sign up; state changes are authorised by the signed, expiring token in the request, not by a caller identity.',
        },
      ]);
    }
  }
}
