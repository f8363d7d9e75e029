/**
 * A failure the person or program on the other side can act on: bad input, bad configuration, a request
 * that cannot be carried out as asked. Nothing was half done when one is thrown.
 *
 * The edges map this one class, never its subclasses: the CLI prints the message as one line and exits 1,
 * the HTTP API answers with `status`, a handler logs it as a warning. Any other error is a bug or an outage:
 * the CLI adds the stack under BRIEFING_DEBUG, the API answers 500, handlers log it as an error.
 */
export class BriefingError extends Error {
  override name = 'BriefingError';
  /** What an HTTP edge answers with. */
  readonly status: number;

  constructor(message: string, options: { readonly status?: number; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status ?? 400;
  }
}

export const isExpectedFailure = (error: unknown): error is BriefingError => error instanceof BriefingError;
