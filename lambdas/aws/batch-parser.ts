import { ParsingError } from '@aws-lambda-powertools/batch';
import type { parser } from '@aws-lambda-powertools/batch/parser';

/**
 * The batch processor's parser for a full-record `schema`, doing what `@aws-lambda-powertools/batch/parser`
 * does with one: validate the record with the Standard Schema and hand the parsed record on, or throw a
 * ParsingError so that this record alone goes back to the queue. That module also carries the zod-only
 * `innerSchema` path, whose imports (all of zod and the parser's event schemas, ~430 KB) would not fit
 * deliver's 500 KB budget.
 */
export const parseRecord: typeof parser = async (record, _eventType, _logger, config) => {
  if (!config.schema) throw new ParsingError('the batch processor was given no record schema');
  const result = await config.schema['~standard'].validate(record);
  if (result.issues) throw new ParsingError(result.issues.map((issue) => `${issue.path?.map((key) => String(typeof key === 'object' ? key.key : key)).join('.') ?? ''}: ${issue.message}`).join('; '));
  // The record with its payload parsed, typed by Powertools as the raw record it replaces.
  return result.value as typeof record;
};
