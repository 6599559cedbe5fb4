/** Reads a `GET /v1/events` stream over real HTTP, collecting pokes and pings. */
import { createSseParser } from 'fieldsync/server';

export interface EventReader {
  readonly status: number;
  readonly headers: Headers;
  readonly pokes: number[];
  readonly pings: () => number;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  waitForPoke(count?: number, timeoutMs?: number): Promise<number[]>;
  close(): void;
}

/** `headers`: more request headers (`X-Forwarded-For`, as a proxy would send it). */
export async function openEvents(url: string, token: string, clientId: string, headers: Record<string, string> = {}): Promise<EventReader> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/events?clientId=${encodeURIComponent(clientId)}`, {
    headers: { ...headers, authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const pokes: number[] = [];
  let pings = 0;
  let raw = '';
  const waiters = new Set<() => void>();
  const parser = createSseParser((e) => {
    if (e.event === 'poke') pokes.push((JSON.parse(e.data) as { cursor: number }).cursor);
    for (const w of waiters) w();
  });
  const ended = (async () => {
    if (res.status !== 200 || !res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        pings = raw.split(': ping\n\n').length - 1;
        parser.push(text);
        for (const w of waiters) w();
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    pokes,
    pings: () => pings,
    ended,
    waitForPoke(count = 1, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pokes.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve([...pokes]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no poke within ${timeoutMs} ms (got ${pokes.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
