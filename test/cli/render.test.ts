import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { article } from '../helpers/articles.ts';
import { runCli } from '../helpers/cli.ts';

const workspace = () => mkdtempSync(join(tmpdir(), 'briefing-render-'));

describe('briefing render', () => {
  it('renders the samples by default to HTML and text files', async () => {
    const dir = workspace();
    const result = await runCli(['render', '--date', '2026-11-24', '--out', 'out/b.html', '--text', 'out/b.txt'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('10 stories');
    const { document } = parseHTML(readFileSync(join(dir, 'out/b.html'), 'utf8'));
    expect(document.querySelector('h1')?.textContent).toContain('Climate summit');
    expect(readFileSync(join(dir, 'out/b.txt'), 'utf8')).toContain('Read the full story:\nhttps://news.example.com/world/');
  });

  it('reports invalid records on stderr, leaves them out and renders the rest', async () => {
    const dir = workspace();
    mkdirSync(join(dir, 'articles'));
    writeFileSync(
      join(dir, 'articles/today.json'),
      JSON.stringify([article({ id: 'good-one', headline: 'The good story' }), { ...article({ id: 'bad-one' }), url: 'javascript:alert(1)' }]),
    );
    writeFileSync(join(dir, 'articles/broken.json'), '{\n  "id": "x",\n  oops\n}');
    const result = await runCli(['render', '--articles', 'articles', '--out', 'b.html'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toContain('invalid: articles/today.json[1] (id bad-one): url: must be an https:// URL, not javascript:');
    expect(lines.find((line) => line.startsWith('invalid: articles/broken.json: (file): not valid JSON at line 3'))).toBeDefined();
    const html = readFileSync(join(dir, 'b.html'), 'utf8');
    expect(html).toContain('The good story');
    expect(html).not.toContain('bad-one');
  });

  it('fails on any invalid record with --strict and writes nothing', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'a.json'), JSON.stringify([article({ id: 'fine' }), { ...article({ id: 'no-points' }), keyPoints: [] }]));
    const result = await runCli(['render', '--articles', 'a.json', '--strict', '--out', 'b.html'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a.json[1] (id no-points): keyPoints: must list at least 1 key point');
    expect(() => readFileSync(join(dir, 'b.html'))).toThrow();
  });

  it('exits 1 with a clear message when nothing valid remains', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'one.json'), JSON.stringify({ id: 'Bad Id' }));
    const result = await runCli(['render', '--articles', 'one.json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no valid article records in one.json');
  });

  it('names a missing path', async () => {
    const result = await runCli(['render', '--articles', 'nowhere'], { cwd: workspace() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nowhere: (file): no such file or folder');
  });

  it('rejects a date that is not a calendar date', async () => {
    const result = await runCli(['render', '--date', '2026-02-30'], { cwd: workspace() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('expected a calendar date as YYYY-MM-DD');
  });

  it('explains itself with --help', async () => {
    const result = await runCli(['render', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--articles <path>');
    expect(result.stdout).toContain('--strict');
    expect(result.stdout).toContain('Examples:');
  });
});
