/**
 * Text rendered once with a placeholder token wherever a recipient's value goes, split at those tokens:
 * even entries are literal text, odd entries the name of the slot between them. Every per-recipient
 * fill (the briefing, the confirmation email, the MIME bodies) goes through this one split and `fillSlots`.
 */
export type SlotParts = readonly string[];

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Splits `source` at the tokens of `slots` (slot name → token text). */
export const splitAtSlots = (source: string, slots: Readonly<Record<string, string>>): SlotParts => {
  const byToken = new Map(Object.entries(slots).map(([name, token]) => [token, name]));
  if (byToken.size === 0) return [source];
  const pattern = new RegExp(`(${[...byToken.keys()].map(escapeRegExp).join('|')})`);
  return source.split(pattern).map((part, index) => (index % 2 === 1 ? byToken.get(part)! : part));
};

/** Joins split text back with a value for each slot; a slot without a value is an error naming it. */
export const fillSlots = (parts: SlotParts, values: Readonly<Record<string, string>>): string => {
  let out = parts[0] ?? '';
  for (let index = 1; index < parts.length; index += 2) {
    const value = values[parts[index]!];
    if (value === undefined) throw new Error(`no value for the slot "${parts[index]}"`);
    out += value + (parts[index + 1] ?? '');
  }
  return out;
};

/** HTML-escapes a value written into markup (text or a quoted attribute). */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
