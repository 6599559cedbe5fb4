/** The reference server's building blocks, for tests, benchmarks and embedding. */
export { buildApp } from './app.ts';
export type { AppOptions, FieldsyncApp } from './app.ts';
export { createAuthenticator, AuthError } from './auth.ts';
export type { Authenticator } from './auth.ts';
export { serverProof } from './server-proof.ts';
export { ConfigError, loadConfig } from './config.ts';
export type { ServerConfig } from './config.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { AppLimits } from './limits.ts';
export { createInProcessPokeBus } from './poke-bus.ts';
export type { PokeBus, PokeEvent, PokeListener } from './poke-bus.ts';
export { startServer } from './server.ts';
export type { RunningServer, StartOptions } from './server.ts';
export { createSqliteServerStore } from './stores/sqlite-server-store.ts';
export type { SqliteServerStore, SqliteServerStoreOptions } from './stores/sqlite-server-store.ts';
export { openStore, UnsupportedStoreError } from './stores/open-store.ts';
