// Python clickhouse-connect 1.7.2 against a Hadron process: runs test/python/clickhouse_connect_test.py
// in the project virtualenv (.venv, made by .ci/run from test/python/requirements.txt).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

const root = new URL('../..', import.meta.url).pathname;
const python = join(root, '.venv/bin/python');
const script = join(root, 'test/python/clickhouse_connect_test.py');
/** The checks the script runs; each prints `ok   <name>`. */
const checks = [
  'connects_and_reads_server_info', 'command_runs_ddl', 'inserts_native_rows_of_many_types', 'inserts_without_column_names_via_describe',
  'queries_them_back_exactly',
  'passes_settings', 'binds_query_parameters', 'inserts_and_queries_with_compression', 'raises_database_errors_with_codes',
  'streams_row_blocks', 'reports_errors_raised_mid_stream', 'closing_a_stream_early_ends_the_query', 'keeps_session_state',
];

let server: HadronProcess;

beforeAll(async () => {
  server = await startHadron();
});

afterAll(async () => {
  await server?.stop();
});

it('passes every clickhouse-connect check', async () => {
  expect(existsSync(python), `${python} is missing: python3 -m venv .venv && .venv/bin/pip install -r test/python/requirements.txt`).toBe(true);
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(python, [script, server.url], { timeout: 100_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
  expect(output, output).toContain(`clickhouse-connect checks: passed=${checks.length} failed=0`);
  for (const name of checks) expect(output).toContain(`ok   ${name}`);
  expect(code, output).toBe(0);
}, 120_000);
