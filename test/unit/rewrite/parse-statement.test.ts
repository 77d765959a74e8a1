// Statement parser round trips (STYLE 4): each case lists equivalent spellings → one tree, and
// print → reparse gives the tree again (Proton; ClickHouse where it spells the statement the same
// way). ClickHouse-dialect output of ClickHouse-runnable statements is run on the embedded chDB.
import { describe, expect, it } from 'vitest';
import type { Expr, Query, Setting } from '../../../src/rewrite/ast.ts';
import type { Statement } from '../../../src/rewrite/ast-statement.ts';
import { parseSql, statementKeyword, UnknownStatement } from '../../../src/rewrite/parse-statement.ts';
import { printStatement } from '../../../src/rewrite/print-statement.ts';
import { classify } from '../../../src/rewrite/statement.ts';
import { GatewayError } from '../../../src/errors.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';

const id = (...parts: string[]) => ({ kind: 'identifier', parts }) as const;
const num = (text: string) => ({ kind: 'number', text }) as const;
const str = (value: string) => ({ kind: 'string', value }) as const;
const setting = (name: string, value: Expr): Setting => ({ kind: 'setting', name, value });
const query = (sql: string): Query => {
  const s = parseSql(sql);
  if (s.kind !== 'select_statement') throw new Error('not a query');
  return s.query;
};
/** An expression tree as the expression parser builds it. */
const expr = (sql: string): Expr => {
  const q = query(`SELECT ${sql}`);
  if (q.kind !== 'select') throw new Error('not a select');
  return q.columns[0] as Expr;
};
const type = (name: string) => ({ kind: 'type', name, args: [] }) as const;
const column = (name: string, t: string | null, more: object = {}) => ({
  kind: 'column_def', name, type: t === null ? null : type(t), nullable: null, defaultKind: null, default: null, codec: [], ttl: null, comment: null, ...more,
});

/** `clickhouse`: the ClickHouse text, 'same' when it reparses to the same tree, or 49 when it has none. */
type Case = { spellings: string[]; tree: unknown; clickhouse: string | 'same' | 49 };

const cases: Case[] = [
  {
    spellings: ['DROP STREAM IF EXISTS s SETTINGS force_drop_big_stream=true', 'drop stream if exists `s` settings force_drop_big_stream = TRUE;'],
    tree: { kind: 'drop', object: 'STREAM', temporary: false, ifExists: true, name: id('s'), cluster: null, sync: false, settings: [setting('force_drop_big_stream', { kind: 'bool', value: true })] },
    clickhouse: 'DROP TABLE IF EXISTS s SETTINGS force_drop_big_stream = true',
  },
  {
    spellings: ['DROP MATERIALIZED VIEW db.mv SYNC'],
    tree: { kind: 'drop', object: 'MATERIALIZED VIEW', temporary: false, ifExists: false, name: id('db', 'mv'), cluster: null, sync: true, settings: [] },
    clickhouse: 'DROP VIEW db.mv SYNC',
  },
  { spellings: ['DROP FORMAT SCHEMA s1'], tree: { kind: 'drop', object: 'FORMAT SCHEMA', temporary: false, ifExists: false, name: id('s1'), cluster: null, sync: false, settings: [] }, clickhouse: 49 },
  {
    spellings: ['RENAME STREAM a TO b, db.c TO db.d'],
    tree: { kind: 'rename', object: 'STREAM', pairs: [{ from: id('a'), to: id('b') }, { from: id('db', 'c'), to: id('db', 'd') }], cluster: null },
    clickhouse: 'RENAME TABLE a TO b, db.c TO db.d',
  },
  { spellings: ['TRUNCATE STREAM IF EXISTS s'], tree: { kind: 'truncate', object: 'STREAM', ifExists: true, name: id('s'), cluster: null }, clickhouse: 'TRUNCATE TABLE IF EXISTS s' },
  {
    spellings: ["DELETE FROM s WHERE k='x'", "delete from s where k = 'x'"],
    tree: { kind: 'delete', name: id('s'), where: { kind: 'binary', op: '=', left: id('k'), right: str('x') }, settings: [] },
    clickhouse: 'same',
  },
  {
    spellings: ["SHOW STREAMS FROM db1 LIKE 's%'", "show streams in db1 like 's%'"],
    tree: { kind: 'show', what: 'STREAMS', object: null, name: null, from: 'db1', like: { not: false, ilike: false, pattern: 's%' }, where: null, limit: null, full: false, settings: [], format: null },
    clickhouse: "SHOW TABLES FROM db1 LIKE 's%'",
  },
  {
    spellings: ["SHOW STREAMS LIKE '.inner.%' SETTINGS include_internal_streams=1 FORMAT JSON", "SHOW STREAMS LIKE '.inner.%' FORMAT JSON SETTINGS include_internal_streams=1"],
    tree: { kind: 'show', what: 'STREAMS', object: null, name: null, from: null, like: { not: false, ilike: false, pattern: '.inner.%' }, where: null, limit: null, full: false, settings: [setting('include_internal_streams', num('1'))], format: 'JSON' },
    clickhouse: "SHOW TABLES LIKE '.inner.%' FORMAT JSON SETTINGS include_internal_streams = 1",
  },
  {
    spellings: ['SHOW CREATE s', 'show create `s`'],
    tree: { kind: 'show', what: 'CREATE', object: null, name: id('s'), from: null, like: null, where: null, limit: null, full: false, settings: [], format: null },
    clickhouse: 'same',
  },
  { spellings: ['SHOW FORMAT SCHEMAS'], tree: { kind: 'show', what: 'FORMAT SCHEMAS', object: null, name: null, from: null, like: null, where: null, limit: null, full: false, settings: [], format: null }, clickhouse: 49 },
  {
    spellings: ['DESCRIBE s', 'DESC s', 'DESCRIBE STREAM s', 'describe table s;'],
    tree: { kind: 'describe', target: { kind: 'table_ref', name: id('s'), alias: null, final: false, sample: null }, settings: [], format: null },
    clickhouse: 'same',
  },
  { spellings: ['EXISTS STREAM s FORMAT TSV'], tree: { kind: 'exists', object: 'STREAM', name: id('s'), format: 'TSV' }, clickhouse: 'EXISTS TABLE s FORMAT TSV' },
  {
    spellings: ['OPTIMIZE STREAM s PARTITION ID \'2024\' FINAL'],
    tree: { kind: 'optimize', object: 'STREAM', name: id('s'), cluster: null, partition: { kind: 'partition', expr: null, id: '2024' }, final: true, deduplicate: false },
    clickhouse: "OPTIMIZE TABLE s PARTITION ID '2024' FINAL",
  },
  { spellings: ['USE `my db`', 'use "my db";'], tree: { kind: 'use', database: 'my db' }, clickhouse: 'same' },
  {
    spellings: ["SET max_threads = 2, seek_to = 'earliest', x = DEFAULT", "set max_threads=2,seek_to='earliest',x=DEFAULT"],
    tree: { kind: 'set', settings: [setting('max_threads', num('2')), setting('seek_to', str('earliest')), setting('x', id('DEFAULT'))] },
    clickhouse: 'same',
  },
  {
    spellings: ["KILL QUERY WHERE query_id = 'q1' SYNC FORMAT JSON", "kill query where query_id='q1' sync format JSON"],
    tree: { kind: 'kill_query', cluster: null, where: { kind: 'binary', op: '=', left: id('query_id'), right: str('q1') }, mode: 'SYNC', format: 'JSON' },
    clickhouse: 'same',
  },
  { spellings: ['SYSTEM FLUSH LOGS'], tree: { kind: 'system', words: ['FLUSH', 'LOGS'], target: null, permanent: false }, clickhouse: 'same' },
  { spellings: ['SYSTEM STOP MERGES db.t'], tree: { kind: 'system', words: ['STOP', 'MERGES'], target: id('db', 't'), permanent: false }, clickhouse: 'same' },
  {
    spellings: ['SYSTEM PAUSE MATERIALIZED VIEW mv PERMANENT', 'system pause materialized view mv permanent'],
    tree: { kind: 'system', words: ['PAUSE', 'MATERIALIZED', 'VIEW'], target: id('mv'), permanent: true },
    clickhouse: 49,
  },
  {
    spellings: ['EXPLAIN SYNTAX SELECT 1 FORMAT TSV'],
    tree: { kind: 'explain', explainKind: 'SYNTAX', options: [], statement: { kind: 'select_statement', query: query('SELECT 1'), format: null }, format: 'TSV' },
    clickhouse: 'same',
  },
  {
    spellings: ['EXPLAIN PIPELINE header = 1 SELECT 1'],
    tree: { kind: 'explain', explainKind: 'PIPELINE', options: [setting('header', num('1'))], statement: { kind: 'select_statement', query: query('SELECT 1'), format: null }, format: null },
    clickhouse: 'same',
  },
  {
    spellings: [
      'CREATE STREAM s (k string, v int) ORDER BY (k) PARTITION BY to_YYYYMM(_tp_time) PRIMARY KEY (k) SETTINGS mode=\'versioned_kv\'',
      'CREATE STREAM s (k string, v int, PRIMARY KEY k) PARTITION BY to_YYYYMM(_tp_time) ORDER BY k SETTINGS mode = \'versioned_kv\'',
    ],
    tree: {
      kind: 'create_stream', variant: 'stream', orReplace: false, ifNotExists: false, name: id('s'), columns: [column('k', 'string'), column('v', 'int')],
      indexes: [], asSource: null, asSelect: null, partitionBy: expr('to_YYYYMM(_tp_time)'),
      primaryKey: [id('k')], orderBy: [id('k')], sampleBy: null, ttl: null, settings: [setting('mode', str('versioned_kv'))], comment: null,
    },
    clickhouse: 49,
  },
  {
    spellings: [
      "CREATE RANDOM STREAM IF NOT EXISTS db.r (c string NOT NULL DEFAULT 'x' CODEC(ZSTD(1), LZ4) COMMENT 'hi', e int8 EPHEMERAL) COMMENT 'r'",
      "CREATE RANDOM STREAM IF NOT EXISTS db.r (c string NOT NULL DEFAULT 'x' COMMENT 'hi' CODEC(ZSTD(1), LZ4), e int8 EPHEMERAL) COMMENT 'r'",
    ],
    tree: {
      kind: 'create_stream', variant: 'random', orReplace: false, ifNotExists: true, name: id('db', 'r'),
      columns: [
        column('c', 'string', {
          nullable: false, defaultKind: 'DEFAULT', default: str('x'), comment: 'hi',
          codec: [expr('ZSTD(1)'), id('LZ4')],
        }),
        column('e', 'int8', { defaultKind: 'EPHEMERAL' }),
      ],
      indexes: [], asSource: null, asSelect: null, partitionBy: null, primaryKey: null, orderBy: null, sampleBy: null, ttl: null, settings: [], comment: 'r',
    },
    clickhouse: 49,
  },
  {
    spellings: ['CREATE MATERIALIZED VIEW mv INTO t AS SELECT a FROM s', 'CREATE MATERIALIZED VIEW mv TO t AS SELECT a FROM s'],
    tree: {
      kind: 'create_view', materialized: true, orReplace: false, ifNotExists: false, name: id('mv'), cluster: null, into: id('t'), columns: [],
      storage: null, populate: false, query: query('SELECT a FROM s'), settings: [], comment: null,
    },
    clickhouse: 'CREATE MATERIALIZED VIEW mv TO t AS SELECT a FROM s',
  },
  {
    spellings: ['CREATE OR REPLACE FUNCTION add_tax AS (p, r) -> p * (1 + r)'],
    tree: {
      kind: 'create_function', orReplace: true, ifNotExists: false, aggregate: false, remote: false, name: 'add_tax', params: null, returns: null, language: null,
      lambda: expr('(p, r) -> p * (1 + r)'), source: null, url: null, options: [],
    },
    clickhouse: 'same',
  },
  {
    spellings: [
      'CREATE OR REPLACE FUNCTION plus5(v float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $$ return v; $$',
      "create or replace function plus5(v float32) returns float32 language javascript as ' return v; '",
      'CREATE OR REPLACE FUNCTION plus5(v float32) RETURNS float32 LANGUAGE JAVASCRIPT AS $js$ return v; $js$',
    ],
    tree: {
      kind: 'create_function', orReplace: true, ifNotExists: false, aggregate: false, remote: false, name: 'plus5',
      params: [{ kind: 'function_param', name: 'v', type: type('float32') }], returns: type('float32'), language: 'JAVASCRIPT', lambda: null,
      source: ' return v; ', url: null, options: [],
    },
    clickhouse: 49,
  },
  {
    spellings: [
      "CREATE REMOTE FUNCTION rlen(s string) RETURNS int32 URL 'http://mock/len' AUTH_METHOD 'auth_header' AUTH_HEADER 'x-key' AUTH_KEY 'k1'",
      "CREATE REMOTE FUNCTION rlen(s string) RETURNS int32 URL 'http://mock/len' AUTH_KEY 'k1' AUTH_METHOD 'auth_header' AUTH_HEADER 'x-key'",
    ],
    tree: {
      kind: 'create_function', orReplace: false, ifNotExists: false, aggregate: false, remote: true, name: 'rlen',
      params: [{ kind: 'function_param', name: 's', type: type('string') }], returns: type('int32'), language: null, lambda: null, source: null,
      url: 'http://mock/len', options: [{ name: 'AUTH_METHOD', value: str('auth_header') }, { name: 'AUTH_HEADER', value: str('x-key') }, { name: 'AUTH_KEY', value: str('k1') }],
    },
    clickhouse: 49,
  },
  {
    spellings: ["CREATE FORMAT SCHEMA s1 AS 'syntax = \"proto3\";' TYPE Protobuf", 'CREATE FORMAT SCHEMA s1 AS $$syntax = "proto3";$$ TYPE Protobuf'],
    tree: { kind: 'create_format_schema', orReplace: false, ifNotExists: false, name: 's1', body: 'syntax = "proto3";', type: 'Protobuf' },
    clickhouse: 49,
  },
  {
    spellings: ["ALTER STREAM s ADD COLUMN IF NOT EXISTS c string AFTER a, RENAME COLUMN a TO b, MODIFY SETTING x = 1, RESET SETTING y, DROP PARTITION ID 'p'"],
    tree: {
      kind: 'alter', object: 'STREAM', name: id('s'), cluster: null, settings: [], commands: [
        { kind: 'add_column', ifNotExists: true, column: column('c', 'string'), position: { after: 'a' } },
        { kind: 'rename_column', ifExists: false, from: 'a', to: 'b' },
        { kind: 'modify_setting', settings: [setting('x', num('1'))] },
        { kind: 'reset_setting', names: ['y'] },
        { kind: 'drop_partition', partition: { kind: 'partition', expr: null, id: 'p' } },
      ],
    },
    clickhouse: "ALTER TABLE s ADD COLUMN IF NOT EXISTS c string AFTER a, RENAME COLUMN a TO b, MODIFY SETTING x = 1, RESET SETTING y, DROP PARTITION ID 'p'",
  },
  {
    spellings: ['ALTER STREAM mv MODIFY QUERY SETTING checkpoint_interval=600'],
    tree: { kind: 'alter', object: 'STREAM', name: id('mv'), cluster: null, settings: [], commands: [{ kind: 'modify_query_setting', settings: [setting('checkpoint_interval', num('600'))] }] },
    clickhouse: 49,
  },
];

describe('statement round trips', () => {
  it.each(cases)('$spellings.0', ({ spellings, tree, clickhouse }) => {
    for (const sql of spellings) expect(parseSql(sql), sql).toEqual(tree);
    const t = tree as Statement;
    expect(parseSql(printStatement(t, 'proton'))).toEqual(tree);
    if (clickhouse === 49) expect(thrownCode(() => printStatement(t, 'clickhouse'))).toBe(49);
    else if (clickhouse === 'same') expect(parseSql(printStatement(t, 'clickhouse'))).toEqual(tree);
    else expect(printStatement(t, 'clickhouse')).toBe(clickhouse);
  });
});

describe('syntax errors and unknown statements', () => {
  const syntax: [string, RegExp][] = [
    ['CREATE STREAM s (a int32,)', /failed at position 26 .*Expected one of: INDEX, PRIMARY, column name/],
    ['DROP STREAM', /position 12 .*end of query.*Expected one of: IF, name/],
    ['ALTER STREAM s FROB x', /position 16 .*FROB.*Expected one of: .*ADD, DROP, CLEAR, MATERIALIZE/],
    ['INSERT INTO s (a VALUES (1)', /Expected one of: dot, Comma, closing round bracket/],
    ['SHOW STREAMS NOT x', /Expected one of: LIKE, ILIKE/],
    ['CREATE FUNCTION f AS 1', /Expected one of: .*lambda expression/],
    ['DROP STREAM s extra', /Expected one of: .*end of query/],
  ];
  it.each(syntax)('%s → 62', (sql, message) => {
    expect(thrownCode(() => parseSql(sql))).toBe(62);
    try {
      parseSql(sql);
    } catch (err) {
      expect((err as GatewayError).message).toMatch(message);
    }
  });

  it('passes unknown statement kinds through with their keyword', () => {
    for (const [sql, keyword] of [
      ['GRANT SELECT ON db.* TO u', 'GRANT'], ['CREATE USER u IDENTIFIED BY \'p\'', 'CREATE USER'], ['CREATE OR REPLACE ROLE r', 'CREATE ROLE'],
      ['SHOW GRANTS', 'SHOW GRANTS'], ['KILL MUTATION WHERE 1', 'KILL MUTATION'], ['BACKUP TABLE t TO Disk(\'b\', \'x\')', 'BACKUP'],
      ['DETACH TABLE t', 'DETACH TABLE'], ['DROP USER u', 'DROP USER'], ['ALTER USER u', 'ALTER USER'],
    ] as const) {
      expect(() => parseSql(sql), sql).toThrow(UnknownStatement);
      expect(statementKeyword(sql)).toBe(keyword);
    }
    expect(statementKeyword('(SELECT 1)')).toBe('SELECT');
    expect(statementKeyword('  ')).toBe('');
    expect(thrownCode(() => parseSql('1 + 1'))).toBe(62);
  });
});

describe('INSERT', () => {
  const latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  const offset = (sql: string): number => {
    const s = parseSql(sql);
    if (s.kind !== 'insert' || s.source.kind === 'select') throw new Error('no inline data');
    return s.source.dataOffset;
  };

  it('finds the VALUES data at the first token after VALUES, in bytes', () => {
    expect(offset('INSERT INTO s VALUES (1)')).toBe(21);
    expect(offset('INSERT INTO s VALUES /* c */ -- x\n  (1)')).toBe('INSERT INTO s VALUES /* c */ -- x\n  '.length);
    const multibyte = 'INSERT INTO `täble` (`é`) SETTINGS x = \'ü\' VALUES (\'ß\')';
    expect(offset(multibyte)).toBe(Buffer.byteLength(multibyte.slice(0, multibyte.lastIndexOf('('))));
    expect(offset('INSERT INTO s VALUES')).toBe(20);
  });

  it('finds FORMAT data after the name and one newline, as the classifier does', () => {
    for (const sql of ['INSERT INTO s FORMAT CSV \r\n1,2', 'INSERT INTO s FORMAT CSV  1,2', 'INSERT INTO s (a) FORMAT CSV\n\n1', "INSERT INTO FUNCTION file('x.csv') FORMAT CSV\n1", 'INSERT INTO `ß` FORMAT TSV\t\f\n1']) {
      const expected = classify(latin1(sql), true);
      expect(expected.kind).toBe('insert');
      expect(offset(sql), sql).toBe(expected.kind === 'insert' ? expected.dataOffset : -1);
    }
  });

  it('never lexes the inline data', () => {
    const sql = 'INSERT INTO s (a) FORMAT RowBinary\n\x01\'"`$$\x00';
    expect(parseSql(sql)).toEqual({ kind: 'insert', table: id('s'), columns: ['a'], settings: [], source: { kind: 'format', format: 'RowBinary', dataOffset: 35 } });
    expect(offset("INSERT INTO s VALUES ('unterminated")).toBe(21);
  });

  it('reads targets, columns, settings and SELECT sources', () => {
    const tree = { kind: 'insert', table: id('db', 's'), columns: ['a', 'n.x'], settings: [setting('async_insert', num('1'))], source: { kind: 'values', dataOffset: 0 } };
    for (const sql of ['INSERT INTO db.s (a, n.x) SETTINGS async_insert=1 VALUES', 'insert into table db.s (a, `n.x`) settings async_insert = 1 values', 'INSERT INTO STREAM db.s (a,n.x) SETTINGS async_insert=1 VALUES']) {
      const s = parseSql(sql);
      expect(s.kind === 'insert' && s.source.kind === 'values' ? { ...s, source: { ...s.source, dataOffset: 0 } } : s).toEqual(tree);
    }
    expect(parseSql('INSERT INTO s (a, b) SELECT a, b FROM table(t)')).toEqual({
      kind: 'insert', table: id('s'), columns: ['a', 'b'], settings: [], source: { kind: 'select', query: query('SELECT a, b FROM table(t)') },
    });
    expect(printStatement(parseSql('INSERT INTO FUNCTION file(\'x.csv\') (a) FORMAT CSV\n1'), 'clickhouse')).toBe("INSERT INTO FUNCTION file('x.csv') (a) FORMAT CSV");
  });
});

describe('heredoc strings', () => {
  it('lexes $$…$$ and $tag$…$tag$ as string literals, verbatim', () => {
    expect(query("SELECT $$a'b\\n$$, $x$ $$ $x$")).toEqual(query("SELECT 'a\\'b\\\\n', ' $$ '"));
    expect(thrownCode(() => parseSql('SELECT $$open'))).toBe(62);
  });
});

describe('ClickHouse dialect output runs on chDB', () => {
  const store = tempSession('parse-statement');
  const statements = [
    "CREATE DATABASE IF NOT EXISTS h1 ENGINE = Atomic COMMENT 'x'",
    "CREATE TABLE h1.t (a Int8 DEFAULT 1 CODEC(ZSTD(1)) COMMENT 'c', b String, d Date DEFAULT today(), INDEX i a TYPE minmax GRANULARITY 2, CONSTRAINT c1 CHECK a >= 0) ENGINE = MergeTree PARTITION BY a % 2 ORDER BY (a, d) SETTINGS index_granularity = 8192 COMMENT 'tbl'",
    'CREATE TABLE h1.p (a Int8, PROJECTION p (SELECT a ORDER BY a)) ENGINE = MergeTree ORDER BY tuple()',
    'CREATE TABLE h1.t2 AS h1.t',
    'CREATE TABLE IF NOT EXISTS h1.t3 ENGINE = Memory AS SELECT 1 AS x',
    "ALTER STREAM h1.t ADD COLUMN c Int8 AFTER a, RENAME COLUMN b TO b2, COMMENT COLUMN c 'cc', MODIFY COMMENT 'z'",
    'ALTER TABLE h1.t DROP PARTITION 0, MODIFY TTL d + INTERVAL 100 YEAR',
    'ALTER TABLE h1.t UPDATE c = 1 WHERE a = 5',
    'ALTER TABLE h1.t DELETE WHERE a = 7',
    'OPTIMIZE STREAM h1.t FINAL DEDUPLICATE',
    'DELETE FROM h1.t WHERE a = 1',
    'CREATE VIEW h1.v AS SELECT a FROM h1.t',
    'CREATE MATERIALIZED VIEW h1.mv INTO h1.t2 AS SELECT a, b2 AS b FROM h1.t',
    "SHOW STREAMS FROM h1 LIKE 't%' LIMIT 5",
    'SHOW CREATE STREAM h1.t',
    'DESC STREAM h1.t FORMAT TSV',
    'EXISTS STREAM h1.t',
    'RENAME STREAM h1.t3 TO h1.t4',
    'TRUNCATE STREAM h1.t4',
    'CREATE FUNCTION h1_f AS (a, b) -> a + b',
    'DROP FUNCTION h1_f',
    'SET max_threads = 2',
    'EXPLAIN SYNTAX SELECT 1',
    'DROP VIEW h1.mv',
    'DROP STREAM h1.t SYNC',
    'DROP DATABASE h1',
  ];
  it.each(statements)('%s', (sql) => {
    const text = printStatement(parseSql(sql), 'clickhouse');
    expect(() => store.session.query(text, 'TSV')).not.toThrow();
  });
  it('runs a printed INSERT with its data appended', () => {
    store.session.query('CREATE TABLE ins (a Int8, b String) ENGINE = Memory');
    store.session.query(`${printStatement(parseSql("INSERT INTO STREAM ins (a, b) VALUES (1, 'x')"), 'clickhouse')} (1, 'x')`);
    expect(String(store.session.query('SELECT a, b FROM ins', 'TSV'))).toBe('1\tx\n');
  });
});
