import * as z from 'zod/mini';
import { BriefingError } from '../../errors.ts';

/** A cursor this store did not give out (or one changed on the way back). */
export class CursorError extends BriefingError {
  override name = 'CursorError';
}

const startKey = z.record(z.string(), z.union([z.string(), z.number()]));

/** A page's LastEvaluatedKey as an opaque string: base64url of its JSON. */
export const encodeCursor = (lastKey: Readonly<Record<string, unknown>> | undefined): string | undefined =>
  lastKey && Buffer.from(JSON.stringify(lastKey)).toString('base64url');

/** The ExclusiveStartKey a cursor stands for; it must hold exactly the key attributes of the table or index paged. */
export const decodeCursor = (cursor: string | undefined, keyNames: readonly string[]): Record<string, string | number> | undefined => {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = startKey.safeParse(json);
  const names = parsed.success ? Object.keys(parsed.data).sort() : [];
  if (!parsed.success || names.join() !== [...keyNames].sort().join()) {
    throw new CursorError(`cursor "${cursor.slice(0, 60)}" is not one this list gave out: pass back the cursor of the previous page unchanged`);
  }
  return parsed.data;
};
