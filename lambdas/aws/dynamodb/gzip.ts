import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { StoredItemError } from './items.ts';

/** DynamoDB's item size limit (attribute names and values). */
export const maxItemBytes = 400 * 1024;

/** Roughly what DynamoDB counts for an item: every attribute's name and value. */
export const itemSize = (item: Readonly<Record<string, unknown>>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + (value instanceof Uint8Array ? value.length : Buffer.byteLength(JSON.stringify(value))), 0);

/**
 * A gzipped text attribute, stored as Binary: prose and markup take about a third of their size, so a briefing's
 * HTML and text fit in an item that would not hold them as strings. Binary attributes come back from the document
 * client as Uint8Array.
 */
export const gzippedText = z.instanceof(Uint8Array);

export const gzipText = (text: string): Uint8Array => gzipSync(text);

/** The text of a gzipped attribute; one that is not gzip is a StoredItemError naming the table, the key and the field. */
export const gunzipText = (table: string, key: Readonly<Record<string, unknown>>, field: string, value: Uint8Array): string => {
  try {
    return gunzipSync(value).toString('utf8');
  } catch (error) {
    throw new StoredItemError(table, key, [`${field}: is not gzip (${(error as Error).message})`]);
  }
};
