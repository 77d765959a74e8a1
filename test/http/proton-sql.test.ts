// Proton SQL over HTTP (proton-semantics §4 A, J and the table-mode parts of B): a Proton user's
// DDL and historical SQL, answered on the snapshot port exactly as Proton answers them, and a
// ClickHouse client's camelCase SQL in the same server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';

let server: HadronProcess;

type Sent = { status: number; code: string | null; text: string };

async function post(sql: string, params: Record<string, string> = {}, headers: Record<string, string> = {}, base = server.url): Promise<Sent> {
  const r = await fetch(`${base}/?${new URLSearchParams(params)}`, { method: 'POST', body: sql, headers });
  return { status: r.status, code: r.headers.get('x-clickhouse-exception-code'), text: await r.text() };
}

/** Runs a statement that must succeed; returns its TSV body. */
async function q(sql: string, params: Record<string, string> = {}): Promise<string> {
  const r = await post(sql, params);
  if (r.status !== 200) throw new Error(`${sql}\n→ ${r.status} ${r.text}`);
  return r.text;
}

async function rows(sql: string): Promise<string[][]> {
  const text = await q(sql);
  return text === '' ? [] : text.replace(/\n$/, '').split('\n').map((l) => l.split('\t').map(unescapeTsv));
}

const tsvEscapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f' };
const unescapeTsv = (field: string): string => field.replace(/\\(.)/g, (_, ch: string) => tsvEscapes[ch] ?? ch);

async function fails(sql: string, code: number, name?: string): Promise<string> {
  const r = await post(sql);
  expect(r.status, `${sql} → ${r.text}`).not.toBe(200);
  expect(r.code, r.text).toBe(String(code));
  if (name !== undefined) expect(r.text).toContain(`(${name})`);
  return r.text;
}

beforeAll(async () => {
  server = await startHadron();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

describe('§4 A: DDL, storage, historical reads', () => {
  it('A1 implicit _tp_time in DESCRIBE', async () => {
    await q('CREATE STREAM s1 (id int32, name string)');
    const d = (await rows('DESCRIBE s1')).map((r) => r.slice(0, 4));
    expect(d).toEqual([
      ['id', 'int32', '', ''],
      ['name', 'string', '', ''],
      ['_tp_time', "datetime64(3, 'UTC')", 'DEFAULT', "now64(3, 'UTC')"],
    ]);
  });

  it('A2 reserved names are rejected with 44', async () => {
    await fails('CREATE STREAM bad1 (window_start int32)', 44);
    await fails('CREATE STREAM bad2 (_tp_foo int32)', 44);
    await fails('CREATE STREAM bad3 (v int32, _tp_time string)', 44);
    await fails('DESCRIBE bad1', 60, 'UNKNOWN_STREAM');
  });

  it('A3/A4 explicit and default event time', async () => {
    await q('CREATE STREAM s2 (id int32, v float64)');
    await q("INSERT INTO s2 (id, v, _tp_time) VALUES (1, 1.5, '2024-01-01 00:00:00'), (2, 2.5, '2024-01-01 00:00:01')");
    const r = await post('SELECT * FROM table(s2) ORDER BY id FORMAT TSVWithNames');
    expect(r.text).toBe('id\tv\t_tp_time\n1\t1.5\t2024-01-01 00:00:00.000\n2\t2.5\t2024-01-01 00:00:01.000\n');
    await q('INSERT INTO s2 (id, v) VALUES (3, 3.5)');
    expect(await q("SELECT count() FROM table(s2) WHERE id = 3 AND _tp_time > now64(3, 'UTC') - INTERVAL 1 MINUTE")).toBe('1\n');
  });

  it('A5 event_time_column', async () => {
    await q("CREATE STREAM s3 (id int32, ts datetime64(3, 'UTC')) SETTINGS event_time_column='ts'");
    await q("INSERT INTO s3 (id, ts) VALUES (1, '2023-05-05 10:00:00.250')");
    expect(await rows('SELECT id, _tp_time FROM table(s3)')).toEqual([['1', '2023-05-05 10:00:00.250']]);
  });

  it('A6 partial column insert takes defaults', async () => {
    await q('CREATE STREAM s4 (id int32, tag string, n int64 DEFAULT 7)');
    await q('INSERT INTO s4 (id) VALUES (1)');
    expect(await rows('SELECT id, tag, n FROM table(s4)')).toEqual([['1', '', '7']]);
  });

  it('A7 ADD COLUMN', async () => {
    await q('CREATE STREAM s5 (id int32)');
    await q('INSERT INTO s5 (id) VALUES (1)');
    await q('ALTER STREAM s5 ADD COLUMN tag string');
    await q("INSERT INTO s5 (id, tag) VALUES (2, 'x')");
    expect(await rows('SELECT id, tag FROM table(s5) ORDER BY id')).toEqual([['1', ''], ['2', 'x']]);
    const d = (await rows('DESCRIBE s5')).map((r) => r[0]);
    expect(d).toEqual(['id', 'tag', '_tp_time']);
  });

  it('A8 SHOW / DROP', async () => {
    expect(await rows("SHOW STREAMS LIKE 's5'")).toEqual([['s5']]);
    await q('DROP STREAM s5');
    expect(await rows("SHOW STREAMS LIKE 's5'")).toEqual([]);
    await q('DROP STREAM IF EXISTS s5');
    await fails('DROP STREAM s5', 60, 'UNKNOWN_STREAM');
    await fails('SELECT * FROM table(nope)', 60, 'UNKNOWN_STREAM');
  });

  it('A9 databases', async () => {
    await q('CREATE DATABASE IF NOT EXISTS db1');
    await q('CREATE STREAM db1.t (x int32)');
    await q('INSERT INTO db1.t (x) VALUES (5)');
    expect(await rows('SHOW STREAMS FROM db1')).toEqual([['t']]);
    expect(await rows('SELECT x FROM table(db1.t)')).toEqual([['5']]);
    const dbs = (await rows('SHOW DATABASES')).map((r) => r[0]);
    expect(dbs).toContain('db1');
    expect(dbs).not.toContain('_hadron');
  });

  it('A10 versioned_kv requires a primary key', async () => {
    await fails("CREATE STREAM vk_bad (k string, v int32) SETTINGS mode='versioned_kv'", 62);
  });

  it('A11 versioned_kv latest per key', async () => {
    await q("CREATE STREAM prices (sku string, price float64) PRIMARY KEY sku SETTINGS mode='versioned_kv'");
    await q("INSERT INTO prices (sku, price, _tp_time) VALUES ('a', 10, '2024-01-01 00:00:00'), ('b', 20, '2024-01-01 00:00:00')");
    await q("INSERT INTO prices (sku, price, _tp_time) VALUES ('a', 11, '2024-01-01 00:00:01')");
    expect(await rows('SELECT sku, price FROM table(prices) ORDER BY sku')).toEqual([['a', '11'], ['b', '20']]);
  });

  it('A12 changelog_kv delete and update', async () => {
    await q("CREATE STREAM dims (k string, v int32) PRIMARY KEY k SETTINGS mode='changelog_kv'");
    const d = await rows('DESCRIBE dims');
    expect(d.slice(-2).map((r) => r.slice(0, 4))).toEqual([
      ['_tp_time', "datetime64(3, 'UTC')", 'DEFAULT', "now64(3, 'UTC')"],
      ['_tp_delta', 'int8', 'DEFAULT', '1'],
    ]);
    await q("INSERT INTO dims (k, v, _tp_time) VALUES ('x', 1, '2024-01-01 00:00:00'), ('y', 2, '2024-01-01 00:00:00')");
    await q("INSERT INTO dims (k, v, _tp_delta, _tp_time) VALUES ('y', 2, -1, '2024-01-01 00:00:01')");
    await q("INSERT INTO dims (k, v, _tp_delta, _tp_time) VALUES ('x', 1, -1, '2024-01-01 00:00:02'), ('x', 5, 1, '2024-01-01 00:00:02')");
    expect(await rows('SELECT k, v, _tp_delta FROM table(dims) ORDER BY k')).toEqual([['x', '5', '1']]);
  });

  it('SELECT * hides the bookkeeping columns; _tp_sn is selectable and dense per stream', async () => {
    await q('CREATE STREAM sn (i int32)');
    await q('INSERT INTO sn (i) VALUES (1), (2)');
    await q('INSERT INTO sn (i) FORMAT JSONEachRow\n{"i":3}');
    await q('INSERT INTO sn SELECT i + 10 AS i FROM table(sn) WHERE _tp_sn = 0');
    const r = await post('SELECT * FROM table(sn) ORDER BY i FORMAT TSVWithNames');
    expect(r.text.split('\n')[0]).toBe('i\t_tp_time');
    expect(await rows('SELECT i, _tp_sn FROM table(sn) ORDER BY _tp_sn')).toEqual([['1', '0'], ['2', '1'], ['3', '2'], ['11', '3']]);
    expect(await rows('SELECT i FROM table(sn) WHERE _tp_sn >= 1 ORDER BY i')).toEqual([['2'], ['3'], ['11']]);
  });

  it('changelog streams show _tp_delta in SELECT *', async () => {
    await q("CREATE STREAM cl (i int32) SETTINGS mode='changelog'");
    await q('INSERT INTO cl (i, _tp_delta) VALUES (1, 1), (1, -1)');
    const r = await post('SELECT * FROM table(cl) FORMAT TSVWithNames');
    expect(r.text.split('\n')[0]).toBe('i\t_tp_time\t_tp_delta');
  });

  it('SHOW CREATE, EXISTS, duplicate names', async () => {
    expect(await q('SHOW CREATE STREAM s1')).toContain('CREATE STREAM s1');
    expect(await q('SHOW CREATE s1')).toContain('CREATE STREAM s1');
    expect(await q('EXISTS STREAM s1')).toBe('1\n');
    expect(await q('EXISTS STREAM nope')).toBe('0\n');
    await fails('CREATE STREAM s1 (x int8)', 57, 'STREAM_ALREADY_EXISTS');
    await q('CREATE STREAM IF NOT EXISTS s1 (x int8)');
  });

  it('windows over history: tumble(table(s), …) groups by window_start', async () => {
    await q('CREATE STREAM w (v int32)');
    await q("INSERT INTO w (v, _tp_time) VALUES (1, '2024-01-01 00:00:01'), (2, '2024-01-01 00:00:04'), (3, '2024-01-01 00:00:06')");
    expect(await rows('SELECT window_start, window_end, sum(v) AS s FROM tumble(table(w), 5s) GROUP BY window_start, window_end ORDER BY window_start')).toEqual([
      ['2024-01-01 00:00:00.000', '2024-01-01 00:00:05.000', '3'],
      ['2024-01-01 00:00:05.000', '2024-01-01 00:00:10.000', '3'],
    ]);
    expect(await rows('SELECT window_start, count() AS c FROM hop(table(w), 5s, 10s) GROUP BY window_start ORDER BY window_start')).toEqual([
      ['2023-12-31 23:59:55.000', '2'],
      ['2024-01-01 00:00:00.000', '3'],
      ['2024-01-01 00:00:05.000', '1'],
    ]);
    expect(await rows('SELECT count() FROM table(w) WHERE _tp_time > earliest_ts()')).toEqual([['3']]);
  });

  it('the catalog survives a restart', async () => {
    const dir = server.dataDir;
    await server.stop(true);
    server = await startHadron({}, dir);
    expect((await rows('DESCRIBE prices')).map((r) => r[0])).toEqual(['sku', 'price', '_tp_time']);
    await q("INSERT INTO prices (sku, price) VALUES ('c', 1)");
    expect(await rows("SELECT _tp_sn FROM table(prices) WHERE sku = 'c'")).toEqual([['3']]);
  }, 120_000);
});

describe('§4 B: query modes (table mode parts)', () => {
  it('B15 table() and query_mode=table', async () => {
    await q('CREATE STREAM q1 (k string, v int32)');
    await q("INSERT INTO q1 (k, v) VALUES ('old', 9)");
    await q("INSERT INTO q1 (k, v) VALUES ('a', 1), ('b', 2), ('c', 3)");
    expect(await q('SELECT count() FROM table(q1)')).toBe('4\n');
    expect(await q("SELECT count() FROM q1 SETTINGS query_mode='table'")).toBe('4\n');
  });

  it('B16 the snapshot port reads history; table() on the streaming port too (its streaming reads: streaming.test.ts)', async () => {
    expect(await q('SELECT count() FROM q1')).toBe('4\n');
    expect((await post('SELECT count() FROM table(q1)', {}, {}, server.streamingUrl)).text).toBe('4\n');
    const emit = await post('SELECT count() FROM table(q1) EMIT PERIODIC 1s');
    expect(emit.code).toBe('48');
    // query_mode set for the session turns the streaming port's reads historical.
    const session = { session_id: 'b16-session' };
    expect((await post("SET query_mode = 'table'", session, {}, server.streamingUrl)).status).toBe(200);
    expect((await post('SELECT count() FROM q1', session, {}, server.streamingUrl)).text).toBe('4\n');
  });
});

describe('§4 J: types, functions, dialect', () => {
  it('J70 Proton type names on output', async () => {
    expect(await rows("SELECT to_type_name(to_datetime64('2024-01-01 00:00:00', 3, 'UTC')) AS a, to_type_name([1, 2]) AS b, to_type_name(cast(null, 'nullable(string)')) AS c, to_type_name(map_cast('k', 1)) AS d"))
      .toEqual([["datetime64(3, 'UTC')", 'array(uint8)', 'nullable(string)', 'map(string, uint8)']]);
    await q('CREATE STREAM tj (id string, value float32, ts datetime64(3))');
    await q("INSERT INTO tj (id, value, ts) VALUES ('a', 1.5, '2024-01-01 00:00:00')");
    const json = JSON.parse(await q('SELECT id, value, ts FROM tj FORMAT JSON')) as { meta: unknown };
    expect(json.meta).toEqual([{ name: 'id', type: 'string' }, { name: 'value', type: 'float32' }, { name: 'ts', type: 'datetime64(3)' }]);
  });

  it('J71 renamed functions', async () => {
    expect(await rows("SELECT to_YYYYMM(to_date('2024-03-15')), date_diff('second', to_datetime('2024-01-01 00:00:00', 'UTC'), to_datetime('2024-01-01 00:01:30', 'UTC')), json_extract_string('{\"a\":\"x\"}', 'a'), to_start_of_interval(to_datetime('2024-01-01 00:00:07', 'UTC'), INTERVAL 5 SECOND), replace_regex('a1b22', '\\\\d+', '#'), to_unix_timestamp64_milli(to_datetime64('2024-01-01 00:00:00.123', 3, 'UTC'))"))
      .toEqual([['202403', '90', 'x', '2024-01-01 00:00:05', 'a#b#', '1704067200123']]);
    expect(await rows("SELECT to_time('2023-09-19T05:31:34Z', 'UTC') AS t, to_type_name(t)")).toEqual([['2023-09-19 05:31:34.000', "datetime64(3, 'UTC')"]]);
  });

  it('J72 casts, JSON shorthand, interval shorthand', async () => {
    expect(await q("SELECT '12'::int32 + 1 AS x")).toBe('13\n');
    expect(await rows('SELECT raw:a.b AS y, raw:c AS z FROM (SELECT \'{"a":{"b":1},"c":"q"}\' AS raw)')).toEqual([['1', 'q']]);
    expect(await rows("SELECT to_datetime('2024-01-01 00:00:00', 'UTC') + 1h AS a, to_datetime('2024-01-01 00:00:00', 'UTC') + 1M AS b")).toEqual([['2024-01-01 01:00:00', '2024-02-01 00:00:00']]);
    const named = await post("SELECT raw:a FROM (SELECT '{\"a\":1}' AS raw) FORMAT TSVWithNames");
    expect(named.text).toBe('raw:a\n1\n');
  });

  it('J73 AS required for Proton clients; UNION = UNION ALL; case rules', async () => {
    await fails('SELECT 1 x', 62, 'SYNTAX_ERROR');
    expect(await q('SELECT 1 AS x UNION SELECT 1 AS x')).toBe('1\n1\n');
    expect(await rows('SELECT COUNT(*), To_String(7) FROM numbers(3)')).toEqual([['3', '7']]);
    await fails('SELECT count() FROM table(Q1)', 60, 'UNKNOWN_STREAM');
  });

  it('J74 parametric aggregates and combinators', async () => {
    expect(await rows('SELECT quantile(number, 0.5), top_k(to_string(number % 3), 1), count(DISTINCT number % 3), count() FILTER (WHERE number > 5), count_if(number > 5), unique_exact(number % 3) FROM numbers(10)'))
      .toEqual([['4.5', "['0']", '3', '4', '4', '3']]);
  });

  it('ClickHouse clients: implicit aliases, camelCase names and ClickHouse type names in the same server', async () => {
    const ch = { 'user-agent': 'clickhouse-js/1.23.1' };
    const r = await post('SELECT currentUser() user, toTypeName(1) AS t FORMAT JSONCompact', {}, ch);
    const doc = JSON.parse(r.text) as { meta: { name: string; type: string }[]; data: unknown[][] };
    expect(doc.meta).toEqual([{ name: 'user', type: 'String' }, { name: 't', type: 'String' }]);
    expect(doc.data).toEqual([['default', 'UInt8']]);
    const forced = await post('SELECT 1 x', { hadron_client_dialect: 'clickhouse' });
    expect(forced.text).toBe('1\n');
  });

  it('unknown functions: 46 with a hint; unsupported and streaming-only ones are coded', async () => {
    await fails('SELECT no_such_function(1)', 46, 'UNKNOWN_FUNCTION');
    await fails('SELECT lag(number) FROM numbers(3)', 48, 'NOT_IMPLEMENTED');
  });

  it('hostile identifiers reach the store only through the printer', async () => {
    // (chDB refuses table names with glob characters such as `*`: its file-path handling, not ours.)
    const names = ["it's", 'back`tick', 'semi;colon -- x', 'ünï 😀', 'dq"uote', 'SELECT'];
    for (const [i, n] of names.entries()) {
      const quoted = `\`${n.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
      await q(`CREATE STREAM ${quoted} (${quoted} int32)`);
      await q(`INSERT INTO ${quoted} (${quoted}) VALUES (${i})`);
      expect(await q(`SELECT ${quoted} FROM table(${quoted})`)).toBe(`${i}\n`);
      expect((await rows(`DESCRIBE ${quoted}`))[0]?.[0]).toBe(n);
    }
  });
});

describe('catalog introspection and the rest of the DDL', () => {
  it('system.tables and system.columns in Proton spelling', async () => {
    await q('CREATE STREAM intro (a int32, b nullable(string))');
    expect(await rows("SELECT name, engine FROM system.tables WHERE database = 'default' AND name = 'intro'")).toEqual([['intro', 'Stream']]);
    expect(await rows("SELECT name, type FROM system.columns WHERE database = 'default' AND table = 'intro' ORDER BY position")).toEqual([
      ['a', 'int32'], ['b', 'nullable(string)'], ['_tp_time', "datetime64(3, 'UTC')"],
    ]);
    expect(await rows("SELECT count() FROM system.tables WHERE database = '_hadron'")).toEqual([['0']]);
  });

  it('UNKNOWN_FUNCTION hints in Proton names', async () => {
    const text = await fails('SELECT to_strin(1)', 46, 'UNKNOWN_FUNCTION');
    expect(text).toContain("Maybe you meant: ['to_string'");
  });

  it('views over history, RENAME, TRUNCATE, OPTIMIZE, SQL functions, format schemas, external definitions', async () => {
    await q('CREATE STREAM vsrc (k string, v int32)');
    await q("INSERT INTO vsrc (k, v) VALUES ('a', 1), ('b', 2)");
    await q('CREATE VIEW vv AS SELECT k, v * 10 AS v10 FROM table(vsrc)');
    expect(await rows('SELECT k, v10 FROM vv ORDER BY k')).toEqual([['a', '10'], ['b', '20']]);
    expect(await rows("SHOW STREAMS LIKE 'v%'")).toEqual([['vsrc'], ['vv']]);
    await q('RENAME STREAM vsrc TO vsrc2');
    expect(await rows('SELECT count() FROM table(vsrc2)')).toEqual([['2']]);
    await q("INSERT INTO vsrc2 (k, v) VALUES ('c', 3)");
    expect(await rows("SELECT _tp_sn FROM table(vsrc2) WHERE k = 'c'")).toEqual([['2']]);
    await q('OPTIMIZE STREAM vsrc2');
    await q('TRUNCATE STREAM vsrc2');
    expect(await rows('SELECT count() FROM table(vsrc2)')).toEqual([['0']]);
    await q('CREATE FUNCTION plus_one AS (x) -> x + 1');
    expect(await rows('SELECT plus_one(41)')).toEqual([['42']]);
    await q('DROP FUNCTION plus_one');
    await q("CREATE FORMAT SCHEMA sch AS 'syntax = \"proto3\"; message M { int32 a = 1; }' TYPE Protobuf");
    expect(await rows('SHOW FORMAT SCHEMAS')).toEqual([['sch', 'Protobuf']]);
    await q("CREATE EXTERNAL STREAM ext (raw string) SETTINGS type='kafka', brokers='127.0.0.1:9092', topic='t'");
    expect(await rows("SHOW STREAMS LIKE 'ext'")).toEqual([['ext']]);
    await fails('SELECT * FROM ext', 48, 'NOT_IMPLEMENTED');
    await q('DROP STREAM ext');
    await fails('CREATE MATERIALIZED VIEW mv AS SELECT count() FROM vsrc2', 48, 'NOT_IMPLEMENTED');
    expect(await rows("SELECT to_type_name(v) FROM table(vsrc2) LIMIT 1")).toEqual([]);
    await q('DROP VIEW vv');
    await fails('SELECT * FROM vv', 60, 'UNKNOWN_STREAM');
  });

  it('ClickHouse DDL passes through for ClickHouse clients and Proton clients alike', async () => {
    await q('CREATE TABLE ch_t (x UInt8) ENGINE = MergeTree ORDER BY x');
    await q('INSERT INTO ch_t VALUES (1), (2)');
    expect(await rows('SELECT sum(x) FROM ch_t')).toEqual([['3']]);
    expect((await rows('DESCRIBE ch_t'))[0]?.slice(0, 2)).toEqual(['x', 'UInt8']);
    await q('DROP TABLE ch_t');
  });
});

describe('schema copies', () => {
  it('CREATE STREAM … AS s1 and AS SELECT copy the column list only', async () => {
    await q('CREATE STREAM copy_src (a int32, b string)');
    await q("INSERT INTO copy_src (a, b) VALUES (1, 'x')");
    await q('CREATE STREAM copy_like AS copy_src');
    await q('CREATE STREAM copy_sel AS SELECT a, to_string(a) AS s FROM table(copy_src)');
    expect((await rows('DESCRIBE copy_like')).map((r) => r.slice(0, 2))).toEqual([['a', 'int32'], ['b', 'string'], ['_tp_time', "datetime64(3, 'UTC')"]]);
    expect((await rows('DESCRIBE copy_sel')).map((r) => r.slice(0, 2))).toEqual([['a', 'int32'], ['s', 'string'], ['_tp_time', "datetime64(3, 'UTC')"]]);
    expect(await rows('SELECT count() FROM table(copy_sel)')).toEqual([['0']]);
  });
});

describe('statement forms found by the documentation pass', () => {
  it('DESCRIBE table(s), INSERT INTO STREAM, FORMAT … SETTINGS, EXPLAIN, DESCRIBE for ClickHouse clients', async () => {
    await q('CREATE STREAM forms (id int32, s string)');
    expect((await rows('DESCRIBE table(forms)')).map((r) => r[0])).toEqual(['id', 's', '_tp_time']);
    await q("INSERT INTO STREAM forms (id, s) VALUES (1, 'a')");
    expect(await q('SELECT id FROM table(forms) FORMAT TSV SETTINGS max_threads = 1')).toBe('1\n');
    expect(await q('EXPLAIN SELECT id FROM table(forms)')).toContain('ReadFromMergeTree (default.forms)');
    const ch = await post('DESCRIBE forms', {}, { 'user-agent': 'clickhouse-connect/1.7.2' });
    expect(ch.text.split('\n').map((l) => l.split('\t').slice(0, 2).join(' ')).slice(0, 3)).toEqual(['id Int32', 's String', "_tp_time DateTime64(3, \\'UTC\\')"]);
  });
});

describe('more forms', () => {
  it('LATEST joins over history, mutable streams, append streams keyed by PRIMARY KEY, Proton types in parameters', async () => {
    await q('CREATE STREAM lj_l (k string, v int32)');
    await q('CREATE STREAM lj_r (k string, w int32)');
    await q("INSERT INTO lj_l (k, v) VALUES ('a', 1), ('b', 2)");
    await q("INSERT INTO lj_r (k, w) VALUES ('a', 10)");
    expect(await rows('SELECT l.k, r.w FROM table(lj_l) AS l LEFT LATEST JOIN table(lj_r) AS r ON l.k = r.k ORDER BY l.k')).toEqual([['a', '10'], ['b', '0']]);
    await q('CREATE MUTABLE STREAM mut (k string, v int32) PRIMARY KEY k');
    await q("INSERT INTO mut (k, v) VALUES ('a', 1)");
    await q("INSERT INTO mut (k, v) VALUES ('a', 2)");
    expect(await rows('SELECT k, v FROM table(mut)')).toEqual([['a', '2']]);
    await q('CREATE STREAM pk_append (k string, v int32) PRIMARY KEY k');
    await q("INSERT INTO pk_append (k, v) VALUES ('a', 1), ('a', 2)");
    expect(await rows('SELECT count() FROM table(pk_append)')).toEqual([['2']]);
    expect(await q('SELECT {p:uint8} + 1 AS x', { param_p: '41' })).toBe('42\n');
  });
});

describe('arrival-order aggregates', () => {
  it('latest() and earliest() follow _tp_sn over a stream, anyLast/any elsewhere', async () => {
    await q('CREATE STREAM arr (k string, v int32)');
    await q("INSERT INTO arr (k, v) VALUES ('a', 3), ('b', 1)");
    await q("INSERT INTO arr (k, v) VALUES ('a', 1), ('a', 2)");
    expect(await rows('SELECT k, latest(v), earliest(v) FROM table(arr) GROUP BY k ORDER BY k')).toEqual([['a', '2', '3'], ['b', '1', '1']]);
    expect(await rows('SELECT latest(number), earliest(number) FROM (SELECT number FROM numbers(1))')).toEqual([['0', '0']]);
  });
});
