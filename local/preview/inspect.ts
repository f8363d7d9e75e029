/** Gmail cuts a message's HTML after 102 KB and hides the rest behind "[Message clipped]". */
export const gmailClipBytes = 102 * 1024;
/** From here on a few more stories or a longer template push the email past the clip. */
export const nearClipBytes = Math.round(gmailClipBytes * 0.9);

export interface SizeReport {
  readonly bytes: number;
  readonly level: 'ok' | 'near' | 'clipped';
}

export const sizeOf = (html: string): SizeReport => {
  const bytes = Buffer.byteLength(html, 'utf8');
  return { bytes, level: bytes >= gmailClipBytes ? 'clipped' : bytes >= nearClipBytes ? 'near' : 'ok' };
};

export interface EmailLink {
  readonly href: string;
  readonly text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

const decode = (value: string): string =>
  value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return entities[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return String.fromCodePoint(code);
  });

const anchor = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi;
const hrefAttribute = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

/** Every link in the HTML, in order, with its visible text (an image link shows its alt text). */
export const linksIn = (html: string): EmailLink[] =>
  [...html.matchAll(anchor)].flatMap(([, attributes = '', inner = '']) => {
    const href = hrefAttribute.exec(attributes);
    if (!href) return [];
    const alt = /<img\b[^>]*\balt\s*=\s*"([^"]*)"/i.exec(inner)?.[1];
    const text = decode(inner.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim() || (alt === undefined ? '' : `[image: ${decode(alt)}]`);
    return [{ href: decode(href[1] ?? href[2] ?? href[3] ?? ''), text }];
  });
