/**
 * Saves typed entries one after another, in the order they were submitted. A fast typist
 * presses Enter on the next entry while the previous one is still being saved (over IPC or
 * a WebSocket, on a busy machine, that takes tens of milliseconds): the new entry waits its
 * turn instead of being dropped or merged into the one before.
 *
 * Each entry keeps the `submit` it was queued with, so an entry typed for one list is saved
 * to that list even if the form has moved on to another by the time its turn comes.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { TextResult } from '../store/app-state.ts';

/**
 * An entry is what a form submits: the typed text, or (a "New …" form with a field per
 * required column, round 67) the text with the other columns' values, which come back with it.
 */
type Submit<E> = (entry: E) => Promise<TextResult>;

interface Entry<E> {
  readonly text: E;
  readonly submit: Submit<E>;
}

export interface SubmitQueue<E = string> {
  /** Queues `text`, to be saved with `submit` after the entries before it. */
  add(text: E, submit: Submit<E>): void;
  /** Entries queued and not saved yet: the form shows that it is busy. */
  readonly waiting: number;
}

/**
 * `onFailed` gets the entry that failed and every entry queued after it, which are not tried:
 * a failure (its list deleted elsewhere, the app unreachable) would most likely fail them
 * too, and trying them would save them out of order. Nothing typed is dropped.
 */
export function useSubmitQueue<E = string>(onFailed: (texts: readonly E[], message: string | null) => void): SubmitQueue<E> {
  const queue = useRef<Entry<E>[]>([]);
  const running = useRef(false);
  const [waiting, setWaiting] = useState(0);
  const failed = useRef(onFailed);
  useLayoutEffect(() => {
    failed.current = onFailed;
  });

  const run = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      for (let entry = queue.current[0]; entry !== undefined; entry = queue.current[0]) {
        // The store's writes answer every failure; a throw is a bug, and still loses nothing.
        const result = await entry.submit(entry.text).catch((): TextResult => ({ ok: false, message: null }));
        if (!result.ok) {
          const texts = queue.current.splice(0).map((e) => e.text);
          failed.current(texts, result.message);
          break;
        }
        queue.current.shift();
        setWaiting(queue.current.length);
      }
    } finally {
      running.current = false;
      setWaiting(queue.current.length);
    }
  }, []);

  const add = useCallback(
    (text: E, submit: Submit<E>) => {
      queue.current.push({ text, submit });
      setWaiting(queue.current.length);
      void run();
    },
    [run],
  );

  return { add, waiting };
}
