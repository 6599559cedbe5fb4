/**
 * Why the web host's first page fetch waited seconds with its connection bound full (round 64's
 * known limit; docs/security.md). Three processes on loopback: host.ts (the bound, 1 MiB
 * answers), flood.ts (512 slow readers opened at once), and this one, the page, which fetches
 * once the flood is connected and its sockets have aged past their youth. Prints, for each
 * fetch, when its TCP connection was made, accepted by the host, its request read and its first
 * byte came; how many connections the kernel held in the listening socket's accept queue as the
 * page connected (`ss`) and how many the host accepted before the page; and how many event-loop
 * turns passed between accepts. Linux only (`ss`). Bounded: about 20 s, then it exits.
 *
 *   node test-support/first-fetch/run.ts [floodCount=512] [fetches=3]
 */
import { execFileSync, fork } from 'node:child_process';
import { request } from 'node:http';

const FLOOD = Number(process.argv[2] ?? 512);
const FETCHES = Number(process.argv[3] ?? 3);
const here = new URL('.', import.meta.url).pathname;
setTimeout(() => process.exit(2), 90_000).unref();

const host = fork(`${here}host.ts`);
const inbox: Record<string, unknown>[] = [];
host.on('message', (m: Record<string, unknown>) => inbox.push(m));
async function next<T>(key: string): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const at = inbox.findIndex((m) => key in m);
    if (at >= 0) return inbox.splice(at, 1)[0]?.[key] as T;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the host never sent ${key}`);
}
const port = await next<number>('port');
const flood = fork(`${here}flood.ts`, [String(port), String(FLOOD)]);
process.on('exit', () => (flood.kill(), host.kill()));
await new Promise((r) => flood.once('message', r));
// Past the flood's youth (1 s): none of its sockets is young any more.
await new Promise((r) => setTimeout(r, 1500));

/** Connections the kernel holds for the host, accepted by nobody yet (a listener's Recv-Q). */
const queued = (): number => Number(execFileSync('ss', ['-ltnH', `sport = :${port}`]).toString().trim().split(/\s+/)[1]);

function fetchPage(): Promise<{ start: number; connected: number; firstByte: number }> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    let connected = 0;
    const req = request({ host: '127.0.0.1', port, path: '/page', agent: false }, (res) => {
      const firstByte = Date.now();
      res.resume();
      res.on('end', () => resolve({ start, connected, firstByte }));
    });
    req.on('socket', (s) => s.once('connect', () => (connected = Date.now())));
    req.on('error', reject);
    req.end();
  });
}

const rows: { start: number; accepted: number; queuedAtConnect: number }[] = [];
for (let i = 0; i < FETCHES; i++) {
  const before = queued();
  const f = await fetchPage();
  const page = await next<{ accepted: number; request: number }>('page');
  rows.push({ start: f.start, accepted: page.accepted, queuedAtConnect: before });
  console.log(JSON.stringify({ fetch: i, queuedAhead: before, connectedMs: f.connected - f.start, acceptedMs: page.accepted - f.start, requestReadMs: page.request - f.start, firstByteMs: f.firstByte - f.start }));
}
host.send({});
const { accepts, turns } = await next<{ accepts: { at: number; turn: number; cpuMs: number }[]; turns: number }>('stats');
const first = rows[0];
if (first) {
  const during = accepts.filter((a) => a.at >= first.start && a.at <= first.accepted);
  const turnsApart = during.slice(1).map((a, i) => a.turn - (during[i]?.turn ?? 0));
  const msApart = during.slice(1).map((a, i) => a.at - (during[i]?.at ?? 0)).sort((a, b) => a - b);
  console.log(JSON.stringify({
    firstFetch: { queuedAhead: first.queuedAtConnect, acceptedBeforeThePage: during.length - 1 },
    hostCpuWhileThePageWaited: { cpuMs: Math.round((during.at(-1)?.cpuMs ?? 0) - (during[0]?.cpuMs ?? 0)), wallMs: (during.at(-1)?.at ?? 0) - (during[0]?.at ?? 0) },
    turnsBetweenAccepts: { min: Math.min(...turnsApart), max: Math.max(...turnsApart) },
    msBetweenAccepts: { median: msApart[msApart.length >> 1], max: msApart.at(-1) },
    accepts: accepts.length,
    acceptsSharingATurn: accepts.length - new Set(accepts.map((a) => a.turn)).size,
    turns,
  }));
}
process.exit(0);
