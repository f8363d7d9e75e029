import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  DomainName,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  type IResource,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { configEnvironmentNames } from '../lambdas/config/config.ts';
import { BriefingFunction } from './briefing-function.ts';
import type { Storage } from './storage.ts';
import type { TokenSecret } from './token-secret.ts';

type Method = 'GET' | 'POST';

/**
 * The stage in the execute-api URL. A plain name, not the stage's attribute: the function's site URL
 * names it, and a reference would make the function depend on the deployment, which depends on it.
 */
const stageName = 'prod';

/** The subscription routes; a GET only ever shows a page, the state changes are POSTs. */
export const subscriptionRoutes: readonly { readonly path: string; readonly methods: readonly Method[] }[] = [
  { path: '/', methods: ['GET'] },
  { path: '/subscribe', methods: ['POST'] },
  { path: '/confirm', methods: ['GET', 'POST'] },
  { path: '/unsubscribe', methods: ['GET', 'POST'] },
  { path: '/preferences', methods: ['GET', 'POST'] },
  { path: '/preferences/data', methods: ['POST'] },
  { path: '/preferences/delete', methods: ['POST'] },
  { path: '/archive/{editionId}', methods: ['GET'] },
];

/**
 * Requests per second across all routes, steady and in a burst, for an SES send rate. After a send,
 * link scanners (Microsoft Safe Links, Mimecast, Proofpoint) fetch a mail's unsubscribe and archive
 * links as it arrives, and mailbox providers POST one-click unsubscribes: at most ~2 requests for
 * each scanned mail, and scanners sit in front of well under half of the mailboxes, so the API sees
 * at most about the send rate. The stage allows the send rate (50/s at least) with a burst of twice
 * that; far above what readers need, far below what would run up a bill.
 */
export const apiThrottle = (maxSendRate: number) => {
  const rateLimit = Math.max(50, Math.ceil(maxSendRate));
  return { rateLimit, burstLimit: 2 * rateLimit } as const;
};

/**
 * Per-client limits (AWS WAF rate-based rules, per source IP, counted over 5 minutes). Unsubscribing
 * is never limited: one-click POSTs come from a few mailbox-provider addresses (Gmail's, Yahoo's) in
 * bulk after a send, and must always succeed.
 */
export const perClientLimits = {
  /** Sign-ups from one address: each sends a confirmation email, so a bot must not use the form to mail bomb someone. */
  signups: { limit: 20, windowSeconds: 300 },
  /** Every other request from one address (pages, confirmations, the archive, the articles webhook). */
  requests: { limit: 1000, windowSeconds: 300 },
} as const;

/** Why a route needs no API Gateway authoriser and no Cognito user pool: what its function checks itself. */
export interface RouteAuthorisation {
  readonly noAuthoriser: string;
  readonly noUserPool: string;
}

const pageTokens: RouteAuthorisation = {
  noAuthoriser: 'Public pages for anyone to sign up; state changes are authorised by the signed, expiring token in the request, not by a caller identity.',
  noUserPool: 'Readers have no accounts: the signed, expiring token in each confirm and unsubscribe link is the authorisation, not a Cognito user pool.',
};

export interface SubscriptionApiProps {
  readonly storage: Storage;
  readonly tokenSecret: TokenSecret;
  /** The newsletter settings every function gets (the site URL is added here). */
  readonly environment: Readonly<Record<string, string>>;
  /** The SES account's send rate, which sizes the stage throttle. */
  readonly maxSendRate: number;
  /** Where readers reach these pages, when something else fronts the API. @default - the custom domain's URL, else the API's own */
  readonly siteUrl?: string;
  /** A custom domain for the pages, with its ACM certificate (in the stack's region). @default - the execute-api URL */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** The public hosted zone an alias record for the custom domain goes in, when the domain is in it. @default - none: add the record by hand */
  readonly zone?: IHostedZone;
}

/**
 * The signup, confirm, unsubscribe and archive pages: an API Gateway REST API in front of one
 * function, behind an AWS WAF web ACL with per-client rate limits. (A REST API and not an HTTP API:
 * WAF cannot be attached to an HTTP API; the function reads payload 2.0 through a small adapter.)
 */
export class SubscriptionApi extends Construct {
  readonly api: RestApi;
  readonly handler: BriefingFunction;
  readonly webAcl: CfnWebACL;
  readonly domain?: DomainName;
  /** The base URL of every link in the emails and pages. */
  readonly siteUrl: string;

  constructor(scope: Construct, id: string, props: SubscriptionApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const throttle = apiThrottle(props.maxSendRate);
    this.api = new RestApi(this, 'Api', {
      description: 'Briefing: subscription pages and one-click unsubscribe',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // The account-wide API Gateway logging role is the account's business, not this stack's.
      cloudWatchRole: false,
      // A multipart sign-up form arrives base64-encoded, byte for byte.
      binaryMediaTypes: ['multipart/form-data'],
      deployOptions: {
        stageName,
        // API Gateway answers 429 beyond these, before the function (or a bot) spends anything.
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
      },
    });

    if (props.customDomain) {
      this.domain = new DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
        mapping: this.api,
      });
      const zoneName = props.zone?.zoneName;
      if (props.zone && zoneName && (props.customDomain.domainName === zoneName || props.customDomain.domainName.endsWith(`.${zoneName}`))) {
        new ARecord(this, 'DomainRecord', { zone: props.zone, recordName: props.customDomain.domainName, target: RecordTarget.fromAlias(new ApiGatewayDomain(this.domain)) });
      }
    }
    this.siteUrl =
      props.siteUrl ??
      (props.customDomain ? `https://${props.customDomain.domainName}` : `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`);

    this.handler = new BriefingFunction(this, 'Handler', {
      entry: 'lambdas/handlers/subscription-rest-api.ts',
      description: 'Briefing: signup page, double opt-in, one-click unsubscribe, web archive',
      templates: true,
      memorySize: 1024,
      timeout: Duration.seconds(15),
      environment: { ...props.environment, [configEnvironmentNames.siteUrl]: this.siteUrl },
    });
    // delete: a reader's "Delete my data" (DeleteItem of their record, conditional on its id), and a confirmation clearing the erased list.
    props.storage.grant(this.handler, 'subscribers', 'read', 'write', 'delete');
    props.storage.grant(this.handler, 'editions', 'read');
    // An unsubscribe adds 1 to the latest edition's `unsubscribes` (its report's figure): UpdateItem alone, never PutItem.
    props.storage.tables.editions.grant(this.handler, 'dynamodb:UpdateItem');
    props.tokenSecret.grantRead(this.handler);

    for (const route of subscriptionRoutes) this.addRoute(route.path, route.methods, this.handler);
    this.webAcl = this.perClientRateLimits();
    NagSuppressions.addResourceSuppressions(this.api, [
      { id: 'AwsSolutions-APIG2', reason: 'The function validates every request itself (fields, sizes, content types, tokens) and answers with a page the reader can act on; a request validator would answer JSON errors instead.' },
      { id: 'AwsSolutions-APIG6', reason: 'Execution logging needs the account-wide API Gateway CloudWatch role, which this stack leaves to the account; every request is in the JSON access log and the function logs its own errors.' },
    ], true);
  }

  /**
   * Serves `path` (e.g. `/archive/{id}`) with these methods through `handler`, which reads payload 1.0
   * (see `lambdas/subscription/rest-payload.ts`). API Gateway authorises nobody here: `authorisation`
   * says what the handler itself checks instead. @default the pages' signed, expiring tokens
   */
  addRoute(path: string, methods: readonly string[], handler: IFunction, authorisation: RouteAuthorisation = pageTokens): void {
    const resource = path
      .split('/')
      .filter(Boolean)
      .reduce<IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), this.api.root);
    // No test-invoke permission: one Lambda permission per method instead of two.
    const integration = new LambdaIntegration(handler, { allowTestInvoke: false });
    for (const method of methods) {
      const created = resource.addMethod(method, integration);
      NagSuppressions.addResourceSuppressions(created, [
        { id: 'AwsSolutions-APIG4', reason: authorisation.noAuthoriser },
        { id: 'AwsSolutions-COG4', reason: authorisation.noUserPool },
      ]);
    }
  }

  /** The web ACL on the stage: two rate-based rules per source IP, answering 429 like the stage throttle. */
  private perClientRateLimits(): CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const tooMany = { block: { customResponse: { responseCode: 429 } } };
    const uriPath = (searchString: string, positionalConstraint: 'ENDS_WITH' | 'CONTAINS') => ({
      byteMatchStatement: { fieldToMatch: { uriPath: {} }, searchString, positionalConstraint, textTransformations: [{ priority: 0, type: 'LOWERCASE' }] },
    });
    const webAcl = new CfnWebACL(this, 'WebAcl', {
      description: 'Briefing: per-client rate limits on the subscription pages',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('BriefingSubscriptionApi'),
      rules: [
        {
          name: 'SignupsPerClient',
          priority: 0,
          action: tooMany,
          visibilityConfig: visibility('SignupsPerClient'),
          statement: {
            rateBasedStatement: {
              limit: perClientLimits.signups.limit,
              evaluationWindowSec: perClientLimits.signups.windowSeconds,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    { byteMatchStatement: { fieldToMatch: { method: {} }, searchString: 'POST', positionalConstraint: 'EXACTLY', textTransformations: [{ priority: 0, type: 'NONE' }] } },
                    uriPath('/subscribe', 'ENDS_WITH'),
                  ],
                },
              },
            },
          },
        },
        {
          name: 'RequestsPerClient',
          priority: 1,
          action: tooMany,
          visibilityConfig: visibility('RequestsPerClient'),
          statement: {
            rateBasedStatement: {
              limit: perClientLimits.requests.limit,
              evaluationWindowSec: perClientLimits.requests.windowSeconds,
              aggregateKeyType: 'IP',
              scopeDownStatement: { notStatement: { statement: uriPath('/unsubscribe', 'CONTAINS') } },
            },
          },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: webAcl.attrArn });
    return webAcl;
  }
}
