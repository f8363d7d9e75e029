import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { BriefingError } from '../errors.ts';

/** One CSV record and the line of the file it starts on (the header is line 1). */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

export class CsvError extends BriefingError {
  override name = 'CsvError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * RFC 4180 records read as they stream in (csv-parse), so a large file is never held whole: comma-separated,
 * fields in double quotes may hold commas, quotes ("") and line breaks; CRLF, LF or CR between records,
 * mixed; blank lines skipped; a UTF-8 byte order mark ignored.
 */
export async function* readCsv(input: Readable): AsyncGenerator<CsvRow> {
  const parser = input.pipe(parse({ bom: true, info: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }));
  // csv-parse tells the line a record ends on; it starts on the line after the previous one ended.
  let previousEnd = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!(record.length === 1 && record[0] === '')) yield { line: previousEnd + 1, fields: record };
      previousEnd = info.lines;
    }
  } catch (error) {
    const { code, lines } = error as { code?: string; lines?: number };
    throw new CsvError(code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is not closed' : (error as Error).message, lines ?? previousEnd + 1);
  }
}

/** One CSV field, quoted when it needs to be (RFC 4180). */
export const csvField = (value: string): string => (/[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value);
