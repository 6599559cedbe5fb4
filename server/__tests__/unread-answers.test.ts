/**
 * A client that sends a pull and never reads its answer (answer-pace.ts). The answer, a page
 * of about 9 MB here, is more than the kernel's buffers take, so the rest waited in the
 * server's memory, and the request held its user's place, for as long as the connection
 * stayed open: 20 s and more in a probe, with no end. Now the connection is closed once the
 * answer is not taken within the body timeout plus a second per minimal rate's worth of it.
 * The rate is raised for the test (4 MiB/s, so about 3 s here); the default is the body's.
 *
 * That the cut waited for the answer's bytes, not only the body timeout, is shown by the timer
 * that cut it (test-support/timer-probe.ts): one of answer-pace.ts's timers fired, armed for
 * more than 1 s plus the values' bytes at 4 MiB/s (round 68: the case asserted the place came
 * back more than 2 s after it was first refused, a timed assertion).
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeTimers, type TimerProbe } from '../../test-support/timer-probe.ts';
import { startTestServer, msg, untilPlaceBack, type TestServer } from './helpers/test-server.ts';

const VALUE = 'x'.repeat(60_000);
const PUSHES = 3;
const PER_PUSH = 50;
const RATE = 4 * 1024 * 1024;

/** Sends a pull for the whole of `user`'s data on a socket that reads nothing. */
async function unreadPull(url: string, token: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const body = JSON.stringify({ clientId: 'stalled', cursor: 0, limit: 5000 });
  socket.write(`POST /v1/sync HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  return { socket, closed };
}

describe('an answer its client does not read', () => {
  let t: TestServer | undefined;
  let probe: TimerProbe | undefined;
  afterEach(async () => {
    probe?.restore();
    probe = undefined;
    await t?.stop();
    t = undefined;
  });

  it('is cut once it is not taken in time: the user\'s place goes back, and the log says why', async () => {
    t = await startTestServer({ env: { FIELDSYNC_BODY_TIMEOUT: '1s', FIELDSYNC_MAX_INFLIGHT_PER_USER: '1' }, answerMinBytesPerSecond: RATE });
    for (let p = 0; p < PUSHES; p++) {
      const messages = Array.from({ length: PER_PUSH }, (_, i) => msg('A', `r${p}-${i}`, VALUE));
      expect((await t.sync('alice', { clientId: 'A', cursor: 0, messages })).status).toBe(200);
    }
    const timers = (probe = probeTimers('server/answer-pace.ts'));
    const { socket } = await unreadPull(t.url, await t.token('alice'));
    try {
      // While the answer is being written, it holds alice's one place.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await t.sync('alice', { clientId: 'B', cursor: 0, limit: 1 })).status).toBe(429);
      // 1 s, plus about 9 MB at 4 MiB/s: the place is back within 10 s (it never came back).
      // (A paused socket here sees nothing of the reset until it reads: the server's side is watched.)
      const { status } = await untilPlaceBack(t, 'alice');
      expect(status, 'alice\'s place came back').toBe(200);
      const line = t.logs.find((l) => l.msg === 'request' && l.user === 'alice' && l.ended !== undefined);
      expect(line).toMatchObject({ status: 200, ended: 'answer not taken in time' });
      // One answer was cut (the small ones finished first), by a timer armed for the body
      // timeout plus the answer's bytes at the rate: more than its values' own bytes' share
      // (a page's worth of them: the log line says how many messages it held).
      const pulled = (line as { pulled: number }).pulled;
      expect(pulled, 'messages in the cut answer').toBeGreaterThan(100);
      const valuesMs = 1000 + (pulled * VALUE.length / RATE) * 1000;
      expect(timers.fired, 'answers cut').toHaveLength(1);
      expect(timers.fired[0]?.ms, "the cut's timer, in ms").toBeGreaterThan(valuesMs);
      // And the place came back with the cut, not before: the cut's line comes before the line
      // of the first small pull let in (pushed 0, answered 200).
      const letIn = t.logs.findIndex((l) => l.msg === 'request' && l.user === 'alice' && l.status === 200 && l.pushed === 0 && l.ended === undefined);
      expect(t.logs.indexOf(line as Record<string, unknown>), 'the cut, logged before the pull let in').toBeLessThan(letIn);
    } finally {
      socket.destroy();
    }
  }, 30_000);

  it('is not cut when read slowly but within the pace', async () => {
    t = await startTestServer({ env: { FIELDSYNC_BODY_TIMEOUT: '1s' }, answerMinBytesPerSecond: 4 * 1024 * 1024 });
    const messages = Array.from({ length: PER_PUSH }, (_, i) => msg('A', `r${i}`, VALUE));
    expect((await t.sync('alice', { clientId: 'A', cursor: 0, messages })).status).toBe(200);
    const { socket, closed } = await unreadPull(t.url, await t.token('alice'));
    // About 3 MB: read after 0.5 s, well within 1 s + 0.7 s.
    await new Promise((resolve) => setTimeout(resolve, 500));
    let text = '';
    socket.setEncoding('latin1').on('data', (d: string) => { text += d; });
    socket.resume();
    const whole = async (): Promise<boolean> => {
      for (let i = 0; i < 100 && !text.endsWith('}'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      return text.endsWith('}');
    };
    expect(await whole()).toBe(true);
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    socket.destroy();
    await closed;
    expect(t.logs.filter((l) => l.ended !== undefined && l.ended !== 'client went away')).toEqual([]);
  }, 30_000);
});
