/**
 * The character rule of user text is one function (shared/text-rule.ts), used when text is
 * written (checkText) and when it is shown (displayText): a table of characters says what it
 * decides, and a sweep of every BMP code point says that both paths always agree.
 */
import { describe, expect, it } from 'vitest';
import { checkText } from '../../../shared/input-rules.ts';
import { displayParts, displayText, editableText, messageText, quoted } from './display-text.ts';

const single = { label: 'Title', max: 500 };
const multi = { label: 'Body', max: 500, optional: true, multiline: true };

// [character, name, refused in a single-line text, refused in a multi-line text, how it is shown]
const TABLE: ReadonlyArray<readonly [string, string, boolean, boolean, string]> = [
  ['\u0000', 'NUL', true, true, '\u2400'],
  ['\u0007', 'bell', true, true, '\u2407'],
  ['\t', 'tab', true, false, '\u2409'],
  ['\n', 'line feed', true, false, '\u240a'],
  ['\r', 'carriage return', true, true, '\u240d'],
  ['\u001b', 'escape', true, true, '\u241b'],
  ['\u007f', 'DEL', true, true, '\u2421'],
  ['\u0085', 'next line (C1)', true, true, '<U+0085>'],
  ['\u009b', 'CSI (C1)', true, true, '<U+009B>'],
  ['\u2028', 'line separator', true, true, '<U+2028>'],
  ['\u2029', 'paragraph separator', true, true, '<U+2029>'],
  ['\u061c', 'Arabic letter mark', true, true, '<U+061C>'],
  ['\u200e', 'left-to-right mark', true, true, '<U+200E>'],
  ['\u200f', 'right-to-left mark', true, true, '<U+200F>'],
  ['\u202a', 'left-to-right embedding', true, true, '<U+202A>'],
  ['\u202b', 'right-to-left embedding', true, true, '<U+202B>'],
  ['\u202c', 'pop directional formatting', true, true, '<U+202C>'],
  ['\u202d', 'left-to-right override', true, true, '<U+202D>'],
  ['\u202e', 'right-to-left override', true, true, '<U+202E>'],
  ['\u2066', 'left-to-right isolate', true, true, '<U+2066>'],
  ['\u2067', 'right-to-left isolate', true, true, '<U+2067>'],
  ['\u2068', 'first strong isolate', true, true, '<U+2068>'],
  ['\u2069', 'pop directional isolate', true, true, '<U+2069>'],
  ['\ud800', 'lone high surrogate', true, true, '<U+D800>'],
  ['\udfff', 'lone low surrogate', true, true, '<U+DFFF>'],
  [' ', 'space', false, false, ' '],
  ['\u00a0', 'no-break space', false, false, '\u00a0'],
  ['\u00ad', 'soft hyphen', false, false, '\u00ad'],
  ['\u200c', 'zero-width non-joiner (Persian)', false, false, '\u200c'],
  ['\u200d', 'zero-width joiner (emoji)', false, false, '\u200d'],
  ['\ufe0f', 'variation selector 16', false, false, '\ufe0f'],
  ['\u05e9', 'Hebrew letter shin', false, false, '\u05e9'],
  ['\u0645', 'Arabic letter meem', false, false, '\u0645'],
  ['\u{1f600}', 'emoji (a surrogate pair)', false, false, '\u{1f600}'],
  ['\u{e0067}', 'emoji tag', false, false, '\u{e0067}'],
];

describe('the character rule of user text', () => {
  it.each(TABLE)('%j (%s): refused single-line %s, multi-line %s, shown as %j', (ch, _name, refusedSingle, refusedMulti, shown) => {
    const text = `a${ch}b`;
    expect(checkText(text, single).ok).toBe(!refusedSingle);
    expect(checkText(text, multi).ok).toBe(!refusedMulti);
    // Shown: a single-line place escapes what a single-line text may not hold.
    expect(displayText(text)).toBe(refusedSingle ? `a${shown}b` : text);
    expect(displayText(text, { multiline: true })).toBe(refusedMulti ? `a${shown}b` : text);
    // Edited: what the field starts from is text the rules accept.
    expect(checkText(editableText(text), single).ok).toBe(true);
    expect(checkText(editableText(text, { multiline: true }), multi).ok).toBe(true);
  });

  it('is one rule: for every code point, writing refuses exactly what showing escapes', () => {
    const disagree: string[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      const text = `a${String.fromCharCode(cp)}b`;
      for (const [rule, multiline] of [[single, false], [multi, true]] as const) {
        const refused = !checkText(text, rule).ok;
        const escaped = displayText(text, { multiline }) !== text;
        if (refused !== escaped) disagree.push(`U+${cp.toString(16)} ${multiline ? 'multi' : 'single'}`);
      }
    }
    expect(disagree).toEqual([]);
  });

  it('marks each escape as a hidden character, with its name, and keeps the text around it', () => {
    expect(displayParts('invoice\u202Efdp.exe')).toEqual([
      { text: 'invoice', hidden: null },
      { text: '<U+202E>', hidden: { codePoint: 0x202e, title: 'Hidden character U+202E (right-to-left override), shown instead of applied' } },
      { text: 'fdp.exe', hidden: null },
    ]);
    expect(displayParts('')).toEqual([{ text: '', hidden: null }]);
    expect(displayText(null)).toBe('');
    expect(displayText(42)).toBe('42');
  });

  it('starts an edit from the text without what the rules refuse: a line break or a tab becomes a space', () => {
    expect(editableText('first\nsecond\u202E\tthird\u2066')).toBe('first second third');
    expect(editableText('line 1\n\tline 2\u202E\r', { multiline: true })).toBe('line 1\n\tline 2 ');
    expect(editableText('Milk')).toBe('Milk');
  });

  it('builds messages that quote user text, shown neutralised', () => {
    const message = quoted`Deleted “${'a\u202Eb'}”`;
    expect(message).toEqual(['Deleted “', { quote: 'a\u202Eb' }, '”']);
    expect(messageText(message)).toBe('Deleted “a<U+202E>b”');
    expect(messageText('plain')).toBe('plain');
  });
});
