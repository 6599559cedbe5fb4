/**
 * Where a write's time goes in the page (app-writes.ts): `--wire` logs the frames, `--trace`
 * a devtools timeline, `--profile` a CPU profile, each over some toggles.
 */
import type { Page } from '@playwright/test';
import { settle, timed } from './page-timing.ts';

/**
 * `--wire`: logs every frame the page sends and receives (its time, size, method, and how
 * long the bridge's handler took), so a write's timeline can be printed.
 */
export const WIRE_LOG = `(() => {
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
export async function printWire(page: Page, label: string, since: number, total: number): Promise<void> {
  const log = (await page.evaluate(() => (window as unknown as { __wire: Array<Record<string, unknown>> }).__wire)).filter((e) => (e.t as number) >= since);
  console.log(`  ${label} (${total.toFixed(0)} ms to the frame showing it), frames after the input:`);
  for (const e of log) console.log(`    +${((e.t as number) - since).toFixed(1).padStart(7)} ms  ${e.dir} ${String(e.method ?? e.kind).padEnd(12)} ${String(e.bytes).padStart(8)} B${e.handlerMs !== undefined ? `  handler ${(e.handlerMs as number).toFixed(1)} ms` : ''}`);
}

interface TraceEvent { name: string; ph: string; dur?: number; tid: number; pid: number; ts: number; args?: { data?: { frame?: string } } }

/** A devtools timeline trace over some toggles: the page's main-thread time by kind of task. */
export async function traceToggles(page: Page): Promise<void> {
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

/** `--profile`: a CPU profile of the page over 5 toggles, printed by self time. */
export async function profileToggles(page: Page): Promise<void> {
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
