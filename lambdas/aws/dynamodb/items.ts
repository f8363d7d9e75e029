// zod/mini: deliver parses every item it reads, and the mini build keeps zod's share of its bundle small.
import * as z from 'zod/mini';

/** An item that does not have the shape its store writes: something else wrote to the table, or an old shape is left. */
export class StoredItemError extends Error {
  override name = 'StoredItemError';

  constructor(
    readonly table: string,
    readonly key: Readonly<Record<string, unknown>>,
    readonly problems: readonly string[],
  ) {
    super(`table ${table}, item ${JSON.stringify(key)} is not a stored record as this code reads it: ${problems.join('; ')}`);
  }
}

// zod/mini carries no message texts (they are a locale): each problem is said here, with its field.
const describe = (issue: z.core.$ZodIssue): string => {
  const field = issue.path.map(String).join('.') || '(item)';
  if (issue.code === 'invalid_type') return `${field}: ${issue.input === undefined ? 'is missing' : `must be ${issue.expected}, not ${JSON.stringify(issue.input)?.slice(0, 80)}`}`;
  if (issue.code === 'invalid_value') return `${field}: must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, not ${JSON.stringify(issue.input)?.slice(0, 80)}`;
  return `${field}: ${issue.message}`;
};

/**
 * A reader for one table's items: parses what DynamoDB returned with the record's schema, or throws a
 * StoredItemError naming the table and the key. The key is taken from the item itself unless given.
 */
export const itemReader =
  <T>(table: string, keyNames: readonly string[], schema: z.ZodMiniType<T>) =>
  (item: Readonly<Record<string, unknown>>, key: Readonly<Record<string, unknown>> = Object.fromEntries(keyNames.map((name) => [name, item[name]]))): T => {
    // A write clears an attribute with NULL (`reason = :reason` with null): read as absent.
    const result = schema.safeParse(Object.fromEntries(Object.entries(item).filter(([, value]) => value !== null)), { reportInput: true });
    if (result.success) return result.data;
    throw new StoredItemError(table, key, result.error.issues.map(describe));
  };
