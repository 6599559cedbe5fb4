/**
 * How long a write takes to show in a big list, in Chromium through the browser host: a
 * measurement, not a test (nothing is asserted; a shared machine's times drift, so compare
 * runs made in the same conditions).
 *
 *   node e2e/measure/app-writes.ts [--count 10000] [--runs 12] [--profile]
 *
 * It seeds a local-only profile with one list of `count` todos (as todo-fixtures.ts `bigList`
 * does), times the parts of one full re-read in Node (the core's query, the JSON both ways,
 * the renderer's `shareRows`), then starts a browser host on it and, in the page, times a
 * toggle, a rename, an add and a move from the input event to the first frame that shows the change.
 * `--profile` also takes a CPU profile of the page over some toggles and prints where the
 * page's time went, by function.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { generateNKeysBetween } from 'fractional-indexing';
import { createAppCore } from '../../src/main/core/app-core.ts';
import type { AnyRow } from '../../src/shared/app-api.ts';
import { shareRows } from '../../src/renderer/src/store/share-rows.ts';
import { startNodeProcess } from '../../scripts/processes.ts';
import { ensureAppBuild } from '../../scripts/app-build.ts';
import { chromiumLaunchOptions } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/sync-server.ts';
import { cpuMs, fmt, settle, time, timed } from './page-timing.ts';
import { WIRE_LOG, printWire, profileToggles, traceToggles } from './page-traces.ts';

const { values: opts } = parseArgs({ options: { count: { type: 'string', default: '10000' }, runs: { type: 'string', default: '12' }, profile: { type: 'boolean', default: false }, trace: { type: 'boolean', default: false }, wire: { type: 'boolean', default: false }, 'host-prof': { type: 'string' }, server: { type: 'boolean', default: false } } });
const count = Number(opts.count);
const runs = Number(opts.runs);

async function seed(profileDir: string, server: TestServer | null): Promise<string> {
  const core = await createAppCore({ profileDir, profile: 'measure', log: () => {}, ...(server ? { serverUrl: server.url, token: server.token, sync: { autoSync: false } } : {}) });
  const list = await core.dispatch('create', ['lists', { name: 'Big' }]);
  if (!list.ok) throw new Error(list.error.message);
  const listId = (list.value as AnyRow).id;
  const keys = generateNKeysBetween(null, null, count);
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    await core.client.update('todos', `todo-${String(i + 1).padStart(5, '0')}`, { listId, title: `Todo ${i + 1}`, done: i % 7 === 6, order: keys[i] as string, createdAt: now + i });
  }
  // The parts of one full re-read of the list, in Node.
  const dispatch = async () => core.dispatch('rows', ['todos', { parent: listId }]);
  const tq: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    await dispatch();
    tq.push(performance.now() - t0);
  }
  const envelope = await dispatch();
  const frame = JSON.stringify({ id: 1, envelope });
  const rows = (envelope as { value: AnyRow[] }).value;
  const held = structuredClone(rows);
  const one = structuredClone(rows);
  one[5] = { ...(one[5] as AnyRow), done: !(one[5] as AnyRow).done };
  const rowRead = async () => core.dispatch('update', ['todos', (rows[5] as AnyRow).id, { done: true }]);
  const tw: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    await rowRead();
    tw.push(performance.now() - t0);
  }
  // A move in the middle of the list and back: the write alone, as the host runs it.
  const tm: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    const moved = await core.dispatch('move', ['todos', (rows[count / 2] as AnyRow).id, count / 2 + (i % 2 === 0 ? 2 : 0)]);
    if (!moved.ok) throw new Error(moved.error.message);
    tm.push(performance.now() - t0);
  }
  if (server) await core.client.sync();
  console.log(`Node, ${count} todos:`);
  console.log(`  core dispatch('rows') (query, decode, sort): ${fmt(tq)}`);
  console.log(`  core dispatch('update') of one field (the write itself): ${fmt(tw)}`);
  console.log(`  core dispatch('move') in the middle (the write itself): ${fmt(tm)}`);
  console.log(`  JSON.stringify of the answer frame (${(frame.length / 1024).toFixed(0)} KiB): ${fmt(time(8, () => JSON.stringify({ id: 1, envelope })))}`);
  console.log(`  JSON.parse of it: ${fmt(time(8, () => JSON.parse(frame)))}`);
  console.log(`  shareRows, one row changed: ${fmt(time(8, () => shareRows(held, structuredClone(one))))}`);
  await core.close();
  return listId;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldsync-measure-'));
  const rendererDir = ensureAppBuild();
  let host: Awaited<ReturnType<typeof startNodeProcess>> | null = null;
  const server = opts.server ? await startTestServer(dir) : null;
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    await seed(join(dir, 'web-1'), server);
    host = await startNodeProcess({ name: 'web-1', args: [...(opts['host-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opts['host-prof']}`] : []), 'src/web-host/main.ts', '--profile', 'web-1', '--profile-dir', join(dir, 'web-1'), '--port', '0', '--renderer-dir', rendererDir, ...(server ? ['--server', server.url] : [])], env: server ? { FIELDSYNC_TOKEN: server.token } : {} });
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    if (opts.wire) await page.addInitScript(WIRE_LOG);
    await page.goto(host.loginUrl as string);
    await page.locator(`[data-testid="todo-item"][aria-setsize="${count}"]`).first().waitFor({ timeout: 60_000 });
    await settle(page);

    if (opts.wire) {
      for (let i = 0; i < 3; i++) {
        const since = await page.evaluate(() => performance.now());
        const total = await timed(page, `const b = document.querySelectorAll('[data-testid="todo-checkbox"]')[arg]; window.__want = !b.checked; b.click();`, `return document.querySelectorAll('[data-testid="todo-checkbox"]')[arg].checked === window.__want;`, i);
        await page.waitForTimeout(600);
        await printWire(page, `toggle ${i + 1}`, since, total);
      }
    }
    const toggles: number[] = [];
    // Chromium's processes: this process's children other than the host (the host runs no Chromium).
    const chromiumPids = readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== host?.pid).filter((n) => {
      try {
        const f = readFileSync(`/proc/${n}/stat`, 'utf8');
        return Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && /chrom/i.test(f);
      } catch {
        return false;
      }
    }).map(Number);
    // The cost of doing nothing for as long (the frames a waiting rAF loop asks for, the host's timers).
    const idle0 = { host: cpuMs([host.pid]), page: cpuMs(chromiumPids) };
    for (let i = 0; i < runs; i++) {
      await timed(page, '', 'return performance.now() - window.__t0 > 250;', null);
      await settle(page);
    }
    const idle = { host: (cpuMs([host.pid]) - idle0.host) / runs, page: (cpuMs(chromiumPids) - idle0.page) / runs };
    const cpu0 = { host: cpuMs([host.pid]), page: cpuMs(chromiumPids) };
    for (let i = 0; i < runs; i++) {
      toggles.push(await timed(page, `
        const box = document.querySelectorAll('[data-testid="todo-checkbox"]')[arg];
        window.__want = !box.checked; box.click();`, `return document.querySelectorAll('[data-testid="todo-checkbox"]')[arg].checked === window.__want;`, i % 5));
      await settle(page);
    }
    const cpu = { host: (cpuMs([host.pid]) - cpu0.host) / runs, page: (cpuMs(chromiumPids) - cpu0.page) / runs };
    const renames: number[] = [];
    for (let i = 0; i < runs; i++) {
      await page.locator('[data-testid="todo-item"]').nth(2).focus();
      await page.keyboard.press('F2');
      const input = page.getByRole('textbox', { name: /^Rename/ });
      await input.fill(`Renamed ${i}`);
      renames.push(await timed(page, `
        const input = document.activeElement;
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        input.form?.requestSubmit?.();`, `return [...document.querySelectorAll('[data-testid="todo-title"]')].some((t) => t.textContent === arg);`, `Renamed ${i}`));
      await settle(page);
    }
    const adds: number[] = [];
    for (let i = 0; i < runs; i++) {
      await page.getByTestId('new-todo-input').fill(`Added ${i}`);
      const before = await page.getByTestId('todo-summary').textContent();
      adds.push(await timed(page, `document.querySelector('[data-testid="new-todo-input"]').form.requestSubmit();`, `return document.querySelector('[data-testid="todo-summary"]').textContent !== arg;`, before));
      await settle(page);
    }
    // Alt+ArrowDown on the third row: it moves one place down (and back up on the next run).
    const moves: number[] = [];
    const moveCpu0 = cpuMs([host.pid]);
    for (let i = 0; i < runs; i++) {
      const key = i % 2 === 0 ? 'ArrowDown' : 'ArrowUp';
      const from = i % 2 === 0 ? 3 : 4;
      await page.locator(`[data-testid="todo-item"][aria-posinset="${from}"]`).focus();
      moves.push(await timed(page, `
        window.__moved = document.activeElement.dataset.todoId;
        document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: arg, altKey: true, bubbles: true }));`,
        `return document.querySelector('[data-todo-id="' + window.__moved + '"]').getAttribute('aria-posinset') !== '${from}';`, key));
      await settle(page);
    }
    const moveCpu = (cpuMs([host.pid]) - moveCpu0) / runs;
    console.log(`Chromium (browser host, ${server ? 'synced with a server' : 'local profile'}), ${count} todos, input to the first frame showing it:`);
    console.log(`  toggle: ${fmt(toggles)}`);
    console.log(`    CPU per toggle (with the 300 ms wait after it): host ${cpu.host.toFixed(0)} ms, Chromium ${cpu.page.toFixed(0)} ms; doing nothing for 250 + 300 ms: host ${idle.host.toFixed(0)} ms, Chromium ${idle.page.toFixed(0)} ms`);
    console.log(`  rename: ${fmt(renames)}`);
    console.log(`  add:    ${fmt(adds)}`);
    console.log(`  move:   ${fmt(moves)}`);
    console.log(`    host CPU per move (with the wait after it): ${moveCpu.toFixed(0)} ms`);

    if (opts.profile) await profileToggles(page);
    if (opts.trace) await traceToggles(page);
  } finally {
    await browser.close();
    await host?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
