/**
 * Another local user holding silent sockets must not keep the user's page out (round 59's
 * probe): upgrades that never start their handshake, and connections that never finish their
 * headers. Real sockets on loopback; the page signs in with its own handshake code.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, Envelope } from '../../shared/app-api.ts';
import { codeOf, openPage } from '../testing/ws-client.ts';
import { DEFAULT_YOUNG } from '../connection-bound.ts';
import { HTTP_LIMITS, startWebHost, type WebHost } from '../web-host.ts';
import { DEFAULT_WS_LIMITS, type HostedCore } from '../ws-api.ts';

const core: HostedCore = {
  dispatch: (method: unknown): Promise<Envelope> => Promise.resolve({ ok: true, value: String(method) }),
  onEvent: (_listener: (e: AppEvent) => void) => () => {},
};

let dir: string;
let host: WebHost;
const held: { destroy(): void }[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fieldsync-silent-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><html><head><meta charset="UTF-8" /></head><body></body></html>');
  host = await startWebHost({ core, rendererDir: join(dir, 'renderer') });
});

afterEach(async () => {
  for (const s of held.splice(0)) s.destroy();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Held {
  readonly closed: () => boolean;
}

/** An upgrade with this host's Origin and Host (forged: any program can send them) that never starts its handshake. */
function silentUpgrade(): Promise<Held> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, { origin: `http://127.0.0.1:${host.port}` });
  held.push({ destroy: () => ws.terminate() });
  let closed = false;
  ws.on('close', () => (closed = true));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ closed: () => closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** A connection that sends the start of a request and never the end of its headers. */
function silentHeaders(): Promise<Held> {
  const socket: Socket = tcpConnect(host.port, '127.0.0.1');
  held.push(socket);
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n`);
      resolve({ closed: () => closed });
    });
  });
}

/** GET / as the page's browser sends it; rejects when the connection is closed unanswered. */
function getIndex(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: '/', headers: { Host: `127.0.0.1:${host.port}` }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const signIn = () => openPage({ port: host.port, code: codeOf(host.loginUrl()) });

/** Lets the host see the sockets (a connection's arrival is not synchronous with the client's `connect`). */
const settle = () => new Promise((r) => setTimeout(r, 100));

describe('silent sockets of another local user', () => {
  it('upgrades that never start their handshake do not keep the page from signing in', async () => {
    const silent: Held[] = [];
    for (let i = 0; i < DEFAULT_WS_LIMITS.maxUnauthenticated; i++) silent.push(await silentUpgrade());
    await settle();
    // The page's own upgrade and handshake, while all of them are held (it got 503 before round 59).
    const page = await signIn();
    expect(await page.call('ping', [])).toEqual({ ok: true, value: 'ping' });
    // Its place was the oldest silent socket's: the bound holds.
    await vi.waitFor(() => expect(silent[0]?.closed()).toBe(true));
    expect(silent.filter((s) => s.closed())).toHaveLength(1);
    // A flood of more silent upgrades never evicts a signed-in page.
    for (let i = 0; i < 3 * DEFAULT_WS_LIMITS.maxUnauthenticated; i++) await silentUpgrade();
    expect(await page.call('still', [])).toEqual({ ok: true, value: 'still' });
    expect(host.connections).toBe(1);
    page.ws.close();
  });

  it('a flood of upgrades between the page\'s upgrade and its first frame does not close the page\'s socket (round 60)', async () => {
    const max = DEFAULT_WS_LIMITS.maxUnauthenticated;
    const flood: Held[] = [];
    /** Three times the bound of silent upgrades, all open, in the page's window: before round 60 the first `max` of them evicted the page's socket. */
    const floodNow = async (): Promise<void> => {
      for (let i = 0; i < 3 * max; i++) flood.push(await silentUpgrade());
      await settle();
    };
    const page = await openPage({ port: host.port, code: codeOf(host.loginUrl()), onOpen: floodNow });
    expect(await page.call('ping', [])).toEqual({ ok: true, value: 'ping' });
    // The flood evicted its own: the bound held, with the page's socket in one place.
    await vi.waitFor(() => expect(flood.filter((s) => !s.closed()).length).toBeLessThanOrEqual(max - 1));
    // A reload: the page comes back with its stored session, into the same flood.
    const again = await openPage({ port: host.port, store: page.store, onOpen: floodNow });
    expect(await again.call('again', [])).toEqual({ ok: true, value: 'again' });
    expect(host.connections).toBe(2);
    page.ws.close();
    again.ws.close();
  });

  it('connections that never finish their headers do not keep the page from being served', async () => {
    const silent: Held[] = [];
    for (let i = 0; i < HTTP_LIMITS.maxConnections; i++) silent.push(await silentHeaders());
    await settle();
    expect(silent.some((s) => s.closed())).toBe(false);
    // The page's request (closed unanswered before round 59), then its WebSocket.
    expect(await getIndex()).toBe(200);
    const page = await signIn();
    expect(await page.call('ping', [])).toEqual({ ok: true, value: 'ping' });
    // Room was made by closing the oldest silent ones, not by keeping more sockets than the bound
    // (the GET's connection closed after its answer; the page's WebSocket is open): once they
    // are past their youth (round 61: young ones wait beyond the bound for DEFAULT_YOUNG.graceMs).
    await vi.waitFor(() => expect(silent[0]?.closed()).toBe(true), { timeout: DEFAULT_YOUNG.graceMs * 3 });
    expect(silent.filter((s) => !s.closed()).length).toBeLessThanOrEqual(HTTP_LIMITS.maxConnections - 1);
    page.ws.close();
  });

  it('keeps the bound: a flood of silent connections holds at most maxConnections sockets (once they are past their youth, round 61)', async () => {
    const silent: Held[] = [];
    for (let i = 0; i < HTTP_LIMITS.maxConnections + 40; i++) silent.push(await silentHeaders());
    // Young sockets wait for their request beyond the bound, up to DEFAULT_YOUNG.newcomers more, for graceMs.
    expect(silent.filter((s) => !s.closed()).length).toBeLessThanOrEqual(HTTP_LIMITS.maxConnections + DEFAULT_YOUNG.newcomers);
    await vi.waitFor(() => expect(silent.filter((s) => !s.closed()).length).toBeLessThanOrEqual(HTTP_LIMITS.maxConnections), { timeout: DEFAULT_YOUNG.graceMs * 3 });
    // The newest are the ones kept.
    expect(silent.slice(-HTTP_LIMITS.maxConnections).every((s) => !s.closed())).toBe(true);
  });
  it('a page slow to write its request is served through a flood of newer connections (round 61)', async () => {
    // The page's connection is open, its request not written yet (its browser descheduled on a
    // busy machine, or a connection opened ahead of its request); another user opens 5 × the bound.
    const page = tcpConnect(host.port, '127.0.0.1');
    held.push(page);
    page.on('error', () => {});
    let answer = '';
    page.on('data', (d: Buffer) => (answer += String(d)));
    const closed = new Promise<string>((resolve) => page.on('close', () => resolve(answer.split('\r\n')[0] || 'closed unanswered')));
    await new Promise((r) => page.once('connect', r));
    const flood: Socket[] = [];
    for (let i = 0; i < 5 * HTTP_LIMITS.maxConnections; i++) {
      const s = tcpConnect(host.port, '127.0.0.1');
      s.on('error', () => {});
      held.push(s);
      flood.push(s);
    }
    await Promise.all(flood.map((s) => new Promise((r) => s.once('connect', r))));
    await settle();
    page.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`);
    // Before round 61: 'closed unanswered' (64 newer connections closed it).
    expect(await closed).toBe('HTTP/1.1 200 OK');
  });
});
