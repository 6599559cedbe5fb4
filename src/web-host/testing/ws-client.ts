/**
 * A page's WebSocket to a browser host, from Node (tests): the `ws` package and the page's own
 * handshake logic (src/renderer/src/api/host-handshake.ts), so that what signs in here is
 * what signs in in a browser.
 */
import WebSocket from 'ws';
import { claimProtocols } from '../../shared/ws-protocol.ts';
import { createPageHandshake, memorySessionStore, type HandshakeStep, type SessionStore } from '../../renderer/src/api/host-handshake.ts';

export interface PageSocket {
  readonly ws: WebSocket;
  /** The session the page holds now (saved when it redeemed a code). */
  readonly store: SessionStore;
  /** Frames after the handshake, in order. */
  next(): Promise<unknown>;
  /** Calls `method` and resolves with its envelope (other frames are skipped). */
  call(method: string, args: readonly unknown[]): Promise<unknown>;
  readonly closed: Promise<number>;
}

export interface OpenOptions {
  readonly port: number;
  /** A sign-in code to redeem first, or null. */
  readonly code?: string | null;
  readonly store?: SessionStore;
  readonly origin?: string;
  readonly headers?: Record<string, string>;
  /** Runs once the socket is open, before the page's first frame (the window a flood aims at). */
  readonly onOpen?: () => Promise<void>;
}

/** Signs in as the page would; rejects with `handshake: <failure>` or `closed <code>` when it cannot. */
export function openPage(options: OpenOptions): Promise<PageSocket> {
  const store = options.store ?? memorySessionStore();
  const claimed = options.code ?? store.load()?.id ?? null;
  // The page's bridge offers the same claim (ws-bridge.ts).
  const protocols = claimProtocols(claimed === null ? null : { kind: options.code ? 'code' : 'session', token: claimed });
  const ws = new WebSocket(`ws://127.0.0.1:${options.port}/api`, protocols, { origin: options.origin ?? `http://127.0.0.1:${options.port}`, headers: options.headers ?? {} });
  const handshake = createPageHandshake({ code: options.code ?? null, store });
  const frames: unknown[] = [];
  const waiters: ((f: unknown) => void)[] = [];
  let live = false;
  let steps: Promise<void> = Promise.resolve();
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let nextId = 1;
    const page: PageSocket = {
      ws,
      store,
      closed,
      next: () => (frames.length > 0 ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r))),
      async call(method, args) {
        const id = nextId++;
        ws.send(JSON.stringify({ id, method, args }));
        for (;;) {
          const frame = (await page.next()) as { id?: number; envelope?: unknown };
          if (frame.id === id) return frame.envelope;
        }
      },
    };
    const take = (step: HandshakeStep): void => {
      if (step.kind === 'send') ws.send(JSON.stringify(step.frame));
      else if (step.kind === 'ready') {
        live = true;
        resolve(page);
      } else {
        reject(new Error(`handshake: ${step.kind === 'fail' ? step.failure : step.kind}`));
        ws.close();
      }
    };
    ws.on('open', () => void (options.onOpen ?? (() => Promise.resolve()))().then(() => take(handshake.start())));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown;
      if (live) {
        const w = waiters.shift();
        if (w) w(frame);
        else frames.push(frame);
        return;
      }
      steps = steps.then(async () => take(await handshake.receive(frame)));
    });
    ws.on('close', (code) => {
      if (!live) void steps.then(() => reject(new Error(`closed ${code}`)));
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** The code of a sign-in link. */
export const codeOf = (loginUrl: string): string => new URL(loginUrl).searchParams.get('code') as string;
