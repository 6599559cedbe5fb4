/**
 * `fieldsync/testing`: conformance suites for your own client and server stores, a server
 * inside the process, and the client's merge step for benchmarks. Dependency-free, so they
 * run under any test runner.
 *
 * ```ts
 * import { storeConformance } from 'fieldsync/testing';
 *
 * for (const c of storeConformance(() => ({ store: createMyStore(), readRow }))) test(c.name, c.run);
 * ```
 */
export { storeConformance } from './store-conformance.ts';
export { serverStoreConformance } from './server-store-conformance.ts';
export type { ServerStoreHarness } from './server-store-conformance.ts';
export { schemaV1 as conformanceSchema, schemaV2 as conformanceSchemaV2 } from './store-fixtures.ts';
export type { ConformanceCase, ConformanceOptions, StoreHarness } from './store-fixtures.ts';
export { createInProcessServer } from './in-process-server.ts';
export type { InProcessServer, InProcessServerOptions } from './in-process-server.ts';
export { ConformanceError, canonical } from './assert.ts';
export { cellsOf, planMerge } from './merge-step.ts';
export type { MergePlan } from '../merge.ts';
