/**
 * An answer's body as `fetch` gives it: decoded from its `Content-Encoding` (gzip, deflate,
 * br; identity or a coding it does not know is passed on as it came, as fetch does) and
 * exposed as a web `ReadableStream`. A body of unknown length (the poke stream's events) is
 * read and delivered as it arrives; a small one of known length is read whole first
 * (`whole-body.ts`).
 */
import type { IncomingMessage } from 'node:http';
import { codingsOf, decodedStream } from './codings.ts';
import { webStream, type AnswerBody } from './web-stream.ts';
import { WHOLE_LIMIT, wholeBody } from './whole-body.ts';

/**
 * The answer's body, of the given `Content-Encoding` and `Content-Length` (NaN: not given;
 * both read from the raw headers, so that Node's `res.headers` is never built). `failure`
 * names what the reader gets when it fails (fetch's `TypeError: terminated`, or the abort's
 * reason); `done` is called once it ended, failed or was cancelled.
 */
export function answerBody(res: IncomingMessage, coding: string | undefined, length: number, failure: (err: unknown) => unknown, done: () => void): AnswerBody {
  const steps = codingsOf(coding) ?? [];
  if (length <= WHOLE_LIMIT) return wholeBody(res, length, steps, failure, done);
  const source = decodedStream(res, steps);
  if (source !== res) {
    // The last decoder's end (read to the end, failed, or cancelled) ends the answer.
    source.once('close', () => {
      if (!res.complete) res.destroy();
    });
  }
  return { stream: webStream(source, failure, done), stop: (err) => void source.destroy(err) };
}
