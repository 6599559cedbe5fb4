/**
 * The preload: runs in the sandboxed, isolated world of our window and exposes exactly one
 * object to the page, `window.fieldsync`, a typed `AppApi`. The page never gets `ipcRenderer`
 * or any Electron or Node API. Bundled into one CommonJS file (sandboxed preloads cannot
 * `require` anything but `electron`).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridgeApi } from './bridge-api.ts';
import { createIpcTransport } from './ipc-transport.ts';

contextBridge.exposeInMainWorld('fieldsync', createBridgeApi(createIpcTransport(ipcRenderer)));
