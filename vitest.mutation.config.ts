import { defineConfig } from 'vitest/config';

// The tests StrykerJS runs against each mutant (`npm run test:mutation`, stryker.config.json):
// those of the sync core, the SQLite client store, the SQLite server store (with its chunked
// push and its job queue), the Node transport (`fieldsync/node`, real loopback servers) and
// the server's compression, credentials, proxy trust, secret strength and CORS, its request
// context, connection bounds, limits and error replies, on Node.
// PostgreSQL, the app and the end-to-end suites stay out: none of them is mutated. The
// property suites run fewer cases per mutant than in `npm test` (FIELDSYNC_RUNS).
export default defineConfig({
  test: {
    name: 'mutation',
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: [
      'src/sync/**/*.test.ts',
      'src/sqlite/**/*.test.ts',
      'src/node/**/*.test.ts',
      'server/__tests__/sqlite-server-store.test.ts',
      'server/__tests__/push-writer.test.ts',
      'server/__tests__/push-writer-statements.test.ts',
      'server/__tests__/convergence-sqlite.test.ts',
      'server/__tests__/over-limit-client.test.ts',
      'server/__tests__/chunked-push.test.ts',
      'server/__tests__/job-queue.test.ts',
      // Compressed bodies and answers (compression.ts): the negotiation, then real HTTP.
      'server/__tests__/compression-codings.test.ts',
      'server/__tests__/compression.test.ts',
      // Who may sync, and from where: credentials, proxies, secrets and CORS.
      'server/__tests__/auth.test.ts',
      'server/__tests__/token-claims.test.ts',
      'server/__tests__/token-edges.test.ts',
      'server/__tests__/server-proof.test.ts',
      'server/__tests__/trust-proxy.test.ts',
      'server/__tests__/secret-strength.test.ts',
      'server/__tests__/cors.test.ts',
      'server/__tests__/cors-vary.test.ts',
      'server/__tests__/config.test.ts',
      // The bound on requests in flight (rate-limit.ts), alone and over real HTTP, and whose
      // the data dir must be (own-files.ts), in this process (round 57).
      'server/__tests__/rate-limit.test.ts',
      'server/__tests__/load-shedding.test.ts',
      'server/__tests__/own-files.test.ts',
      // Reading a body, the framing refusals and which requests a connection may still carry,
      // each rule alone on inputs the test holds (round 58; their real-HTTP suites stay out:
      // seconds per mutant).
      'server/__tests__/body-reader.test.ts',
      'server/__tests__/framing-rules.test.ts',
      'server/__tests__/stream-connection-order.test.ts',
      // Who the client is and which request id is kept (request-context.ts), the bounds on
      // connections per address (connection-limits.ts), the documented defaults (limits.ts)
      // and the error replies (errors.ts), each rule alone (round 64).
      'server/__tests__/request-context-rules.test.ts',
      'server/__tests__/connection-bound-rules.test.ts',
      'server/__tests__/limit-defaults.test.ts',
      'server/__tests__/error-replies.test.ts',
      // A body's chunks, kept or gathered (chunk-list.ts), alone on buffers the test holds
      // (round 65; body-small-chunks.test.ts, real sockets, is the same at seconds per mutant).
      'server/__tests__/chunk-list.test.ts',
      // A refusal written unread on the socket, and its connection (refuse-unread.ts), on a bare
      // node:http server (round 66; unread-refusal and lingering-refusals are seconds per mutant).
      'server/__tests__/refuse-unread-rules.test.ts',
      // The pace asked of an answer (answer-pace.ts): on a real clock, then to the millisecond on
      // fake timers (round 66).
      'server/__tests__/answer-pace.test.ts',
      'server/__tests__/answer-pace-rules.test.ts',
      // Answers held until the WAL is synced (durable-answers.ts) and whose data each store call
      // may write (commit-reports.ts), each rule alone on a harness the test drives (round 67).
      'server/__tests__/durable-answers.test.ts',
      'server/__tests__/durable-answers-rules.test.ts',
    ],
    // These check the source text, the bundles and the docs, which Stryker's instrumented
    // copies would fail; none of them is about behaviour a mutant can change.
    exclude: [
      'src/sync/__tests__/runtime-neutral.test.ts',
      'src/sync/__tests__/tree-shaking.test.ts',
      'src/sync/__tests__/entry-points.test.ts',
      'src/sync/__tests__/api-docs.test.ts',
      'src/sync/__tests__/protocol-references.test.ts',
      // A real browser (Chromium): the same rule, node's Web Locks, is client-lock.test.ts.
      'src/sync/__tests__/client-lock-browser.test.ts',
    ],
    env: { FIELDSYNC_RUNS: process.env.FIELDSYNC_RUNS ?? '30' },
  },
});
