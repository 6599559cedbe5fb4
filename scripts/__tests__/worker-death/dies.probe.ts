// A test whose worker process dies the way V8's fatal errors end it (SIGTRAP), after one test passed.
import { expect, it } from 'vitest';

it('passes', () => expect(1).toBe(1));
it('dies', async () => {
  process.kill(process.pid, 'SIGTRAP');
  await new Promise((resolve) => setTimeout(resolve, 5000));
});
