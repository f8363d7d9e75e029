import { describe, expect, it } from 'vitest';
import { layoutText } from '../../lambdas/render/text-wrap.ts';

describe('layoutText', () => {
  it('wraps long lines at spaces within the width', () => {
    const out = layoutText('one two three four five six seven eight nine ten', 15);
    expect(out).toBe('one two three\nfour five six\nseven eight\nnine ten\n');
  });

  it('continues a list item under its text, not under its bullet', () => {
    expect(layoutText('  * alpha beta gamma delta epsilon', 18)).toBe('  * alpha beta\n    gamma delta\n    epsilon\n');
    expect(layoutText('12. alpha beta gamma', 12)).toBe('12. alpha\n    beta\n    gamma\n');
  });

  it('gives a link a line of its own and never breaks it, however long', () => {
    const url = `https://news.example.com/${'a'.repeat(90)}?x=1&y=2`;
    expect(layoutText(`Read it here: ${url} today`, 76)).toBe(`Read it here:\n${url}\ntoday\n`);
    expect(layoutText(`Write to <mailto:desk@example.com> now`, 76)).toBe('Write to\n<mailto:desk@example.com>\nnow\n');
  });

  it('leaves a word longer than the width whole', () => {
    expect(layoutText(`a ${'x'.repeat(20)} b`, 10)).toBe(`a\n${'x'.repeat(20)}\nb\n`);
  });

  it('collapses blank lines to one, trims trailing spaces and blank lines at either end', () => {
    expect(layoutText('\n\n  \nTitle  \n\n\n\nBody\r\n\r\n\r\nEnd\n\n\n')).toBe('Title\n\nBody\n\nEnd\n');
  });

  it('keeps the space of the "-- " signature separator', () => {
    expect(layoutText('Thanks\n\n-- \nBriefing Newsroom\n')).toBe('Thanks\n\n-- \nBriefing Newsroom\n');
  });

  it('keeps short lines, rules and indentation as written', () => {
    const text = 'TITLE\n----------\n    indented line\n';
    expect(layoutText(text)).toBe(text);
  });
});
