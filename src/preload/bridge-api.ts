/**
 * The API object the preload hands to the page through `contextBridge`.
 *
 * An error that crosses the bridge loses its class and every field but its message, so an
 * `AppError` would arrive without its `code`. Each method therefore rejects with a plain
 * `{ name: 'AppError', code, message }` object, which the bridge copies whole and which
 * `isAppError()` recognises on the page.
 */
import { METHOD_NAMES } from '../shared/api-methods.ts';
import { AppError, createApiClient, type AppApi, type ApiTransport } from '../shared/app-api.ts';

export interface PlainAppError {
  readonly name: 'AppError';
  readonly code: AppError['code'];
  readonly message: string;
}

export function toPlainError(err: unknown): PlainAppError {
  if (err instanceof AppError) return { name: 'AppError', code: err.code, message: err.message };
  return { name: 'AppError', code: 'internal', message: 'The app did not answer. Restart it if this keeps happening.' };
}

export function createBridgeApi(transport: ApiTransport): AppApi {
  const client = createApiClient(transport);
  const api: Record<string, unknown> = {
    subscribe: (listener: Parameters<AppApi['subscribe']>[0]) => client.subscribe(listener),
  };
  for (const method of METHOD_NAMES) {
    const call = client[method] as (...args: unknown[]) => Promise<unknown>;
    api[method] = (...args: unknown[]) =>
      call(...args).catch((err: unknown) => {
        throw toPlainError(err);
      });
  }
  return api as unknown as AppApi;
}
