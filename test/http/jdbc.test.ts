// The ClickHouse JDBC driver (com.clickhouse:clickhouse-jdbc 0.10.0, i.e. jdbc-v2 over client-v2),
// unmodified, against a Hadron process (protocols.md §4.4–§4.8): compress=1 native LZ4 frames,
// RowBinaryWithNamesAndTypes results picked by X-ClickHouse-Format, a batch insert read back exactly,
// a 1 M-row result, coded errors, Statement.cancel() through KILL QUERY, DatabaseMetaData.
// The Java side is test/java (Maven, built once here); it prints `ok <step>` lines and `JDBC_OK …`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

const root = new URL('../..', import.meta.url).pathname;
const javaDir = join(root, 'test/java');

type Run = { code: number | null; stdout: string; stderr: string; ms: number };

function run(cmd: string, args: string[], timeoutMs: number): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: root, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: err !== null && code === null ? `${stderr}\n${err.message}` : stderr, ms: Date.now() - started });
    });
  });
}

const tail = (s: string, n = 4000): string => (s.length > n ? `…${s.slice(-n)}` : s);

let server: HadronProcess;
let classpath = '';

beforeAll(async () => {
  // The first build downloads the driver and the Maven plugins; later ones take a few seconds.
  const [hadron, build] = await Promise.all([
    startHadron(),
    run('mvn', ['-q', '-B', '-Dstyle.color=never', '-f', join(javaDir, 'pom.xml'), 'package'], 600_000),
  ]);
  server = hadron;
  if (build.code !== 0) throw new Error(`mvn package failed (exit ${build.code}):\n${tail(build.stdout)}\n${tail(build.stderr)}`);
  classpath = `${join(javaDir, 'target/classes')}:${readFileSync(join(javaDir, 'target/classpath.txt'), 'utf8').trim()}`;
}, 660_000);

afterAll(async () => {
  await server?.stop();
});

describe('ClickHouse JDBC driver (jdbc-v2 0.10.0)', () => {
  it('connects, queries, inserts a batch, reads 1 M rows, reports errors, cancels and lists metadata', async () => {
    const url = `jdbc:clickhouse://127.0.0.1:${server.httpPort}/default`;
    const r = await run('java', ['-cp', classpath, 'hadron.JdbcCheck', url], 120_000);
    const report = `exit ${r.code} after ${r.ms} ms\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}\n--- hadron\n${tail(server.output(), 2000)}`;
    expect(r.code, report).toBe(0);
    for (const step of ['connect', 'isValid', 'select1', 'ddl', 'batch-insert', '1M-rows', 'error', 'cancel', 'metadata']) {
      expect(r.stdout, report).toMatch(new RegExp(`^ok ${step}\\b`, 'm'));
    }
    expect(r.stdout, report).toMatch(/^JDBC_OK /m);
  }, 150_000);
});
