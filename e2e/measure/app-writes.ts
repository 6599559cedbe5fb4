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
import { chromium, type Page } from '@playwright/test';
import { generateNKeysBetween } from 'fractional-indexing';
import { createAppCore } from '../../src/main/core/app-core.ts';
import type { AnyRow } from '../../src/shared/app-api.ts';
import { shareRows } from '../../src/renderer/src/store/share-rows.ts';
import { startNodeProcess } from '../../scripts/processes.ts';
import { ensureAppBuild } from '../../scripts/app-build.ts';
import { chromiumLaunchOptions } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/sync-server.ts';

const { values: opts } = parseArgs({ options: { count: { type: 'string', default: '10000' }, runs: { type: 'string', default: '12' }, profile: { type: 'boolean', default: false }, trace: { type: 'boolean', default: false }, wire: { type: 'boolean', default: false }, 'host-prof': { type: 'string' }, server: { type: 'boolean', default: false } } });
const count = Number(opts.count);
const runs = Number(opts.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, n=${xs.length})`;
function time(n: number, fn: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

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

/** In the page: runs `act`, and resolves with the ms until the first frame where `done()` holds. */
async function timed(page: Page, act: string, done: string, arg: unknown): Promise<number> {
  return page.evaluate(
    async ({ act, done, arg }) => {
      const run = new Function('arg', act) as (a: unknown) => void;
      const ok = new Function('arg', done) as (a: unknown) => boolean;
      const t0 = performance.now();
      (window as unknown as { __t0: number }).__t0 = t0;
      run(arg);
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if (ok(arg)) return performance.now() - t0;
        if (performance.now() - t0 > 30_000) return Number.NaN;
      }
    },
    { act, done, arg },
  );
}

const settle = (page: Page) => page.waitForTimeout(300);

/** CPU ms (user + system) used so far by these processes and their descendants (Linux /proc). */
function cpuMs(roots: readonly number[]): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, i = 0; p > 1 && i < 50; p = stats.get(p)?.ppid ?? 0, i++) if (roots.includes(p)) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks * 10; // USER_HZ is 100
}

/**
 * `--wire`: logs every frame the page sends and receives (its time, size, method, and how
 * long the bridge's handler took), so a write's timeline can be printed.
 */
const WIRE_LOG = `(() => {
  const log = (window.__wire = []);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    let method = '';
    try { method = JSON.parse(data).method ?? ''; } catch {}
    log.push({ t: performance.now(), dir: 'send', bytes: data.length, method });
    return send.call(this, data);
  };
  const desc = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    set(fn) {
      desc.set.call(this, fn && ((e) => {
        const t = performance.now();
        fn(e);
        const kind = typeof e.data === 'string' ? (e.data.startsWith('{"event"') ? 'event:' + (/"type":"(\\w+)"/.exec(e.data) || [])[1] : 'answer') : '?';
        log.push({ t, dir: 'recv', bytes: e.data.length ?? 0, kind, handlerMs: performance.now() - t });
        queueMicrotask(() => {});
      }));
    },
    get() { return desc.get.call(this); },
  });
})();`;

/** Prints the frames of the last write: after `since`, relative to it. */
async function printWire(page: Page, label: string, since: number, total: number): Promise<void> {
  const log = (await page.evaluate(() => (window as unknown as { __wire: Array<Record<string, unknown>> }).__wire)).filter((e) => (e.t as number) >= since);
  console.log(`  ${label} (${total.toFixed(0)} ms to the frame showing it), frames after the input:`);
  for (const e of log) console.log(`    +${((e.t as number) - since).toFixed(1).padStart(7)} ms  ${e.dir} ${String(e.method ?? e.kind).padEnd(12)} ${String(e.bytes).padStart(8)} B${e.handlerMs !== undefined ? `  handler ${(e.handlerMs as number).toFixed(1)} ms` : ''}`);
}

interface TraceEvent { name: string; ph: string; dur?: number; tid: number; pid: number; ts: number; args?: { data?: { frame?: string } } }

/** A devtools timeline trace over some toggles: the page's main-thread time by kind of task. */
async function traceToggles(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  const complete = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,v8.execute,blink.user_timing', transferMode: 'ReportEvents' });
  const n = 5;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    times.push(await timed(page, `const b = document.querySelectorAll('[data-testid="todo-checkbox"]')[arg]; window.__want = !b.checked; b.click();`, `return document.querySelectorAll('[data-testid="todo-checkbox"]')[arg].checked === window.__want;`, i));
    await settle(page);
  }
  await cdp.send('Tracing.end');
  await complete;
  // The renderer's main thread: the one with the most FunctionCall time.
  const byThread = new Map<string, number>();
  for (const e of events) if (e.ph === 'X' && e.name === 'FunctionCall') byThread.set(`${e.pid}/${e.tid}`, (byThread.get(`${e.pid}/${e.tid}`) ?? 0) + (e.dur ?? 0));
  const main = [...byThread].sort((a, b) => b[1] - a[1])[0]?.[0];
  const sum = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X' || `${e.pid}/${e.tid}` !== main) continue;
    sum.set(e.name, (sum.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
  }
  console.log(`Trace over ${n} toggles (${times.map((t) => t.toFixed(0)).join(', ')} ms): the page's main thread, ms by event (nested events count in their parents too):`);
  for (const [name, ms] of [...sum].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`  ${ms.toFixed(1).padStart(8)}  ${name}`);
  const paints = events.filter((e) => e.ph === 'X' && e.name === 'Paint' && `${e.pid}/${e.tid}` === main);
  console.log(`  ${paints.length} Paint events; the longest: ${paints.sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0)).slice(0, 5).map((e) => `${((e.dur ?? 0) / 1000).toFixed(1)} ms ${JSON.stringify(e.args?.data ?? {}).slice(0, 160)}`).join('\n    ')}`);
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

    if (opts.profile) {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      for (let i = 0; i < 5; i++) {
        await timed(page, `const b = document.querySelectorAll('[data-testid="todo-checkbox"]')[arg]; window.__want = !b.checked; b.click();`, `return document.querySelectorAll('[data-testid="todo-checkbox"]')[arg].checked === window.__want;`, i);
        await settle(page);
      }
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] } };
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, i) => {
        const n = byId.get(id);
        const name = n ? `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop() ?? ''}:${n.callFrame.lineNumber}` : '?';
        self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      const top = [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 25);
      console.log('Page CPU profile over 5 toggles (self time, ms, busiest first):');
      for (const [name, ms] of top) console.log(`  ${ms.toFixed(1).padStart(8)}  ${name}`);
    }
    if (opts.trace) await traceToggles(page);
  } finally {
    await browser.close();
    await host?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
