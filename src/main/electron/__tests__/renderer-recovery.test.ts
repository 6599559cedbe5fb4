import { describe, expect, it } from 'vitest';
import { MAX_RELOADS, RELOAD_WINDOW_MS, recoverRenderer, type GoneDetails, type RecoverableContents } from '../renderer-recovery.ts';

function fakeWindow() {
  let listener: ((event: unknown, details: GoneDetails) => void) | null = null;
  const state = { reloads: 0, destroyed: false, time: 1_000_000, gaveUp: [] as GoneDetails[], log: [] as string[] };
  const contents: RecoverableContents = {
    on: (_event, l) => void (listener = l),
    reload: () => void state.reloads++,
    isDestroyed: () => state.destroyed,
  };
  recoverRenderer(contents, { log: (m) => state.log.push(m), giveUp: (d) => state.gaveUp.push(d), now: () => state.time });
  const gone = (reason = 'crashed', exitCode = 11) => listener?.({}, { reason, exitCode });
  return { state, gone };
}

describe('renderer recovery', () => {
  it('reloads the page when the renderer crashes or is killed, and says why', () => {
    const w = fakeWindow();
    w.gone('crashed', 11);
    w.state.time += 10_000;
    w.gone('oom', -1);
    expect(w.state.reloads).toBe(2);
    expect(w.state.log[0]).toBe(`the window's renderer process is gone (crashed, exit code 11); reloading the page (1 of at most ${MAX_RELOADS} in 60 s)`);
    expect(w.state.log[1]).toMatch(/\(oom, exit code -1\); reloading the page \(2 of/);
    expect(w.state.gaveUp).toEqual([]);
  });

  it(`reloads at most ${MAX_RELOADS} times within a minute, then gives up once`, () => {
    const w = fakeWindow();
    for (let i = 0; i < 10; i++) {
      w.gone();
      w.state.time += 1_000;
    }
    expect(w.state.reloads).toBe(MAX_RELOADS);
    expect(w.state.gaveUp).toEqual([{ reason: 'crashed', exitCode: 11 }]);
    expect(w.state.log[MAX_RELOADS]).toMatch(/reloaded 3 times in the last 60 s, giving up$/);
  });

  it('counts only the crashes of the last minute: a crash now and then is always recovered', () => {
    const w = fakeWindow();
    for (let i = 0; i < 10; i++) {
      w.gone();
      w.state.time += RELOAD_WINDOW_MS / 2;
    }
    expect(w.state.reloads).toBe(10);
    expect(w.state.gaveUp).toEqual([]);
  });

  it('does nothing for a clean exit or a destroyed window', () => {
    const w = fakeWindow();
    w.gone('clean-exit', 0);
    w.state.destroyed = true;
    w.gone('crashed', 11);
    expect(w.state.reloads).toBe(0);
    expect(w.state.gaveUp).toEqual([]);
    expect(w.state.log).toHaveLength(2);
  });
});
