// Starts Debian's clickhouse-server 18.16 (package `clickhouse-server`) on free loopback ports with a
// config and data directory of its own, for tests of the remote backend against an old real server.
// CI installs the package; a missing binary is an error, never a silent skip.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.ts';

export type ClickHouseServer = { httpPort: number; tcpPort: number; url: string; stop(): Promise<void> };

/** Where Debian's packages put the server; `CLICKHOUSE_SERVER_BINARY` overrides. */
const binaryCandidates: ReadonlyArray<{ path: string; args: readonly string[] }> = [
  { path: '/usr/sbin/clickhouse-server', args: [] },
  { path: '/usr/bin/clickhouse-server', args: [] },
  { path: '/usr/bin/clickhouse', args: ['server'] },
];

const startTimeoutMs = 60_000;
const stopGraceMs = 5_000;

function findBinary(): { path: string; args: readonly string[] } {
  const override = process.env['CLICKHOUSE_SERVER_BINARY'];
  if (override) return { path: override, args: [] };
  const found = binaryCandidates.find((c) => existsSync(c.path));
  if (!found) {
    throw new Error(
      `clickhouse-server 18.16 is not installed (looked for ${binaryCandidates.map((c) => c.path).join(', ')}); ` +
        'install the Debian package `clickhouse-server` or set CLICKHOUSE_SERVER_BINARY',
    );
  }
  return found;
}

function configXml(dir: string, httpPort: number, tcpPort: number, interserverPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <interserver_http_port>${interserverPort}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mark_cache_size>104857600</mark_cache_size>
  <uncompressed_cache_size>104857600</uncompressed_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

const usersXml = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;

async function pingOnce(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, stopGraceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, stopGraceMs);
}

/** One attempt on one set of ports; rejects with the server's output if it exits or never answers. */
async function startOnce(dir: string): Promise<ClickHouseServer> {
  const binary = findBinary();
  const [httpPort = 0, tcpPort = 0, interserverPort = 0] = await freePorts(3);
  const configPath = join(dir, 'config.xml');
  await writeFile(configPath, configXml(dir, httpPort, tcpPort, interserverPort));
  await writeFile(join(dir, 'users.xml'), usersXml);
  const child = spawn(binary.path, [...binary.args, `--config-file=${configPath}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await pingOnce(url)) {
      return {
        httpPort,
        tcpPort,
        url,
        stop: async () => {
          await kill(child);
          process.removeListener('exit', killOnExit);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await kill(child);
  process.removeListener('exit', killOnExit);
  throw new Error(`clickhouse-server did not start on ${url} (exit ${child.exitCode ?? child.signalCode}):\n${output}`);
}

export async function startClickHouse18(): Promise<ClickHouseServer> {
  const dir = await mkdtemp(join(tmpdir(), 'hadron-ch18-'));
  let lastError: unknown;
  // Ports are chosen before the server binds them, so another process may win one: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const server = await startOnce(dir);
      return {
        ...server,
        stop: async () => {
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      if (!(err instanceof Error && /Address already in use|bind/i.test(err.message))) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
