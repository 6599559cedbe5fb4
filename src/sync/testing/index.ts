/**
 * Testing tools: conformance suites for your own stores, and a server inside the process.
 * Dependency-free, so they run under any test runner.
 */
export { storeConformance } from './store-conformance.ts';
export { serverStoreConformance } from './server-store-conformance.ts';
export type { ServerStoreHarness } from './server-store-conformance.ts';
export { schemaV1 as conformanceSchema, schemaV2 as conformanceSchemaV2 } from './store-fixtures.ts';
export type { ConformanceCase, ConformanceOptions, StoreHarness } from './store-fixtures.ts';
export { createInProcessServer } from './in-process-server.ts';
export type { InProcessServer, InProcessServerOptions } from './in-process-server.ts';
export { ConformanceError, canonical } from './assert.ts';
