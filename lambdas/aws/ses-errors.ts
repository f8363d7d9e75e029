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
 * Sorts an error from SendRawEmail (SES's answer, or the SDK's or Node.js's when SES did not answer) by what
 * to do next; the SES or network error code is kept. Unknown errors stop the edition: stopping can be resumed,
 * whereas a recipient recorded as failed never gets this edition.
 */
export const classifySendError = (error: unknown, context: ClassifyContext = {}): SendError => {
  const fields: ErrorFields = typeof error === 'object' && error !== null ? (error as ErrorFields) : {};
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const nodeCode = typeof fields.code === 'string' ? fields.code : undefined;
  const sdkCode = typeof fields.Code === 'string' ? fields.Code : typeof fields.name === 'string' ? fields.name : undefined;
  const code = nodeCode && transientCodes.has(nodeCode) ? nodeCode : (sdkCode ?? nodeCode ?? 'Unknown');
  const status = typeof fields.$metadata?.httpStatusCode === 'number' ? fields.$metadata.httpStatusCode : undefined;
  const result = (kind: SendErrorKind): SendError => new SendError(kind, code, message, { cause: error });

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
