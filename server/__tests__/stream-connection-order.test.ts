/**
 * Which requests a connection may still carry (stream-connections.ts), on the server's
 * `request` event as Node emits it, in arrival order per connection. Over real sockets, with
 * Fastify and event streams: `stream-connections.test.ts`. Round 58, from the file's first
 * mutation run.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { trackStreamConnections, type StreamConnections } from '../stream-connections.ts';

/** A connection: how often it was reset. */
class Connection {
  resets = 0;
  resetAndDestroy(): void { this.resets++; }
}

function setup(): { tracker: StreamConnections; arrive(c: Connection): IncomingMessage } {
  const server = new EventEmitter();
  const tracker = trackStreamConnections(server as unknown as Server);
  return {
    tracker,
    arrive(c) {
      const req = { socket: c } as unknown as IncomingMessage;
      server.emit('request', req);
      return req;
    },
  };
}

describe('the requests of a connection', () => {
  it('knows the last request to arrive on each connection, as the next arrives', () => {
    const { tracker, arrive } = setup();
    const a = new Connection();
    const b = new Connection();
    const a1 = arrive(a);
    expect(tracker.isLast(a1)).toBe(true);
    const b1 = arrive(b);
    const a2 = arrive(a);
    expect([tracker.isLast(a1), tracker.isLast(a2), tracker.isLast(b1)]).toEqual([false, true, true]);
    const a3 = arrive(a);
    expect([tracker.isLast(a2), tracker.isLast(a3)]).toEqual([false, true]);
  });

  it('counts what arrived after a connection\'s last answer, from the earliest one said to be last', () => {
    const { tracker, arrive } = setup();
    const a = new Connection();
    const [a1, a2, a3, a4] = [arrive(a), arrive(a), arrive(a), arrive(a)] as [IncomingMessage, IncomingMessage, IncomingMessage, IncomingMessage];
    expect([a1, a2, a3, a4].map((r) => tracker.isAfterLast(r))).toEqual([false, false, false, false]);
    tracker.endsWith(a3);
    expect([a1, a2, a3, a4].map((r) => tracker.isAfterLast(r))).toEqual([false, false, false, true]);
    tracker.endsWith(a2);
    expect([a1, a2, a3, a4].map((r) => tracker.isAfterLast(r))).toEqual([false, false, true, true]);
    // A later one said to be last moves nothing.
    tracker.endsWith(a4);
    expect([a1, a2, a3, a4].map((r) => tracker.isAfterLast(r))).toEqual([false, false, true, true]);
    // Another connection is not concerned, and nothing is reset.
    const b1 = arrive(new Connection());
    expect(tracker.isAfterLast(b1)).toBe(false);
    expect(a.resets).toBe(0);
  });

  it('an open stream ends its connection: what came after it is behind it and after the last, and what arrives then resets it', () => {
    const { tracker, arrive } = setup();
    const a = new Connection();
    const a1 = arrive(a);
    const a2 = arrive(a);
    const a3 = arrive(a);
    tracker.opened(a2);
    expect([a1, a2, a3].map((r) => tracker.isBehindStream(r))).toEqual([false, false, true]);
    expect([a1, a2, a3].map((r) => tracker.isAfterLast(r))).toEqual([false, false, true]);
    expect(a.resets).toBe(0);
    const a4 = arrive(a);
    expect(a.resets).toBe(1);
    expect(tracker.isBehindStream(a4)).toBe(true);
    // Another connection carries no stream.
    const b = new Connection();
    const b1 = arrive(b);
    const b2 = arrive(b);
    expect([tracker.isBehindStream(b1), tracker.isBehindStream(b2), b.resets]).toEqual([false, false, 0]);
  });

  it('a request it never saw arrive is taken as its connection\'s first', () => {
    const { tracker, arrive } = setup();
    const a = new Connection();
    const unseen = { socket: a } as unknown as IncomingMessage;
    const a1 = arrive(a);
    const a2 = arrive(a);
    tracker.endsWith(unseen);
    expect([tracker.isAfterLast(unseen), tracker.isAfterLast(a1), tracker.isAfterLast(a2)]).toEqual([false, true, true]);
    expect(tracker.isBehindStream(unseen)).toBe(false);
  });
});
