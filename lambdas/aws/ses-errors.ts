import { InvalidRecipientError } from '../mail/mime.ts';

/**
 * - `retryable`: SES did not take the message and will likely take it later (throttling, a 5xx, the network).
 * - `permanent`: this recipient's message will never be taken (rejected, bad address); record it and go on.
 * - `stop`: no message will be taken until someone acts (account or configuration set paused, daily quota,
 *   sender or credentials not valid); stop the edition without marking anybody, so it can be resumed.
 */
export type SendErrorKind = 'retryable' | 'permanent' | 'stop';

export interface ClassifiedSendError {
  readonly kind: SendErrorKind;
  /** The SES error code (`Throttling`, `MessageRejected`, …) or the Node.js network error code. */
  readonly code: string;
  readonly message: string;
}

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

// SES's own transient failures, and what Node.js or the SDK's HTTP handler raise when SES did not answer.
const transientCodes = new Set([
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

// The InvalidParameterValue messages SES gives for a malformed recipient ("Illegal address", "Missing final
// '@domain'", "Domain contains illegal character", "Local address contains control or whitespace"); any other
// invalid parameter is the message's or the account's and would fail for everyone.
const addressProblem = /address|domain|@/i;

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
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
 * Sorts an error from building or sending one recipient's message. Unknown errors stop the edition: stopping
 * can be resumed, whereas a recipient recorded as failed never gets this edition.
 */
export const classifySendError = (error: unknown, context: ClassifyContext = {}): ClassifiedSendError => {
  if (error instanceof InvalidRecipientError) return { kind: 'permanent', code: 'InvalidRecipient', message: error.message };
  const fields: ErrorFields = typeof error === 'object' && error !== null ? (error as ErrorFields) : {};
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const nodeCode = typeof fields.code === 'string' ? fields.code : undefined;
  const sdkCode = typeof fields.Code === 'string' ? fields.Code : typeof fields.name === 'string' ? fields.name : undefined;
  const code = nodeCode && transientCodes.has(nodeCode) ? nodeCode : (sdkCode ?? nodeCode ?? 'Unknown');
  const status = typeof fields.$metadata?.httpStatusCode === 'number' ? fields.$metadata.httpStatusCode : undefined;
  const result = (kind: SendErrorKind): ClassifiedSendError => ({ kind, code, message });

  // The daily quota comes back as a throttling error too, but retrying within the day cannot succeed.
  if (/daily message quota exceeded/i.test(message)) return result('stop');
  if (throttlingCodes.has(code) || /maximum sending rate exceeded/i.test(message)) return result('retryable');
  if (stopCodes.has(code)) return result('stop');
  if (code === 'MessageRejected') return result(rejectedForSender(message, context.sender) ? 'stop' : 'permanent');
  if (code === 'InvalidParameterValue') return result(addressProblem.test(message) ? 'permanent' : 'stop');
  if (transientCodes.has(code)) return result('retryable');
  if (fields.$fault === 'server' || (status !== undefined && status >= 500) || fields.$retryable) return result('retryable');
  return result('stop');
};
