import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BriefingError } from '../errors.ts';

/** Bodies above this are refused: a sign-up form or a one-click POST is a few hundred bytes. */
export const maxBodyBytes = 8 * 1024;

/** A request as the routes see it, whichever server received it. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** A request the routes refuse before doing anything: the status and what to tell the reader. */
export class HttpError extends BriefingError {
  override name = 'HttpError';
  constructor(
    status: number,
    readonly heading: string,
    message: string,
    readonly options: { readonly headers?: Readonly<Record<string, string>>; readonly cause?: unknown } = {},
  ) {
    super(message, { status, cause: options.cause });
  }
}

/** API Gateway HTTP API (payload 2.0) → request; the local server builds the same event. */
export const requestFromEvent = (event: APIGatewayProxyEventV2): ApiRequest => ({
  method: event.requestContext.http.method.toUpperCase(),
  path: event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath,
  query: new URLSearchParams(event.rawQueryString),
  headers: Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  body: event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
});

export const mediaType = (request: ApiRequest): string => (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

const parameter = (header: string, name: string): string | undefined => {
  const match = new RegExp(`;\\s*${name}=(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
};

/** Each submitted field's values in order: a group of checkboxes sends one name several times. */
export type FieldValues = Readonly<Record<string, readonly string[]>>;

// No prototype: a field named __proto__ is a field like any other.
const noFields = (): Record<string, string[]> => Object.create(null) as Record<string, string[]>;

const append = (fields: Record<string, string[]>, name: string, value: string) => {
  if (fields[name]) fields[name].push(value);
  else fields[name] = [value];
};

/** The fields of a multipart/form-data body (RFC 7578); file parts are ignored, since no form here has one. */
const multipartFields = (body: Buffer, boundary: string): Record<string, string[]> => {
  const fields = noFields();
  // latin1 maps bytes to characters one to one, so UTF-8 values survive the split and are decoded afterwards.
  const parts = body.toString('latin1').split(`--${boundary}`);
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const disposition = /content-disposition:\s*form-data([^\r\n]*)/i.exec(headers)?.[1];
    const name = disposition && parameter(disposition, 'name');
    if (!name || parameter(disposition, 'filename') !== undefined) continue;
    append(fields, name, Buffer.from(part.slice(headerEnd + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8'));
  }
  return fields;
};

/** A JSON object's text fields, and its lists of text (`{"topics": ["world"]}`) as several values. */
const jsonFields = (body: Buffer): Record<string, string[]> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'That request could not be read', 'The body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'That request could not be read', 'The body must be one JSON object, such as {"email": "name@example.com"}.');
  }
  const fields = noFields();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') fields[name] = [value];
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) fields[name] = value;
  }
  return fields;
};

/** The content types a POST here may have: what browsers send for a form, what mail clients send for one-click, and JSON. */
export const acceptedContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'] as const;

/** Every value of every submitted field, after the size and content-type checks (413, 415). */
export const readFieldValues = (request: ApiRequest): FieldValues => {
  if (request.body.length > maxBodyBytes) {
    throw new HttpError(413, 'That request is too large', `A request here may carry at most ${maxBodyBytes / 1024} KB.`);
  }
  const type = mediaType(request);
  switch (type) {
    case 'application/x-www-form-urlencoded': {
      const fields = noFields();
      for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) append(fields, name, value);
      return fields;
    }
    case 'multipart/form-data': {
      const boundary = parameter(request.headers['content-type'] ?? '', 'boundary');
      if (!boundary) throw new HttpError(400, 'That request could not be read', 'A multipart/form-data body needs a boundary.');
      return multipartFields(request.body, boundary);
    }
    case 'application/json':
      return jsonFields(request.body);
    default:
      throw new HttpError(415, 'That kind of request is not accepted', `Send the form as ${acceptedContentTypes.join(', ')}${type ? `, not ${type}` : ''}.`);
  }
};

/** The first value of each field. */
export const firstValues = (values: FieldValues): Record<string, string> =>
  Object.fromEntries(Object.entries(values).flatMap(([name, list]) => (list.length > 0 ? [[name, list[0]!]] : [])));

/** The submitted fields (the first of repeated names), after the size and content-type checks (413, 415). */
export const readFields = (request: ApiRequest): Record<string, string> => firstValues(readFieldValues(request));

/** Scripts asking for JSON get JSON; browsers and mail clients get pages. */
export const wantsJson = (request: ApiRequest): boolean => {
  if (mediaType(request) === 'application/json') return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
};
