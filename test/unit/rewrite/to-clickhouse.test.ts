// SELECT rewrite (STYLE 5): every case shows the ClickHouse SQL the rewrite prints and runs it on the
// embedded ClickHouse over stream tables created from createTableSql, checking the rows.
import { beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/catalog.ts';
import type { CreateStream } from '../../../src/rewrite/ast-statement.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { parseExpression, parseStatement } from '../../../src/rewrite/parse-select.ts';
import { print } from '../../../src/rewrite/printer.ts';
import { createTableSql, streamEntry } from '../../../src/rewrite/storage.ts';
import { NeedsStreaming, toClickHouse, type RewriteContext, type Rewritten } from '../../../src/rewrite/to-clickhouse.ts';
import { protonTypeNameSql } from '../../../src/rewrite/type-name-sql.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';

const catalog = new Catalog();
const proton: RewriteContext = { catalog, database: 'default', dialect: 'proton', virtualTables: new Map() };
const clickhouse: RewriteContext = { ...proton, dialect: 'clickhouse' };

const streams = [
  'CREATE STREAM s (id int32, v float64, name string, raw string)',
  "CREATE STREAM kv (k string, v int32) PRIMARY KEY k SETTINGS mode='versioned_kv'",
  "CREATE STREAM ckv (k string, v int32) PRIMARY KEY k SETTINGS mode='changelog_kv'",
  "CREATE STREAM e (id int32, ts datetime64(3, 'UTC'), d datetime('UTC')) SETTINGS event_time_column='ts'",
];

/** Rows as `INSERT … SELECT` into the physical tables, with `_tp_sn` numbered as the store layer does. */
const data = [
  `INSERT INTO default.s (id, v, name, raw, _tp_time, _tp_sn) SELECT * FROM values(
     (1, 1.5, 'a', '{"a":{"b":1},"c":"q"}', '2024-01-01 00:00:01', 0), (2, 2.5, 'b', '{"a":{"b":2}}', '2024-01-01 00:00:04', 1),
     (3, 3.5, 'a', '{}', '2024-01-01 00:00:06', 2), (1, 9.5, 'c', '{}', '2024-01-01 00:00:07', 3))`,
  "INSERT INTO default.kv (k, v, _tp_time, _tp_sn) VALUES ('a', 10, '2024-01-01 00:00:00', 0), ('b', 20, '2024-01-01 00:00:00', 1)",
  "INSERT INTO default.kv (k, v, _tp_time, _tp_sn) VALUES ('a', 11, '2024-01-02 00:00:01', 2)",
  "INSERT INTO default.ckv (k, v, _tp_time, _tp_sn) VALUES ('x', 1, '2024-01-01 00:00:00', 0), ('y', 2, '2024-01-01 00:00:00', 1)",
  "INSERT INTO default.ckv (k, v, _tp_delta, _tp_time, _tp_sn) VALUES ('y', 2, -1, '2024-01-01 00:00:01', 2)",
  "INSERT INTO default.ckv (k, v, _tp_delta, _tp_time, _tp_sn) VALUES ('x', 1, -1, '2024-01-01 00:00:02', 3), ('x', 5, 1, '2024-01-01 00:00:02', 4)",
  "INSERT INTO default.e (id, ts, d, _tp_sn) VALUES (1, '2024-01-01 00:00:02.500', '2024-01-01 00:01:02', 0), (2, '2024-01-01 00:00:07', '2024-01-01 00:01:09', 1)",
];

const db = tempSession('to-clickhouse');

beforeAll(() => {
  for (const sql of streams) {
    const entry = streamEntry(parseSql(sql) as CreateStream, 'default', sql, null);
    catalog.put(entry);
    db.session.query(createTableSql(entry, proton, false));
  }
  for (const sql of data) db.session.query(sql.replace(/\) (VALUES|SELECT)/, ') SETTINGS insert_allow_materialized_columns = 1 $1'));
});

const rewrite = (sql: string, ctx = proton): Rewritten => toClickHouse(parseStatement(sql, { implicitAliases: ctx.dialect === 'clickhouse' }), ctx);
const text = (r: Rewritten): string => print(r.statement, 'clickhouse');

/** Runs a rewritten statement with the store settings it asks for; TSV rows. */
function run(r: Rewritten): string {
  const settings = [...r.settings].map(([k, v]) => `${k} = ${v}`);
  return db.session.query(`${text(r)}${settings.length > 0 ? ` SETTINGS ${settings.join(', ')}` : ''}`, 'TSV');
}

type Case = readonly [name: string, proton: string, clickhouse: string, rows: string];

function cases(list: readonly Case[], ctx = proton): void {
  for (const [name, sql, expected, rows] of list) {
    it(name, () => {
      const r = rewrite(sql, ctx);
      expect(text(r)).toBe(expected);
      expect(run(r)).toBe(rows);
    });
  }
}

describe('functions', () => {
  cases([
    ['renamed functions (J71)', "SELECT to_YYYYMM(to_date('2024-03-15')) AS a, date_diff('second', to_datetime('2024-01-01 00:00:00', 'UTC'), to_datetime('2024-01-01 00:01:30', 'UTC')) AS b, json_extract_string('{\"a\":\"x\"}', 'a') AS c, replace_regex('a1b22', '\\\\d+', '#') AS d, to_unix_timestamp64_milli(to_datetime64('2024-01-01 00:00:00.123', 3, 'UTC')) AS e",
      "SELECT toYYYYMM(toDate('2024-03-15')) AS a, date_diff('second', toDateTime('2024-01-01 00:00:00', 'UTC'), toDateTime('2024-01-01 00:01:30', 'UTC')) AS b, JSONExtractString('{\"a\":\"x\"}', 'a') AS c, replaceRegexpAll('a1b22', '\\\\d+', '#') AS d, toUnixTimestamp64Milli(toDateTime64('2024-01-01 00:00:00.123', 3, 'UTC')) AS e",
      '202403\t90\tx\ta#b#\t1704067200123\n'],
    ['parametric aggregates take trailing parameters', 'SELECT quantile(v, 0.5) AS q, top_k(name, 1) AS t, group_array(id, 2) AS g FROM table(s)',
      'SELECT quantile(0.5)(v) AS q, topK(1)(name) AS t, groupArray(2)(id) AS g FROM s', "3\t['a']\t[1,2]\n"],
    ['combinators resolve on their base', 'SELECT sum_if(v, id > 1) AS a, count_if(id > 1) AS b, unique_exact_if(name, id < 3) AS c, avg_or_null(v) AS d FROM table(s)',
      'SELECT sumIf(v, id > 1) AS a, countIf(id > 1) AS b, uniqExactIf(name, id < 3) AS c, avgOrNull(v) AS d FROM s', '6\t2\t3\t4.25\n'],
    ['FILTER and DISTINCT stay as written', 'SELECT count() FILTER (WHERE id > 1) AS a, count(DISTINCT name) AS b FROM table(s)',
      'SELECT count() FILTER (WHERE id > 1) AS a, count(DISTINCT name) AS b FROM s', '2\t3\n'],
    ['names match case-insensitively', 'SELECT COUNT(*) AS a, To_String(7) AS b, Sum(id) AS c FROM table(s)', 'SELECT count(*) AS a, toString(7) AS b, sum(id) AS c FROM s', '4\t7\t7\n'],
    ['camelCase ClickHouse names are untouched', 'SELECT toUInt8(1) AS a, arraySort(arrayUnion([1], [2])) AS b, toTypeName(1) AS c', 'SELECT toUInt8(1) AS a, arraySort(arrayUnion([1], [2])) AS b, toTypeName(1) AS c', "1\t[1,2]\tUInt8\n"],
    ['to_time is parseDateTime64BestEffortUS', "SELECT to_time('2023-09-19T05:31:34Z', 'UTC') AS t, to_time('2023-09-19 05:31:34') AS u",
      "SELECT parseDateTime64BestEffortUSOrZero('2023-09-19T05:31:34Z', 3, 'UTC') AS t, parseDateTime64BestEffortUSOrZero('2023-09-19 05:31:34', 3) AS u", '2023-09-19 05:31:34.000\t2023-09-19 05:31:34.000\n'],
    ['uuid, map_cast, array_cast, tuple_cast', "SELECT length(to_string(uuid())) AS a, map_cast('k', 1, 'l', 2) AS b, array_cast(1, 2) AS c, tuple_cast(1, 'x') AS d",
      "SELECT length(toString(generateUUIDv4())) AS a, map('k', 1, 'l', 2) AS b, array(1, 2) AS c, tuple(1, 'x') AS d", "36\t{'k':1,'l':2}\t[1,2]\t(1,'x')\n"],
    ['json_values reads each path', "SELECT json_values('{\"a\":\"1\",\"b\":\"x\"}', '$.a', '$.b') AS j",
      "SELECT [JSON_VALUE('{\"a\":\"1\",\"b\":\"x\"}', '$.a'), JSON_VALUE('{\"a\":\"1\",\"b\":\"x\"}', '$.b')] AS j", "['1','x']\n"],
    ['p90 is a quantile', 'SELECT p90(id) AS p FROM table(s)', 'SELECT quantile(0.9)(id) AS p FROM s', '2.7\n'],
    ['arguments are rewritten inside templates', 'SELECT map_cast(to_string(id), to_int(v)) AS m FROM table(s) WHERE id = 2', 'SELECT map(toString(id), toInt32(v)) AS m FROM s WHERE id = 2', "{'2':2}\n"],
  ]);
});

describe('casts, JSON paths, intervals', () => {
  cases([
    [':: cast with a Proton type', "SELECT '12'::int32 + 1 AS x, '1.5'::nullable(float64) AS y", "SELECT CAST('12' AS Int32) + 1 AS x, CAST('1.5' AS Nullable(Float64)) AS y", '13\t1.5\n'],
    ['CAST(x AS t) and CAST(x, \'t\')', "SELECT CAST(1 AS low_cardinality(string)) AS a, cast(NULL, 'nullable(string)') AS b, to_type_name(CAST(2, 'uint16')) AS c",
      `SELECT CAST(1 AS LowCardinality(String)) AS a, CAST(NULL, 'Nullable(String)') AS b, ${print(protonTypeNameSql(parseExpression("CAST(2, 'UInt16')")), 'clickhouse')} AS c`, '1\t\\N\tuint16\n'],
    ['JSON path shorthand', 'SELECT raw:a.b AS y, raw:c AS z FROM table(s) WHERE id = 1 AND _tp_sn = 0', "SELECT JSON_VALUE(raw, '$.a.b') AS y, JSON_VALUE(raw, '$.c') AS z FROM s WHERE id = 1 AND _tp_sn = 0", '1\tq\n'],
    ['interval shorthand', "SELECT to_datetime('2024-01-01 00:00:00', 'UTC') + 1h AS a, to_datetime('2024-01-01 00:00:00', 'UTC') + 1M AS b, to_datetime('2024-01-01 00:00:00', 'UTC') - 90s AS c",
      "SELECT toDateTime('2024-01-01 00:00:00', 'UTC') + INTERVAL 1 HOUR AS a, toDateTime('2024-01-01 00:00:00', 'UTC') + INTERVAL 1 MONTH AS b, toDateTime('2024-01-01 00:00:00', 'UTC') - INTERVAL 90 SECOND AS c",
      '2024-01-01 01:00:00\t2024-02-01 00:00:00\t2023-12-31 23:58:30\n'],
    ['to_type_name gives Proton names', "SELECT to_type_name([1, 2]) AS t", `SELECT ${print(protonTypeNameSql(parseExpression('[1, 2]')), 'clickhouse')} AS t`, 'array(uint8)\n'],
  ]);
});

describe('table(s) and keyed streams', () => {
  cases([
    ['table(s) is the stream table; SELECT * hides _tp_sn', 'SELECT * FROM table(s) WHERE id = 2', 'SELECT * FROM s WHERE id = 2', '2\t2.5\tb\t{"a":{"b":2}}\t2024-01-01 00:00:04.000\n'],
    ['the alias is kept', 'SELECT x.id FROM table(s) AS x ORDER BY x.id LIMIT 1', 'SELECT x.id FROM s AS x ORDER BY x.id LIMIT 1', '1\n'],
    ['db.s', 'SELECT count() FROM table(default.s)', 'SELECT count() FROM default.s', '4\n'],
    ['_tp_sn is selectable by name', 'SELECT id, _tp_sn FROM table(s) WHERE _tp_sn >= 2 ORDER BY _tp_sn', 'SELECT id, _tp_sn FROM s WHERE _tp_sn >= 2 ORDER BY _tp_sn', '3\t2\n1\t3\n'],
    ['versioned_kv: latest row per key, across days (A11)', 'SELECT k, v FROM table(kv) ORDER BY k', 'SELECT k, v FROM (SELECT * FROM default.kv ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY k) AS kv ORDER BY k', 'a\t11\nb\t20\n'],
    ['changelog_kv: deletes drop a key, -1/+1 updates it (A12)', 'SELECT k, v, _tp_delta FROM table(ckv) ORDER BY k', 'SELECT k, v, _tp_delta FROM (SELECT * FROM (SELECT * FROM default.ckv ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY k) WHERE _tp_delta > 0) AS ckv ORDER BY k', 'x\t5\t1\n'],
    ['changelog_kv SELECT * shows _tp_delta, not _is_deleted', 'SELECT * FROM table(ckv)', 'SELECT * FROM (SELECT * FROM (SELECT * FROM default.ckv ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY k) WHERE _tp_delta > 0) AS ckv', 'x\t5\t2024-01-01 00:00:02.000\t1\n'],
    ['a keyed stream in a join reads latest rows', 'SELECT s.id, kv.v FROM table(s) AS s INNER JOIN table(kv) AS kv ON s.name = kv.k ORDER BY s.id', 'SELECT s.id, kv.v FROM s AS s INNER JOIN (SELECT * FROM default.kv ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY k) AS kv ON s.name = kv.k ORDER BY s.id', '1\t11\n2\t20\n3\t11\n'],
  ]);

  it('keyed streams need no store setting (no FINAL: a subquery picks the latest versions)', () => {
    expect(rewrite('SELECT * FROM table(kv)').settings.size).toBe(0);
    expect(rewrite('SELECT 1 AS x FROM table(s) WHERE id IN (SELECT v FROM table(ckv))').settings.size).toBe(0);
    expect(rewrite('SELECT * FROM table(s)').settings.size).toBe(0);
  });

  it('the store keeps every version (why reads pick the latest)', () => {
    expect(db.session.query('SELECT count() FROM kv', 'TSV')).toBe('3\n');
  });

  it('streams read and streams read bare', () => {
    const r = rewrite('SELECT * FROM s INNER JOIN table(kv) AS k ON s.name = k.k');
    expect(r.streams.map((x) => x.name)).toEqual(['s', 'kv']);
    expect(r.bareStreams.map((x) => x.name)).toEqual(['s']);
    expect(rewrite('SELECT * FROM tumble(s, 5s)').bareStreams.map((x) => x.name)).toEqual(['s']);
    expect(rewrite('SELECT * FROM tumble(table(s), 5s)').bareStreams).toEqual([]);
  });
});

const TUMBLE = (col: string, size: string, from: string): string =>
  `(SELECT *, CAST(toStartOfInterval(${col}, ${size}), toTypeName(${col})) AS window_start, window_start + ${size} AS window_end FROM ${from})`;

describe('windows over history', () => {
  cases([
    ['tumble on _tp_time', 'SELECT window_start, window_end, sum(v) AS total FROM tumble(table(s), 5s) GROUP BY window_start, window_end ORDER BY window_start',
      `SELECT window_start, window_end, sum(v) AS total FROM ${TUMBLE('_tp_time', 'INTERVAL 5 SECOND', 's')} GROUP BY window_start, window_end ORDER BY window_start`,
      '2024-01-01 00:00:00.000\t2024-01-01 00:00:05.000\t4\n2024-01-01 00:00:05.000\t2024-01-01 00:00:10.000\t13\n'],
    ['window columns have the time column\'s type', 'SELECT to_type_name(window_start) AS a, to_type_name(window_end) AS b FROM tumble(table(s), 5s) LIMIT 1',
      `SELECT ${print(protonTypeNameSql(parseExpression('window_start')), 'clickhouse')} AS a, ${print(protonTypeNameSql(parseExpression('window_end')), 'clickhouse')} AS b FROM ${TUMBLE('_tp_time', 'INTERVAL 5 SECOND', 's')} LIMIT 1`,
      "datetime64(3, \\'UTC\\')\tdatetime64(3, \\'UTC\\')\n"],
    ['tumble on an explicit datetime column', 'SELECT id, window_start, to_type_name(window_start) AS t FROM tumble(table(e), d, 1m) ORDER BY id',
      `SELECT id, window_start, ${print(protonTypeNameSql(parseExpression('window_start')), 'clickhouse')} AS t FROM ${TUMBLE('d', 'INTERVAL 1 MINUTE', 'e')} ORDER BY id`,
      "1\t2024-01-01 00:01:00\tdatetime(\\'UTC\\')\n2\t2024-01-01 00:01:00\tdatetime(\\'UTC\\')\n"],
    ['event_time_column feeds _tp_time', 'SELECT id, window_start FROM tumble(table(e), 5s) ORDER BY id',
      `SELECT id, window_start FROM ${TUMBLE('_tp_time', 'INTERVAL 5 SECOND', 'e')} ORDER BY id`, '1\t2024-01-01 00:00:00.000\n2\t2024-01-01 00:00:05.000\n'],
    ['hop expands each row into size/slide windows', 'SELECT window_start, count() AS c FROM hop(table(s), 5s, 10s) GROUP BY window_start ORDER BY window_start',
      "SELECT window_start, count() AS c FROM (SELECT *, arrayJoin(arrayMap(__hadron_hop -> CAST(toStartOfInterval(_tp_time, INTERVAL 5 SECOND), toTypeName(_tp_time)) - INTERVAL (__hadron_hop * 5) SECOND, range(2))) AS window_start, window_start + INTERVAL 10 SECOND AS window_end FROM s) GROUP BY window_start ORDER BY window_start",
      '2023-12-31 23:59:55.000\t2\n2024-01-01 00:00:00.000\t4\n2024-01-01 00:00:05.000\t2\n'],
    ['tumble over dedup over table', 'SELECT window_start, count() AS c FROM tumble(dedup(table(s), id), 5s) GROUP BY window_start ORDER BY window_start',
      `SELECT window_start, count() AS c FROM ${TUMBLE('_tp_time', 'INTERVAL 5 SECOND', '(SELECT * FROM s ORDER BY _tp_sn LIMIT 1 BY id)')} GROUP BY window_start ORDER BY window_start`,
      '2024-01-01 00:00:00.000\t2\n2024-01-01 00:00:05.000\t1\n'],
    ['tumble with an alias', 'SELECT w.id FROM tumble(table(s), 5s) AS w WHERE w.window_start > earliest_ts() ORDER BY w.id DESC LIMIT 1',
      `SELECT w.id FROM ${TUMBLE('_tp_time', 'INTERVAL 5 SECOND', 's')} AS w WHERE w.window_start > toDateTime64('1900-01-01 00:00:00', 3, 'UTC') ORDER BY w.id DESC LIMIT 1`, '3\n'],
  ]);

  it('bad window arguments are 36 BAD_ARGUMENTS', () => {
    for (const sql of ['SELECT * FROM tumble(table(s), 5)', 'SELECT * FROM tumble(table(s))', 'SELECT * FROM hop(table(s), 3s, 10s)', 'SELECT * FROM hop(table(s), 10s, 5s)',
      'SELECT * FROM hop(table(s), 1s, 1m)', 'SELECT * FROM tumble(table(s), _tp_time, 5s, 10s)', 'SELECT * FROM tumble(1, 5s)']) {
      expect(thrownCode(() => rewrite(sql)), sql).toBe(36);
    }
  });

  it('session() over history is 48', () => {
    expect(thrownCode(() => rewrite('SELECT * FROM session(table(s), 5s)'))).toBe(48);
  });
});

describe('dedup and earliest_ts', () => {
  cases([
    ['dedup keeps the first stored row per key', 'SELECT id, name FROM dedup(table(s), id) ORDER BY id', 'SELECT id, name FROM (SELECT * FROM s ORDER BY _tp_sn LIMIT 1 BY id) ORDER BY id', '1\ta\n2\tb\n3\ta\n'],
    ['dedup on several keys, ttl and max_keys ignored over history', 'SELECT count() FROM dedup(table(s), id, name, 120s, 5000)', 'SELECT count() FROM (SELECT * FROM s ORDER BY _tp_sn LIMIT 1 BY id, name)', '4\n'],
    ['dedup with an alias', 'SELECT d.id FROM dedup(table(s), name) AS d ORDER BY d.id', 'SELECT d.id FROM (SELECT * FROM s ORDER BY _tp_sn LIMIT 1 BY name) AS d ORDER BY d.id', '1\n1\n2\n'],
    ['earliest_ts() is before every row', 'SELECT count() FROM table(s) WHERE _tp_time > earliest_ts()', "SELECT count() FROM s WHERE _tp_time > toDateTime64('1900-01-01 00:00:00', 3, 'UTC')", '4\n'],
    ['earliest_timestamp() too', 'SELECT count() FROM table(s) WHERE _tp_time > earliest_timestamp()', "SELECT count() FROM s WHERE _tp_time > toDateTime64('1900-01-01 00:00:00', 3, 'UTC')", '4\n'],
  ]);

  it('dedup without a key is 42', () => {
    expect(thrownCode(() => rewrite('SELECT * FROM dedup(table(s))'))).toBe(42);
  });
});

describe('every level of the query', () => {
  cases([
    ['scalar and IN subqueries', 'SELECT to_string(count()) AS c FROM table(s) WHERE id IN (SELECT to_int32(v) FROM table(kv)) OR id = (SELECT max(to_int32(id)) FROM table(s))',
      'SELECT toString(count()) AS c FROM s WHERE id IN (SELECT toInt32(v) FROM (SELECT * FROM default.kv ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY k) AS kv) OR id = (SELECT max(toInt32(id)) FROM s)', '1\n'],
    ['CTEs', 'WITH t AS (SELECT to_string(id) AS i FROM table(s)) SELECT array_sort(group_uniq_array(i)) AS u FROM (SELECT i FROM t ORDER BY i) ',
      'WITH t AS (SELECT toString(id) AS i FROM s) SELECT arraySort(groupUniqArray(i)) AS u FROM (SELECT i FROM t ORDER BY i)', "['1','2','3']\n"],
    ['a CTE named like a stream is the CTE', 'WITH kv AS (SELECT 1 AS k) SELECT count() AS c FROM kv', 'WITH kv AS (SELECT 1 AS k) SELECT count() AS c FROM kv', '1\n'],
    ['joins and their ON', "SELECT a.id, b.k FROM table(s) AS a LEFT JOIN table(kv) AS b ON to_string(a.id) = b.k OR a.name = b.k WHERE a.id = 2 ORDER BY a.id",
      "SELECT a.id, b.k FROM s AS a LEFT JOIN (SELECT * FROM default.kv ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY k) AS b ON toString(a.id) = b.k OR a.name = b.k WHERE a.id = 2 ORDER BY a.id", '2\tb\n'],
    ['UNION is rewritten on both sides', 'SELECT to_string(1) AS x UNION SELECT to_string(id) AS x FROM table(s) WHERE id = 3', 'SELECT toString(1) AS x UNION ALL SELECT toString(id) AS x FROM s WHERE id = 3', '1\n3\n'],
    ['GROUP BY, HAVING, ORDER BY, LIMIT BY, window functions', 'SELECT name, count() AS c, row_number() OVER (ORDER BY to_string(name)) AS r FROM table(s) GROUP BY name HAVING count_if(id > 0) > 0 ORDER BY to_string(name) LIMIT 1 BY name',
      'SELECT name, count() AS c, row_number() OVER (ORDER BY toString(name)) AS r FROM s GROUP BY name HAVING countIf(id > 0) > 0 ORDER BY toString(name) LIMIT 1 BY name', 'a\t2\t1\nb\t1\t2\nc\t1\t3\n'],
    ['SELECT * EXCEPT', 'SELECT * EXCEPT (raw, _tp_time) FROM table(s) WHERE id = 3', 'SELECT * EXCEPT (raw, _tp_time) FROM s WHERE id = 3', '3\t3.5\ta\n'],
  ]);
});

describe('settings', () => {
  it('Proton query settings are taken out of the SQL', () => {
    const r = rewrite("SELECT count() FROM s SETTINGS query_mode='table', seek_to='earliest', max_threads=1");
    expect(text(r)).toBe('SELECT count() FROM s SETTINGS max_threads = 1');
    expect([...r.protonSettings.keys()]).toEqual(['query_mode', 'seek_to']);
    expect(run(r)).toBe('4\n');
  });

  it('a query with only Proton settings has none left', () => {
    const r = rewrite("SELECT count() FROM s SETTINGS query_mode='table'");
    expect(text(r)).toBe('SELECT count() FROM s');
    expect(r.protonSettings.get('query_mode')).toEqual({ kind: 'string', value: 'table' });
  });
});

describe('identity and column names', () => {
  it('a statement that needs no change is returned as the same object', () => {
    for (const sql of ['SELECT 1', 'SELECT a, b + 1 AS c FROM t WHERE x > 1 ORDER BY a', 'SELECT toString(x) AS y FROM (SELECT 1 AS x) UNION ALL SELECT 2 AS y', 'SELECT * FROM numbers(3)', 'SELECT count() FROM s SETTINGS max_threads = 1']) {
      const statement = parseStatement(sql);
      expect(toClickHouse(statement, proton).statement, sql).toBe(statement);
    }
  });

  it('unchanged subtrees keep their identity', () => {
    const statement = parseStatement('SELECT to_string(id) AS x FROM table(s) WHERE id > 1 ORDER BY id');
    const q = toClickHouse(statement, proton).statement.query;
    const before = statement.query;
    if (q.kind !== 'select' || before.kind !== 'select') throw new Error('not a select');
    expect(q.where).toBe(before.where);
    expect(q.orderBy).toBe(before.orderBy);
  });

  cases([
    ['Proton clients: computed columns are named by their Proton text', 'SELECT to_string(id), raw:c, id + 1, id FROM table(s) WHERE id = 1 AND _tp_sn = 0 FORMAT TSVWithNames',
      "SELECT toString(id) AS `to_string(id)`, JSON_VALUE(raw, '$.c') AS `raw:c`, id + 1, id FROM s WHERE id = 1 AND _tp_sn = 0 FORMAT TSVWithNames", 'to_string(id)\traw:c\tplus(id, 1)\tid\n1\tq\t2\t1\n'],
  ]);

  cases([
    ['ClickHouse clients: no names added', 'SELECT to_string(id), raw:c FROM table(s) WHERE id = 1 AND _tp_sn = 0 FORMAT TSVWithNames',
      "SELECT toString(id), JSON_VALUE(raw, '$.c') FROM s WHERE id = 1 AND _tp_sn = 0 FORMAT TSVWithNames", "toString(id)\tJSON_VALUE(raw, \\'$.c\\')\n1\tq\n"],
  ], clickhouse);

  it('subquery columns are not renamed', () => {
    expect(text(rewrite('SELECT x FROM (SELECT to_string(1))'))).toBe('SELECT x FROM (SELECT toString(1))');
  });
});

describe('arrival-order aggregates', () => {
  it('latest/earliest read _tp_sn order over a stream, anyLast/any elsewhere', () => {
    const r = rewrite('SELECT latest(id), earliest(id) FROM table(s)');
    expect(text(r)).toBe('SELECT argMax(id, _tp_sn) AS `latest(id)`, argMin(id, _tp_sn) AS `earliest(id)` FROM s');
    run(r);
    expect(text(rewrite('SELECT latest(number) FROM numbers(3)'))).toBe('SELECT anyLast(number) AS `latest(number)` FROM numbers(3)');
  });
});

describe('what the rewrite refuses', () => {
  it('streaming constructs are NeedsStreaming (48)', () => {
    for (const sql of ['SELECT count() FROM table(s) EMIT PERIODIC 1s', 'SELECT lag(id) FROM table(s)', 'SELECT * FROM changelog(s, id)', 'SELECT count() FROM table(s) PARTITION BY id',
      'SELECT lags(id, 1, 2) FROM table(s)', 'SELECT 1 AS x FROM table(s) WHERE id IN (SELECT id FROM table(s) EMIT PERIODIC 1s)']) {
      expect(() => rewrite(sql), sql).toThrow(NeedsStreaming);
      expect(thrownCode(() => rewrite(sql)), sql).toBe(48);
    }
  });

  it('unsupported functions are 48 with a reason', () => {
    expect(() => rewrite("SELECT grok('x', '%{WORD:w}')")).toThrow(/not supported by Hadron: grok/);
    expect(thrownCode(() => rewrite('SELECT weak_hash32(1)'))).toBe(48);
  });

  it('unknown Proton type names are 50', () => {
    expect(thrownCode(() => rewrite("SELECT '1'::no_such_type"))).toBe(50);
  });

  it('template arity errors are 42', () => {
    expect(thrownCode(() => rewrite("SELECT to_time('a', 'UTC', 1, 2)"))).toBe(42);
  });
});

describe('fixes found by these tests', () => {
  cases([
    ['a time zone aligns the windows and keeps the column type', "SELECT window_start FROM tumble(table(s), 1d, 'Asia/Tokyo') WHERE id = 2",
      "SELECT window_start FROM (SELECT *, CAST(toStartOfInterval(_tp_time, INTERVAL 1 DAY, 'Asia/Tokyo'), toTypeName(_tp_time)) AS window_start, window_start + INTERVAL 1 DAY AS window_end FROM s) WHERE id = 2",
      '2023-12-31 15:00:00.000\n'],
    ['top_k with_count is ClickHouse\'s counts mode', 'SELECT top_k(name, 1, true) AS a, top_k(name, 1, false) AS b, top_k(name, 1, true, 5) AS c FROM table(s)',
      "SELECT topK(1, 3, 'counts')(name) AS a, topK(1)(name) AS b, topK(1, 5, 'counts')(name) AS c FROM s", "[('a',2,0)]\t['a']\t[('a',2,0)]\n"],
    ['type names given as strings are translated', "SELECT json_extract('{\"a\":[1]}', 'a', 'array(int32)') AS a, default_value_of_type_name('int8') AS b, reinterpret(to_uint8(1), 'int8') AS c, accurate_cast_or_null(300, 'uint8') AS d",
      "SELECT JSONExtract('{\"a\":[1]}', 'a', 'Array(Int32)') AS a, defaultValueOfTypeName('Int8') AS b, reinterpret(toUInt8(1), 'Int8') AS c, accurateCastOrNull(300, 'UInt8') AS d", '[1]\t0\t1\t\\N\n'],
    ['APPLY renames a function given by name; COLUMNS keeps its own names', "SELECT * EXCEPT (raw) APPLY(to_string) FROM table(s) WHERE _tp_sn = 0",
      "SELECT * EXCEPT (raw) APPLY(toString) FROM s WHERE _tp_sn = 0", '1\t1.5\ta\t2024-01-01 00:00:01.000\n'],
    ['COLUMNS with APPLY gets no alias', "SELECT COLUMNS('^i') APPLY(to_string) FROM table(s) WHERE _tp_sn = 0 FORMAT TSVWithNames", "SELECT COLUMNS('^i') APPLY(toString) FROM s WHERE _tp_sn = 0 FORMAT TSVWithNames", 'toString(id)\n1\n'],
    ['map_cast of two arrays is mapFromArrays', "SELECT map_cast(['a', 'b'], [1, 2]) AS m, map_cast('k', [1]) AS n", "SELECT mapFromArrays(['a', 'b'], [1, 2]) AS m, map('k', [1]) AS n", "{'a':1,'b':2}\t{'k':[1]}\n"],
  ]);

  it('a CTE that shadows a stream reads no stream', () => {
    const r = rewrite('WITH kv AS (SELECT 1 AS k) SELECT count() AS c FROM kv');
    expect(r.streams).toEqual([]);
    expect(r.settings.size).toBe(0);
    expect(rewrite('WITH t AS (SELECT * FROM kv) SELECT count() AS c FROM t').bareStreams.map((x) => x.name)).toEqual(['kv']);
  });
});
