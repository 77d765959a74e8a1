// @clickhouse/client 1.23.1 (the Node driver) against a Hadron process: the calls an application
// makes — query in the formats it reads, streaming, inserts from arrays and streams, DDL, ping,
// sessions, query parameters, compression, coded errors, users and cancellation (protocols.md §4.8).
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseError, ClickHouseLogLevel, createClient, TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { startHadron, type HadronProcess, eventually } from '../support/hadron.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

let server: HadronProcess;
let client: ClickHouseClient;
const clients: ClickHouseClient[] = [];

function connect(options: Parameters<typeof createClient>[0] = {}): ClickHouseClient {
  // The driver logs every failed request; the tests check the errors themselves.
  const c = createClient({ url: server.url, request_timeout: 60_000, log: { level: ClickHouseLogLevel.OFF }, ...options });
  clients.push(c);
  return c;
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<ClickHouseError> {
  const outcome = await p.then(() => null, (err: unknown) => err);
  expect(outcome).toBeInstanceOf(ClickHouseError);
  return outcome as ClickHouseError;
}

async function processIds(): Promise<string[]> {
  const rs = await client.query({ query: 'SELECT query_id FROM system.processes', format: 'JSONEachRow' });
  return (await rs.json<{ query_id: string }>()).map((r) => r.query_id);
}


beforeAll(async () => {
  server = await startHadron({
    HADRON_USERS: JSON.stringify({
      default: { password_sha256_hex: '', readonly: 0 },
      ro: { password_sha256_hex: sha256('pw'), readonly: 1 },
    }),
  });
  client = connect();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.stop();
});

describe('@clickhouse/client: queries', () => {
  it('ping()', async () => {
    expect(await client.ping()).toEqual({ success: true });
  });

  it('JSON with meta, data and rows', async () => {
    const rs = await client.query({ query: "SELECT toUInt32(number) AS n, concat('v', toString(number)) AS s FROM numbers(3)", format: 'JSON' });
    const result = await rs.json<{ n: number; s: string }>();
    expect(result.meta).toEqual([{ name: 'n', type: 'UInt32' }, { name: 's', type: 'String' }]);
    expect(result.data).toEqual([{ n: 0, s: 'v0' }, { n: 1, s: 'v1' }, { n: 2, s: 'v2' }]);
    expect(result.rows).toBe(3);
    expect(rs.query_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('JSONEachRow and JSONCompactEachRow', async () => {
    const each = await client.query({ query: 'SELECT number AS n FROM numbers(3)', format: 'JSONEachRow' });
    expect(await each.json()).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    const compact = await client.query({ query: "SELECT number AS n, 'x' AS s FROM numbers(2)", format: 'JSONCompactEachRow' });
    expect(await compact.json()).toEqual([[0, 'x'], [1, 'x']]);
  });

  it('CSV and TabSeparated with .text()', async () => {
    const csv = await client.query({ query: "SELECT number, 'a,b' FROM numbers(2)", format: 'CSV' });
    expect(await csv.text()).toBe('0,"a,b"\n1,"a,b"\n');
    const tsv = await client.query({ query: "SELECT number, 'a\\tb' FROM numbers(2)", format: 'TabSeparated' });
    expect(await tsv.text()).toBe('0\ta\\tb\n1\ta\\tb\n');
  });

  it('streams 1 M rows without holding them', async () => {
    const rs = await client.query({ query: 'SELECT number FROM numbers(1000000)', format: 'JSONCompactEachRow' });
    let rows = 0;
    let sum = 0;
    let batches = 0;
    for await (const batch of rs.stream<[number]>()) {
      batches++;
      for (const row of batch) {
        rows++;
        sum += row.json()[0];
      }
    }
    expect(rows).toBe(1_000_000);
    expect(sum).toBe((999_999 * 1_000_000) / 2);
    expect(batches).toBeGreaterThan(1);
  });

  it('query parameters of several types', async () => {
    const s = "tab\there\nnew line 'quote' back\\slash ünïcødé 😀";
    const rs = await client.query({
      query: 'SELECT {x:UInt32} AS x, {s:String} AS s, {a:Array(String)} AS a, length({s:String}) AS len',
      query_params: { x: 41, s, a: ['p', "q'r", 'tab\tx'] },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ x: 41, s, a: ['p', "q'r", 'tab\tx'], len: Buffer.byteLength(s) }]);
  });

  it('query parameters: NULL, Map, Tuple and Array(Nullable)', async () => {
    const rs = await client.query({
      query: 'SELECT {n:Nullable(String)} AS n, {m:Map(String, String)} AS m, {t:Tuple(Int32, String)} AS t, {a:Array(Nullable(String))} AS a',
      query_params: { n: null, m: { "k'1": 'v\t1' }, t: new TupleParam([1, "a'b"]), a: ['x', null, "it's"] },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: null, m: { "k'1": 'v\t1' }, t: [1, "a'b"], a: ['x', null, "it's"] }]);
  });

  it('clickhouse_settings reach the store', async () => {
    const rs = await client.query({ query: "SELECT getSetting('max_threads') AS t", format: 'JSONEachRow', clickhouse_settings: { max_threads: 3 } });
    expect(await rs.json()).toEqual([{ t: 3 }]);
  });
});

describe('@clickhouse/client: DDL and inserts', () => {
  beforeAll(async () => {
    await client.command({ query: 'CREATE TABLE js_rows (id UInt32, name String, tags Array(String)) ENGINE = MergeTree ORDER BY id' });
  });

  it('command() runs DDL and exec() returns a stream', async () => {
    await client.command({ query: 'CREATE TABLE js_ddl (a UInt8) ENGINE = Memory' });
    const exists = await client.query({ query: "EXISTS TABLE js_ddl", format: 'JSONEachRow' });
    expect(await exists.json()).toEqual([{ result: 1 }]);
    const exec = await client.exec({ query: 'SELECT 1 AS one FORMAT TabSeparated' });
    let text = '';
    for await (const chunk of exec.stream) text += chunk.toString();
    expect(text).toBe('1\n');
    await client.command({ query: 'DROP TABLE js_ddl' });
  });

  it('inserts JSONEachRow objects and JSONCompactEachRow arrays', async () => {
    const r = await client.insert({ table: 'js_rows', format: 'JSONEachRow', values: [{ id: 1, name: 'one', tags: ['a'] }, { id: 2, name: 'twö', tags: [] }] });
    expect(r.executed).toBe(true);
    expect(r.summary?.written_rows).toBe('2');
    await client.insert({ table: 'js_rows', format: 'JSONCompactEachRow', values: [[3, 'three', ['b', 'c']]] });
    await client.insert({ table: 'js_rows', values: [[4, 'four', []]] }); // JSONCompactEachRow is the default
    const rs = await client.query({ query: 'SELECT id, name, tags FROM js_rows WHERE id <= 4 ORDER BY id', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([
      { id: 1, name: 'one', tags: ['a'] },
      { id: 2, name: 'twö', tags: [] },
      { id: 3, name: 'three', tags: ['b', 'c'] },
      { id: 4, name: 'four', tags: [] },
    ]);
  });

  it('inserts from Node Readable streams (object mode and raw CSV)', async () => {
    const objects = Readable.from((function* () {
      for (let i = 0; i < 10_000; i++) yield { id: 1000 + i, name: `n${i}`, tags: [String(i)] };
    })(), { objectMode: true });
    await client.insert({ table: 'js_rows', format: 'JSONEachRow', values: objects });
    const csv = Readable.from(['20000,"c,1",[]\n', '20001,"c2",[\'x\']\n'], { objectMode: false });
    await client.insert({ table: 'js_rows', format: 'CSV', values: csv });
    const rs = await client.query({ query: 'SELECT count() AS c, sum(id) AS s FROM js_rows WHERE id >= 1000', format: 'JSONEachRow' });
    const expectedSum = Array.from({ length: 10_000 }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0) + 20000 + 20001;
    expect(await rs.json()).toEqual([{ c: 10_002, s: expectedSum }]);
    const strange = await client.query({ query: "SELECT name, tags FROM js_rows WHERE id IN (20000, 20001) ORDER BY id", format: 'JSONCompactEachRow' });
    expect(await strange.json()).toEqual([['c,1', []], ['c2', ['x']]]);
  });

  it('compresses requests and responses', async () => {
    const zipped = connect({ compression: { request: true, response: true } });
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: 30_000 + i, name: 'z'.repeat(50), tags: ['gz'] }));
    await zipped.insert({ table: 'js_rows', format: 'JSONEachRow', values: rows });
    const rs = await zipped.query({ query: "SELECT count() AS c, any(name) AS n FROM js_rows WHERE has(tags, 'gz')", format: 'JSONEachRow' });
    expect(rs.response_headers['content-encoding']).toBe('gzip');
    expect(await rs.json()).toEqual([{ c: 5000, n: 'z'.repeat(50) }]);
    const big = await zipped.query({ query: 'SELECT number FROM numbers(200000)', format: 'JSONCompactEachRow' });
    expect((await big.json<[number]>()).length).toBe(200_000);
  });
});

describe('@clickhouse/client: sessions', () => {
  it('keeps SET and USE within a session, and not outside it', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS js_db' });
    const session = connect({ session_id: randomUUID() });
    await session.command({ query: 'SET max_threads = 7' });
    await session.command({ query: 'USE js_db' });
    const inside = await session.query({ query: "SELECT getSetting('max_threads') AS t, currentDatabase() AS db", format: 'JSONEachRow' });
    expect(await inside.json()).toEqual([{ t: 7, db: 'js_db' }]);
    const outside = await client.query({ query: "SELECT getSetting('max_threads') = 7 AS same, currentDatabase() AS db", format: 'JSONEachRow' });
    expect(await outside.json()).toEqual([{ same: 0, db: 'default' }]);
    const other = connect({ session_id: randomUUID() });
    const fresh = await other.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' });
    expect(await fresh.json()).toEqual([{ db: 'default' }]);
  });
});

describe('@clickhouse/client: errors and users', () => {
  it('syntax error is ClickHouseError 62 SYNTAX_ERROR', async () => {
    const err = await rejection(client.query({ query: 'SELEC 1', format: 'JSON' }));
    expect(err.code).toBe('62');
    expect(err.type).toBe('SYNTAX_ERROR');
    expect(err.message).not.toContain('hadron:');
  });

  it('reports an error raised after rows were sent, and the next query is unaffected', async () => {
    // An error before the first buffer_size bytes went out keeps its status and code...
    const early = await rejection(client.query({ query: 'SELECT number, throwIf(number = 10) AS t FROM numbers(100)', format: 'JSON' }).then((rs) => rs.json()));
    expect(early.code).toBe('395');
    // ...after several MB of a streamed JSON document the stream breaks, as with ClickHouse < 25.11.
    const sql = 'SELECT number, throwIf(number = 300000) AS t FROM numbers(1000000)';
    const late = await client.query({ query: sql, format: 'JSON' }).then((rs) => rs.json()).then(() => null, (err: unknown) => err);
    expect(late).toBeInstanceOf(Error);
    const streamed = await client.query({ query: sql, format: 'JSONEachRow' }).then(async (rs) => {
      for await (const rows of rs.stream()) for (const row of rows) row.json();
      return null;
    }, (err: unknown) => err).catch((err: unknown) => err);
    expect(String((streamed as Error | null)?.message)).toContain('Code: 395.');
    for (let i = 0; i < 5; i++) {
      const rs = await client.query({ query: `SELECT ${i} AS x`, format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ x: i }]);
    }
  });

  it('unknown table is 60 UNKNOWN_TABLE', async () => {
    const err = await rejection(client.query({ query: 'SELECT * FROM js_no_such_table', format: 'JSON' }));
    expect(err.code).toBe('60');
    expect(err.type).toBe('UNKNOWN_TABLE');
    const cmd = await rejection(client.command({ query: 'DROP TABLE js_no_such_table' }));
    expect(cmd.code).toBe('60');
  });

  it('a readonly user reads but cannot write (164 READONLY)', async () => {
    const ro = connect({ username: 'ro', password: 'pw' });
    const rs = await ro.query({ query: 'SELECT count() AS c FROM js_rows WHERE id = 1', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ c: 1 }]);
    const insert = await rejection(ro.insert({ table: 'js_rows', format: 'JSONEachRow', values: [{ id: 99, name: 'ro', tags: [] }] }));
    expect(insert.code).toBe('164');
    expect(insert.type).toBe('READONLY');
    const ddl = await rejection(ro.command({ query: 'CREATE TABLE js_ro (a UInt8) ENGINE = Memory' }));
    expect(ddl.code).toBe('164');
    const count = await client.query({ query: 'SELECT count() AS c FROM js_rows WHERE id = 99', format: 'JSONEachRow' });
    expect(await count.json()).toEqual([{ c: 0 }]);
  });

  it('a wrong password is 516 AUTHENTICATION_FAILED', async () => {
    const bad = connect({ username: 'ro', password: 'nope' });
    const err = await rejection(bad.query({ query: 'SELECT 1', format: 'JSON' }));
    expect(err.code).toBe('516');
    expect(err.type).toBe('AUTHENTICATION_FAILED');
    const unknown = connect({ username: 'nobody', password: '' });
    expect((await rejection(unknown.query({ query: 'SELECT 1' }))).code).toBe('516');
  });
});

describe('@clickhouse/client: cancellation', () => {
  it('abort_signal ends a long query and it leaves the process list', async () => {
    const queryId = `js-abort-${randomUUID()}`;
    const controller = new AbortController();
    const running = client.query({
      query: 'SELECT sleepEachRow(0.5) FROM numbers(120) SETTINGS max_block_size = 1',
      format: 'JSONCompactEachRow',
      query_id: queryId,
      abort_signal: controller.signal,
    }).then(async (rs) => rs.text());
    const settled = running.then(() => 'resolved', (err: unknown) => err);
    expect(await eventually(async () => (await processIds()).includes(queryId))).toBe(true);
    const shown = await client.query({ query: 'SHOW PROCESSLIST', format: 'TabSeparated' });
    expect(await shown.text()).toContain(queryId);
    controller.abort();
    const outcome = await settled;
    expect(outcome).toBeInstanceOf(Error);
    expect(String((outcome as Error).message)).toMatch(/abort/i);
    expect(await eventually(async () => !(await processIds()).includes(queryId))).toBe(true);
    expect(await client.ping()).toEqual({ success: true });
  });
});
