import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { fromRestEvent, toRestResult } from '../subscription/rest-payload.ts';
import { lambdaHandler } from './runtime.ts';
import { servePages } from './subscription-api.ts';

/** The deployed entry of the subscription pages: API Gateway REST API (payload 1.0, behind the WAF web ACL) → the pages' handler. */
export const handler = lambdaHandler(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => toRestResult(await servePages(fromRestEvent(event))));
