import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CsvRow, CsvError, readCsv } from '../../lambdas/subscription/csv.ts';
import type { Subscriber } from '../../lambdas/subscription/store.ts';
import { defuseCell, restoreCell, subscribersToCsv } from '../../lambdas/subscription/subscriber-csv.ts';
import { readImportFile } from '../helpers/import-file.ts';

const parseCsv = async (text: string): Promise<CsvRow[]> => {
  const rows: CsvRow[] = [];
  for await (const row of readCsv(Readable.from([text]))) rows.push(row);
  return rows;
};


const subscriber = (email: string, status: Subscriber['status'], name?: string, topics?: string[]): Subscriber => ({
  email,
  id: `id-${email}`,
  status,
  name,
  topics,
  createdAt: '2026-11-20T08:00:00.000Z',
  updatedAt: '2026-11-21T08:00:00.000Z',
  history: [{ status, at: '2026-11-20T08:00:00.000Z', reason: 'test' }],
});

describe('spreadsheet-safe cells', () => {
  it.each(['=1+1', '+44 20', '-2', '@SUM(A1)', '\tx', "'quoted", "'=already"])('defuses %j and restores it exactly', (value) => {
    expect(defuseCell(value).startsWith("'")).toBe(true);
    expect(restoreCell(defuseCell(value))).toBe(value);
  });

  it.each(['Ada Lovelace', 'ada@example.com', "O'Brien", ''])('leaves %j alone both ways', (value) => {
    expect(defuseCell(value)).toBe(value);
    expect(restoreCell(value)).toBe(value);
  });
});

describe('export', () => {
  it('writes every field a spreadsheet would run defused, the email column included, in address order', () => {
    const csv = subscribersToCsv([
      subscriber('zoe@example.com', 'active', '=HYPERLINK("x")', ['science', 'world']),
      subscriber('=1+1@x.org', 'pending'),
      subscriber('ada@example.com', 'unsubscribed', 'Lovelace, Ada', []),
    ]);

    expect(csv.split('\r\n')).toEqual([
      'email,name,status,topics,created_at,updated_at',
      "'=1+1@x.org,,pending,,2026-11-20T08:00:00.000Z,2026-11-21T08:00:00.000Z",
      'ada@example.com,"Lovelace, Ada",unsubscribed,,2026-11-20T08:00:00.000Z,2026-11-21T08:00:00.000Z',
      `zoe@example.com,"'=HYPERLINK(""x"")",active,science;world,2026-11-20T08:00:00.000Z,2026-11-21T08:00:00.000Z`,
      '',
    ]);
  });

  it('reads back exactly what it wrote: address, name, status and topics of every row', async () => {
    const list = [
      subscriber('=1+1@x.org', 'pending', "'=tricky", ['uk']),
      subscriber('ada@example.com', 'suppressed', '+44 Ada', ['business', 'markets', 'technology']),
      subscriber('bob@example.com', 'active'),
    ];

    const { rows, problems } = await readImportFile(subscribersToCsv(list));

    expect(problems).toEqual([]);
    expect(rows.map(({ email, name, status, topics }) => ({ email, name, status, topics }))).toEqual([
      { email: '=1+1@x.org', name: "'=tricky", status: 'pending', topics: ['uk'] },
      { email: 'ada@example.com', name: '+44 Ada', status: 'suppressed', topics: ['business', 'markets', 'technology'] },
      { email: 'bob@example.com', name: undefined, status: 'active', topics: undefined },
    ]);
  });
});

describe('import rows', () => {
  it('reports each unusable row by line with the reason, and keeps the first of a repeated address', async () => {
    const { rows, problems } = await readImportFile(
      ['Email,Status,Name', 'ada@example.com,unsubscribed,Ada', 'ADA@example.com,active,Again', 'nope,active,X', 'bob@example.com,gone,Bob', 'cy@example.com,,Cy', 'short'].join('\n'),
    );

    expect(rows).toEqual([
      { line: 2, email: 'ada@example.com', name: 'Ada', status: 'unsubscribed' },
      { line: 6, email: 'cy@example.com', name: 'Cy', status: undefined },
    ]);
    expect(problems).toEqual([
      { line: 3, message: 'ada@example.com is already on line 2' },
      { line: 4, message: '"nope": Enter an email address such as name@example.com.' },
      { line: 5, message: 'status: "gone" is not one of pending, active, unsubscribed, suppressed' },
      { line: 7, message: 'has 1 field(s), the header has 3' },
    ]);
  });

  it('reads topics separated by ";" in any case and order, each once, and leaves out a row naming a topic that does not exist, with the known ones', async () => {
    const { rows, problems } = await readImportFile(
      ['email,topics', 'a@example.com,World; science ;world', 'b@example.com,', 'c@example.com,world;weather;space', 'd@example.com,world,extra'].join('\n'),
      [
        { id: 'world', label: 'World', categories: ['World'] },
        { id: 'science', label: 'Science', categories: ['Science'] },
        { id: 'sport', label: 'Sport', categories: ['Sport'] },
      ],
    );

    expect(rows).toEqual([
      { line: 2, email: 'a@example.com', name: undefined, status: undefined, topics: ['science', 'world'] },
      { line: 3, email: 'b@example.com', name: undefined, status: undefined },
    ]);
    expect(problems).toEqual([
      { line: 4, message: 'topics: "weather", "space" are not topics (the topics are: world, science, sport; separate them with ";")' },
      { line: 5, message: 'has 3 field(s), the header has 2' },
    ]);
  });

  it('refuses a file without an email column', async () => {
    await expect(readImportFile('name\nAda\n')).rejects.toThrow(CsvError);
    await expect(readImportFile('name\nAda\n')).rejects.toThrow('the header row must name an "email" column (found: name)');
  });
});

describe('CSV reading', () => {
  it('numbers rows by the line they start on, across quoted line breaks, mixed line endings and blank lines', async () => {
    expect(await parseCsv('\uFEFFemail,name\r\na@x.org,"two\nlines"\n\nb@x.org,B\rc@x.org,"say ""hi"", ok"\n')).toEqual([
      { line: 1, fields: ['email', 'name'] },
      { line: 2, fields: ['a@x.org', 'two\nlines'] },
      { line: 5, fields: ['b@x.org', 'B'] },
      { line: 6, fields: ['c@x.org', 'say "hi", ok'] },
    ]);
  });

  it('names the line of a quoted field that is never closed', async () => {
    await expect(parseCsv('email,name\na@x.org,"open\n')).rejects.toThrow('line 2: a quoted field is not closed');
  });
});
