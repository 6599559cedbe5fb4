/**
 * How the renderer shows user text: every title, name and value that a user or another
 * device wrote goes through here (components/UserText.tsx renders it).
 *
 * Text that breaks the input rules can still arrive: by sync from another device, an older
 * app or a hostile one. It is shown neutralised, never rewritten in the database: each
 * character that the rule of `shared/text-rule.ts` refuses is shown as a visible escape
 * ("␊" for a line feed, "<U+202E>" for a right-to-left override) instead of being applied,
 * and the text is isolated (`<bdi>`, or a part of a `Message`) so that right-to-left text
 * never reorders the interface around it.
 */
import { codePointLabel, describeChar, forbiddenKind } from '../../../shared/text-rule.ts';

export interface DisplayOptions {
  /** Line feeds and tabs are part of the text (a note's body): kept as they are. */
  readonly multiline?: boolean;
}

/** A piece of text as shown: plain text, or one refused character as its visible escape. */
export interface TextPart {
  readonly text: string;
  /** Set when `text` stands for a refused character: its code point and its description. */
  readonly hidden: { readonly codePoint: number; readonly title: string } | null;
}

/** Control pictures (U+2400–U+2421) for the C0 controls and DEL; "<U+XXXX>" for the rest. */
function escapeOf(codePoint: number): string {
  if (codePoint < 0x20) return String.fromCodePoint(0x2400 + codePoint);
  if (codePoint === 0x7f) return '\u2421';
  return `<${codePointLabel(codePoint)}>`;
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));

/** User text as parts: the runs of allowed text, and each refused character on its own. */
export function displayParts(value: unknown, options: DisplayOptions = {}): TextPart[] {
  const text = asText(value);
  const multiline = options.multiline ?? false;
  const parts: TextPart[] = [];
  let run = '';
  for (const ch of text) {
    const codePoint = ch.codePointAt(0) as number;
    if (forbiddenKind(codePoint, multiline) === null) {
      run += ch;
      continue;
    }
    if (run) parts.push({ text: run, hidden: null });
    run = '';
    parts.push({ text: escapeOf(codePoint), hidden: { codePoint, title: `Hidden character ${describeChar(codePoint)}, shown instead of applied` } });
  }
  if (run || parts.length === 0) parts.push({ text: run, hidden: null });
  return parts;
}

/** User text as one plain string, neutralised: for accessible names, tooltips and titles. */
export function displayText(value: unknown, options: DisplayOptions = {}): string {
  return displayParts(value, options)
    .map((p) => p.text)
    .join('');
}

/**
 * The text an edit field starts from: the refused characters taken out (a line break or a
 * tab becomes a space), so that what the user sees is what saving writes. Leaving the field
 * unchanged writes nothing; the stored text stays as it came.
 */
export function editableText(value: unknown, options: DisplayOptions = {}): string {
  let out = '';
  const multiline = options.multiline ?? false;
  for (const ch of asText(value)) {
    const codePoint = ch.codePointAt(0) as number;
    const kind = forbiddenKind(codePoint, multiline);
    if (kind === null) out += ch;
    else if (kind === 'control' && /\s/u.test(ch)) out += ' ';
  }
  return out;
}

/**
 * Words for the user that quote user text: plain strings, and `{ quote }` parts shown
 * neutralised and isolated. Build one with `quoted`:
 * ``quoted`Deleted “${title}”` `` → `['Deleted “', { quote: title }, '”']`.
 */
export type MessagePart = string | { readonly quote: string };
export type Message = string | readonly MessagePart[];

export function quoted(strings: TemplateStringsArray, ...values: readonly unknown[]): MessagePart[] {
  const parts: MessagePart[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(s);
    if (i < values.length) parts.push({ quote: asText(values[i]) });
  });
  return parts;
}

/** A message as one plain string, its quotes neutralised. */
export function messageText(message: Message): string {
  return typeof message === 'string' ? message : message.map((p) => (typeof p === 'string' ? p : displayText(p.quote))).join('');
}
