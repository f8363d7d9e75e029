import { normaliseTopicSet, type Topic, unknownTopicIds } from '../config/topics.ts';
import { normaliseAddress } from './address.ts';
import { type CsvRow, CsvError, csvField } from './csv.ts';
import { type Subscriber, type SubscriberStatus, subscriberStatuses } from './store.ts';

/**
 * The subscriber list as a spreadsheet sees it. Export writes these columns and import reads them back,
 * so export → import into an empty list → export gives the same file apart from the timestamps.
 */
export const exportColumns = ['email', 'name', 'status', 'topics', 'created_at', 'updated_at'] as const;

/** Between the topic ids of a `topics` cell (a comma would need quoting in every row). */
export const topicSeparator = ';';

export const maxNameLength = 200;

// A spreadsheet runs a cell that starts with one of these as a formula; a leading ' is how the export defuses it.
const runnable = /^[=+\-@\t\r]/;
const defused = /^'[=+\-@\t\r']/;

/**
 * One cell as exported: a value a spreadsheet would run (or one that already starts with the defusing
 * quote) gets a leading `'`, which `restoreCell` takes off again, and nothing else does.
 */
export const defuseCell = (value: string): string => (runnable.test(value) || value.startsWith("'") ? `'${value}` : value);

/** Undoes exactly what `defuseCell` did; any other value is kept as it is. */
export const restoreCell = (value: string): string => (defused.test(value) ? value.slice(1) : value);

/** The export: a header row and one row per subscriber, in address order, RFC 4180 with CRLF. */
export const subscribersToCsv = (subscribers: readonly Subscriber[]): string => {
  const sorted = [...subscribers].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  const rows = sorted.map((subscriber) =>
    [subscriber.email, subscriber.name ?? '', subscriber.status, (subscriber.topics ?? []).join(topicSeparator), subscriber.createdAt, subscriber.updatedAt]
      .map((cell) => csvField(defuseCell(cell)))
      .join(','),
  );
  return `${[exportColumns.join(','), ...rows].join('\r\n')}\r\n`;
};

/** One usable row of an import file. */
export interface ImportRow {
  readonly line: number;
  readonly email: string;
  readonly name?: string;
  /** The row's `status` column; absent when the file has none (the importer decides). */
  readonly status?: SubscriberStatus;
  /** The row's topics, normalised; absent or empty: every story. */
  readonly topics?: readonly string[];
}

export interface RowProblem {
  readonly line: number;
  readonly message: string;
}

const isStatus = (value: string): value is SubscriberStatus => (subscriberStatuses as readonly string[]).includes(value);

/**
 * The usable rows of an import file, as they stream in: a header row naming an `email` column (and
 * optionally `name`, `status` and `topics`, in any order and case, other columns ignored). Each row that
 * cannot be used goes to `onProblem` by line with the reason: wrong number of fields, an invalid address,
 * a name that is not one line, an unknown status, a topic the newsletter does not offer (`topics`: ids
 * separated by `;`), an address already on an earlier line (the first one counts). Throws a CsvError for
 * a file that cannot be read as CSV at all or has no email column.
 */
export async function* readImportRows(records: AsyncIterable<CsvRow>, topics: readonly Topic[], onProblem: (problem: RowProblem) => void): AsyncGenerator<ImportRow> {
  let columns: string[] | undefined;
  let emailColumn = -1;
  let nameColumn = -1;
  let statusColumn = -1;
  let topicsColumn = -1;
  const seen = new Map<string, number>();
  for await (const { line, fields } of records) {
    if (!columns) {
      columns = fields.map((column) => column.trim().toLowerCase());
      [emailColumn, nameColumn, statusColumn, topicsColumn] = ['email', 'name', 'status', 'topics'].map((name) => columns!.indexOf(name)) as [number, number, number, number];
      if (emailColumn < 0) throw new CsvError(`the header row must name an "email" column (found: ${columns.join(', ') || 'nothing'})`, line);
      continue;
    }
    const cell = (index: number) => (index < 0 ? '' : restoreCell(fields[index]!.trim()));
    if (fields.length !== columns.length) {
      onProblem({ line, message: `has ${fields.length} field(s), the header has ${columns.length}` });
      continue;
    }
    const checked = normaliseAddress(cell(emailColumn));
    if (!checked.ok) {
      onProblem({ line, message: `${JSON.stringify(cell(emailColumn).slice(0, 80))}: ${checked.reason}` });
      continue;
    }
    const name = cell(nameColumn) || undefined;
    if (name && (/[\x00-\x1f\x7f]/.test(name) || name.length > maxNameLength)) {
      onProblem({ line, message: `name: must be one line of at most ${maxNameLength} characters` });
      continue;
    }
    const status = cell(statusColumn).toLowerCase();
    if (status !== '' && !isStatus(status)) {
      onProblem({ line, message: `status: "${status.slice(0, 40)}" is not one of ${subscriberStatuses.join(', ')}` });
      continue;
    }
    const ids = cell(topicsColumn)
      .split(topicSeparator)
      .map((id) => id.trim().toLowerCase())
      .filter(Boolean);
    const unknown = unknownTopicIds(topics, ids);
    if (unknown.length > 0) {
      const known = topics.map((topic) => topic.id).join(', ') || 'none';
      onProblem({ line, message: `topics: ${unknown.map((id) => JSON.stringify(id.slice(0, 40))).join(', ')} ${unknown.length === 1 ? 'is not a topic' : 'are not topics'} (the topics are: ${known}; separate them with "${topicSeparator}")` });
      continue;
    }
    const first = seen.get(checked.email);
    if (first !== undefined) {
      onProblem({ line, message: `${checked.email} is already on line ${first}` });
      continue;
    }
    seen.set(checked.email, line);
    const chosen = normaliseTopicSet(topics, ids);
    yield { line, email: checked.email, name, status: status === '' ? undefined : status, ...(chosen.length > 0 ? { topics: chosen } : {}) };
  }
  if (!columns) throw new CsvError('the file is empty: the first row must be a header naming an "email" column', 1);
}
