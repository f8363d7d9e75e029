import { Readable } from 'node:stream';
import { defaultTopics, type Topic } from '../../lambdas/config/topics.ts';
import { readCsv } from '../../lambdas/subscription/csv.ts';
import { type ImportRow, readImportRows, type RowProblem } from '../../lambdas/subscription/subscriber-csv.ts';

/** An import file's usable rows and its problems, read as the importer reads them. */
export const readImportFile = async (text: string, topics: readonly Topic[] = defaultTopics): Promise<{ rows: ImportRow[]; problems: RowProblem[] }> => {
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  for await (const row of readImportRows(readCsv(Readable.from([text])), topics, (problem) => problems.push(problem))) rows.push(row);
  return { rows, problems };
};
