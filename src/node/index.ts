/**
 * `fieldsync/node`: what a client running in Node (a Node app, Electron's main process) uses
 * instead of the runtime-neutral defaults. Importing it pulls in `node:` modules, so it is
 * never reached from `fieldsync`'s main entry.
 *
 * ```ts
 * import { createHttpRemote } from 'fieldsync';
 * import { nodeFetch } from 'fieldsync/node';
 *
 * const remote = createHttpRemote({ url: 'http://127.0.0.1:8787', token, fetch: nodeFetch() });
 * ```
 */
export { nodeFetch } from './node-fetch.ts';
export type { NodeFetch, NodeFetchOptions } from './node-fetch.ts';
