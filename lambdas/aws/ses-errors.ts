import { SendError, type SendErrorKind } from '../mail/mailer.ts';

export interface ClassifyContext {
  /**
   * The From address: SES names it when the sender, rather than the recipient, is not verified. Without it
   * every "not verified" rejection stops the edition.
   */
  readonly sender?: string;
}

// The SDK names a modelled error after its class (`…Exception`) and an unmodelled one after the wire code; both are listed.
const stopCodes = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetDoesNotExist',
  'MailFromDomainNotVerifiedException',
  'FromEmailAddressNotVerifiedException',
  'FromEmailAddressNotVerified',
  'ProductionAccessNotGrantedException',
  'ProductionAccessNotGranted',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'OptInRequired',
  'CredentialsProviderError',
]);

const throttlingCodes = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled']);

// SES's own answers to a fault on its side: SES answered, so it did not take the message.
const transientCodes = new Set(['InternalFailure', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException']);

// What Node.js raises when no connection to SES could be made: the request never left.
const notConnectedCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);

// What Node.js or the SDK's HTTP handler raise when a connection broke or went quiet: unless it happened while
// connecting, the request may have been written and taken, and only SES's answer lost. (The SDK renames
// ECONNRESET, EPIPE and ETIMEDOUT errors `TimeoutError` and keeps their code.)
const brokenCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'TimeoutError']);

// A broken connection that had not got as far as sending: the TCP connect or the TLS handshake, or the SDK's connection timeout.
const whileConnecting = (fields: ErrorFields, message: string): boolean =>
  fields.syscall === 'connect' || fields.syscall === 'getaddrinfo' || /before secure TLS connection was established|did not establish a connection/i.test(message);

// The InvalidParameterValue messages SES gives for a malformed recipient ("Illegal address", "Missing final
// '@domain'", "Domain contains illegal character", "Local address contains control or whitespace"); any other
// invalid parameter is the message's or the account's and would fail for everyone.
const addressProblem = /address|domain|@/i;

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  syscall?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

const rejectedForSender = (message: string, sender: string | undefined): boolean => {
  if (/sending paused/i.test(message)) return true;
  if (!/not verified/i.test(message)) return false;
  // Sandbox accounts also reject unverified recipients. SES lists the identities that failed ("…: Name <a@b>, a@b"),
  // ending in an ellipsis when the list is cut; only a list that surely leaves out the sender is the recipient's.
  const named = (message.match(/[^\s,:;<>]+@[^\s,:;<>]+/g) ?? []).map((address) => address.replace(/\.+$/, '').toLowerCase());
  const cut = /(\.\.\.|\u2026)\s*$/.test(message);
  return sender === undefined || named.length === 0 || cut || named.includes(sender.toLowerCase());
};

/**
 * Sorts an error from SendRawEmail (SES's answer, or the SDK's or Node.js's when SES did not answer) by what
 * to do next; the SES or network error code is kept. Only what certainly came before SES took the message is
 * retryable: SES's own error answers, and connections that were never made. A connection that broke or timed
 * out after that, or a 5xx that SES did not sign with a request id (a proxy's or load balancer's answer), is
 * `uncertain`. Unknown errors stop the edition: stopping can be resumed, whereas a recipient recorded as failed
 * never gets this edition.
 */
export const classifySendError = (error: unknown, context: ClassifyContext = {}): SendError => {
  const fields: ErrorFields = typeof error === 'object' && error !== null ? (error as ErrorFields) : {};
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const nodeCode = typeof fields.code === 'string' ? fields.code : undefined;
  const sdkCode = typeof fields.Code === 'string' ? fields.Code : typeof fields.name === 'string' ? fields.name : undefined;
  const code = nodeCode && (notConnectedCodes.has(nodeCode) || brokenCodes.has(nodeCode)) ? nodeCode : (sdkCode ?? nodeCode ?? 'Unknown');
  const status = typeof fields.$metadata?.httpStatusCode === 'number' ? fields.$metadata.httpStatusCode : undefined;
  const result = (kind: SendErrorKind): SendError => new SendError(kind, code, message, { cause: error });

  // The daily quota comes back as a throttling error too, but retrying within the day cannot succeed.
  if (/daily message quota exceeded/i.test(message)) return result('stop');
  if (throttlingCodes.has(code) || /maximum sending rate exceeded/i.test(message)) return result('retryable');
  if (stopCodes.has(code)) return result('stop');
  if (code === 'MessageRejected') return result(rejectedForSender(message, context.sender) ? 'stop' : 'permanent');
  if (code === 'InvalidParameterValue') return result(addressProblem.test(message) ? 'permanent' : 'stop');
  if (transientCodes.has(code) || notConnectedCodes.has(code)) return result('retryable');
  if (brokenCodes.has(code) || /socket hang up/i.test(message)) return result(whileConnecting(fields, message) ? 'retryable' : 'uncertain');
  if (fields.$fault === 'server' || (status !== undefined && status >= 500)) return result(typeof fields.$metadata?.requestId === 'string' ? 'retryable' : 'uncertain');
  if (fields.$retryable) return result('retryable');
  return result('stop');
};
