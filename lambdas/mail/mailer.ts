/**
 * - `retryable`: the message was certainly not taken and likely will be later (throttling, the provider's own
 *   error answer to a server fault, a connection that could not be made).
 * - `uncertain`: the request may have reached the provider and been taken, but no answer came back (a timeout
 *   or a reset after the request was written); sending again may mail a second copy, so record it and never
 *   resend it on your own.
 * - `permanent`: this recipient's message will never be taken (rejected, a bad address); record it and go on.
 * - `stop`: no message will be taken until someone acts (sending paused, the daily quota, the sender or the
 *   credentials not valid); stop without marking anybody, so that the edition can be resumed.
 */
export type SendErrorKind = 'retryable' | 'uncertain' | 'permanent' | 'stop';

/** Why a message was not sent, sorted by what the sender should do next. */
export class SendError extends Error {
  override name = 'SendError';

  constructor(
    readonly kind: SendErrorKind,
    /** The provider's error code (`Throttling`, `MessageRejected`, …) or the network error code (`ECONNRESET`). */
    readonly code: string,
    message: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * A send error as the sender sees it: a mailer throws SendError; anything else is not understood and
 * stops, because a stopped edition can be resumed whereas a recipient recorded as failed never gets it.
 */
export const sendErrorOf = (error: unknown): SendError =>
  error instanceof SendError
    ? error
    : new SendError('stop', error instanceof Error ? error.name : 'Unknown', error instanceof Error ? error.message : String(error), { cause: error });

export interface SendOptions {
  /** The envelope recipients: the message goes to these, whatever its To header says. */
  readonly destinations: readonly string[];
  /** Returned with the delivery, bounce and complaint events of this message. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Sends finished MIME messages: SES in AWS and locally (aws-ses-v2-local). */
export interface Mailer {
  /** Hands one raw MIME message over; the id it was taken under. Throws SendError when it was not taken, or may not have been (`uncertain`). */
  send(raw: Uint8Array, options: SendOptions): Promise<string>;
}

/** A message the provider composes itself from a subject and two bodies: mail to the newsletter's own people. */
export interface SimpleMessage {
  /** The sender as a header holds it (`headerMailbox`): `"Name" <address>`. */
  readonly from: string;
  readonly to: string;
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Sends simple messages (SES `SendEmail`): no MIME to build, so none of the MIME builder in the functions that send
 * only these, and no list headers, which mail to the editors does not need.
 */
export interface SimpleMailer {
  /** The id it was taken under. Throws SendError, as `Mailer.send` does. */
  sendSimple(message: SimpleMessage, options: Pick<SendOptions, 'tags'>): Promise<string>;
}
