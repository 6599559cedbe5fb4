/**
 * The page's end of the bridge's tests (src/renderer/src/api/*.test.ts): a fake WebSocket
 * whose other end the test plays, and a bridge over such sockets, with fixed reconnection
 * delays. Here, not in one test file, because the tests of the bridge's calls, its events,
 * its connection and the bootstrap each use it (testing/host-socket.ts is the host's end,
 * for the components' tests over the real API).
 */
import type { SyncView } from '../../../shared/app-api.ts';
import { createWsBridge, type BridgeSocket } from '../api/ws-bridge.ts';

/** A socket whose other end the test plays: it sees the frames sent and answers at will. */
export class FakeSocket implements BridgeSocket {
  readyState = 0;
  readonly sent: { id: number; method: string; args: unknown[] }[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedWith: number | undefined;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  answer(index: number, envelope: unknown): void {
    this.receive({ id: this.sent[index]?.id, envelope });
  }
}

export const BRIDGE_URL = 'ws://127.0.0.1:4100/api?key=k';
export const SYNC: SyncView = { state: 'idle', online: true, configured: true, pending: 0, unsentItems: 0, rejected: 0, lastSyncAt: 1, cursor: 3, error: null, nextRetryAt: null, device: 'web-1', network: { latencyMs: 0, dropRate: 0 } };

/** A bridge whose sockets the test holds (`last()`: the newest), retrying after 100 ms, doubling up to 1 s. */
export function setupBridge(options: { timeoutMs?: number; maxQueued?: number; giveUpAfterMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const bridge = createWsBridge({
    url: BRIDGE_URL,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: () => 1,
    reconnect: { initialMs: 100, maxMs: 1000 },
    ...options,
  });
  const last = (): FakeSocket => sockets.at(-1) as FakeSocket;
  return { bridge, sockets, last };
}
