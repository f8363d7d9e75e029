import { Readable } from 'node:stream';
import { readCsv } from '../../lambdas/subscription/csv.ts';
import { type ImportRow, readImportRows, type RowProblem } from '../../lambdas/subscription/subscriber-csv.ts';

/** An import file's usable rows and its problems, read as the importer reads them. */
export const readImportFile = async (text: string): Promise<{ rows: ImportRow[]; problems: RowProblem[] }> => {
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  for await (const row of readImportRows(readCsv(Readable.from([text])), (problem) => problems.push(problem))) rows.push(row);
  return { rows, problems };
};
