/**
 * An instance stopped for good (or started again on another port, its own being taken):
 * nothing answers at the page's address any more. The page says "Reconnecting…"
 * for a while (a host restarted on the same port comes back within it: restart-instance.spec),
 * then stops and says the instance is gone and a new link is needed, and stops trying: no
 * failed connection logged per attempt forever.
 */
import { expect, test } from '../support/browser-fixtures.ts';

test.use({ instanceCount: 1 });

test('a page whose instance stopped for good says so and stops reconnecting', async ({ cluster }) => {
  test.setTimeout(120_000);
  const [instance] = cluster.instances;
  if (!instance) throw new Error('no instance');
  const { page } = instance;
  const refused: number[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /WebSocket|ERR_CONNECTION_REFUSED/.test(m.text())) refused.push(Date.now());
  });
  await instance.stop(); // the page shows at once that it lost its instance (host-lost)
  const gone = page.getByTestId('host-gone');
  await expect(gone).toContainText('This instance was restarted or is no longer at this address', { timeout: 45_000 });
  await expect(page.getByTestId('host-lost')).toHaveCount(0);
  expect(refused.length, 'it did try to reconnect before it gave up').toBeGreaterThan(0);
  // Given up for good: longer than the longest backoff (5 s) passes without another attempt.
  const tries = refused.length;
  await page.waitForTimeout(7000);
  expect(refused.length).toBe(tries);
  await expect(gone).toBeVisible();
});
