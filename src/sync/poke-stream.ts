/**
 * The realtime poke stream (`GET /v1/events`) read with `fetch`: it parses SSE, watches for
 * silence (a dead connection that never closed), and reconnects with backoff until it is
 * unsubscribed or the server says the credentials are no longer good.
 *
 * It is opt-in, so that an app that syncs on writes and on an interval alone does not ship
 * it: `createHttpRemote({ url, token, pokes: pokeStream() })`.
 */
import { abortController, type Aborter } from './abort.ts';
import { backoffError, backoffMs, delayError } from './backoff.ts';
import { errorBodyText } from './error-body.ts';
import { FieldsyncError, NetworkError, badAnswer, errorText, invalidArgument, reading, type RemoteError } from './errors.ts';
import { optionsError } from './option-keys.ts';
import { isNonNegativeInteger } from './protocol.ts';
import type { FetchFn } from './http-remote.ts';
import type { PokeListener } from './remote.ts';
import { createSseParser } from './sse.ts';

export interface PokeStreamOptions {
  /** Backoff between reconnections. */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Reconnect when nothing (not even a `: ping`) arrived for this long, in ms. Default 75 000. */
  readonly idleTimeoutMs?: number;
}

/** What the HTTP remote lends its poke source: the server's base URL and how to reach it. */
export interface PokeConnection {
  readonly url: string;
  readonly fetch: FetchFn;
  readonly authHeader: () => Promise<string>;
  readonly errorFromResponse: (response: Response, text: string) => RemoteError;
  /** A redirect gone wrong (to another origin, or a 405 after one), or null (http-remote.ts). */
  readonly redirectError: (response: Response, requested: string) => RemoteError | null;
}

/**
 * Subscribes one client to the pokes of a server; returns the function that unsubscribes.
 * Marked `pokeSource`, so that createHttpRemote tells it from `pokeStream` itself, uncalled.
 */
export type PokeSource = ((connection: PokeConnection, clientId: string, listener: PokeListener) => () => void) & { readonly pokeSource: true };

/** Every key of PokeStreamOptions (the type makes the list complete): any other is refused. */
const OPTION_KEYS = { reconnect: 0, idleTimeoutMs: 0 } satisfies Record<keyof PokeStreamOptions, 0>;

/**
 * The poke stream, for `createHttpRemote`'s `pokes` option: the client syncs as soon as
 * another device pushes, instead of at its next interval.
 */
export function pokeStream(options: PokeStreamOptions = {}): PokeSource {
  return reading('pokeStream: reading the options', () => pokesOf(options));
}

function pokesOf(options: PokeStreamOptions): PokeSource {
  const why = optionsError(options, OPTION_KEYS) ?? delayError('idleTimeoutMs', options.idleTimeoutMs, 1) ?? backoffError('reconnect', options.reconnect);
  if (why !== null) throw invalidArgument(`pokeStream: ${why}`);
  const idleTimeoutMs = options.idleTimeoutMs ?? 75_000;
  const source = (c: PokeConnection, clientId: string, listener: PokeListener): (() => void) => subscribePokes({
    ...c,
    url: `${c.url}/v1/events?clientId=${encodeURIComponent(clientId)}`,
    listener,
    // A copy of what was checked above: the reconnections' backoff does not check it again (backoff.ts).
    reconnect: { ...options.reconnect },
    idleTimeoutMs,
  });
  return Object.assign(source, { pokeSource: true as const });
}

interface StreamOptions extends PokeConnection {
  readonly listener: PokeListener;
  readonly reconnect: NonNullable<PokeStreamOptions['reconnect']>;
  readonly idleTimeoutMs: number;
}

/**
 * The connection's own failures (fetch rejects, a read fails: offline, reset, aborted) as
 * network errors; TypeError is how fetch says "offline", so the type alone cannot tell.
 */
async function io<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    throw err instanceof FieldsyncError ? err : new NetworkError('the poke stream was interrupted', err);
  }
}

/** Cancels a reader that may be done, errored, or a polyfill's without cancel(). */
function quietly(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  try {
    reader.cancel().catch(() => {});
  } catch {
    // Nothing left to release.
  }
}

function subscribePokes(o: StreamOptions): () => void {
  let stopped = false;
  let controller: Aborter | null = null;
  let sleepTimer: ReturnType<typeof setTimeout> | null = null;
  let wake: (() => void) | null = null;

  const report = (err: FieldsyncError): void => {
    if (!stopped) o.listener.onError?.(err);
  };

  async function connectOnce(): Promise<'retry' | 'stop'> {
    let c: Aborter | null = null;
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    let ended = false;
    let idleTimer: ReturnType<typeof setTimeout> | null = null;
    const resetIdle = (): void => {
      if (idleTimer !== null) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => c?.abort(new Error('idle')), o.idleTimeoutMs);
    };
    // Everything inside the try: what throws is reported to onError. Thrown before it, it
    // rejected loop(), which nobody awaits, and the stream died with nothing said.
    try {
      controller = c = abortController();
      resetIdle();
      const authorization = await o.authHeader();
      const signal = c.signal;
      const response = await io(() => o.fetch(o.url, { headers: { Accept: 'text/event-stream', Authorization: authorization }, signal }));
      const redirected = o.redirectError(response, o.url);
      if (redirected) {
        await response.body?.getReader().cancel().catch(() => {});
        report(redirected);
        return 'retry';
      }
      if (response.status !== 200) {
        const err = o.errorFromResponse(response, await errorBodyText(response).catch(() => ''));
        report(err);
        return err.code === 'unauthorized' ? 'stop' : 'retry';
      }
      if (!response.body) {
        // Some fetch polyfills (React Native's) cannot stream: interval syncs still work.
        report(new FieldsyncError('network', 'this fetch cannot stream responses; realtime pokes are off'));
        return 'stop';
      }
      // A web app's own fallback page (an SPA's index.html for every path) is no stream: taken
      // for one, it "connected", ended, and reconnected for ever, with realtime silently off.
      const type = response.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\b/i.test(type)) {
        await response.body.getReader().cancel().catch(() => {});
        report(badAnswer(`${o.url.split('?')[0]} answered ${type ? type.split(';')[0] : 'without a Content-Type'}, not an event stream: is the remote's URL the server's?`));
        return 'retry';
      }
      if (typeof TextDecoder !== 'function') {
        // Hermes (React Native) and QuickJS have none, and a fetch that streams does not bring
        // one: said once, as for a fetch that cannot stream (checked first: React Native's own
        // fetch is the first thing to replace). Retried, it failed at every reconnection.
        // Interval syncs still work; a TextDecoder polyfill turns pokes on.
        await response.body.getReader().cancel().catch(() => {});
        report(new FieldsyncError('network', 'this runtime has no TextDecoder; realtime pokes are off'));
        return 'stop';
      }
      o.listener.onOpen?.();
      const r = (reader = response.body.getReader());
      const decoder = new TextDecoder();
      const parser = createSseParser((event) => {
        if (event.event !== 'poke') return;
        try {
          const poke = JSON.parse(event.data) as { cursor?: unknown };
          if (isNonNegativeInteger(poke.cursor)) {
            o.listener.onPoke({ cursor: poke.cursor });
          }
        } catch {
          // A malformed poke is only a missed hint; the next sync catches up.
        }
      });
      for (;;) {
        const { done, value } = await io(() => r.read());
        if (done) {
          ended = true;
          break;
        }
        resetIdle();
        if (value) parser.push(decoder.decode(value, { stream: true }));
      }
      return 'retry';
    } catch (err) {
      if (err instanceof FieldsyncError) {
        report(err);
        return 'retry';
      }
      // Not the connection's failure (io() names those): a bug, ours or the runtime's (a
      // TypeError, a ReferenceError). Reported as a network error and retried, it said
      // "interrupted" and failed the same way at every reconnection.
      report(new FieldsyncError('internal', `the poke stream failed: ${errorText(err)}`, { cause: err }));
      return 'stop';
    } finally {
      if (idleTimer !== null) clearTimeout(idleTimer);
      controller = null;
      // A stream that did not end by itself (a failed read, the idle watch, an answer that was
      // no stream, a bug): its request is aborted and its body released. Otherwise a fetch
      // that ignores the signal, or a body nobody read, kept one connection open per retry.
      if (!ended) {
        c?.abort(new Error('the poke stream stopped'));
        if (reader) quietly(reader);
      }
    }
  }

  async function loop(): Promise<void> {
    let attempt = 0;
    while (!stopped) {
      const startedAt = Date.now();
      const outcome = await connectOnce();
      if (stopped || outcome === 'stop') return;
      // A stream that stayed up for a while resets the backoff.
      if (Date.now() - startedAt > 30_000) attempt = 0;
      const delay = backoffMs(attempt++, o.reconnect);
      await new Promise<void>((resolve) => {
        wake = resolve;
        sleepTimer = setTimeout(resolve, delay);
      });
      wake = null;
      sleepTimer = null;
    }
  }

  void loop();

  return () => {
    stopped = true;
    controller?.abort(new Error('unsubscribed'));
    if (sleepTimer !== null) clearTimeout(sleepTimer);
    wake?.();
  };
}
