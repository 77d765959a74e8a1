// Python clickhouse-driver 0.2.11 and proton-driver 0.3.0 against a Hadron process's native
// listeners: runs test/python/native_drivers_test.py in the project virtualenv (.venv, made by
// .ci/run from test/python/requirements.txt), with and without LZ4 frames, on the ClickHouse port
// and on Proton's snapshot (7587) and streaming (8463) ports.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

const root = new URL('../..', import.meta.url).pathname;
const python = join(root, '.venv/bin/python');
const script = join(root, 'test/python/native_drivers_test.py');
const checks = [
  'connects_and_selects', 'runs_ddl', 'inserts_rows_of_every_common_type', 'selects_them_back_exactly',
  'returns_a_million_rows', 'raises_errors_with_codes', 'cancels_a_long_query', 'keeps_set_and_use_for_the_connection',
];

let server: HadronProcess;

beforeAll(async () => {
  server = await startHadron();
});

afterAll(async () => {
  await server?.stop();
});

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(python, [script, ...args], { timeout: 100_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const cases: Array<[string, 'clickhouse' | 'proton', () => number, boolean]> = [
  ['clickhouse-driver on the ClickHouse port', 'clickhouse', () => server.clickhouseTcpPort, false],
  ['clickhouse-driver on the ClickHouse port with LZ4', 'clickhouse', () => server.clickhouseTcpPort, true],
  ['clickhouse-driver on the Proton snapshot port', 'clickhouse', () => server.snapshotTcpPort, false],
  ['proton-driver on the Proton snapshot port', 'proton', () => server.snapshotTcpPort, false],
  ['proton-driver on the Proton streaming port with LZ4', 'proton', () => server.tcpPort, true],
];

for (const [name, flavour, port, lz4] of cases) {
  it(`passes every check: ${name}`, async () => {
    expect(existsSync(python), `${python} is missing: python3 -m venv .venv && .venv/bin/pip install -r test/python/requirements.txt`).toBe(true);
    const { code, output } = await run([flavour, String(port()), ...(lz4 ? ['lz4'] : [])]);
    expect(output, output).toContain(`native driver checks: passed=${checks.length} failed=0`);
    for (const check of checks) expect(output).toContain(`ok   ${check}`);
    expect(code, output).toBe(0);
  }, 120_000);
}
