/** Which focused elements keep Ctrl/Cmd+Z for their own typing (Toasts.tsx runs the app's undo everywhere else). */
import { describe, expect, it } from 'vitest';
import { isTextEntry } from './text-entry.ts';

const html = (markup: string): Element => {
  const box = document.createElement('div');
  box.innerHTML = markup;
  return box.querySelector('[data-t]') as Element;
};

describe('isTextEntry', () => {
  it('is true for text-like inputs, textareas and contenteditable content', () => {
    for (const type of ['text', 'search', 'email', 'url', 'tel', 'password', 'number', 'date', 'unknown-type']) {
      expect(isTextEntry(html(`<input data-t type="${type}">`)), type).toBe(true);
    }
    expect(isTextEntry(html('<input data-t>'))).toBe(true); // no type: text
    expect(isTextEntry(html('<textarea data-t></textarea>'))).toBe(true);
    expect(isTextEntry(html('<div data-t contenteditable="true"></div>'))).toBe(true);
    expect(isTextEntry(html('<div contenteditable><span data-t>inside</span></div>'))).toBe(true);
  });

  it('is false for inputs that take no typing, other elements, and no element', () => {
    for (const type of ['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'file', 'color', 'range']) {
      expect(isTextEntry(html(`<input data-t type="${type}">`)), type).toBe(false);
    }
    expect(isTextEntry(html('<input data-t type="CheckBox">'))).toBe(false);
    expect(isTextEntry(html('<button data-t>Undo</button>'))).toBe(false);
    expect(isTextEntry(html('<li data-t tabindex="0">Milk</li>'))).toBe(false);
    expect(isTextEntry(html('<div contenteditable="false"><span data-t>read only</span></div>'))).toBe(false);
    expect(isTextEntry(window)).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });
});
