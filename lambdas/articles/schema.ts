import * as z from 'zod';

// Text fields are plain text: no control characters other than ordinary whitespace.
const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'must not contain control characters');

const singleLine = (max: number) => plainText(max).regex(/^[^\r\n]*$/, 'must be a single line');

export const httpsUrl = z
  .string()
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .superRefine((value, context) => {
    if (!URL.canParse(value)) context.addIssue({ code: 'custom', message: 'must be an absolute https:// URL' });
    else if (new URL(value).protocol !== 'https:')
      context.addIssue({ code: 'custom', message: `must be an https:// URL, not ${new URL(value).protocol}` });
  });

const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset or Z, e.g. 2026-11-24T06:30:00Z' });

/**
 * The largest record, as stored JSON, that is accepted. DynamoDB refuses an item over 400 KB, and an
 * import must never store some records and then fail on one: the schema says which record is too big
 * before anything is written. 350 KB leaves room for the store's own attributes.
 */
export const maxRecordBytes = 350 * 1024;

// The largest side a JPEG can have; a bigger number is a typo, not a picture.
const maxPixels = 65_535;
// An image ten times taller than wide would be over 5,000 px in the email's column; ten times wider, a sliver.
const maxAspect = 10;

const pixels = z
  .number({ error: 'must be a whole number of pixels' })
  .int('must be a whole number of pixels')
  .min(1, 'must be at least 1 pixel')
  .max(maxPixels, `must be at most ${maxPixels} pixels`);

const imageSizeProblem = ({ width, height }: { width?: number; height?: number }): { path: string[]; message: string } | undefined => {
  if (width === undefined && height === undefined) return undefined;
  if (height === undefined) return { path: ['height'], message: 'is required when width is given (give both, or neither)' };
  if (width === undefined) return { path: ['width'], message: 'is required when height is given (give both, or neither)' };
  if (height > width * maxAspect) return { path: ['height'], message: `is more than ${maxAspect} times the width (${width} × ${height} px)` };
  if (width > height * maxAspect) return { path: ['width'], message: `is more than ${maxAspect} times the height (${width} × ${height} px)` };
  return undefined;
};

/**
 * A record's image. `width` and `height` are the source image's pixels, both or neither: the email reserves
 * the image's box from them. Exported for the feed mapping, which keeps an image whose feed gives an unusable
 * size, without the size.
 */
export const imageSchema = z
  .strictObject({
    url: httpsUrl,
    alt: singleLine(300),
    credit: singleLine(200).optional(),
    width: pixels.optional(),
    height: pixels.optional(),
  })
  .superRefine((image, context) => {
    const problem = imageSizeProblem(image);
    if (problem) context.addIssue({ code: 'custom', ...problem });
  });

const fields = z.strictObject({
  id: z
    .string()
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug of a-z, 0-9 and single hyphens'),
  category: singleLine(40),
  headline: singleLine(200),
  standfirst: plainText(600).optional(),
  url: httpsUrl,
  publishedAt: isoDateTime,
  author: z.strictObject({ name: singleLine(120) }).optional(),
  image: imageSchema.optional(),
  keyPoints: z.array(plainText(400)).min(1, 'must list at least 1 key point').max(7, 'must list at most 7 key points'),
  sections: z
    .array(
      z.strictObject({
        heading: singleLine(200),
        paragraphs: z.array(plainText(4000)).min(1, 'must hold at least 1 paragraph').max(60, 'must hold at most 60 paragraphs'),
      }),
    )
    .max(40, 'must list at most 40 sections')
    .optional(),
  related: z.array(z.strictObject({ title: singleLine(200), url: httpsUrl })).max(20, 'must list at most 20 links').optional(),
  priority: z.number().int('must be an integer').min(-1000).max(1000).optional(),
});

export const articleSchema = fields.superRefine((article, context) => {
  const bytes = Buffer.byteLength(JSON.stringify(article));
  if (bytes > maxRecordBytes) {
    context.addIssue({ code: 'custom', path: [], message: `is ${Math.ceil(bytes / 1024)} KB as stored JSON; a record may be at most ${maxRecordBytes / 1024} KB (shorten its sections)` });
  }
});

export type Article = z.infer<typeof articleSchema>;

/** One problem with one record: where it came from, which record, which field, what is wrong. */
export interface RecordProblem {
  readonly source: string;
  readonly id?: string;
  readonly field: string;
  readonly message: string;
}

export type ValidationResult = { ok: true; article: Article } | { ok: false; problems: RecordProblem[] };

const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '') ||
  '(record)';

const describe = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
};

/** Validates one record; `source` says where it came from (file and array index, or a store key). */
export const validateArticle = (input: unknown, source: string): ValidationResult => {
  const result = articleSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, article: result.data };
  const rawId = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
  const id = typeof rawId === 'string' && rawId.length > 0 ? rawId.slice(0, 128) : undefined;
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({ source, id, field: fieldPath(issue.path), message: describe(issue) })),
  };
};

export const formatProblem = (problem: RecordProblem): string =>
  `${problem.source}${problem.id ? ` (id ${problem.id})` : ''}: ${problem.field}: ${problem.message}`;
