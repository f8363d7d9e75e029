import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The subscription pages sit behind an API Gateway REST API (payload 1.0) because AWS WAF attaches
 * to REST APIs and not to HTTP APIs; the routes read the HTTP API's payload 2.0, which the local
 * server builds too. These two functions translate at the edge, as API Gateway itself would for 2.0:
 * header names lower-cased, repeated headers and query values kept, cookies in their own list.
 */
export const fromRestEvent = (event: APIGatewayProxyEvent): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values?.length) headers[name.toLowerCase()] = values.join(',');
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && headers[name.toLowerCase()] === undefined) headers[name.toLowerCase()] = value;
  }
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;

  const query = new URLSearchParams();
  const multiValueQuery = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multiValueQuery)) for (const value of values ?? []) query.append(name, value);
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined && !(name in multiValueQuery)) query.append(name, value);

  const context = event.requestContext;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: event.path,
    rawQueryString: query.toString(),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName ?? headers.host ?? '',
      domainPrefix: context.domainPrefix ?? '',
      http: { method: event.httpMethod, path: event.path, protocol: context.protocol, sourceIp: context.identity.sourceIp, userAgent: context.identity.userAgent ?? '' },
      requestId: context.requestId,
      routeKey: '$default',
      stage: context.stage,
      time: context.requestTime ?? new Date(context.requestTimeEpoch).toISOString(),
      timeEpoch: context.requestTimeEpoch,
    },
    ...(event.body === null ? {} : { body: event.body }),
    isBase64Encoded: event.isBase64Encoded,
  };
};

/** The routes' 2.0 answer as the REST API (1.0) takes it. */
export const toRestResult = (result: APIGatewayProxyStructuredResultV2): APIGatewayProxyResult => ({
  statusCode: result.statusCode ?? 200,
  headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
  ...(result.cookies?.length ? { multiValueHeaders: { 'set-cookie': result.cookies } } : {}),
  body: result.body ?? '',
  isBase64Encoded: result.isBase64Encoded ?? false,
});
