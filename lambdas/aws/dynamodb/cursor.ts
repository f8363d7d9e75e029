import * as z from 'zod/mini';
import { BriefingError } from '../../errors.ts';

/** A cursor this store did not give out (or one changed on the way back). */
export class CursorError extends BriefingError {
  override name = 'CursorError';
}

/** The start key a paged query's cursor must hold: exactly these attributes, each a string (every key attribute of these tables is one). */
export const startKey = (...names: readonly string[]) => z.strictObject(Object.fromEntries(names.map((name) => [name, z.string()])));

/** A page's LastEvaluatedKey as an opaque string: base64url of its JSON. */
export const encodeCursor = (lastKey: Readonly<Record<string, unknown>> | undefined): string | undefined =>
  lastKey && Buffer.from(JSON.stringify(lastKey)).toString('base64url');

/** The ExclusiveStartKey a cursor stands for, checked against the key of the table or index paged. */
export const decodeCursor = (cursor: string | undefined, key: ReturnType<typeof startKey>): Record<string, string> | undefined => {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = key.safeParse(json);
  if (!parsed.success) throw new CursorError(`cursor "${cursor.slice(0, 60)}" is not one this list gave out: pass back the cursor of the previous page unchanged`);
  return parsed.data;
};
