import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiThrottle, perClientLimits } from '../../lib/subscription-api.ts';
import { logicalId, productionContext, resource, synthesize } from './synth.ts';

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
});

const handler = () => logicalId(template, 'AWS::Lambda::Function', 'SubscriptionApiHandler');
const restApi = () => ({ Ref: logicalId(template, 'AWS::ApiGateway::RestApi', 'SubscriptionApi') });

describe('subscription API', () => {
  it('serves exactly the subscription routes through the one handler, and POST /articles through the ingest function, as Lambda proxies', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathOf = (id: string | undefined): string => {
      if (!id) return '';
      const { ParentId, PathPart } = resources[id]!.Properties as { ParentId: { Ref?: string }; PathPart: string };
      return `${pathOf(ParentId.Ref)}/${PathPart}`;
    };
    const routes = Object.values(template.findResources('AWS::ApiGateway::Method')).map((method) => {
      const { HttpMethod, ResourceId, Integration } = method.Properties as { HttpMethod: string; ResourceId: { Ref?: string }; Integration: { Type: string; Uri: unknown } };
      expect(Integration.Type).toBe('AWS_PROXY');
      const route = `${HttpMethod} ${pathOf(ResourceId.Ref) || '/'}`;
      expect(JSON.stringify(Integration.Uri), route).toContain(route === 'POST /articles' ? logicalId(template, 'AWS::Lambda::Function', 'IngestionIngestApi') : handler());
      return route;
    });

    expect(routes.sort()).toEqual(
      [
        'GET /',
        'POST /subscribe',
        'GET /confirm',
        'POST /confirm',
        'GET /unsubscribe',
        'POST /unsubscribe',
        'GET /preferences',
        'POST /preferences',
        'POST /preferences/data',
        'POST /preferences/delete',
        'GET /archive/{editionId}',
        'POST /articles',
      ].sort(),
    );
  });

  it('runs the payload 1.0 entry, which adapts the REST event for the pages', () => {
    expect(resource(template, 'AWS::Lambda::Function', 'SubscriptionApiHandler').Properties).toMatchObject({ Handler: 'index.handler' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['multipart/form-data'], EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('throttles the stage for the send rate and keeps JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      RestApiId: restApi(),
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', 'AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId","ip":"\\$context.identity.sourceIp".*"status":"\\$context.status"'),
      },
    });
    const format = (resource(template, 'AWS::ApiGateway::Stage', 'SubscriptionApi').Properties as { AccessLogSetting: { Format: string } }).AccessLogSetting.Format;
    expect(() => JSON.parse(format)).not.toThrow();
  });

  it.each([
    [1, 50, 100],
    [14, 50, 100],
    [200, 200, 400],
    [1000, 1000, 2000],
  ])('sizes the stage throttle for a %d/s send: %d/s steady, %d burst (the one-click and link-scanner wave after a send)', (rate, rateLimit, burstLimit) => {
    expect(apiThrottle(rate)).toEqual({ rateLimit, burstLimit });
  });

  it('throttles a 1,000/s account at 1,000 requests a second', () => {
    synthesize({ context: { ...productionContext, maxSendRate: '1000' } }).template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 })],
    });
  });
});

describe('per-client rate limit (AWS WAF)', () => {
  it('puts a regional web ACL on the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-2::/restapis/', restApi(), '/stages/', { Ref: logicalId(template, 'AWS::ApiGateway::Stage', 'SubscriptionApi') }]],
      },
      WebACLArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::WAFv2::WebACL', 'WebAcl'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
  });

  it('answers 429 to one address posting more than 20 sign-ups in 5 minutes', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        {
          Name: 'SignupsPerClient',
          Priority: 0,
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true, MetricName: 'SignupsPerClient' }),
          Statement: {
            RateBasedStatement: {
              Limit: perClientLimits.signups.limit,
              EvaluationWindowSec: 300,
              AggregateKeyType: 'IP',
              ScopeDownStatement: {
                AndStatement: {
                  Statements: [
                    Match.objectLike({ ByteMatchStatement: Match.objectLike({ FieldToMatch: { Method: {} }, SearchString: 'POST', PositionalConstraint: 'EXACTLY' }) }),
                    Match.objectLike({ ByteMatchStatement: Match.objectLike({ FieldToMatch: { UriPath: {} }, SearchString: '/subscribe', PositionalConstraint: 'ENDS_WITH' }) }),
                  ],
                },
              },
            },
          },
        },
      ]),
    });
  });

  it('answers 429 to one address sending more than 1,000 requests in 5 minutes, and never limits unsubscribing', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RequestsPerClient',
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
          Statement: {
            RateBasedStatement: {
              Limit: perClientLimits.requests.limit,
              EvaluationWindowSec: 300,
              AggregateKeyType: 'IP',
              ScopeDownStatement: {
                NotStatement: { Statement: { ByteMatchStatement: Match.objectLike({ FieldToMatch: { UriPath: {} }, SearchString: '/unsubscribe', PositionalConstraint: 'CONTAINS' }) } },
              },
            },
          },
        }),
      ]),
    });
  });
});

describe('custom domain', () => {
  const custom = {
    ...productionContext,
    apiDomain: 'briefing.news.example.org',
    certificateArn: 'arn:aws:acm:eu-west-2:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  };

  it('serves the pages on apiDomain with its certificate (TLS 1.2), links to it, and aliases it in the hosted zone', () => {
    const { template: withDomain } = synthesize({ context: custom });

    withDomain.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: custom.apiDomain,
      RegionalCertificateArn: custom.certificateArn,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    withDomain.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { DomainName: { Ref: logicalId(withDomain, 'AWS::ApiGateway::DomainName', 'SubscriptionApiDomain') } });
    withDomain.hasResourceProperties('AWS::Route53::RecordSet', { Name: `${custom.apiDomain}.`, Type: 'A', HostedZoneId: productionContext.hostedZoneId });
    for (const fn of Object.values(withDomain.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.BRIEFING_SITE_URL).toBe(`https://${custom.apiDomain}`);
    }
    withDomain.hasOutput('ApiDomainTarget', { Value: { 'Fn::GetAtt': [logicalId(withDomain, 'AWS::ApiGateway::DomainName', 'SubscriptionApiDomain'), 'RegionalDomainName'] } });
  });

  it('leaves DNS for the domain to you without a hosted zone', () => {
    const { hostedZoneId: _, ...withoutZone } = custom;
    synthesize({ context: withoutZone }).template.resourcePropertiesCountIs('AWS::Route53::RecordSet', { Type: 'A' }, 0);
  });

  it('has no domain, and no domain output, by default', () => {
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    expect(template.findOutputs('ApiDomainTarget')).toEqual({});
  });
});
