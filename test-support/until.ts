/** Polls `check` every 20 ms until it holds; throws, naming `label`, after `ms`. */
export async function until(check: () => boolean, label: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`${label}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
