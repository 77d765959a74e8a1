// A4 corpus: the statements the rewrite benchmark parses and plans, with the dialect each is sent in.
// Part 1 (from-tests.ts) is copied from the test corpora; here: what those lack (ClickHouse clients'
// spellings, CTEs, window functions, driver introspection, ClickHouse DDL) and generated statements
// of 0.3–16 KB. `setup` creates the streams the corpus reads that no corpus statement creates.
import type { Dialect } from '../../src/errors.ts';
import { httpTests, parserCorpus, statementCorpus } from './from-tests.ts';

export type Sample = { readonly sql: string; readonly dialect: Dialect };

/** Planned first (after the corpus's own CREATEs), so reads of these names find a stream. */
export const setup: readonly string[] = [
  'CREATE STREAM jl2 (i int32, k string)',
  "CREATE STREAM jr2 (j int32, kk string) PRIMARY KEY kk SETTINGS mode='versioned_kv'",
  'CREATE STREAM al (i int32, s string)',
  'CREATE STREAM ar (ii int32, ss string)',
  'CREATE STREAM vl (i int32, s string)',
  "CREATE STREAM vr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'",
  'CREATE STREAM d2 (i int32, s string)',
  'CREATE STREAM logs (code int32, msg string)',
  'CREATE STREAM metrics (device string, v float64)',
  'CREATE STREAM local (code int32)',
  'CREATE STREAM local_stream (http_code int32, path string)',
  'CREATE STREAM car_live_data (cid string, speed_kmh float32, total_km float64, gas_percent float32, locked bool, in_use bool)',
  'CREATE STREAM snowflake (RECORD_CONTENT string)',
  'CREATE STREAM events (id uint64, user_id uint64, kind string, amount float64, country string, raw string)',
];

/** Written by hand: Proton forms the test corpora have few of. */
const proton: readonly string[] = [
  `WITH recent AS (SELECT * FROM table(orders) WHERE _tp_time > now() - INTERVAL 1 DAY), totals AS (SELECT pid, sum(qty) AS q FROM recent GROUP BY pid)
SELECT p.pid, p.price * t.q AS revenue FROM totals AS t INNER JOIN table(products) AS p ON t.pid = p.pid ORDER BY revenue DESC LIMIT 10`,
  'SELECT pid, qty, row_number() OVER (PARTITION BY pid ORDER BY _tp_time) AS rn, sum(qty) OVER w AS running FROM table(orders) WINDOW w AS (PARTITION BY pid ORDER BY _tp_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
  'SELECT window_start, pid, sum(qty) AS q FROM tumble(table(orders), 1m) GROUP BY window_start, pid ORDER BY window_start, pid',
  'SELECT window_start, window_end, count() AS c, max(amount) AS m FROM hop(table(events), 1m, 5m) GROUP BY window_start, window_end',
  "SELECT raw:user.id::int64 AS uid, raw:kind AS kind, to_float64(raw:amount) AS amount FROM table(events) WHERE raw:kind = 'buy' LIMIT 100",
  "SELECT cast(amount, 'decimal(18, 2)') AS a, amount::string AS s, to_datetime('2024-01-01 00:00:00', 'UTC') + 90s AS t, now() - 2h AS u FROM table(events)",
  "SELECT country, count_if(kind = 'buy') AS buys, unique_exact(user_id) AS users, quantile(amount, 0.99) AS p99 FROM table(events) WHERE _tp_time > now() - INTERVAL 7 DAY GROUP BY country HAVING buys > 10 ORDER BY buys DESC",
  "SELECT to_start_of_interval(_tp_time, INTERVAL 5 MINUTE) AS t, count() AS c FROM table(events) WHERE _tp_time BETWEEN '2024-01-01 00:00:00' AND '2024-01-02 00:00:00' GROUP BY t ORDER BY t",
  'SELECT e.id, e.kind, p.price FROM table(events) AS e LEFT JOIN table(products) AS p ON e.kind = p.pid WHERE e.amount > (SELECT avg(amount) FROM table(events))',
  'SELECT id FROM table(events) WHERE user_id IN (SELECT user_id FROM table(events) WHERE kind = \'signup\') AND country NOT IN (\'XX\', \'YY\')',
  "SELECT multi_if(amount < 10, 'small', amount < 100, 'medium', 'large') AS size, count() AS c FROM table(events) GROUP BY size",
  'SELECT array_join([1, 2, 3]) AS x, x * 2 AS y',
  'SELECT kind, group_array(id) AS ids, arg_max(amount, _tp_time) AS last FROM table(events) GROUP BY kind',
  'SELECT * FROM table(events) ORDER BY _tp_time DESC LIMIT 10 OFFSET 20',
  'SELECT DISTINCT country FROM table(events)',
  'INSERT INTO events (id, user_id, kind, amount, country, raw) SELECT number, number % 100, \'gen\', number / 10, \'NL\', \'{}\' FROM numbers(1000)',
  'INSERT INTO events (id, kind) FORMAT JSONEachRow\n{"id":1,"kind":"x"}\n',
  'EXPLAIN SELECT count() FROM table(events) WHERE amount > 1',
  'SHOW STREAMS', "SHOW STREAMS LIKE 'ev%'", 'SHOW CREATE STREAM events', 'DESCRIBE events', 'DESC orders', 'EXISTS STREAM events',
  'SHOW DATABASES', 'SHOW FUNCTIONS', 'SHOW FORMAT SCHEMAS', 'USE default', "SET query_mode = 'table'",
  'ALTER STREAM events ADD COLUMN note string DEFAULT \'\'', 'ALTER STREAM events DROP COLUMN raw', 'TRUNCATE STREAM events',
  'DROP STREAM IF EXISTS no_such_stream', 'DELETE FROM events WHERE id < 10', 'OPTIMIZE STREAM events FINAL',
  "CREATE STREAM IF NOT EXISTS clicks_v2 (uid string, url string, ms uint32 DEFAULT 0, ts datetime64(3, 'UTC') DEFAULT now64(3, 'UTC')) SETTINGS event_time_column='ts'",
  'CREATE VIEW big_buys AS SELECT id, user_id, amount FROM table(events) WHERE amount > 1000',
  'CREATE FUNCTION add_vat AS (p) -> p * 1.21',
];

/** ClickHouse clients (drivers, Grafana, DBeaver, clickhouse-client): ClickHouse names, aliases without AS. */
const clickhouse: readonly string[] = [
  'SELECT 1', 'SELECT 1 x', 'SELECT version()', 'SELECT timezone()', 'SELECT currentDatabase()',
  'SELECT currentUser() user, toTypeName(1) AS t FORMAT JSONCompact',
  "SELECT name, type, default_kind, default_expression, comment FROM system.columns WHERE database = currentDatabase() AND table = 'orders' ORDER BY position",
  "SELECT database, name, engine FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY database, name",
  'SELECT name FROM system.databases ORDER BY name',
  "SELECT toStartOfInterval(_tp_time, INTERVAL 1 minute) t, count() c FROM table(orders) WHERE _tp_time >= toDateTime64(1700000000, 3) GROUP BY t ORDER BY t",
  "SELECT toDate(_tp_time) d, sumIf(qty, pid = 'p1') p1, uniqExact(oid) u FROM table(orders) GROUP BY d ORDER BY d",
  'SELECT number, toString(number) FROM numbers(10000)',
  "SELECT CAST(1 AS UInt8) a, toDateTime('2024-01-01 00:00:00', 'UTC') + INTERVAL 1 HOUR b, toDecimal64(1.5, 2) c",
  "SELECT JSONExtractString(raw, 'a') a, JSONExtractInt(raw, 'n') n FROM (SELECT '{\"a\":\"x\",\"n\":1}' raw)",
  'SELECT id, name FROM default.ch_t WHERE id = 3 FORMAT JSONEachRow',
  'CREATE TABLE IF NOT EXISTS ch_events (ts DateTime64(3), id UInt64, payload String) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (id, ts) SETTINGS index_granularity = 8192',
  'INSERT INTO ch_events (ts, id, payload) FORMAT RowBinary', 'INSERT INTO ch_events VALUES (now(), 1, \'x\')',
  'SHOW TABLES', 'SHOW DATABASES', 'DESCRIBE TABLE orders', 'EXISTS TABLE orders', 'SET max_threads = 4', 'USE default',
  "KILL QUERY WHERE query_id = 'q1' SYNC", 'EXPLAIN SELECT 1', 'SYSTEM FLUSH LOGS', 'OPTIMIZE TABLE ch_events FINAL',
  "ALTER TABLE ch_events ADD COLUMN extra String DEFAULT ''", 'TRUNCATE TABLE ch_events', 'DROP TABLE IF EXISTS ch_events',
  "GRANT SELECT ON default.* TO reader", "CREATE USER IF NOT EXISTS reader IDENTIFIED BY 'x'",
];

const pids = (n: number): string => Array.from({ length: n }, (_, i) => `'p${i}'`).join(', ');

/** A dashboard query: `n` conditional aggregates over a join, a CTE and a window function. */
function dashboard(n: number): string {
  const cols = Array.from({ length: n }, (_, i) => `sum(if(o.pid = 'p${i}', o.qty * p.price, 0)) AS revenue_${i}`).join(',\n  ');
  return `WITH base AS (SELECT o.oid, o.pid, o.qty, o._tp_time FROM table(orders) AS o WHERE o._tp_time > now() - INTERVAL 30 DAY)
SELECT to_start_of_interval(o._tp_time, INTERVAL 1 HOUR) AS hour,
  ${cols},
  count() AS n, row_number() OVER (ORDER BY hour) AS rn
FROM base AS o LEFT JOIN table(products) AS p ON o.pid = p.pid
WHERE o.pid IN (${pids(n)}) GROUP BY hour ORDER BY hour DESC LIMIT 100`;
}

const inList = (n: number): string => `SELECT count() FROM table(events) WHERE id IN (${Array.from({ length: n }, (_, i) => i * 7).join(', ')})`;

function wideStream(n: number): string {
  const cols = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `c${i} int64` : i % 3 === 1 ? `c${i} string DEFAULT ''` : `c${i} nullable(float64)`));
  return `CREATE STREAM wide_${n} (${cols.join(', ')}) ORDER BY c0 SETTINGS event_time_column='_tp_time'`;
}

/** Generated statements from tiny to past 2 KB (the ones over 2 KB count only in the "all" rows). */
const generated: readonly string[] = [
  dashboard(3), dashboard(8), dashboard(14), dashboard(40), inList(50), inList(300), inList(2000), wideStream(10), wideStream(40), wideStream(200),
];

export const samples: readonly Sample[] = [
  ...[...parserCorpus, ...statementCorpus, ...httpTests, ...proton].map((sql): Sample => ({ sql, dialect: 'proton' })),
  ...clickhouse.map((sql): Sample => ({ sql, dialect: 'clickhouse' })),
  ...generated.map((sql): Sample => ({ sql, dialect: 'proton' })),
];
