/**
 * A Server-Sent Events parser (the WHATWG event-stream format), fed with text chunks as
 * they arrive from a `fetch` body. `EventSource` cannot send an `Authorization` header,
 * so the poke stream is read with `fetch` and parsed here.
 */
import { badAnswer, invalidArgument } from './errors.ts';

/**
 * The most characters a line, and an event's data, may hold (round 65). The server's events
 * are a few dozen characters (`data: {"cursor":1540}`): without a bound, a hostile or broken
 * server's endless line (no newline ever), or an event of endless `data:` lines, was held in
 * memory until the tab or the process ran out of it. Over it the stream is a bad answer
 * (`invalid_response`): the poke stream reports it and reconnects with backoff.
 */
export const MAX_SSE_CHARS = 64 * 1024;

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

export interface SseParser {
  /** Feeds the next chunk of decoded text. */
  push(chunk: string): void;
}

export function createSseParser(onEvent: (event: SseEvent) => void, onRetry?: (ms: number) => void): SseParser {
  // Checked now, not when the first event arrives (a TypeError inside the app's stream reader).
  if (typeof onEvent !== 'function' || (onRetry !== undefined && typeof onRetry !== 'function')) {
    throw invalidArgument('createSseParser(onEvent, onRetry?) takes functions');
  }
  /** The line not ended yet, as the pieces it came in (joined once it ends). */
  let pending: string[] = [];
  let pendingChars = 0;
  let first = true;
  let eventType = '';
  let data: string[] = [];
  let dataChars = 0;
  let lastId: string | undefined;
  let sawCR = false;

  function line(l: string): void {
    if (l === '') {
      if (data.length > 0) onEvent({ event: eventType || 'message', data: data.join('\n'), id: lastId });
      eventType = '';
      data = [];
      dataChars = 0;
      return;
    }
    if (l.startsWith(':')) return; // a comment, such as the server's `: ping`
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventType = value;
    else if (field === 'data') {
      dataChars += value.length + 1;
      if (dataChars > MAX_SSE_CHARS) throw badAnswer(`the event stream sent an event of more than ${MAX_SSE_CHARS} characters`);
      data.push(value);
    }
    else if (field === 'id' && !value.includes('\u0000')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
  }

  return {
    push(chunk) {
      // Anything but text (undefined, a reader's last read; bytes not decoded) was a TypeError.
      if (typeof chunk !== 'string') throw invalidArgument('push(chunk): chunk must be a string');
      if (first && chunk.length > 0) {
        first = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      // A CRLF may be split across chunks: skip an LF that directly follows a consumed CR.
      if (sawCR && chunk.startsWith('\n')) chunk = chunk.slice(1);
      sawCR = false;
      // A piece without a line end is kept as it is: joined to the rest at every push and
      // scanned from its start, a long line sent a character a chunk cost quadratic time.
      if (!/[\r\n]/.test(chunk)) {
        pending.push(chunk);
        pendingChars += chunk.length;
        if (pendingChars > MAX_SSE_CHARS) {
          pending = [];
          throw badAnswer(`the event stream sent a line of more than ${MAX_SSE_CHARS} characters`);
        }
        return;
      }
      const from = pendingChars;
      const buffer = pending.join('') + chunk;
      let start = 0;
      for (let i = from; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(buffer.slice(start, i));
        if (c === 13) {
          if (i + 1 < buffer.length) {
            if (buffer.charCodeAt(i + 1) === 10) i++;
          } else sawCR = true;
        }
        start = i + 1;
      }
      const rest = buffer.slice(start);
      pending = rest === '' ? [] : [rest];
      pendingChars = rest.length;
      if (pendingChars > MAX_SSE_CHARS) {
        pending = [];
        throw badAnswer(`the event stream sent a line of more than ${MAX_SSE_CHARS} characters`);
      }
    },
  };
}
