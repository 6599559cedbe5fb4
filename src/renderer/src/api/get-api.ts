/**
 * Where the renderer's `AppApi` comes from. In Electron the preload exposes it as
 * `window.fieldsync`; any other host (the browser host's WebSocket bridge) registers a factory
 * with `setApiFactory` before the app mounts. Components never call this: they receive the
 * API through the store provider, so tests can hand them a fake.
 */
import type { AppApi } from '../../../shared/app-api.ts';

type ApiFactory = () => AppApi | null;

let factory: ApiFactory | null = null;

/** Lets a non-Electron host provide the API. Call it before `getApi()`. */
export function setApiFactory(fn: ApiFactory | null): void {
  factory = fn;
}

/** The API, or null when this page runs without a host (the app then says "not connected"). */
export function getApi(): AppApi | null {
  if (typeof window !== 'undefined' && window.fieldsync) return window.fieldsync;
  return factory ? factory() : null;
}
