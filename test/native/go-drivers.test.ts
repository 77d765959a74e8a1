// The Go drivers, unmodified, against a Hadron process's native TCP ports (protocols.md §5.3, §6):
// clickhouse-go v2.51.0 on the ClickHouse-dialect port, proton-go-driver v2.1.3 on the streaming and
// snapshot ports. Each runs the scenarios of test/go/scenarios_test.go with LZ4 on and off: SELECT 1,
// version and ping, every common type inserted and read back exactly, a 1 M-row result, error codes
// 60 and 62, a cancel mid-stream and on a deadline (the server stops the query and stays usable).
// The Go test binary is built once here (modules from the cache `.ci/run` fills), then run per driver.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

const goDir = new URL('../go', import.meta.url).pathname;

type Run = { code: number | null; stdout: string; stderr: string; ms: number };

function run(cmd: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const options = { cwd: goDir, env: { ...process.env, GOFLAGS: '-mod=readonly', ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' as const, maxBuffer: 64 * 1024 * 1024 };
    execFile(cmd, args, options, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: err !== null && code === null ? `${stderr}\n${err.message}` : stderr, ms: Date.now() - started });
    });
  });
}

const tail = (s: string, n = 6000): string => (s.length > n ? `…${s.slice(-n)}` : s);

/** The lines worth reading in `go test -v` output: messages of failed steps first, then the results. */
function interesting(out: string): string {
  const lines = out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('=== '));
  const messages = lines.filter((l) => /_test\.go:\d+:/.test(l) && !/ (server:|after cancel:|the cancelled query left) /.test(l));
  return [...messages, '---', ...lines.filter((l) => /^\s*--- (FAIL|SKIP)|^(FAIL|ok|PASS)\b/.test(l))].join('\n');
}

let server: HadronProcess;
const buildDir = mkdtempSync(join(tmpdir(), 'hadron-go-'));
const binary = join(buildDir, 'drivers.test');

beforeAll(async () => {
  // A cold build compiles both drivers (about a minute on two cores); a warm one takes seconds.
  const [hadron, build] = await Promise.all([startHadron(), run('go', ['test', '-c', '-o', binary, '.'], {}, 600_000)]);
  server = hadron;
  if (build.code !== 0) throw new Error(`go test -c failed (exit ${build.code}):\n${tail(build.stdout)}\n${tail(build.stderr)}`);
}, 660_000);

afterAll(async () => {
  await server?.stop();
  rmSync(buildDir, { recursive: true, force: true });
});

/** Runs one top-level Go test; it must pass with every scenario run, none skipped. */
async function goTest(name: string, env: Record<string, string>): Promise<void> {
  const r = await run(binary, ['-test.run', `^${name}$`, '-test.v', '-test.count=1', '-test.timeout=240s'], env, 270_000);
  const report = `exit ${r.code} after ${r.ms} ms\n--- go test\n${tail(interesting(r.stdout))}\n${tail(r.stderr, 2000)}\n--- hadron\n${tail(server.output(), 3000)}`;
  expect(r.code, report).toBe(0);
  expect(r.stdout, report).toMatch(new RegExp(`^--- PASS: ${name} `, 'm'));
  expect(r.stdout, report).not.toMatch(/--- SKIP/);
  for (const compression of ['lz4', 'uncompressed']) {
    for (const step of ['select_1', 'version_and_ping', 'types_round_trip', 'million_rows', 'error_codes', 'cancel_mid_stream', 'cancel_while_sleeping']) {
      expect(r.stdout, report).toContain(`--- PASS: ${name}/${compression}/${step} `);
    }
  }
}

const addr = (port: number): string => `127.0.0.1:${port}`;

describe('Go drivers over the native protocol', () => {
  it('the type matrix round-trips through both drivers\' own block codecs (no server)', async () => {
    const r = await run(binary, ['-test.run', '^TestMatrix', '-test.v', '-test.count=1'], {}, 60_000);
    expect(r.code, tail(interesting(r.stdout))).toBe(0);
    expect(r.stdout).toMatch(/^--- PASS: TestMatrixRoundTripsThroughClickHouseGoCodec /m);
    expect(r.stdout).toMatch(/^--- PASS: TestMatrixRoundTripsThroughProtonGoCodec /m);
  }, 90_000);

  it('clickhouse-go v2 on the ClickHouse port', async () => {
    await goTest('TestClickHouseGo', { TEST_CLICKHOUSE_NATIVE_ADDR: addr(server.clickhouseTcpPort) });
  }, 300_000);

  it('proton-go-driver on the streaming port (tcp_port)', async () => {
    await goTest('TestProtonGoStreamingPort', { TEST_PROTON_STREAMING_ADDR: addr(server.tcpPort) });
  }, 300_000);

  it('proton-go-driver on the snapshot port (snapshot_tcp_port)', async () => {
    await goTest('TestProtonGoSnapshotPort', { TEST_PROTON_SNAPSHOT_ADDR: addr(server.snapshotTcpPort) });
  }, 300_000);
});
