/**
 * A Server-Sent Events parser (the WHATWG event-stream format), fed with text chunks as
 * they arrive from a `fetch` body. `EventSource` cannot send an `Authorization` header,
 * so the poke stream is read with `fetch` and parsed here.
 */
import { invalidArgument } from './errors.ts';

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
  let buffer = '';
  let first = true;
  let eventType = '';
  let data: string[] = [];
  let lastId: string | undefined;
  let sawCR = false;

  function line(l: string): void {
    if (l === '') {
      if (data.length > 0) onEvent({ event: eventType || 'message', data: data.join('\n'), id: lastId });
      eventType = '';
      data = [];
      return;
    }
    if (l.startsWith(':')) return; // a comment, such as the server's `: ping`
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventType = value;
    else if (field === 'data') data.push(value);
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
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
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
      buffer = buffer.slice(start);
    },
  };
}
