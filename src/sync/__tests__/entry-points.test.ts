/**
 * Code outside the library (src/sync, src/sqlite) reaches it only through the entry points
 * of package.json's exports map, as an app that installed the package would. The linter
 * enforces it (eslint.config.js); these cases plant the imports it must refuse, in the
 * places they would be written, and check that it refuses them and nothing else.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: repo });

/** The `no-restricted-imports` messages for `code` as if it were the file `path`. */
async function restricted(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repo, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the library is imported only through its entry points', () => {
  it.each([
    ['server/planted.ts', "import { formatHlc } from '../src/sync/hlc.ts';", /entry points/],
    ['server/stores/planted.ts', "export type { ServerStore } from '../../src/sync/server/server-store.ts';", /entry points/],
    ['src/main/core/planted.ts', "import { createSyncClient } from '../../sync/index.ts';", /entry points/],
    ['src/main/core/planted.ts', "import { createSqliteStore } from '../../sqlite/sqlite-store.ts';", /entry points/],
    ['src/renderer/src/api/planted.ts', "import type { JsonValue } from '../../../sync/message.ts';", /entry points/],
    ['bench/planted.ts', "import { planMerge } from 'fieldsync/src/sync/merge.ts';", /nothing deeper/],
    ['e2e/support/planted.ts', "import { storeConformance } from '../../src/sync/testing/store-conformance.ts';", /entry points/],
    ['test-support/planted.ts', "import { hlcClientId } from '../src/sync/hlc.ts';", /entry points/],
    ['bench/planted.ts', "import { startTestServer } from '../server/__tests__/helpers/test-server.ts';", /test-support/],
    ['src/web-host/__tests__/planted.test.ts', "import { checkConvergence } from '../../sync/__tests__/harness/convergence.ts';", /entry points/],
    ['src/sqlite/planted.ts', "import { createAppCore } from '../main/core/app-core.ts';", /never app code/],
    ['server/planted.ts', "import { tempDir } from '../test-support/temp-dir.ts';", /never for the app, the server/],
    ['src/main/core/planted.ts', "import { useCores } from '../../../test-support/core-fixture.ts';", /never for the app, the server/],
    ['src/sqlite/planted.ts', "import { z } from 'zod';", /only better-sqlite3/],
    ['src/sync/planted.ts', "import Database from 'better-sqlite3';", /only from inside src\/sync/],
    ['src/node/planted.ts', "import { formatHlc } from '../sync/hlc.ts';", /only node: modules and itself/],
    ['src/node/planted.ts', "import { Agent } from 'undici';", /only node: modules and itself/],
    ['src/main/core/planted.ts', "import { nodeFetch } from '../../node/node-fetch.ts';", /entry points/],
  ])('refuses, in %s: %s', async (path, code, why) => {
    const messages = await restricted(path, code);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).toMatch(why);
  });

  it.each([
    ['server/planted.ts', "import { ProtocolError, createSyncHandler } from 'fieldsync/server';"],
    ['src/main/core/planted.ts', "import { createSyncClient } from 'fieldsync';\nimport { createSqliteStore } from 'fieldsync/sqlite';"],
    ['test-support/planted.ts', "import { storeConformance } from 'fieldsync/testing';"],
    ['server/routes/planted.ts', "import type { SyncHandler } from 'fieldsync/server';\nimport { syncRoute } from './sync-route.ts';"],
    ['server/__tests__/planted.test.ts', "import { startTestServer } from './helpers/test-server.ts';\nimport { tempDir } from '../../test-support/temp-dir.ts';"],
    ['bench/planted.ts', "import { tempDir } from '../test-support/temp-dir.ts';"],
    ['src/sqlite/planted.ts', "import Database from 'better-sqlite3';\nimport { join } from 'node:path';\nimport { cellKey } from '../sync/message.ts';\nimport { quoteIdent } from './sql-columns.ts';"],
    ['src/sync/server/planted.ts', "import { cellKey } from '../message.ts';"],
    ['src/node/planted.ts', "import http from 'node:http';\nimport { decodedBody } from './response-body.ts';"],
    ['src/main/core/planted.ts', "import { nodeFetch } from 'fieldsync/node';"],
  ])('allows, in %s: %s', async (path, code) => {
    expect(await restricted(path, code)).toEqual([]);
  });

  it('maps every entry point to a file that exists', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string> };
    expect(pkg.name).toBe('fieldsync');
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './node', './server', './sqlite', './testing']);
    for (const target of Object.values(pkg.exports)) expect(existsSync(join(repo, target)), target).toBe(true);
  });

  it('resolves the entry points by package name under plain Node', () => {
    // What `node server/main.ts` and the browser host rely on: Node's package self-reference.
    const script = [
      "const [root, server, testing, sqlite, node, errors] = await Promise.all([import('fieldsync'), import('fieldsync/server'),",
      "  import('fieldsync/testing'), import('fieldsync/sqlite'), import('fieldsync/node'), import('./src/sync/errors.ts')]);",
      'console.log(JSON.stringify([typeof root.createSyncClient, typeof server.createSyncHandler, typeof testing.storeConformance,',
      '  typeof sqlite.createSqliteStore, typeof node.nodeFetch, root.FieldsyncError === errors.FieldsyncError]));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
    // One module instance, whichever way it is reached: errors keep their classes.
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function', 'function', 'function', true]);
  });
});
