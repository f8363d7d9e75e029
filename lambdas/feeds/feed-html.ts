import { DomUtils, ElementType, parseDocument } from 'htmlparser2';
import type { Markup } from './feed-item.ts';

type Node = ReturnType<typeof parseDocument>['children'][number];
type Element = Extract<Node, { attribs: unknown }>;

const isElement = (node: Node): node is Element => 'attribs' in node;
const isText = (node: Node) => node.type === ElementType.Text;

/** What the mapping takes from an item's HTML (or plain text). All text is plain: tags removed, entities decoded. */
export interface HtmlOutline {
  /** Every paragraph, in order (the text between blocks counts as one). */
  readonly paragraphs: readonly string[];
  /** The list under a "What do you need to know?" / "Key points" heading, when there is one. */
  readonly keyPoints?: readonly string[];
  /** Each h2/h3 heading with the paragraphs that follow it. */
  readonly sections: readonly { readonly heading: string; readonly paragraphs: readonly string[] }[];
  /** The links of a list under a "Related" heading (absolute https links only). */
  readonly related: readonly { readonly title: string; readonly url: string }[];
}

type Block =
  | { readonly kind: 'heading'; readonly level: number; readonly text: string }
  | { readonly kind: 'paragraph'; readonly text: string; readonly emphasised: boolean }
  | { readonly kind: 'list'; readonly items: readonly { readonly text: string; readonly href?: string }[] };

// Never story text: code, embedded media and their captions, forms.
const skipped = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'video', 'audio', 'picture', 'figure', 'form', 'button', 'select', 'textarea']);
const containers = new Set(['div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'body', 'html', 'table', 'tbody', 'thead', 'tr', 'td', 'th', 'dl', 'dd', 'dt', 'pre', 'center', 'details', 'summary', 'hr']);
const headings = /^h([1-6])$/;
const emphasis = new Set(['strong', 'b']);

// The teaser links feeds append to a summary ("Continue reading…"): never part of the text.
const teaserLink = /^(?:continue reading|read more|read the full (?:story|article)|keep reading|full story)\b/i;
// WordPress (Yoast) closes every feed text with "The post <title> appeared first on <site>.": a footer, not a paragraph.
const footerParagraph = /^The post .+ appeared first on .+\.$/;
const keyPointsLabel = /^(?:what (?:do )?(?:you )?need to know|(?:the )?key (?:points|facts)|at a glance|in brief|the essentials|what we know)\b/i;
const relatedLabel = /^(?:related(?: (?:content|stories|articles|links|coverage|reading))?|more on this (?:story|topic)|see also)$/i;

// Control characters are never text (the record schema refuses them): dropped, like tags.
export const collapse = (text: string): string =>
  text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const isTeaser = (node: Node): boolean => isElement(node) && node.name === 'a' && teaserLink.test(collapse(DomUtils.textContent(node)));

/** The text of inline content, and the part of it that is bold. */
const inlineText = (nodes: readonly Node[], inBold = false): { text: string; bold: string } => {
  let text = '';
  let bold = '';
  for (const node of nodes) {
    if (isText(node)) {
      text += node.data;
      if (inBold) bold += node.data;
    } else if (isElement(node) && !skipped.has(node.name) && !isTeaser(node)) {
      if (node.name === 'br') text += ' ';
      const inner = inlineText(node.children, inBold || emphasis.has(node.name));
      // Block boundaries inside inline content (a <p> in an <li>) still separate words.
      text += headings.test(node.name) || containers.has(node.name) || node.name === 'p' || node.name === 'li' ? ` ${inner.text} ` : inner.text;
      bold += inner.bold;
    }
  }
  return { text, bold };
};

const listItems = (list: Node): { text: string; href?: string }[] =>
  isElement(list)
    ? list.children.filter((node) => isElement(node) && node.name === 'li').flatMap((item) => {
        const text = collapse(inlineText([item]).text);
        const link = DomUtils.findOne((node) => node.name === 'a' && Boolean(node.attribs.href), [item]);
        return text ? [{ text, href: link?.attribs.href }] : [];
      })
    : [];

/** The document as a flat run of headings, paragraphs and lists; loose inline content between blocks is a paragraph. */
const blocks = (nodes: readonly Node[], into: Block[] = []): Block[] => {
  let inline: Node[] = [];
  const flush = () => {
    const { text, bold } = inlineText(inline);
    const paragraph = collapse(text);
    if (paragraph && !footerParagraph.test(paragraph)) into.push({ kind: 'paragraph', text: paragraph, emphasised: collapse(bold) === paragraph });
    inline = [];
  };
  for (const node of nodes) {
    if (!isElement(node)) {
      inline.push(node);
      continue;
    }
    if (skipped.has(node.name)) continue;
    const level = headings.exec(node.name)?.[1];
    if (!level && node.name !== 'p' && node.name !== 'ul' && node.name !== 'ol' && !containers.has(node.name)) {
      inline.push(node);
      continue;
    }
    flush();
    if (level) {
      const text = collapse(inlineText(node.children).text);
      if (text) into.push({ kind: 'heading', level: Number(level), text });
    } else if (node.name === 'p') {
      inline = [...node.children];
      flush();
    } else if (node.name === 'ul' || node.name === 'ol') {
      const items = listItems(node);
      if (items.length > 0) into.push({ kind: 'list', items });
    } else {
      blocks(node.children, into);
    }
  }
  flush();
  return into;
};

const httpsLink = (href: string | undefined, base: string | undefined): string | undefined => {
  if (!href || !URL.canParse(href, base)) return undefined;
  const url = new URL(href, base);
  return url.protocol === 'https:' ? url.href : undefined;
};

/** A heading, or a short all-bold paragraph that CMSes use as one: its text without a closing "?" or ":". */
const label = (block: Block): string | undefined =>
  block.kind === 'heading' || (block.kind === 'paragraph' && block.emphasised && block.text.length <= 80) ? block.text.replace(/[\s?:.]+$/, '') : undefined;

const outline = (all: readonly Block[], base: string | undefined): HtmlOutline => {
  const paragraphs: string[] = [];
  const sections: { heading: string; paragraphs: string[] }[] = [];
  const related: { title: string; url: string }[] = [];
  let keyPoints: string[] | undefined;
  let section: { heading: string; paragraphs: string[] } | undefined;
  for (let index = 0; index < all.length; index += 1) {
    const block = all[index]!;
    const next = all[index + 1];
    const name = label(block);
    if (name !== undefined && next?.kind === 'list' && (keyPointsLabel.test(name) || relatedLabel.test(name))) {
      if (relatedLabel.test(name)) {
        related.push(...next.items.flatMap((item) => {
          const url = httpsLink(item.href, base);
          return url ? [{ title: item.text, url }] : [];
        }));
      } else keyPoints ??= next.items.map((item) => item.text);
      section = undefined;
      index += 1;
    } else if (block.kind === 'heading' && (block.level === 2 || block.level === 3)) {
      section = { heading: block.text, paragraphs: [] };
      sections.push(section);
    } else if (block.kind === 'paragraph') {
      paragraphs.push(block.text);
      section?.paragraphs.push(block.text);
    }
  }
  return { paragraphs, keyPoints, sections: sections.filter((entry) => entry.paragraphs.length > 0), related };
};

/** Plain text of HTML on one line: tags removed, entities decoded, whitespace collapsed. */
export const htmlToText = (html: string): string => collapse(inlineText(parseDocument(html).children).text);

/** Plain text of a feed's text, whichever kind it is. */
export const plainText = (markup: Markup | undefined): string | undefined => {
  if (!markup) return undefined;
  return (markup.type === 'html' ? htmlToText(markup.value) : collapse(markup.value)) || undefined;
};

/** The structure of a feed's text; `base` resolves relative links. Plain text has paragraphs only (split at blank lines). */
export const readOutline = (markup: Markup | undefined, base: string | undefined): HtmlOutline => {
  if (!markup) return { paragraphs: [], sections: [], related: [] };
  if (markup.type === 'text') return { paragraphs: markup.value.split(/\n\s*\n/).map(collapse).filter(Boolean), sections: [], related: [] };
  return outline(blocks(parseDocument(markup.value).children), base);
};
