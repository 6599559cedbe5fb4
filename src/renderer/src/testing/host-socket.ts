/**
 * The browser host's end of the page's WebSocket, played by a test (the page's side is the
 * real `createWsApi`): it records what the page sends, and opens, answers and closes as told.
 */
import type { BridgeSocket } from '../api/ws-bridge.ts';

export class HostSocket implements BridgeSocket {
  readyState = 0;
  /** Each frame the page sent, parsed. */
  readonly sent: unknown[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}
