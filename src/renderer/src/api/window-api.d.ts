import type { AppApi } from '../../../shared/app-api.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge; absent in other hosts. */
    readonly fieldsync?: AppApi;
  }
}
