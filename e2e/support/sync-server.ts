/**
 * A fresh reference server for one scenario: `node server/main.ts` as a child process, on a
 * free port, with a temporary database and a fixed secret. It can be stopped and started
 * again on the same port and database, as an operator restarting it would.
 */
import { join } from 'node:path';
import { createAuthenticator } from '../../server/auth.ts';
import { startNodeProcess, type NodeProcess } from '../../scripts/processes.ts';

/** Only for these tests' throwaway servers. */
const SECRET = 'fieldsync-e2e-secret-not-for-production-0123456789';
export const E2E_USER = 'e2e-user';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** A token for E2E_USER, valid for an hour. */
  readonly token: string;
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Everything it printed, across restarts. */
  output(): string;
}

/** `env`: more of the server's settings, such as FIELDSYNC_CORS_ORIGINS for a page on another origin. */
export async function startTestServer(dir: string, env: Readonly<Record<string, string>> = {}): Promise<TestServer> {
  let log = '';
  let port = 0;
  const launch = async (): Promise<NodeProcess> => {
    const p = await startNodeProcess({
      name: 'server',
      args: ['server/main.ts'],
      env: {
        PORT: String(port),
        FIELDSYNC_DATA_DIR: join(dir, 'server'),
        FIELDSYNC_SECRET: SECRET,
        FIELDSYNC_LOG_LEVEL: 'warn',
        FIELDSYNC_SHUTDOWN_TIMEOUT: '2s',
        ...env,
      },
      onLine: (line) => (log += `${line}\n`),
      // A bound, not a speed claim: at load 27 on two cores a server took more than 20 s (round 68).
      timeoutMs: 60_000,
    });
    port = p.port;
    return p;
  };
  let proc: NodeProcess | null = await launch();
  const url = proc.url;
  const token = await createAuthenticator(SECRET).sign(E2E_USER, 3600);
  return {
    url,
    port,
    token,
    get running() {
      return proc !== null;
    },
    async stop() {
      const p = proc;
      proc = null;
      if (p) log += `[stopped: ${await p.stop('SIGTERM', 5000)}]\n`;
    },
    async start() {
      if (proc) return;
      proc = await launch();
      if (proc.url !== url) throw new Error(`the server came back on ${proc.url}, not ${url}`);
    },
    output: () => log,
  };
}
