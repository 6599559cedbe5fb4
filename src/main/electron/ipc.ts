/**
 * The IPC binding: one channel for every API call, one for events. Structural types instead
 * of Electron's, so it is tested under plain Node with a fake `ipcMain`.
 *
 * Every call's sender is checked before anything else (see `isTrustedSender`); a call from
 * anywhere else gets `forbidden` and reaches nothing. The arguments are then checked by the
 * dispatcher, which the browser host shares.
 */
import { CHANNELS, type AppEvent, type Envelope } from '../../shared/app-api.ts';
import type { Dispatch } from '../core/api-handlers.ts';
import { isTrustedSender, type RendererLocation } from './renderer-location.ts';

export interface IpcFrameLike {
  readonly url: string;
  /** null for a main frame. */
  readonly parent: unknown;
}

export interface IpcEventLike {
  readonly sender: { readonly id: number };
  /** null when the frame has navigated away or been destroyed since it sent the call. */
  readonly senderFrame: IpcFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<Envelope>): void;
  removeHandler(channel: string): void;
}

export const FORBIDDEN: Envelope = { ok: false, error: { code: 'forbidden', message: 'This page may not use the app API.' } };

/** The sender check for our window: its web contents, its main frame, our renderer's URL. */
export function createSenderCheck(windowContentsId: () => number | null, location: RendererLocation): (event: IpcEventLike) => boolean {
  return (event) => {
    const id = windowContentsId();
    if (id === null || event.sender.id !== id) return false;
    const frame = event.senderFrame;
    return isTrustedSender(frame?.url, frame !== null && frame.parent === null, location);
  };
}

/** Handles `CHANNELS.invoke`; returns the function that unbinds it. */
export function bindIpc(ipcMain: IpcMainLike, dispatch: Dispatch, isTrusted: (event: IpcEventLike) => boolean, log: (message: string) => void = () => {}): () => void {
  ipcMain.handle(CHANNELS.invoke, async (event, method, args, ...extra) => {
    if (!isTrusted(event)) {
      log(`refused an API call from ${event.senderFrame?.url?.slice(0, 200) ?? 'a destroyed frame'} (web contents ${event.sender.id})`);
      return FORBIDDEN;
    }
    if (extra.length > 0) return { ok: false, error: { code: 'invalid_argument', message: 'An API call is (method, arguments).' } };
    return dispatch(method, args);
  });
  return () => ipcMain.removeHandler(CHANNELS.invoke);
}

export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Sends the core's events to the window until it is destroyed; returns the unsubscribe. */
export function forwardEvents(subscribe: (listener: (event: AppEvent) => void) => () => void, target: EventTargetLike): () => void {
  const off = subscribe((event) => {
    if (target.isDestroyed()) return;
    target.send(CHANNELS.event, event);
  });
  return off;
}
