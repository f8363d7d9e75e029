import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { requestFromEvent } from '../../lambdas/subscription/http.ts';
import { fromRestEvent, toRestResult } from '../../lambdas/subscription/rest-payload.ts';
import { restApiEvent } from '../helpers/rest-event.ts';

/** A one-click unsubscribe through the REST API: repeated headers and query values, a cookie, a mail proxy's user agent. */
const restEvent = (overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  ...restApiEvent({
    method: 'POST',
    path: '/unsubscribe',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: ['text/html', 'application/xhtml+xml'],
      Cookie: 'a=1; b=2',
      'X-Forwarded-For': '198.51.100.7',
    },
    query: { token: 'v1.a+b/c', topic: ['news', 'world'] },
    body: 'List-Unsubscribe=One-Click',
    userAgent: 'Mozilla/5.0 (GoogleImageProxy)',
  }),
  ...overrides,
});

describe('fromRestEvent', () => {
  it('gives the routes the request as the HTTP API (payload 2.0) would: method, path without the stage, every query value, lower-case headers, body', () => {
    const request = requestFromEvent(fromRestEvent(restEvent()));

    expect(request.method).toBe('POST');
    expect(request.path).toBe('/unsubscribe');
    expect(request.query.get('token')).toBe('v1.a+b/c');
    expect(request.query.getAll('topic')).toEqual(['news', 'world']);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers.accept).toBe('text/html,application/xhtml+xml');
    expect(request.body.toString('utf8')).toBe('List-Unsubscribe=One-Click');
  });

  it('moves cookies to their own list and keeps the caller and stage in the request context', () => {
    const event = fromRestEvent(restEvent());

    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext).toMatchObject({ http: { method: 'POST', path: '/unsubscribe', sourceIp: '198.51.100.7', userAgent: 'Mozilla/5.0 (GoogleImageProxy)' }, stage: 'prod' });
  });

  it('passes a base64 body (binary media types such as multipart/form-data) through as base64', () => {
    const form = Buffer.from('--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nzoë@example.org\r\n--x--\r\n');
    const event = restEvent({ httpMethod: 'POST', path: '/subscribe', body: form.toString('base64'), isBase64Encoded: true });

    expect(requestFromEvent(fromRestEvent(event)).body).toEqual(form);
  });

  it('reads a GET without query, body or multi-value maps', () => {
    const request = requestFromEvent(
      fromRestEvent(restEvent({ httpMethod: 'GET', path: '/', body: null, queryStringParameters: null, multiValueQueryStringParameters: null, multiValueHeaders: {} })),
    );

    expect(request).toMatchObject({ method: 'GET', path: '/', body: Buffer.alloc(0) });
    expect(request.headers.host).toBe('abc123.execute-api.eu-west-2.amazonaws.com');
    expect([...request.query]).toEqual([]);
  });
});

describe('toRestResult', () => {
  it("returns the routes' answer in the REST API's shape, with header values as strings and cookies as set-cookie", () => {
    expect(toRestResult({ statusCode: 429, headers: { 'retry-after': 60, 'content-type': 'text/html' }, body: '<p>slow down</p>', cookies: ['a=1'] })).toEqual({
      statusCode: 429,
      headers: { 'retry-after': '60', 'content-type': 'text/html' },
      multiValueHeaders: { 'set-cookie': ['a=1'] },
      body: '<p>slow down</p>',
      isBase64Encoded: false,
    });
    expect(toRestResult({})).toEqual({ statusCode: 200, headers: {}, body: '', isBase64Encoded: false });
  });
});
