// The few standard globals the sync core relies on. They exist in every JavaScript runtime
// Fieldsync supports (Node >= 22, Electron, evergreen browsers, React Native's Hermes), but
// they are not part of the ECMAScript library itself. tsconfig.sync.json typechecks
// src/sync against this file instead of the DOM or Node typings, so that a DOM-only or
// Node-only API used in the core is a compile error.

declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
declare function setInterval(callback: () => void, ms?: number): unknown;
declare function clearInterval(handle: unknown): void;

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

declare class TextDecoder {
  // fatal: bytes that are not UTF-8 throw a TypeError; ignoreBOM: a BOM is kept in the text.
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

interface ReadableStreamReadResult<T> {
  done: boolean;
  value?: T;
}
interface ReadableStreamDefaultReader<T> {
  read(): Promise<ReadableStreamReadResult<T>>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}
interface ReadableStream<T> {
  getReader(): ReadableStreamDefaultReader<T>;
  pipeThrough<U>(transform: { readonly writable: unknown; readonly readable: ReadableStream<U> }): ReadableStream<U>;
}
interface Headers {
  get(name: string): string | null;
}
interface Response {
  readonly ok: boolean;
  readonly status: number;
  /** Whether fetch followed a redirect, and the URL it ended at; optional: not every polyfill has them. */
  readonly redirected?: boolean;
  readonly url?: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}
// Absent from some runtimes (React Native): check with `typeof` before use.
declare const Response: (new (body?: string | ReadableStream<Uint8Array>) => Response) | undefined;
declare const CompressionStream: (new (format: 'gzip' | 'deflate' | 'deflate-raw') => {
  readonly writable: unknown;
  readonly readable: ReadableStream<Uint8Array>;
}) | undefined;
declare function fetch(url: string, init?: RequestInit): Promise<Response>;

interface Console {
  warn(...data: unknown[]): void;
}
declare const console: Console;
