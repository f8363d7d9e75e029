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
 * RFC 4180 records: comma-separated, fields in double quotes may hold commas, quotes ("") and line
 * breaks; CRLF or LF between records; blank lines skipped; a UTF-8 byte order mark ignored.
 */
export const parseCsv = (text: string): CsvRow[] => {
  const rows: CsvRow[] = [];
  const source = text.replace(/^\uFEFF/, '');
  let line = 1;
  let rowLine = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;

  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '' || fieldStarted) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };

  for (let index = 0; index < source.length; index += 1) {
    const character = source[index]!;
    if (quoted) {
      if (character === '"' && source[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') {
        quoted = false;
      } else {
        if (character === '\n') line += 1;
        field += character;
      }
      continue;
    }
    if (character === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (character === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && source[index + 1] === '\n') index += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else {
      field += character;
    }
  }
  if (quoted) throw new CsvError('a quoted field is not closed', rowLine);
  if (field !== '' || fields.length > 0 || fieldStarted) endRow();
  return rows;
};

/** One CSV field, quoted when it needs to be (RFC 4180). */
export const csvField = (value: string): string => (/[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value);
