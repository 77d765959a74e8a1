// Starts a real Hadron server process for tests: its own data directory and free loopback ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type HadronProcess = {
  url: string;
  streamingUrl: string;
  httpPort: number;
  /** Native TCP ports: snapshot (7587), streaming (8463), ClickHouse dialect (9000). */
  snapshotTcpPort: number;
  tcpPort: number;
  clickhouseTcpPort: number;
  dataDir: string;
  child: ChildProcess;
  /** Output so far (pino JSON lines), for diagnosing failures. */
  output(): string;
  /** SIGTERM and wait for exit (clean shutdown); removes a data directory it made unless `keepData`. */
  stop(keepData?: boolean): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const root = new URL('../..', import.meta.url).pathname;

/**
 * Starts `node src/main.ts` with HADRON_* overrides; `dataDir` reuses a directory (restart tests).
 * A free port picked here can be taken by another test file's server before this one binds it: on
 * EADDRINUSE it starts again on other ports (a few times).
 */
export async function startHadron(env: Record<string, string> = {}, dataDir?: string): Promise<HadronProcess> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'hadron-test-'));
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(env, dir, dataDir);
    } catch (err) {
      if (attempt >= 4 || !(err instanceof Error) || !err.message.includes('EADDRINUSE')) throw err;
    }
  }
}

async function launch(env: Record<string, string>, dir: string, dataDir: string | undefined): Promise<HadronProcess> {
  const httpPort = await freePort();
  const streamingPort = await freePort();
  const [snapshotTcpPort, tcpPort, clickhouseTcpPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, [join(root, 'src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      HADRON_STORE_PATH: join(dir, 'store'),
      HADRON_HTTP_PORT: String(httpPort),
      HADRON_STREAMING_HTTP_PORT: String(streamingPort),
      HADRON_SNAPSHOT_TCP_PORT: String(snapshotTcpPort),
      HADRON_TCP_PORT: String(tcpPort),
      HADRON_CLICKHOUSE_TCP_PORT: String(clickhouseTcpPort),
      HADRON_LOG_LEVEL: 'warn',
      HADRON_CONFIG: join(root, 'config/hadron.yaml'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hadron exited with ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`${url}/ping`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hadron did not start within 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    streamingUrl: `http://127.0.0.1:${streamingPort}`,
    httpPort,
    snapshotTcpPort: Number(env.HADRON_SNAPSHOT_TCP_PORT ?? snapshotTcpPort),
    tcpPort: Number(env.HADRON_TCP_PORT ?? tcpPort),
    clickhouseTcpPort: Number(env.HADRON_CLICKHOUSE_TCP_PORT ?? clickhouseTcpPort),
    dataDir: dir,
    child,
    output: () => out,
    stop: async (keepData = false) => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(t);
      if (dataDir === undefined && !keepData) rmSync(dir, { recursive: true, force: true });
      return code;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs `query` (URL parameter) with `body` to a Hadron HTTP listener. */
export function postQuery(url: string, query: string, body = ''): Promise<Response> {
  return fetch(`${url}/?query=${encodeURIComponent(query)}`, { method: 'POST', body });
}

/** Polls `condition` every 50 ms for at most `ms`; the final answer is one more evaluation. */
export async function eventually(condition: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}
