/** The reference server, in this process, on a free port with a temporary data dir. */
import { afterAll, beforeAll } from 'vitest';
import { createAuthenticator, loadConfig, startServer, type RunningServer, type ServerConfig } from '../server/index.ts';
import { tempDir } from './temp-dir.ts';

const SECRET = 'app-tests-secret-that-is-long-enough-0123456789';

export interface RealServer {
  readonly url: string;
  readonly server: RunningServer;
  token(user: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `env`: more settings, as the server's environment variables (`FIELDSYNC_COMPACTION: 'off'`).
 * `now`: the server's clock, for tests whose clients run on a clock of their own: the time
 * each answer carries then agrees with theirs, so that no client learns an offset from it.
 */
export async function startRealServer(env: Record<string, string> = {}, now?: () => number): Promise<RealServer> {
  const dir = tempDir('fieldsync-server-');
  const config = loadConfig([], { PORT: '0', FIELDSYNC_DATA_DIR: dir.path, FIELDSYNC_SECRET: SECRET, FIELDSYNC_SHUTDOWN_TIMEOUT: '1s', ...env }) as ServerConfig;
  const server = await startServer(config, { log: false, ...(now ? { now } : {}) });
  const auth = createAuthenticator(SECRET);
  return {
    url: server.url,
    server,
    token: (user) => auth.sign(user, 3600),
    async stop() {
      await server.close();
      dir.remove();
    },
  };
}

/** The reference server for one test file: started before its tests, stopped after them. */
export function useRealServer(env: Record<string, string> = {}, now?: () => number): Pick<RealServer, 'url' | 'token'> {
  let server: RealServer | undefined;
  beforeAll(async () => {
    server = await startRealServer(env, now);
  });
  afterAll(() => server?.stop());
  const running = (): RealServer => {
    if (!server) throw new Error('the server starts in beforeAll: use it inside a test');
    return server;
  };
  return {
    get url() {
      return running().url;
    },
    token: (user) => running().token(user),
  };
}
