// The HTTP interface pinned with raw requests (protocols.md §4): routes, where the query and the
// data come from, formats, databases, response headers in all three spellings, authentication,
// error framing before and after the headers, progress headers, compression both ways, KILL QUERY,
// limits, broken bodies and clients, timeouts and sessions.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { compressFrameSync } from 'lz4-napi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrames, FrameDecoder } from '../../src/compression.ts';
import { startHadron, type HadronProcess, eventually } from '../support/hadron.ts';

let server: HadronProcess;

type Sent = { status: number; headers: Headers; text: string };

/** POSTs `body` to `/?<params>` and reads the whole answer. */
async function post(body: string | Uint8Array, params: Record<string, string> = {}, headers: Record<string, string> = {}, base = server.url): Promise<Sent> {
  const r = await fetch(`${base}/?${new URLSearchParams(params)}`, { method: 'POST', body, headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

async function get(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Sent> {
  const r = await fetch(`${server.url}/?${new URLSearchParams(params)}`, { headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The `Code: N. DB::Exception: … (NAME) (version …)\n` body of an error. */
function expectError(r: Sent, code: number, name: string, status?: number): void {
  if (status !== undefined) expect(r.status).toBe(status);
  expect(r.headers.get('x-clickhouse-exception-code')).toBe(String(code));
  expect(r.text).toMatch(new RegExp(`^Code: ${code}\\. DB::Exception: [\\s\\S]+ \\(${name}\\) \\(version [0-9.]+\\)\\n$`));
}

type RawResponse = { head: string; headerLines: string[]; status: number; body: Buffer; raw: Buffer; closed: boolean };

/** Sends raw bytes over one TCP connection and reads until the server closes it or `waitMs` passes. */
async function raw(port: number, request: Buffer | string, waitMs = 20_000, until?: (soFar: Buffer) => boolean): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const closed = await new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (until?.(Buffer.concat(chunks))) {
        clearTimeout(timer);
        resolve(false);
      }
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', reject);
    socket.write(request);
  });
  socket.destroy();
  const all = Buffer.concat(chunks);
  const split = all.indexOf('\r\n\r\n');
  const head = all.subarray(0, split).toString('latin1');
  const headerLines = head.split('\r\n').slice(1);
  const rest = all.subarray(split + 4);
  const chunked = /^transfer-encoding: *chunked/im.test(head);
  return { head, headerLines, status: Number(head.split(' ')[1]), body: chunked ? dechunk(rest) : rest, raw: all, closed };
}

/** The payload of a chunked body, as far as it goes (a cut stream keeps what arrived whole). */
function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < b.length; ) {
    const eol = b.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(b.subarray(eol + 2, Math.min(b.length, eol + 2 + size)));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function rawPost(path: string, body: string, extra: string[] = []): string {
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Length: ${Buffer.byteLength(body)}`, ...extra, '', body].join('\r\n');
}

async function processIds(base = server.url): Promise<string[]> {
  const r = await post('SELECT query_id FROM system.processes FORMAT JSONEachRow', {}, {}, base);
  return r.text.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { query_id: string }).query_id);
}


const slow = (seconds: number): string => `SELECT sleepEachRow(0.5) FROM numbers(${seconds * 2}) SETTINGS max_block_size = 1`;

beforeAll(async () => {
  server = await startHadron({
    HADRON_USERS: JSON.stringify({
      default: { password_sha256_hex: '', readonly: 0 },
      // sha256('pw')
      ro: { password_sha256_hex: '30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4', readonly: 1 },
    }),
  });
  const r = await post('CREATE TABLE raw_t (a UInt32, s String) ENGINE = MergeTree ORDER BY a');
  expect(r.status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
});

describe('routes', () => {
  it('answers /ping, /replicas_status and / with Ok.', async () => {
    for (const path of ['/ping', '/replicas_status', '/']) {
      const r = await fetch(`${server.url}${path}`);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('Ok.\n');
    }
    const head = await fetch(`${server.url}/ping`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('where the query and the data come from', () => {
  it('GET runs readonly: SELECT works, CREATE and INSERT are 164', async () => {
    expect((await get({ query: 'SELECT 1 + 1' })).text).toBe('2\n');
    expectError(await get({ query: 'CREATE TABLE raw_get (a UInt8) ENGINE = Memory' }), 164, 'READONLY', 500);
    expectError(await get({ query: 'INSERT INTO raw_t VALUES (1, \'x\')' }), 164, 'READONLY');
    expectError(await get({ query: 'SELEC 1' }), 62, 'SYNTAX_ERROR', 400);
  });

  it('POST with a query parameter and a body is an INSERT with its data', async () => {
    expect((await post('1\tone\n2\ttwo\n', { query: 'INSERT INTO raw_t FORMAT TabSeparated' })).status).toBe(200);
    expect((await post('{"a":3,"s":"three"}\n', { query: 'INSERT INTO raw_t FORMAT JSONEachRow' })).status).toBe(200);
    expect((await post("(4, 'four')", { query: 'INSERT INTO raw_t VALUES' })).status).toBe(200);
    expect((await post('INSERT INTO raw_t FORMAT CSV\n5,"five"\n')).status).toBe(200);
    expect((await post('SELECT a, s FROM raw_t ORDER BY a')).text).toBe('1\tone\n2\ttwo\n3\tthree\n4\tfour\n5\tfive\n');
  });

  it('picks the format from FORMAT, X-ClickHouse-Format and default_format, in that order', async () => {
    const q = "SELECT 1 AS x, 'a' AS y";
    const plain = await post(q);
    expect(plain.text).toBe('1\ta\n');
    expect(plain.headers.get('x-clickhouse-format')).toBe('TabSeparated');
    const byParam = await post(q, { default_format: 'CSV' });
    expect(byParam.text).toBe('1,"a"\n');
    expect(byParam.headers.get('x-clickhouse-format')).toBe('CSV');
    const byHeader = await post(q, { default_format: 'CSV' }, { 'X-ClickHouse-Format': 'JSONEachRow' });
    expect(byHeader.text).toBe('{"x":1,"y":"a"}\n');
    const byClause = await post(`${q} FORMAT JSONCompactEachRow`, { default_format: 'CSV' }, { 'X-ClickHouse-Format': 'JSONEachRow' });
    expect(byClause.text).toBe('[1, "a"]\n');
    expect(byClause.headers.get('x-clickhouse-format')).toBe('JSONCompactEachRow');
  });

  it('uses the database parameter and the X-ClickHouse-Database header (the header wins)', async () => {
    expect((await post('CREATE DATABASE IF NOT EXISTS raw_db')).status).toBe(200);
    expect((await post('SELECT currentDatabase()', { database: 'raw_db' })).text).toBe('raw_db\n');
    expect((await post('SELECT currentDatabase()', { database: 'default' }, { 'X-ClickHouse-Database': 'raw_db' })).text).toBe('raw_db\n');
    expectError(await post('SELECT 1', { database: 'raw_no_such_db' }), 81, 'UNKNOWN_DATABASE', 404);
  });

  it('binds query parameters from their escaped text form', async () => {
    const r = await post('SELECT {x:UInt32} + 1 AS x, {s:String} AS s, length({s:String}) AS n, {a:Array(String)} AS a FORMAT JSONEachRow', {
      param_x: '41',
      param_s: "tab\\there\\nquote\\' back\\\\slash ünï",
      param_a: "['p','q\\'r','tab\\tx','back\\\\']",
    });
    expect(r.status).toBe(200);
    const s = "tab\there\nquote' back\\slash ünï";
    expect(JSON.parse(r.text)).toEqual({ x: 42, s, n: Buffer.byteLength(s), a: ['p', "q'r", 'tab\tx', 'back\\'] });
  });
});

describe('Native output with client_protocol_version', () => {
  // clickhouse-connect's requests; Proton clients get Proton type names in these blocks.
  const bytes = async (sql: string, params: Record<string, string>, agent = 'clickhouse-connect/1.7.2'): Promise<Buffer> => {
    const r = await fetch(`${server.url}/?${new URLSearchParams(params)}`, { method: 'POST', body: sql, headers: { 'User-Agent': agent } });
    expect(r.status).toBe(200);
    return Buffer.from(await r.arrayBuffer());
  };

  it('answers clickhouse-connect\'s probe with TCP block headers', async () => {
    const out = await bytes('SELECT 1 AS check\n FORMAT Native', { client_protocol_version: '54405' });
    expect(out.toString('hex')).toBe('0100' + '02ffffffff00' + '0101' + '05636865636b' + '0555496e7438' + '01');
  });

  it('adds the custom-serialization byte from 54454, keeps plain Native without the parameter', async () => {
    const sql = 'SELECT number AS n FROM numbers(3) SETTINGS max_block_size = 2 FORMAT Native';
    const plain = await bytes(sql, {});
    expect(plain.subarray(0, 2).toString('hex')).toBe('0102');
    const tcp = await bytes(sql, { client_protocol_version: '54460' });
    // Two blocks of 2 and 1 rows, each: BlockInfo, 1 column, rows, "n", "UInt64", custom byte 00, data.
    const block = (rows: number, values: number[]): string => '0100' + '02ffffffff00' + '01' + rows.toString(16).padStart(2, '0') + '016e' + '0655496e743634' + '00' + values.map((v) => Buffer.from(new BigUint64Array([BigInt(v)]).buffer).toString('hex')).join('');
    expect(tcp.toString('hex')).toBe(block(2, [0, 1]) + block(1, [2]));
    const proton = await bytes(sql, { client_protocol_version: '54460' }, 'proton-driver');
    expect(proton.toString('latin1')).toContain('\x06uint64');
  });
});

describe('response headers', () => {
  it('sends query id, format, time zone and display name in all three spellings', async () => {
    const queryId = `raw-${randomUUID()}`;
    const r = await post('SELECT 1', { query_id: queryId });
    for (const family of ['x-clickhouse-', 'x-timeplus-', 'x-proton-']) {
      expect(r.headers.get(`${family}query-id`)).toBe(queryId);
      expect(r.headers.get(`${family}format`)).toBe('TabSeparated');
      expect(r.headers.get(`${family}timezone`)).toBeTruthy();
      expect(r.headers.get(`${family}server-display-name`)).toBeTruthy();
      expect(r.headers.get(`${family}summary`)).toBeTruthy();
    }
    const tz = await post('SELECT timezone()');
    expect(tz.headers.get('x-clickhouse-timezone')).toBe(tz.text.trim());
    const byHeader = await post('SELECT 1', {}, { 'X-ClickHouse-Query-Id': 'raw-header-id' });
    expect(byHeader.headers.get('x-clickhouse-query-id')).toBe('raw-header-id');
    const generated = await post('SELECT 1');
    expect(generated.headers.get('x-clickhouse-query-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports written_rows of an insert in X-ClickHouse-Summary', async () => {
    const r = await post('{"a":100,"s":"x"}\n{"a":101,"s":"y"}\n{"a":102,"s":"z"}\n', { query: 'INSERT INTO raw_t FORMAT JSONEachRow' });
    expect(r.status).toBe(200);
    for (const family of ['x-clickhouse-', 'x-timeplus-', 'x-proton-']) {
      const summary = JSON.parse(r.headers.get(`${family}summary`) ?? '{}') as Record<string, string>;
      expect(summary.written_rows).toBe('3');
      expect(Object.values(summary).every((v) => typeof v === 'string')).toBe(true);
    }
  });
});

describe('authentication', () => {
  it('accepts Basic, user/password parameters and ClickHouse, Proton and Timeplus headers', async () => {
    expect((await post('SELECT 1', {}, { Authorization: basic('ro', 'pw') })).text).toBe('1\n');
    expect((await post('SELECT 1', { user: 'ro', password: 'pw' })).text).toBe('1\n');
    expect((await post('SELECT 1', {}, { 'X-ClickHouse-User': 'ro', 'X-ClickHouse-Key': 'pw' })).text).toBe('1\n');
    expect((await post('SELECT 1', {}, { 'x-proton-user': 'ro', 'x-proton-key': 'pw' })).text).toBe('1\n');
    expect((await post('SELECT 1', {}, { 'x-timeplus-user': 'ro', 'x-timeplus-key': 'pw' })).text).toBe('1\n');
  });

  it('refuses wrong passwords, unknown users and mixed methods with 516', async () => {
    expectError(await post('SELECT 1', {}, { Authorization: basic('ro', 'bad') }), 516, 'AUTHENTICATION_FAILED', 403);
    expectError(await post('SELECT 1', { user: 'nobody' }), 516, 'AUTHENTICATION_FAILED', 403);
    expectError(await post('SELECT 1', { user: 'ro', password: 'pw' }, { Authorization: basic('ro', 'pw') }), 516, 'AUTHENTICATION_FAILED', 403);
    expectError(await post('SELECT 1', { user: 'ro', password: 'pw' }, { 'x-proton-user': 'ro', 'x-proton-key': 'pw' }), 516, 'AUTHENTICATION_FAILED', 403);
  });

  it('keeps a readonly user from writing', async () => {
    expectError(await post('{"a":1,"s":"ro"}', { query: 'INSERT INTO raw_t FORMAT JSONEachRow', user: 'ro', password: 'pw' }), 164, 'READONLY');
    expectError(await post('SET max_threads = 1', { user: 'ro', password: 'pw' }), 164, 'READONLY');
  });

  it('names errors in the Proton dialect for Proton clients', async () => {
    const r = await post('SELECT * FROM raw_no_such_stream', {}, { 'x-proton-user': 'default' });
    expectError(r, 60, 'UNKNOWN_STREAM', 404);
    expect(r.headers.get('x-proton-exception-code')).toBe('60');
  });
});

describe('errors', () => {
  it('frames errors before the headers with status, code header and body', async () => {
    expectError(await post('SELEC 1'), 62, 'SYNTAX_ERROR', 400);
    // A client that does not name itself a ClickHouse driver is a Proton client: Proton error names.
    expectError(await post('SELECT * FROM raw_no_such_table'), 60, 'UNKNOWN_STREAM', 404);
    expectError(await post('SELECT * FROM raw_no_such_table', {}, { 'User-Agent': 'clickhouse-cli' }), 60, 'UNKNOWN_TABLE', 404);
    expectError(await post('SELECT throwIf(1)'), 395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO', 500);
    expectError(await post('SELECT 1 FORMAT NoSuchFormat'), 73, 'UNKNOWN_FORMAT', 404);
    expectError(await post('SELECT 1', { default_format: 'NoSuchFormat' }), 73, 'UNKNOWN_FORMAT', 404);
    expectError(await post('SELECT 1', { no_such_setting: '1' }), 115, 'UNKNOWN_SETTING', 404);
    const syntax = await post('SELECT 1 +');
    expect(syntax.text).not.toContain('hadron:');
    expect(syntax.text).toContain('position 11 (end of query)');
  });

  it('appends an error after data has started and closes the connection', async () => {
    const body = 'SELECT number, throwIf(number = 300000) FROM numbers(1000000)';
    const r = await raw(server.httpPort, rawPost('/?buffer_size=1000', body, ['Connection: keep-alive']));
    expect(r.status).toBe(200);
    expect(r.closed).toBe(true);
    const text = r.body.toString('utf8');
    expect(text.startsWith('0\t0\n1\t0\n')).toBe(true);
    expect(text).toMatch(/\n[0-9]+\t0\nCode: 395\. DB::Exception: .*\(FUNCTION_THROW_IF_VALUE_IS_NON_ZERO\) \(version [0-9.]+\)\n$/);
    // No terminating chunk: the client sees a broken stream and does not reuse the connection.
    expect(r.raw.subarray(-5).toString('latin1')).not.toBe('0\r\n\r\n');
  });

  it('does not hand the output of a failed query to the next one', async () => {
    for (const format of ['JSON', 'TabSeparated']) {
      // JSON is run whole (500); TabSeparated streams, so its error comes in-band on a cut stream.
      const failed = await raw(server.httpPort, rawPost('/', `SELECT number, throwIf(number = 300000) AS t FROM numbers(1000000) FORMAT ${format}`, ['Connection: close']));
      expect(failed.body.toString()).toMatch(/Code: 395\./);
      for (let i = 0; i < 10; i++) expect((await post(`SELECT ${i} AS x FORMAT JSONEachRow`)).text).toBe(`{"x":${i}}\n`);
    }
    expectError(await post('SELECT throwIf(1) FORMAT JSON'), 395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO');
    expect((await post('SELECT 1 AS x FORMAT JSONEachRow')).text).toBe('{"x":1}\n');
  });

  it('puts a late error inside native frames and inside response compression too', async () => {
    const body = 'SELECT number, throwIf(number = 300000) FROM numbers(1000000)';
    const framed = await raw(server.httpPort, rawPost('/?compress=1&buffer_size=1000', body, ['Connection: close']));
    const decoder = new FrameDecoder();
    const text = Buffer.concat(decoder.push(framed.body)).toString();
    decoder.end();
    expect(text).toMatch(/^0\t0\n[\s\S]*\nCode: 395\. DB::Exception: .*\(FUNCTION_THROW_IF_VALUE_IS_NON_ZERO\) \(version [0-9.]+\)\n$/);
    const zipped = await raw(server.httpPort, rawPost('/?buffer_size=1000', body, ['Accept-Encoding: gzip', 'Connection: close']));
    expect(zipped.headerLines).toContain('Content-Encoding: gzip');
    expect(gunzipSync(zipped.body).toString()).toMatch(/\nCode: 395\. DB::Exception: .*\(FUNCTION_THROW_IF_VALUE_IS_NON_ZERO\) \(version [0-9.]+\)\n$/);
  });

  it('buffers the whole result with wait_end_of_query=1, so a late error keeps its status', async () => {
    const r = await post('SELECT number, throwIf(number = 300000) FROM numbers(1000000)', { wait_end_of_query: '1' });
    expectError(r, 395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO', 500);
    const ok = await post('SELECT count() FROM (SELECT number FROM numbers(100000))', { wait_end_of_query: '1' });
    expect(ok.text).toBe('100000\n');
  });

  it('stops a query at max_execution_time with 159', async () => {
    expectError(await post(slow(5), { max_execution_time: '1' }), 159, 'TIMEOUT_EXCEEDED');
  });

  it('refuses a query id that is already running with 216', async () => {
    const queryId = `raw-dup-${randomUUID()}`;
    const first = post(slow(3), { query_id: queryId });
    expect(await eventually(async () => (await processIds()).includes(queryId))).toBe(true);
    expectError(await post('SELECT 1', { query_id: queryId }), 216, 'QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING');
    expect((await first).status).toBe(200);
  });
});

describe('progress headers', () => {
  it('repeats X-ClickHouse-Progress while the query runs, then the summary', async () => {
    const body = 'SELECT sleepEachRow(0.1) FROM numbers(8) SETTINGS max_block_size = 1';
    const r = await raw(server.httpPort, rawPost('/?send_progress_in_http_headers=1&http_headers_progress_interval_ms=100', body, ['Connection: close']));
    expect(r.status).toBe(200);
    const progress = r.headerLines.filter((l) => /^x-clickhouse-progress:/i.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress) expect(JSON.parse(line.slice(line.indexOf(':') + 1))).toHaveProperty('read_rows');
    expect(r.headerLines.filter((l) => /^x-timeplus-progress:/i.test(l)).length).toBe(progress.length);
    expect(r.headerLines.some((l) => /^x-clickhouse-summary:/i.test(l))).toBe(true);
    expect(r.body.toString()).toBe('0\n'.repeat(8));
  });

  it('sends the error code header when a query fails while progress headers flow', async () => {
    const body = 'SELECT throwIf(number = 5) FROM (SELECT sleepEachRow(0.1), number FROM numbers(8)) SETTINGS max_block_size = 1';
    const r = await raw(server.httpPort, rawPost('/?send_progress_in_http_headers=1&http_headers_progress_interval_ms=100', body, ['Connection: close']));
    expect(r.headerLines.some((l) => /^x-clickhouse-exception-code: 395$/i.test(l))).toBe(true);
    expect(r.body.toString()).toMatch(/Code: 395\./);
  });
});

describe('compression', () => {
  const sql = 'SELECT sum(number) FROM numbers(1000)';

  it('decodes request bodies in gzip, deflate, br, zstd, LZ4 frames and native frames', async () => {
    expect((await post(gzipSync(sql), {}, { 'Content-Encoding': 'gzip' })).text).toBe('499500\n');
    expect((await post(deflateSync(sql), {}, { 'Content-Encoding': 'deflate' })).text).toBe('499500\n');
    expect((await post(brotliCompressSync(sql), {}, { 'Content-Encoding': 'br' })).text).toBe('499500\n');
    expect((await post(zstdCompressSync(sql), {}, { 'Content-Encoding': 'zstd' })).text).toBe('499500\n');
    expect((await post(compressFrameSync(Buffer.from(sql)), {}, { 'Content-Encoding': 'lz4' })).text).toBe('499500\n');
    expect((await post(Buffer.concat(encodeFrames(Buffer.from(sql))), { decompress: '1' })).text).toBe('499500\n');
  });

  it('decodes compressed insert data', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ a: 10_000 + i, s: 'gz' })).join('\n');
    expect((await post(gzipSync(rows), { query: 'INSERT INTO raw_t FORMAT JSONEachRow' }, { 'Content-Encoding': 'gzip' })).status).toBe(200);
    const lz4Rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ a: 20_000 + i, s: 'lz4' })).join('\n');
    expect((await post(compressFrameSync(Buffer.from(lz4Rows)), { query: 'INSERT INTO raw_t FORMAT JSONEachRow' }, { 'Content-Encoding': 'lz4' })).status).toBe(200);
    const framed = Buffer.concat(encodeFrames(Buffer.from(`INSERT INTO raw_t FORMAT JSONEachRow\n${JSON.stringify({ a: 30_000, s: 'native' })}\n`)));
    expect((await post(framed, { decompress: '1' })).status).toBe(200);
    expect((await post("SELECT s, count() FROM raw_t WHERE a >= 10000 GROUP BY s ORDER BY s")).text).toBe('gz\t2000\nlz4\t2000\nnative\t1\n');
  });

  it('compresses responses for Accept-Encoding unless enable_http_compression=0 (on by default since 25.10)', async () => {
    const decoders: Record<string, (b: Buffer) => Buffer> = { gzip: gunzipSync, br: brotliDecompressSync, zstd: zstdDecompressSync, deflate: inflateSync };
    const expected = Array.from({ length: 1000 }, (_, i) => `${i}\n`).join('');
    for (const [encoding, decode] of Object.entries(decoders)) {
      const r = await raw(server.httpPort, rawPost('/?enable_http_compression=1', 'SELECT number FROM numbers(1000)', [`Accept-Encoding: ${encoding}`, 'Connection: close']));
      expect(r.headerLines).toContain(`Content-Encoding: ${encoding}`);
      expect(decode(r.body).toString()).toBe(expected);
    }
    const byDefault = await raw(server.httpPort, rawPost('/', 'SELECT 1', ['Accept-Encoding: gzip', 'Connection: close']));
    expect(byDefault.headerLines).toContain('Content-Encoding: gzip');
    expect(gunzipSync(byDefault.body).toString()).toBe('1\n');
    const off = await raw(server.httpPort, rawPost('/?enable_http_compression=0', 'SELECT 1', ['Accept-Encoding: gzip', 'Connection: close']));
    expect(off.headerLines.some((l) => /^content-encoding:/i.test(l))).toBe(false);
    expect(off.body.toString()).toBe('1\n');
    const none = await raw(server.httpPort, rawPost('/?enable_http_compression=1', 'SELECT 1', ['Connection: close']));
    expect(none.headerLines.some((l) => /^content-encoding:/i.test(l))).toBe(false);
    expect(none.body.toString()).toBe('1\n');
  });

  it('writes native LZ4 frames with compress=1', async () => {
    const r = await fetch(`${server.url}/?compress=1`, { method: 'POST', body: 'SELECT number FROM numbers(300000)' });
    expect(r.status).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes[16]).toBe(0x82);
    const decoder = new FrameDecoder();
    const data = Buffer.concat(decoder.push(bytes));
    decoder.end();
    const lines = data.toString().split('\n');
    expect(lines.length).toBe(300_001);
    expect(lines[299_999]).toBe('299999');
  });

  it('answers malformed bodies with a coded error and keeps serving', async () => {
    expectError(await post(Buffer.from('not gzip at all'), {}, { 'Content-Encoding': 'gzip' }), 354, 'ZLIB_INFLATE_FAILED');
    const frames = Buffer.concat(encodeFrames(Buffer.from(sql)));
    frames[0] = (frames[0] as number) ^ 0xff;
    expectError(await post(frames, { decompress: '1' }), 40, 'CHECKSUM_DOESNT_MATCH');
    expectError(await post(Buffer.from('x'), {}, { 'Content-Encoding': 'nope' }), 36, 'BAD_ARGUMENTS', 400);
    expect((await post(sql)).text).toBe('499500\n');
  });
});

describe('cancellation and the process list', () => {
  it('lists a running query in SHOW PROCESSLIST and system.processes; KILL QUERY ends it', async () => {
    const queryId = `raw-kill-${randomUUID()}`;
    const long = post(slow(30), { query_id: queryId }).catch((err: unknown) => err);
    expect(await eventually(async () => (await processIds()).includes(queryId))).toBe(true);
    const shown = await post('SHOW PROCESSLIST');
    expect(shown.text).toContain(queryId);
    expect(shown.text).toContain('sleepEachRow');
    const kill = await post(`KILL QUERY WHERE query_id = '${queryId}'`);
    expect(kill.status).toBe(200);
    expect(kill.text).toContain(queryId);
    const outcome = await long;
    if (outcome instanceof Error) {
      expect(outcome.message).toMatch(/terminated|closed|reset|fetch failed/i); // cut
    } else {
      expectError(outcome as Sent, 394, 'QUERY_WAS_CANCELLED');
    }
    expect(await eventually(async () => !(await processIds()).includes(queryId))).toBe(true);
  });

  it('drops a half-sent insert when the client disconnects', async () => {
    const queryId = `raw-half-${randomUUID()}`;
    const rows = Array.from({ length: 100 }, (_, i) => JSON.stringify({ a: 50_000 + i, s: 'half' })).join('\n');
    const half = rows.slice(0, Math.floor(rows.length / 2));
    const socket = connect(server.httpPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const query = encodeURIComponent('INSERT INTO raw_t FORMAT JSONEachRow');
    socket.write(`POST /?query_id=${queryId}&query=${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`);
    socket.write(`${Buffer.byteLength(half).toString(16)}\r\n${half}\r\n`);
    expect(await eventually(async () => (await processIds()).includes(queryId))).toBe(true);
    socket.destroy();
    expect(await eventually(async () => !(await processIds()).includes(queryId))).toBe(true);
    expect((await post("SELECT count() FROM raw_t WHERE s = 'half'")).text).toBe('0\n');
    expect((await post('SELECT 1')).text).toBe('1\n');
  });
});

describe('sessions', () => {
  it('keeps SET and USE within a session_id', async () => {
    const session = randomUUID();
    expect((await post('SET max_threads = 5', { session_id: session })).status).toBe(200);
    expect((await post('USE raw_db', { session_id: session })).status).toBe(200);
    expect((await post("SELECT getSetting('max_threads'), currentDatabase()", { session_id: session })).text).toBe('5\traw_db\n');
    expect((await post("SELECT getSetting('max_threads') = 5, currentDatabase()")).text).toBe('0\tdefault\n');
    expect((await post('SELECT currentDatabase()', { session_id: randomUUID() })).text).toBe('default\n');
  });

  it('refuses an unknown session with session_check=1 (372) and a long timeout (374)', async () => {
    expectError(await post('SELECT 1', { session_id: randomUUID(), session_check: '1' }), 372, 'SESSION_NOT_FOUND', 404);
    expectError(await post('SELECT 1', { session_id: randomUUID(), session_timeout: '99999' }), 374, 'INVALID_SESSION_TIMEOUT');
    const session = randomUUID();
    expect((await post('SELECT 1', { session_id: session })).status).toBe(200);
    expect((await post('SELECT 1', { session_id: session, session_check: '1' })).text).toBe('1\n');
  });
});

describe('limits', () => {
  let limited: HadronProcess;

  beforeAll(async () => {
    limited = await startHadron({
      HADRON_LIMITS_MAX_CONCURRENT_QUERIES: '1',
      HADRON_LIMITS_MAX_QUEUED_QUERIES: '0',
      HADRON_LIMITS_MAX_BODY_BYTES: '100000',
    });
    expect((await post('CREATE TABLE lim (a UInt32) ENGINE = MergeTree ORDER BY a', {}, {}, limited.url)).status).toBe(200);
  });

  afterAll(async () => {
    await limited?.stop();
  });

  it('refuses a query beyond the concurrency limit with 202', async () => {
    const controller = new AbortController();
    const long = fetch(`${limited.url}/`, { method: 'POST', body: slow(30), signal: controller.signal }).then((r) => r.text()).catch(() => 'aborted');
    let refused: Sent | null = null;
    for (let i = 0; i < 200 && refused === null; i++) {
      const r = await post('SELECT 1', {}, {}, limited.url);
      if (r.status !== 200) refused = r;
      else await new Promise((res) => setTimeout(res, 50));
    }
    expect(refused).not.toBeNull();
    expectError(refused as Sent, 202, 'TOO_MANY_SIMULTANEOUS_QUERIES');
    controller.abort();
    await long;
    expect(await eventually(async () => (await post('SELECT 1', {}, {}, limited.url)).text === '1\n')).toBe(true);
  });

  it('refuses a body over max_body_bytes with 307 and keeps serving', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i}`).join('\n');
    expectError(await post(rows, { query: 'INSERT INTO lim FORMAT TSV' }, {}, limited.url), 307, 'TOO_MANY_BYTES');
    // The limit applies after decompression.
    const bomb = gzipSync(Buffer.alloc(1_000_000, '1\n'));
    expect(bomb.length).toBeLessThan(100_000);
    expectError(await post(bomb, { query: 'INSERT INTO lim FORMAT TSV' }, { 'Content-Encoding': 'gzip' }, limited.url), 307, 'TOO_MANY_BYTES');
    expect((await post('SELECT count() FROM lim', {}, {}, limited.url)).text).toBe('0\n');
    expect((await post('1\n2\n', { query: 'INSERT INTO lim FORMAT TSV' }, {}, limited.url)).status).toBe(200);
    expect((await post('SELECT count() FROM lim', {}, {}, limited.url)).text).toBe('2\n');
  });
});
