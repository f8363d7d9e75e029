import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { type Article, type RecordProblem, validateArticle } from '../lambdas/articles/schema.ts';

export interface LoadedArticles {
  readonly articles: Article[];
  readonly problems: RecordProblem[];
}

const lineAndColumn = (text: string, position: number): string => {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
};

// Node reports JSON syntax errors with a character position; readers want a line and column.
const describeJsonError = (text: string, error: Error): string => {
  const position = /position (\d+)/.exec(error.message)?.[1];
  const where = position === undefined ? 'at the end of the file' : `at ${lineAndColumn(text, Number(position))}`;
  return `not valid JSON ${where}: ${error.message.replace(/ in JSON at position \d+.*$/s, '')}`;
};

const jsonFilesIn = async (path: string): Promise<string[]> => {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(path, entry.name))
    .sort();
};

/**
 * Reads article records from a JSON file (one object or an array) or a folder of such files.
 * Invalid records are reported and left out; the first record with an id wins over later duplicates.
 */
export const loadArticleFiles = async (path: string): Promise<LoadedArticles> => {
  const articles: Article[] = [];
  const problems: RecordProblem[] = [];
  const seen = new Map<string, string>();
  let files: string[];
  try {
    files = await jsonFilesIn(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message;
    return { articles, problems: [{ source: path, field: '(file)', message: reason }] };
  }
  for (const file of files) {
    const name = relative(process.cwd(), file).startsWith('..') ? basename(file) : relative(process.cwd(), file);
    const text = await readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      problems.push({ source: name, field: '(file)', message: describeJsonError(text, error as Error) });
      continue;
    }
    const records = Array.isArray(parsed) ? parsed : [parsed];
    records.forEach((record, index) => {
      const source = Array.isArray(parsed) ? `${name}[${index}]` : name;
      const result = validateArticle(record, source);
      if (!result.ok) {
        problems.push(...result.problems);
        return;
      }
      const earlier = seen.get(result.article.id);
      if (earlier) {
        problems.push({ source, id: result.article.id, field: 'id', message: `duplicates the record in ${earlier}` });
        return;
      }
      seen.set(result.article.id, source);
      articles.push(result.article);
    });
  }
  return { articles, problems };
};
