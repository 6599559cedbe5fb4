/**
 * Reading a sync answer (docs/protocol.md §5, "Line-framed answers"): one JSON text, or, when
 * the server answers `application/x-ndjson`, one JSON text per page, each ending with a line
 * feed, which this puts back together as the one answer they make (the first line, with the
 * others as its `next`).
 *
 * Why lines: an answer of eight follow-on pages is about 620 KB of JSON. As one string it is
 * one large allocation: V8 keeps strings over 128 KB in memory it maps afresh every time, and
 * a 634 KB string cost 2.2 ms here (158 page faults) against 20 us for one of 120 KB. Read line
 * by line from the body's bytes, each page's text is a string of about 80 KB: decoding fell
 * from 6.5% to 1.3% of a pull's CPU profile. Where the body cannot be read as a stream of
 * bytes, or there is no TextDecoder (React Native), the lines are cut from the whole text:
 * the same answer, without the gain.
 */
import { joinBytes } from './join-bytes.ts';
import { isObject } from './option-keys.ts';
import { RemoteError, badAnswer } from './errors.ts';
import { DEFAULT_PULL_LIMIT, LINES_MEDIA_TYPE, MAX_ANSWER_BYTES, MAX_PULL_PAGES } from './protocol.ts';
import type { Answer } from './request-compression.ts';
import { checkPages } from './sync-response.ts';

const LINE_FEED = 10;

/** The error of a 200 whose body is not the JSON it should be (one text, or lines). */
export const invalidJson = (): RemoteError => badAnswer('the server answered with invalid JSON');

/** Whether a Content-Type is the line-framed answer's. */
export const isLines = (contentType: string | null): boolean =>
  contentType !== null && contentType.split(';')[0]?.trim().toLowerCase() === LINES_MEDIA_TYPE;

/**
 * What the client reads of one answer at most (security finding S-59, docs/security.md): a
 * hostile or broken server, or anything on a plain-HTTP path, could send a line or a body with
 * no end, all of it held. Round 60: no answer is over the protocol's MAX_ANSWER_BYTES (40 MiB,
 * docs/protocol.md §5, "Answer bytes"), nor any line of it; a request for few messages gets
 * less, derived from what was asked for (§3, §5) so that no valid answer is refused: `pages`
 * pages of at most `limit` messages, a value at most 64 KiB of JSON as JSON.stringify writes
 * it and a message's other fields well under 1 KiB. 160 KiB a message is over twice that, a
 * margin for a server that writes its JSON less tightly (spaces, `\u` escapes of non-ASCII
 * text), and 64 KiB a page for its own fields. One page is one line: a line under way is held
 * to one page's bytes; an answer to `pages` lines. Before round 60 the bound was that alone:
 * about 1.2 GiB at the defaults (1,000 messages, 8 pages).
 */
export interface AnswerBound {
  readonly line: number;
  readonly bytes: number;
  readonly lines: number;
}
export const answerBound = (limit: number, pages: number): AnswerBound => {
  const line = Math.min(limit * 160 * 1024 + 64 * 1024, MAX_ANSWER_BYTES);
  return { line, bytes: Math.min(pages * line, MAX_ANSWER_BYTES), lines: pages };
};

/**
 * The errors of answers refused for their size alone: a smaller request may get one that can be
 * read (http-remote.ts, round 61).
 */
export const tooLarge = new WeakSet<RemoteError>();

/** Past the bound: the same bad answer as invalid JSON (code `invalid_response`), retried as one. */
const overBound = (status: number): RemoteError => {
  const err = new RemoteError(status, 'invalid_response', 'the server\'s answer is larger than the pages asked for can be');
  tooLarge.add(err);
  return err;
};

/**
 * A sync answer with its body read within `bound`: parsed lines for a 200 in lines, the text for
 * anything else. `signal` aborts the reading (a `fetch` that ignores its signal stops at once).
 * Read as a stream of bytes where it can be: React Native's own `fetch` has no `body` (undefined,
 * not null), and a runtime without TextDecoder cannot decode bytes; there the whole text is read
 * (bounded by its declared length, and in time by the timeout) and checked after.
 */
export async function readAnswer(response: Response, signal?: AbortSignal, bound = answerBound(DEFAULT_PULL_LIMIT, MAX_PULL_PAGES)): Promise<Answer> {
  const lines = response.status === 200 && isLines(response.headers.get('content-type'));
  const body = response.body as ReadableStream<unknown> | null | undefined;
  const over = (): never => {
    void Promise.resolve().then(() => (body as { cancel?: () => Promise<void> } | null | undefined)?.cancel?.()).catch(() => {});
    throw overBound(response.status);
  };
  if (Number(response.headers.get('content-length')) > bound.bytes) over();
  if (!body || typeof body.getReader !== 'function' || typeof TextDecoder !== 'function') {
    const text = await textOf(response, signal);
    if (text.length > bound.bytes) over();
    return lines ? { response, text: '', lines: checkedCount(linesOf(text), bound) } : { response, text };
  }
  const read = await readBody(body, signal, bound, lines, response.status);
  return typeof read === 'string' ? { response, text: read } : { response, text: '', lines: read };
}

/** The lines so far, no more than the pages asked for (sync-response.ts, the one check). */
function checkedCount(values: unknown[], bound: AnswerBound): unknown[] {
  checkPages(values.length, bound.lines);
  return values;
}

/**
 * The body's text, or the signal's reason once it aborts first: an app's `fetch` that ignored
 * the signal may answer after the timeout, with a body that then stalls, and `text()` alone
 * would wait for it with no end (the client's syncs with it). The body is let go.
 */
function textOf(response: Response, signal?: AbortSignal): Promise<string> {
  const reading = response.text();
  if (!signal) return reading;
  return new Promise<string>((resolve, reject) => {
    const onAbort = (): void => {
      reading.catch(() => {});
      Promise.resolve()
        .then(() => (response.body as { cancel?: () => Promise<void> } | null | undefined)?.cancel?.())
        .catch(() => {}); // locked by text(): it goes with the connection
      reject(signal.reason ?? new Error('aborted'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    reading.then(
      (text) => {
        signal.removeEventListener('abort', onAbort);
        resolve(text);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * A 200's text as JSON: one JSON text, or lines that came without their Content-Type (a
 * proxy that rewrote it to `application/json`, or dropped it): one JSON text holds no raw
 * line feed, so a text that is not JSON but has one is read as lines.
 */
export function answerJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!text.includes('\n')) throw err;
    return fromLines(linesOf(text));
  }
}

/** Adds the JSON value of `line` to `values`, unless it is blank; a line that is not JSON is an invalid_response. */
function parseLine(values: unknown[], line: string): void {
  if (line.trim() === '') return;
  try {
    values.push(JSON.parse(line));
  } catch {
    throw invalidJson();
  }
}

/** The JSON value of each line of a whole text in lines. */
export function linesOf(text: string): unknown[] {
  const values: unknown[] = [];
  for (const line of text.split('\n')) parseLine(values, line);
  return values;
}

/**
 * The body read from its stream within `bound`: the JSON value of each non-empty line, or (not
 * `lines`) its whole text. Past the bound the body is cancelled: the rest is never read.
 */
async function readBody(body: ReadableStream<unknown>, signal: AbortSignal | undefined, bound: AnswerBound, lines: boolean, status: number): Promise<unknown[] | string> {
  const values: unknown[] = [];
  const decoder = new TextDecoder(); // strips a BOM, replaces bad bytes, as text() does
  const reader = body.getReader();
  const onAbort = (): void => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort);
  // Aborted already (a fetch that ignored the signal answered after the timeout): its 'abort'
  // has fired, and a body that sends nothing more would be waited for with no end.
  if (signal?.aborted === true) onAbort();
  // The bytes of the line under way (or of the whole text), in the pieces they came in.
  let pieces: Uint8Array[] = [];
  let size = 0;
  let total = 0;
  const held = lines ? bound.line : bound.bytes;
  const text = (): string => decoder.decode(pieces.length === 1 ? pieces[0] : joinBytes(pieces));
  const add = (piece: Uint8Array): void => {
    pieces.push(piece);
    size += piece.length;
    if (size > held) throw overBound(status);
  };
  const endLine = (): void => {
    parseLine(values, text());
    checkedCount(values, bound);
    pieces = [];
    size = 0;
  };
  try {
    for (let read = await reader.read(); !read.done && signal?.aborted !== true; read = await reader.read()) {
      const chunk = bytesOf(read.value);
      if ((total += chunk.length) > bound.bytes) throw overBound(status);
      let from = 0;
      for (let end = lines ? chunk.indexOf(LINE_FEED, from) : -1; end !== -1; end = chunk.indexOf(LINE_FEED, from)) {
        add(chunk.subarray(from, end));
        endLine();
        from = end + 1;
      }
      if (from < chunk.length) add(chunk.subarray(from));
    }
    // Aborted, the lines read so far are not the answer (the caller reports the abort).
    if (signal?.aborted === true) throw signal.reason ?? new Error('aborted');
    if (!lines) return text();
    if (size > 0) endLine();
  } catch (err) {
    // A line that is not JSON, or past the bound: the rest of the body is not wanted.
    reader.cancel().catch(() => {});
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return values;
}

/**
 * A chunk of a body's stream as bytes: a fetch of the platform gives Uint8Arrays; one of an
 * app or a polyfill may give another view, an ArrayBuffer, or text.
 */
function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === 'string' && typeof TextEncoder === 'function') return new TextEncoder().encode(chunk);
  throw badAnswer('the answer\'s body gave neither bytes nor text');
}

/** The answer the lines make: the first line's object, with the others as its `next`. */
export function fromLines(lines: readonly unknown[]): unknown {
  const [first, ...next] = lines;
  if (next.length === 0 || !isObject(first)) return first;
  return { ...first, next };
}
