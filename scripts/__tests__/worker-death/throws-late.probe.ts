// A test that passes, then throws outside any test: an unhandled error that is no worker's death.
import { expect, it } from 'vitest';

it('passes, then throws after it ended', () => {
  setTimeout(() => {
    throw new Error('thrown after its test');
  }, 0);
  expect(1).toBe(1);
});
it('waits for it', async () => {
  await new Promise((resolve) => setTimeout(resolve, 100));
});
