import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { fromRestEvent, toRestResult } from '../subscription/rest-payload.ts';
import { handler as pages } from './subscription-api.ts';

/** The deployed entry of the subscription pages: API Gateway REST API (payload 1.0, behind the WAF web ACL) → the pages' handler. */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => toRestResult(await pages(fromRestEvent(event)));
