// A bare ClickHouse HTTP front over chDB, standing in for a modern remote ClickHouse server in tests.
// Run as its own process (one process per chDB data directory):
//   node test/support/chdb-http-fixture.ts <port|0> <dataDir>     → prints "listening <port>"
// One Session runs every request in turn: URL settings are SET before the statement and reset after,
// `database` is applied with USE, `param_*` are handed over raw with `SET param_<name>`, the way
// ClickHouse's HTTP handler hands them over. `INSERT ... FORMAT f` with the rows in the body is staged
// to a file and run as `INSERT ... FROM INFILE`; `INSERT ... SELECT ... FROM input('structure') FORMAT f`
// (chDB has no request body for input() to read) reads the staged file through `file()` instead —
// the one place the fixture stands in for a server feature. No other SQL is rewritten.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Code, GatewayError, httpStatus, renderError, toGatewayError } from '../../src/errors.ts';
import { parameterTypes } from '../../src/rewrite/statement.ts';
import { quoteIdentifier, quoteString } from '../../src/sql-literal.ts';

/** URL parameters of the HTTP interface that are not settings. */
const reserved = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check',
  'user', 'password', 'quota_key', 'compress', 'decompress', 'buffer_size', 'wait_end_of_query', 'role', 'stacktrace']);
const insertWithData = /^\s*(INSERT\s+INTO\s+[\s\S]+?)\s+FORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*$/i;
const fromInput = /\binput\(\s*('(?:[^'\\]|\\.)*')\s*\)/i;

/**
 * `param_x` values are passed to the engine exactly as they arrived, as a real server takes them: it
 * reads each with its type's escaped-text reader (a String has its TSV escapes undone, `\N` is NULL,
 * an Array literal is parsed as it stands, so `[\'a\']` is an error). chDB's binder would TSV-escape
 * every value once more, which a decode here could only approximate (it hid broken Array values), so
 * they go as `SET param_x = '<raw>'`, the setting ClickHouse itself maps to query parameters.
 * Session parameters outlive the statement and cannot be unset: a placeholder this request leaves
 * unset is refused up front, as a server that never saw the earlier request would refuse it.
 */
function paramAssignments(params: ReadonlyArray<[string, string]>, sql: string): string[] {
  const given = new Set(params.map(([name]) => name));
  const missing = [...parameterTypes(sql).keys()].find((name) => !given.has(name));
  if (missing !== undefined) throw new GatewayError(Code.UNKNOWN_QUERY_PARAMETER, `Substitution \`${missing}\` is not set`);
  return params.map(([name, value]) => `${quoteIdentifier(`param_${name}`)} = ${quoteString(value)}`);
}

async function serve(dataDir: string, port: number): Promise<void> {
  const { Session } = await import('chdb');
  const session = new Session(dataDir);
  const control = new Session(dataDir);
  const spool = mkdtempSync(join(tmpdir(), 'hadron-fixture-spool-'));
  const version = (await control.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
  let queue: Promise<unknown> = Promise.resolve();
  let counter = 0;

  async function run(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const get = (name: string): string | undefined => url.searchParams.get(name) ?? undefined;
    const settings = [...url.searchParams].filter(([name]) => !reserved.has(name) && !name.startsWith('param_'));
    const params = [...url.searchParams].filter(([n]) => n.startsWith('param_')).map(([n, v]): [string, string] => [n.slice(6), v]);
    const tag = `/* fixture:${++counter} */ `;
    const format = get('default_format') ?? 'TabSeparated';
    const query = get('query') ?? '';
    const insert = insertWithData.exec(query);
    const staged = insert ? join(spool, `insert-${counter}`) : '';
    if (insert) await writeFile(staged, body);
    const [, head = '', dataFormat = ''] = insert ?? [];
    const viaInput = insert ? fromInput.exec(head) : null;
    const sql = insert === null ? [query, body.toString()].filter((s) => s !== '').join('\n')
      : viaInput !== null ? head.replace(fromInput, `file(${quoteString(staged)}, ${quoteString(dataFormat)}, ${viaInput[1] ?? "''"})`)
      : `${head} FROM INFILE ${quoteString(staged)} FORMAT ${dataFormat}`;
    const abort = new AbortController();
    res.once('close', () => {
      if (res.writableFinished) return;
      abort.abort();
      void control.queryAsync(`KILL QUERY WHERE startsWith(query, ${quoteString(tag)}) ASYNC FORMAT Null`).catch(() => undefined);
    });
    try {
      const assignments = [...settings.map(([n, v]) => `${quoteIdentifier(n)} = ${quoteString(v)}`), ...paramAssignments(params, sql)];
      if (assignments.length > 0) await session.queryAsync(`SET ${assignments.join(', ')}`);
      await session.queryAsync(`USE ${quoteIdentifier(get('database') ?? 'default')}`);
      if (!insert && (await stream(tag + sql, format, abort.signal, res))) return;
      const result = await session.queryAsync(tag + sql, { format });
      const bytes = result.bytes();
      const written = insert ? result.rowsRead : 0;
      const summary = { read_rows: result.rowsRead, read_bytes: result.bytesRead, written_rows: written, written_bytes: insert ? body.length : 0,
        total_rows_to_read: 0, result_rows: insert ? 0 : result.rowsRead, result_bytes: bytes.length, elapsed_ns: Math.round(result.elapsed * 1e9) };
      res.writeHead(200, { 'X-ClickHouse-Summary': JSON.stringify(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, String(v)]))) });
      res.end(bytes);
    } catch (err) {
      const error = toGatewayError(err);
      const text = `${renderError(error, 'clickhouse', version)}\n`;
      const mark = res.getHeader('X-ClickHouse-Exception-Tag');
      // A mid-stream error as ClickHouse ≥ 25.11 tags it (the length counts the message and its newline).
      if (res.headersSent) res.end(`\r\n__exception__\r\n${mark}\r\n${text}${Buffer.byteLength(text)} ${mark}\r\n__exception__\r\n`);
      else res.writeHead(httpStatus(error.code), { 'X-ClickHouse-Exception-Code': String(error.code) }).end(text);
    } finally {
      for (const [name] of settings) await session.queryAsync(`SET ${quoteIdentifier(name)} = DEFAULT`).catch(() => undefined);
      if (insert) await unlink(staged).catch(() => undefined);
    }
  }

  /** Streams a result chunk by chunk; false when chDB refuses to stream the statement (DDL, INSERT). */
  async function stream(sql: string, format: string, signal: AbortSignal, res: ServerResponse): Promise<boolean> {
    try {
      for await (const chunk of session.queryStream(sql, { format, signal })) {
        if (!res.headersSent) res.setHeader('X-ClickHouse-Exception-Tag', `fixture${counter}`).writeHead(200);
        if (!res.write(chunk.raw()) && !res.destroyed) await new Promise((r) => res.once('drain', r).once('close', r));
        if (signal.aborted || res.destroyed) break;
      }
    } catch (err) {
      if (!res.headersSent && err instanceof Error && err.message.includes('Streaming query is not supported')) return false;
      throw err;
    }
    if (!res.headersSent) res.writeHead(200);
    res.end();
    return true;
  }

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (new URL(req.url ?? '/', 'http://fixture').pathname === '/ping') return void res.end('Ok.\n');
      queue = queue.then(() => run(req, res, Buffer.concat(parts))).catch(() => undefined);
    });
  });
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    void rm(spool, { recursive: true, force: true }).finally(() => process.exit(0));
  });
}

export type ChdbFixture = { url: string; stop(): Promise<void> };

/** Spawns the fixture on a fresh data directory and waits until /ping answers (bounded). */
export async function startChdbFixture(): Promise<ChdbFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hadron-fixture-data-'));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '0', dataDir], {
    env: { ...process.env, UV_THREADPOOL_SIZE: '16' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8_000)));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', killOnExit);
    await rm(dataDir, { recursive: true, force: true });
  };
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`chdb fixture did not start in 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = /listening (\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`chdb fixture exited early:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`chdb fixture on ${url} does not answer /ping:\n${output}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port = '0', dataDir] = process.argv.slice(2);
  if (!dataDir) {
    process.stderr.write('usage: node test/support/chdb-http-fixture.ts <port> <dataDir>\n');
    process.exit(2);
  }
  await serve(dataDir, Number(port));
}
