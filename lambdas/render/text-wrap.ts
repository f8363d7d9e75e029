/** Where mail readers expect a text/plain line to end (RFC 5322 recommends 78; 76 leaves room for quoting). */
export const textWidth = 76;

// A web or mail link: clients only linkify one that stands whole, so it gets a line of its own and is never broken.
const isLink = (word: string): boolean => /^<?(?:https?:\/\/|mailto:)/i.test(word);

// The indent a wrapped line continues at: under the text of a list item, not under its bullet.
const hangingIndent = /^\s*(?:(?:[*•-]|\d{1,2}\.)\s+)?/;

const wrapLine = (line: string, width: number): string[] => {
  const indent = hangingIndent.exec(line)![0];
  const words = line.slice(indent.length).split(/ +/).filter(Boolean);
  const hang = ' '.repeat(indent.length);
  const lines: string[] = [];
  let current = indent;
  let empty = true;
  const flush = () => {
    if (!empty) lines.push(current);
    current = hang;
    empty = true;
  };
  for (const word of words) {
    const link = isLink(word);
    if (!empty && (link || current.length + 1 + word.length > width)) flush();
    current += empty ? word : ` ${word}`;
    empty = false;
    if (link) flush();
  }
  flush();
  return lines;
};

/**
 * Lays out a text/plain body: lines wrapped at `width` columns at spaces (a list item's continuation lines
 * under its text), every link on a line of its own and never broken, trailing spaces dropped, blank lines
 * collapsed to one, no blank lines at either end. The signature separator "-- " keeps its space.
 *
 * Values filled in per recipient after this (see `personalise`) can be longer than their placeholders,
 * so the text templates put them on lines of their own.
 */
export const layoutText = (text: string, width: number = textWidth): string => {
  const out: string[] = [];
  let blank = true;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw === '-- ' ? raw : raw.trimEnd();
    if (line === '') {
      if (!blank) out.push('');
      blank = true;
      continue;
    }
    blank = false;
    if (line.length <= width && !/:\/\/|mailto:/i.test(line)) out.push(line);
    else out.push(...wrapLine(line, width));
  }
  if (blank && out.length) out.pop();
  return `${out.join('\n')}\n`;
};
