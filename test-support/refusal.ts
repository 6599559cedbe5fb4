/**
 * What a call fails with, for the tests of bad input: every public function refuses it with
 * a ValidationError (`invalid_argument`) whose message names what was wrong. One helper for
 * the suites that check it, synchronous and asynchronous calls alike.
 */
import { expect } from 'vitest';
import { ValidationError } from 'fieldsync';

/** What `f` throws or rejects with (null: nothing). */
export async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  return null;
}

/** `f` fails with a ValidationError whose message is `message` (or matches it). */
export async function refusal(f: () => unknown, message: string | RegExp): Promise<ValidationError> {
  const err = await caught(f);
  expect(err).toBeInstanceOf(ValidationError);
  expect(err).toMatchObject({ code: 'invalid_argument', message: typeof message === 'string' ? message : expect.stringMatching(message) });
  return err as ValidationError;
}
