// @vitest-environment node
/**
 * The page's handshake against a real browser host, and against a fake one on the same port
 * that does not hold the session (a program that took the port of a stopped host): the page
 * detects it, and sends it neither its proof nor any call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { claimProtocols, proofMessage } from '../../../shared/ws-protocol.ts';
import { handshakeProof, randomToken } from '../../../web-host/host-session.ts';
import { startWebHost } from '../../../web-host/web-host.ts';
import { codeOf, openPage } from '../../../web-host/testing/ws-client.ts';
import { createPageHandshake, hmacHex, memorySessionStore } from './host-handshake.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('the page side of the handshake', () => {
  it('computes the same HMAC as the host, with WebCrypto', async () => {
    const secret = randomToken();
    expect(await hmacHex(secret, proofMessage('host', 'a', 'b'))).toBe(handshakeProof(secret, 'host', 'a', 'b'));
  });

  it('refuses a host whose proof is wrong, reflected, or made for the page, and sends it nothing more', async () => {
    const secret = randomToken();
    const store = memorySessionStore({ id: randomToken(), secret });
    const bad = [
      (_pn: string, _hn: string) => 'a'.repeat(64),
      (pn: string, hn: string) => handshakeProof(randomToken(), 'host', pn, hn), // another secret
      (pn: string, hn: string) => handshakeProof(secret, 'page', pn, hn), // the page's label
      (_pn: string, hn: string) => handshakeProof(secret, 'host', randomToken(), hn), // another nonce
    ];
    for (const proof of bad) {
      const hs = createPageHandshake({ code: null, store });
      const hello = hs.start() as { kind: 'send'; frame: { hello: { nonce: string } } };
      const hn = randomToken();
      expect(await hs.receive({ challenge: { nonce: hn, proof: proof(hello.frame.hello.nonce, hn) } })).toEqual({ kind: 'fail', failure: 'host-unproven' });
    }
    // Anything else instead of a challenge: the same.
    for (const frame of [{ ready: true }, { id: 1, envelope: { ok: true } }, null, { challenge: { nonce: 'x', proof: 'y' } }]) {
      const hs = createPageHandshake({ code: null, store });
      hs.start();
      expect(await hs.receive(frame)).toEqual({ kind: 'fail', failure: 'host-unproven' });
    }
    // The right proof: the page answers with its own.
    const hs = createPageHandshake({ code: null, store });
    const hello = hs.start() as { kind: 'send'; frame: { hello: { nonce: string } } };
    const hn = randomToken();
    const step = await hs.receive({ challenge: { nonce: hn, proof: handshakeProof(secret, 'host', hello.frame.hello.nonce, hn) } });
    expect(step).toEqual({ kind: 'send', frame: { auth: { proof: handshakeProof(secret, 'page', hello.frame.hello.nonce, hn) } } });
    expect(await hs.receive({ ready: true })).toEqual({ kind: 'ready' });
  });

  it('with no code and no session, does not even connect; a refused session is forgotten', async () => {
    expect(createPageHandshake({ code: null, store: memorySessionStore() }).start()).toEqual({ kind: 'fail', failure: 'not-signed-in' });
    const store = memorySessionStore({ id: randomToken(), secret: randomToken() });
    const hs = createPageHandshake({ code: null, store });
    hs.start();
    expect(await hs.receive({ refused: { reason: 'session' } })).toEqual({ kind: 'fail', failure: 'session-refused' });
    expect(store.load()).toBeNull();
  });

  it('a squatter on the port of a stopped host gets no proof and no call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldsync-handshake-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'index.html'), '<html><head></head><body></body></html>');
    const core = { dispatch: async () => ({ ok: true as const, value: 'info' }), onEvent: () => () => {} };
    const host = await startWebHost({ core, rendererDir: dir });
    const page = await openPage({ port: host.port, code: codeOf(host.loginUrl()) });
    expect(await page.call('info', [])).toEqual({ ok: true, value: 'info' });
    const port = host.port;
    await host.close();

    // Another program takes the port, and answers the page as well as it can.
    const received: unknown[] = [];
    const squatter = new WebSocketServer({ host: '127.0.0.1', port });
    cleanup.push(() => new Promise<void>((r) => squatter.close(() => r())));
    squatter.on('connection', (ws) => {
      ws.on('message', (d) => {
        const frame = JSON.parse(String(d)) as { hello?: { nonce: string } };
        received.push(frame);
        if (frame.hello) ws.send(JSON.stringify({ challenge: { nonce: randomToken(), proof: 'b'.repeat(64) } }));
        else ws.send(JSON.stringify({ ready: true }));
      });
    });
    await expect(openPage({ port, store: page.store })).rejects.toThrow('handshake: host-unproven');
    expect(received).toHaveLength(1);
    expect(Object.keys(received[0] as object)).toEqual(['hello']); // a session id and a nonce: nothing that opens anything
    expect(JSON.stringify(received)).not.toContain((page.store.load() as { secret: string }).secret);
  });
});

describe('the bridge with the handshake', () => {
  /** A socket whose other end the test plays as a host holding `secret` (or not). */
  class Socket {
    readyState = 0;
    readonly sent: Record<string, unknown>[] = [];
    onopen: ((e: unknown) => void) | null = null;
    onmessage: ((e: { readonly data: unknown }) => void) | null = null;
    onclose: ((e: unknown) => void) | null = null;
    onerror: ((e: unknown) => void) | null = null;
    send(data: string): void {
      this.sent.push(JSON.parse(data) as Record<string, unknown>);
    }
    close(): void {
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({}));
    }
    open(): void {
      this.readyState = 1;
      this.onopen?.({});
    }
    receive(frame: unknown): void {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }
  }

  async function run(hostSecret: string) {
    const { createWsBridge } = await import('./ws-bridge.ts');
    const session = { id: randomToken(), secret: randomToken() };
    const sockets: Socket[] = [];
    const events: unknown[] = [];
    const bridge = createWsBridge({
      url: 'ws://127.0.0.1:1/api',
      auth: { code: null, store: memorySessionStore(session) },
      createSocket: () => (sockets.push(new Socket()), sockets.at(-1) as Socket),
      reconnect: { initialMs: 1, maxMs: 1 },
    });
    bridge.onEvent((e) => events.push(e));
    /** Opens the newest socket and plays the host's side of the handshake. */
    const handshake = async (): Promise<Socket> => {
      const s = sockets.at(-1) as Socket;
      s.open();
      const hello = s.sent[0] as { hello: { session: string; nonce: string } };
      expect(hello.hello.session).toBe(session.id);
      const hn = randomToken();
      s.receive({ challenge: { nonce: hn, proof: handshakeProof(hostSecret === 'real' ? session.secret : hostSecret, 'host', hello.hello.nonce, hn) } });
      for (let i = 0; i < 50 && s.sent.length < 2 && s.readyState === 1; i++) await new Promise((r) => setTimeout(r, 5));
      if (s.sent.length === 2) s.receive({ ready: true });
      await new Promise((r) => setTimeout(r, 5));
      return s;
    };
    return { bridge, sockets, events, handshake };
  }

  it('sends no call to a host that cannot prove the session, stops for good, and says why', async () => {
    const { bridge, sockets, events, handshake } = await run(randomToken());
    const call = bridge.invoke('info', []);
    const s = await handshake();
    expect(s.sent).toHaveLength(1); // the hello only: no proof, no call
    const envelope = await call;
    expect(envelope).toMatchObject({ ok: false, error: { message: expect.stringContaining('restarted or is no longer at this address') } });
    expect(events.at(-1)).toMatchObject({ type: 'sync', sync: { error: { code: 'host-gone' } } });
    expect(bridge.state).toBe('closed');
    await new Promise((r) => setTimeout(r, 50));
    expect(sockets).toHaveLength(1); // never reconnects
  });

  it('a page without a session stops as its socket opens, and a listener that comes later still learns why', async () => {
    const { createWsBridge } = await import('./ws-bridge.ts');
    const sockets: Socket[] = [];
    const bridge = createWsBridge({
      url: 'ws://127.0.0.1:1/api',
      auth: { code: null, store: memorySessionStore() },
      createSocket: () => (sockets.push(new Socket()), sockets.at(-1) as Socket),
      reconnect: { initialMs: 1, maxMs: 1 },
    });
    (sockets.at(-1) as Socket).open();
    expect(bridge.state).toBe('closed');
    const events: unknown[] = [];
    bridge.onEvent((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 5));
    expect(events).toEqual([{ type: 'sync', sync: expect.objectContaining({ error: { code: 'host-gone', message: expect.stringContaining('not signed in') } }) }]);
  });

  it('offers with its upgrade the claim its first frame makes: the code, then the session it got for it (round 60)', async () => {
    const { createWsBridge } = await import('./ws-bridge.ts');
    const offered: string[][] = [];
    const sockets: Socket[] = [];
    const store = memorySessionStore();
    const code = randomToken();
    const bridge = createWsBridge({
      url: 'ws://127.0.0.1:1/api',
      auth: { code, store },
      createSocket: (_u, protocols) => (offered.push(protocols), sockets.push(new Socket()), sockets.at(-1) as Socket),
      reconnect: { initialMs: 1, maxMs: 1 },
    });
    expect(offered[0]).toEqual(claimProtocols({ kind: 'code', token: code }));
    expect(offered[0]?.[1]).toBe(`fieldsync.code.${code}`);
    // Redeemed: the next socket (after a blip) claims the session, never the used code.
    const first = sockets[0] as Socket;
    first.open();
    const session = { id: randomToken(), secret: randomToken() };
    first.receive({ session });
    await new Promise((r) => setTimeout(r, 5));
    first.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(offered[1]).toEqual(['fieldsync', `fieldsync.session.${session.id}`]);
    bridge.close();
  });

  it('after a network blip, the real host proves itself again and calls go on', async () => {
    const { bridge, sockets, handshake } = await run('real');
    const first = await handshake();
    const call = bridge.invoke('info', []);
    expect(first.sent.at(-1)).toMatchObject({ method: 'info' });
    first.receive({ id: (first.sent.at(-1) as { id: number }).id, envelope: { ok: true, value: 1 } });
    expect(await call).toEqual({ ok: true, value: 1 });
    first.close(); // the blip
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets).toHaveLength(2);
    const waiting = bridge.invoke('info', []);
    const second = await handshake();
    expect(bridge.state).toBe('open');
    const sent = second.sent.filter((f) => 'method' in f);
    expect(sent.map((f) => f.method)).toContain('info');
    const id = (sent.find((f) => f.method === 'info') as { id: number }).id;
    second.receive({ id, envelope: { ok: true, value: 2 } });
    expect(await waiting).toEqual({ ok: true, value: 2 });
    bridge.close();
  });
});
