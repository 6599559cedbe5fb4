/**
 * NumberField and NumberInput (components/NumberField.tsx), over a schema of the test's own
 * (so they hold in a fork): the label names the input, the schema's rule answers in its words
 * next to it, and only a valid, changed value is saved.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createdAt, defineAppSchema, field, order, parent, text } from '../../../shared/app-schema-kit.ts';
import { numberInput } from '../../../shared/field-checks.ts';
import type { TextResult } from '../store/app-state.ts';
import { NumberField, NumberInput } from './NumberField.tsx';

afterEach(cleanup);

const schema = defineAppSchema({
  version: 1,
  tables: {
    rooms: { noun: 'room', titleColumn: 'name', columns: { name: text({ label: 'Room', max: 50 }), order: order() } },
    items: {
      noun: 'item',
      titleColumn: 'name',
      columns: {
        roomId: parent('rooms'),
        name: text({ label: 'Name', max: 80 }),
        quantity: field<number | null>('integer', { label: 'Quantity', min: 0 }),
        price: field<number | null>({ type: 'number', nullable: true }, { label: 'Price', min: 0, max: 1_000_000 }),
        createdAt: createdAt(),
      },
    },
  },
});
const quantity = numberInput(schema, 'items', 'quantity');
const price = numberInput(schema, 'items', 'price');

const ok = (): Promise<TextResult> => Promise.resolve({ ok: true });

describe('NumberField', () => {
  it('is named by its label, asks for digits, and shows the stored value', () => {
    render(<NumberField spec={quantity} value={3} onSave={ok} />);
    const input = screen.getByRole('textbox', { name: 'Quantity' });
    expect((input as HTMLInputElement).value).toBe('3');
    expect(input.getAttribute('inputmode')).toBe('numeric');
    expect(input.getAttribute('aria-invalid')).toBe('false');
    render(<NumberField spec={price} value={null} onSave={ok} hideLabel />);
    const priceInput = screen.getByRole('textbox', { name: 'Price' });
    expect(priceInput.getAttribute('inputmode')).toBe('decimal');
    expect((priceInput as HTMLInputElement).value).toBe('');
  });

  it('says what is wrong in the label’s words, next to the input, keeps what was typed and saves nothing', async () => {
    const onSave = vi.fn(ok);
    const user = userEvent.setup();
    render(<NumberField spec={quantity} value={3} onSave={onSave} />);
    const input = screen.getByRole('textbox', { name: 'Quantity' });
    for (const [typed, message] of [
      ['-1', 'Quantity must be at least 0.'],
      ['2.5', 'Quantity must be a whole number.'],
      ['lots', 'Quantity must be a number.'],
      ['', 'Quantity can’t be empty.'],
    ] as const) {
      await user.clear(input);
      if (typed !== '') await user.type(input, typed);
      await user.keyboard('{Enter}');
      const alert = await screen.findByRole('alert');
      expect(alert.textContent?.replace('’', "'")).toBe(message.replace('’', "'"));
      expect(input.getAttribute('aria-invalid')).toBe('true');
      expect(input.getAttribute('aria-describedby')).toBe(alert.id);
      expect((input as HTMLInputElement).value).toBe(typed);
    }
    expect(onSave).not.toHaveBeenCalled();
    // Escape puts the stored value back.
    await user.keyboard('{Escape}');
    expect((input as HTMLInputElement).value).toBe('3');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('saves a valid, changed value once on Enter, and on leaving the field; blank clears a nullable one', async () => {
    const onSave = vi.fn(ok);
    const user = userEvent.setup();
    render(
      <>
        <NumberField spec={quantity} value={3} onSave={onSave} />
        <NumberField spec={price} value={2.5} onSave={onSave} />
      </>,
    );
    const q = screen.getByRole('textbox', { name: 'Quantity' });
    await user.clear(q);
    await user.type(q, '12{Enter}');
    await user.tab(); // leaving after Enter saves nothing more
    const p = screen.getByRole('textbox', { name: 'Price' });
    await user.clear(p);
    await user.tab();
    await user.click(q); // unchanged: nothing to save
    await user.tab();
    expect(onSave.mock.calls).toEqual([[12], [null]]);
  });

  it('shows the store’s refusal, and follows a value written elsewhere while not being edited', async () => {
    const user = userEvent.setup();
    const refuse = (): Promise<TextResult> => Promise.resolve({ ok: false, message: 'That item no longer exists.' });
    const { rerender } = render(<NumberField spec={quantity} value={3} onSave={refuse} />);
    const input = screen.getByRole('textbox', { name: 'Quantity' });
    rerender(<NumberField spec={quantity} value={7} onSave={refuse} />);
    expect((input as HTMLInputElement).value).toBe('7');
    await user.clear(input);
    await user.type(input, '8');
    rerender(<NumberField spec={quantity} value={9} onSave={refuse} />);
    expect((input as HTMLInputElement).value).toBe('8'); // what is being typed is not overwritten
    await user.keyboard('{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('That item no longer exists.');
  });
});

describe('NumberInput', () => {
  it('is controlled: a form reads its text and checks it with the same rule', async () => {
    const user = userEvent.setup();
    const seen: string[] = [];
    function Form() {
      const [typed, setTyped] = useState('');
      const [message, setMessage] = useState<string | null>(null);
      return (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const checked = price.check(typed);
            if (checked.ok) seen.push(String(checked.value));
            else setMessage(checked.message);
          }}
        >
          <NumberInput spec={price} text={typed} onTextChange={setTyped} message={message} onMessage={setMessage} />
        </form>
      );
    }
    render(<Form />);
    const input = screen.getByRole('textbox', { name: 'Price' });
    await user.type(input, '2000000{Enter}');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Price must be at most 1000000.'));
    await user.type(input, '{Backspace}{Backspace}{Backspace}{Backspace}{Backspace}{Backspace}.5'); // typing clears the message
    expect(screen.queryByRole('alert')).toBeNull();
    await user.keyboard('{Enter}');
    expect(seen).toEqual(['2.5']);
  });
});
