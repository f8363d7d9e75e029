import * as z from 'zod/mini';
import { BriefingError } from '../errors.ts';

/** A request that cannot be carried out as asked; nothing was sent or written. */
export class ComposeError extends BriefingError {
  override name = 'ComposeError';
}

/**
 * What starts an edition: the schedule sends `{}`, `briefing send` its options (locally, or as the
 * compose function's event with `--stack`). Anything else is refused before work starts.
 */
export const composeRequestSchema = z
  .strictObject({
    /** The edition's date (YYYY-MM-DD in the newsletter's time zone). @default today */
    date: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a calendar date, YYYY-MM-DD'))),
    /** These stories instead of the ones published since the previous edition. */
    articleIds: z.optional(z.array(z.string().check(z.minLength(1, 'must not be empty')))),
    /** Send one test copy to this address; the edition and the deliveries are not touched. */
    to: z.optional(z.email('must be an email address')),
    /** With `to`: the copy a reader of these topics (ids from the config's `topics`) gets. @default every topic: the full edition */
    topics: z.optional(z.array(z.string().check(z.minLength(1, 'must not be empty')))),
    /** Render and count recipients; send nothing, write nothing. */
    dryRun: z.optional(z.boolean()),
    /** Continue a paused, stopped or interrupted edition: count its outcomes again and queue the recipients without one. */
    resume: z.optional(z.boolean()),
    /**
     * With `resume`: send the deliveries recorded as uncertain again, accepting that a reader whose copy SES did
     * take gets a second one (also on an edition already sent).
     */
    retryUncertain: z.optional(z.boolean()),
  })
  .check(z.refine((request) => request.to === undefined || !(request.dryRun || request.resume), '--to sends one test copy: it cannot be combined with --dry-run or --resume'))
  .check(z.refine((request) => !request.retryUncertain || request.resume === true, '--retry-uncertain goes with --resume: it sends the uncertain deliveries of an edition again'))
  .check(z.refine((request) => request.topics === undefined || request.to !== undefined, '--topics goes with --to: it sends the test copy a reader of those topics gets'));

export type ComposeRequest = z.infer<typeof composeRequestSchema>;

/** The request checked against the schema, or a ComposeError that names each field and its problem. */
export const parseComposeRequest = (input: unknown): ComposeRequest => {
  const result = composeRequestSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    if (issue.code === 'invalid_type') return `${field || 'request'}: must be ${issue.expected}`;
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw new ComposeError(problems.join('; '));
};
