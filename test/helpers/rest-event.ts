import type { APIGatewayProxyEvent } from 'aws-lambda';

const host = 'abc123.execute-api.eu-west-2.amazonaws.com';
const stage = 'prod';

type Values = Readonly<Record<string, string | readonly string[]>>;

export interface RestRequest {
  readonly method: string;
  /** The path as the function sees it, without the stage (API Gateway keeps the stage in requestContext.path). */
  readonly path: string;
  /** Headers besides Host; a repeated header as its values in order. */
  readonly headers?: Values;
  /** Query parameters; a repeated one as its values in order. @default none */
  readonly query?: Values;
  /** @default null */
  readonly body?: string | null;
  /** @default false */
  readonly isBase64Encoded?: boolean;
  /** @default 'test' */
  readonly userAgent?: string;
}

const multiValues = (values: Values): Record<string, string[]> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, typeof value === 'string' ? [value] : [...value]]));

// API Gateway's single-value maps hold the last of a repeated header or parameter.
const lastValues = (values: Record<string, string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.at(-1)!]));

/** A REST API Lambda proxy event (payload 1.0) as API Gateway documents it, from stage `prod` of API abc123. */
export const restApiEvent = (request: RestRequest): APIGatewayProxyEvent => {
  const headers = multiValues({ Host: host, ...request.headers });
  const query = request.query && multiValues(request.query);
  return {
    resource: request.path,
    path: request.path,
    httpMethod: request.method,
    headers: lastValues(headers),
    multiValueHeaders: headers,
    queryStringParameters: query ? lastValues(query) : null,
    multiValueQueryStringParameters: query ?? null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: undefined,
      domainName: host,
      domainPrefix: 'abc123',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '198.51.100.7',
        user: null,
        userAgent: request.userAgent ?? 'test',
        userArn: null,
      },
      path: `/${stage}${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: '24/Nov/2026:06:00:00 +0000',
      requestTimeEpoch: 1764000000000,
      resourceId: 'r1',
      resourcePath: request.path,
      stage,
    },
    body: request.body ?? null,
    isBase64Encoded: request.isBase64Encoded ?? false,
  };
};
