/**
 * A poke stream's refusal (a non-200 answer to GET /v1/events) is read only as far as an
 * error object can be long (round 64, attacker review: a hostile server or proxy the client
 * talks to). The stream read the whole body with `text()`, bounded only by its idle timeout
 * (75 s): a 404 whose body never ends held all of it in the client's memory, 64 MiB in this
 * test, gigabytes on a fast link. The sync route's answers were bounded already (answer-lines.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, createHttpRemote, pokeStream, type FieldsyncError } from '../index.ts';
import { until } from './harness/test-kit.ts';
import { closeServers, serve } from './harness/loopback.ts';

afterEach(closeServers);

/** What the server offers: far more than the kernel's and fetch's buffers on loopback hold. */
const OFFERED = 64 * 1024 * 1024;

describe('a poke stream\'s error answer', () => {
  it('is read only as far as an error can be long: a 404 body that goes on is let go, and the error reported', async () => {
    let written = -1; // the bytes the socket took, once it closed
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const more = (): void => {
        while (sent < OFFERED) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      res.socket?.once('close', () => (written = sent));
      more();
    });
    const errors: FieldsyncError[] = [];
    const stop = createHttpRemote({ url, token: 't', pokes: pokeStream({ reconnect: { initialMs: 60_000 } }) }).subscribe!('c', {
      onPoke: () => {},
      onError: (e) => errors.push(e),
    });
    try {
      await until(() => errors.length > 0 && written >= 0, 20_000);
    } finally {
      stop();
    }
    expect(errors[0]).toBeInstanceOf(RemoteError);
    expect(errors[0]).toMatchObject({ status: 404, foreign: true });
    // Loopback's socket buffers and fetch's stream hold a few MiB at most besides what was read.
    expect(written).toBeLessThan(OFFERED / 4);
  }, 30_000);
});
