/**
 * A remote that misbehaves on purpose, one request at a time: the network fails before the
 * server sees the request, the answer is lost after the server stored the push, the request
 * is delivered twice, the answer's messages arrive shuffled and duplicated, or an old cursor
 * makes the server deliver messages again. After a kill it is dead for good.
 */
import { NetworkError, type Remote } from 'fieldsync';
import type { SyncRequest, SyncResponse } from 'fieldsync/server';

export type Fault = 'none' | 'failBefore' | 'loseResponse' | 'duplicate' | 'shuffle' | 'rewind';

export class FaultyRemote implements Remote {
  readonly #inner: Remote;
  readonly #random: () => number;
  #fault: Fault = 'none';
  #dead = false;
  /** Messages pushed in requests that reached the server. */
  deliveredPushes = 0;
  /** The last request's cursor, and how many requests in a row pushed nothing from it. */
  #lastCursor = -1;
  #sameInARow = 0;

  constructor(inner: Remote, random: () => number) {
    this.#inner = inner;
    this.#random = random;
  }

  /** The next request suffers this fault. */
  arm(fault: Fault): void {
    this.#fault = fault;
  }

  /** Every later request fails, as for a process that was killed. */
  kill(): void {
    this.#dead = true;
  }

  async sync(request: SyncRequest): Promise<SyncResponse> {
    if (this.#dead) throw new NetworkError('killed');
    // Bounded: a client whose cursor stays put (round 56's plant of `cursor: c.cursor` in
    // sync-run.ts) asks for the same page for ever, and the in-process server answers without
    // a timer that Vitest's timeout could fire on. A healthy client asks so at most a few
    // times in a row (the idle check's five, or a sync() with nothing new after another).
    const same = request.cursor === this.#lastCursor && (request.messages?.length ?? 0) === 0;
    this.#sameInARow = same ? this.#sameInARow + 1 : 0;
    this.#lastCursor = request.cursor;
    if (this.#sameInARow >= 1000) throw new Error(`asked 1000 times in a row from cursor ${request.cursor}, pushing nothing`);
    const fault = this.#fault;
    this.#fault = 'none';
    switch (fault) {
      case 'failBefore':
        throw new NetworkError('injected: connection refused');
      case 'loseResponse':
        await this.#inner.sync(request);
        throw new NetworkError('injected: the answer was lost after the server stored the push');
      case 'duplicate':
        await this.#inner.sync(request).catch(() => undefined);
        return this.#inner.sync(request);
      case 'rewind':
        return this.#inner.sync({ ...request, cursor: Math.floor(request.cursor * this.#random()) });
      case 'shuffle': {
        const response = await this.#inner.sync(request);
        const messages = [...response.messages];
        for (const m of response.messages) if (this.#random() < 0.3) messages.push(m);
        for (let i = messages.length - 1; i > 0; i--) {
          const j = Math.floor(this.#random() * (i + 1));
          [messages[i], messages[j]] = [messages[j]!, messages[i]!];
        }
        return { ...response, messages };
      }
      case 'none':
        return this.#inner.sync(request);
    }
  }
}

