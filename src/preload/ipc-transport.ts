/**
 * The preload's side of the IPC: an `ApiTransport` over `ipcRenderer`. Structural types, so
 * it is tested under plain Node with a fake.
 */
import { CHANNELS, type ApiTransport, type AppEvent, type Envelope } from '../shared/app-api.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createIpcTransport(ipc: IpcRendererLike): ApiTransport {
  return {
    invoke: (method, args) => ipc.invoke(CHANNELS.invoke, method, [...args]) as Promise<Envelope>,
    onEvent(listener) {
      // The page's listener gets the event payload only: never the IpcRendererEvent, whose
      // `sender` would hand the page ipcRenderer itself.
      const wrapped = (_event: unknown, payload: unknown): void => listener(payload as AppEvent);
      ipc.on(CHANNELS.event, wrapped);
      return () => void ipc.removeListener(CHANNELS.event, wrapped);
    },
  };
}
