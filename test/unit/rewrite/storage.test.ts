// The storage model (STYLE 5): each CREATE STREAM shows the exact CREATE TABLE it becomes, runs it on
// the embedded ClickHouse and checks what the store then holds (DESCRIBE, SELECT *, inserts).
import { describe, expect, it } from 'vitest';
import { Catalog, type StreamEntry } from '../../../src/catalog.ts';
import type { CreateStream } from '../../../src/rewrite/ast-statement.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { columnEntry, createTableSql, insertableColumns, streamEntry, structureOf, unquote } from '../../../src/rewrite/storage.ts';
import type { RewriteContext } from '../../../src/rewrite/to-clickhouse.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';

const catalog = new Catalog();
const ctx: RewriteContext = { catalog, database: 'default', dialect: 'proton', virtualTables: new Map() };
const db = tempSession('storage');

const create = (sql: string, source: StreamEntry | null = null): StreamEntry => streamEntry(parseSql(sql) as CreateStream, 'default', sql, source);
const q = (sql: string): string => db.session.query(sql, 'TSV');

const TP_TIME = "_tp_time DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC') CODEC(DoubleDelta, LZ4)";
const INDEX = 'INDEX _tp_time_index _tp_time TYPE minmax GRANULARITY 2, INDEX _tp_sn_index _tp_sn TYPE minmax GRANULARITY 1';
const APPEND_KEYS = 'ENGINE = MergeTree PARTITION BY toYYYYMMDD(_tp_time) ORDER BY toStartOfHour(_tp_time) SETTINGS allow_nullable_key = 1';

/** [name, CREATE STREAM, CREATE TABLE, DESCRIBE name/type/default kind/default of the store table]. */
const modes: readonly (readonly [string, string, string, string])[] = [
  ['append', 'CREATE STREAM m_append (id int32, s string)',
    `CREATE TABLE default.m_append (id Int32, s String, ${TP_TIME}, _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ${APPEND_KEYS}`,
    "id\tInt32\t\t\ns\tString\t\t\n_tp_time\tDateTime64(3, \\'UTC\\')\tDEFAULT\tnow64(3, \\'UTC\\')\n_tp_sn\tInt64\tMATERIALIZED\t0\n"],
  ['changelog', "CREATE STREAM m_changelog (id int32) SETTINGS mode='changelog'",
    `CREATE TABLE default.m_changelog (id Int32, ${TP_TIME}, _tp_delta Int8 DEFAULT 1, _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ${APPEND_KEYS}`,
    "id\tInt32\t\t\n_tp_time\tDateTime64(3, \\'UTC\\')\tDEFAULT\tnow64(3, \\'UTC\\')\n_tp_delta\tInt8\tDEFAULT\t1\n_tp_sn\tInt64\tMATERIALIZED\t0\n"],
  ['versioned_kv', "CREATE STREAM m_vkv (k string, v int32) PRIMARY KEY k SETTINGS mode='versioned_kv'",
    `CREATE TABLE default.m_vkv (k String, v Int32, ${TP_TIME}, _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ENGINE = MergeTree PARTITION BY toYYYYMMDD(_tp_time) ORDER BY k SETTINGS allow_nullable_key = 1`,
    "k\tString\t\t\nv\tInt32\t\t\n_tp_time\tDateTime64(3, \\'UTC\\')\tDEFAULT\tnow64(3, \\'UTC\\')\n_tp_sn\tInt64\tMATERIALIZED\t0\n"],
  ['changelog_kv', "CREATE STREAM m_ckv (k string, v int32) PRIMARY KEY k SETTINGS mode='changelog_kv'",
    `CREATE TABLE default.m_ckv (k String, v Int32, ${TP_TIME}, _tp_delta Int8 DEFAULT 1, _tp_sn Int64 MATERIALIZED 0, _is_deleted UInt8 MATERIALIZED _tp_delta = -1, ${INDEX}) ENGINE = MergeTree PARTITION BY toYYYYMMDD(_tp_time) ORDER BY k SETTINGS allow_nullable_key = 1`,
    "k\tString\t\t\nv\tInt32\t\t\n_tp_time\tDateTime64(3, \\'UTC\\')\tDEFAULT\tnow64(3, \\'UTC\\')\n_tp_delta\tInt8\tDEFAULT\t1\n_tp_sn\tInt64\tMATERIALIZED\t0\n_is_deleted\tUInt8\tMATERIALIZED\t_tp_delta = -1\n"],
];

const describeStore = (name: string): string => q(`SELECT name, type, default_kind, default_expression FROM system.columns WHERE database = 'default' AND table = '${name}' ORDER BY position`);

describe('a stream per mode', () => {
  for (const [mode, sql, table, columns] of modes) {
    it(`${mode}: the CREATE TABLE text, run; DESCRIBE shows the reserved columns`, () => {
      const entry = create(sql);
      expect(entry.mode).toBe(mode);
      expect(createTableSql(entry, ctx, false)).toBe(table);
      q(createTableSql(entry, ctx, false));
      q(createTableSql(entry, ctx, true));
      expect(describeStore(entry.name)).toBe(columns);
    });
  }

  it('SELECT * hides _tp_sn and _is_deleted; both are selectable by name', () => {
    q("INSERT INTO default.m_ckv (k, v, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ('a', 1, 7)");
    const header = q('SELECT * FROM default.m_ckv FORMAT TSVWithNames').split('\n')[0];
    expect(header).toBe('k\tv\t_tp_time\t_tp_delta');
    expect(q('SELECT _tp_sn, _is_deleted FROM default.m_ckv')).toBe('7\t0\n');
  });

  it('an INSERT without _tp_sn takes the MATERIALIZED 0', () => {
    q("INSERT INTO default.m_append (id, s) VALUES (1, 'x')");
    expect(q('SELECT id, _tp_sn, _tp_time > now64() - INTERVAL 1 MINUTE FROM default.m_append')).toBe('1\t0\t1\n');
  });

  it('keyed streams default ORDER BY to the primary key; a compound key is a tuple', () => {
    const entry = create("CREATE STREAM m_vkv2 (a string, b int32, v int32) PRIMARY KEY (a, b) SETTINGS mode='versioned_kv', version_column='v'");
    expect(createTableSql(entry, ctx, false)).toBe(`CREATE TABLE default.m_vkv2 (a String, b Int32, v Int32, ${TP_TIME}, _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ENGINE = MergeTree PARTITION BY toYYYYMMDD(_tp_time) ORDER BY (a, b) SETTINGS allow_nullable_key = 1`);
    q(createTableSql(entry, ctx, false));
    q("INSERT INTO default.m_vkv2 (a, b, v) VALUES ('x', 1, 5), ('x', 1, 3), ('x', 2, 1)");
    // Every version is kept (reads pick the latest per key: keyed-snapshot.ts).
    expect(q('SELECT a, b, v FROM default.m_vkv2 ORDER BY b, v')).toBe('x\t1\t3\nx\t1\t5\nx\t2\t1\n');
  });
});

describe('validation', () => {
  it('reserved names are 44 ILLEGAL_COLUMN (A2)', () => {
    for (const sql of ['CREATE STREAM b (window_start int32)', 'CREATE STREAM b (window_end int32)', 'CREATE STREAM b (_tp_foo int32)', 'CREATE STREAM b (v int32, _tp_time string)',
      'CREATE STREAM b (_tp_sn string)', 'CREATE STREAM b (_tp_delta int32)', 'CREATE STREAM b (_tp_index_time int64)']) {
      expect(thrownCode(() => create(sql)), sql).toBe(44);
    }
  });

  it('the allowed reserved names with their types are accepted', () => {
    const entry = create("CREATE STREAM r_ok (v int32, _tp_time datetime64(3, 'UTC'), _tp_index_time datetime64(3), _tp_sn int64)");
    expect(entry.columns.map((c) => `${c.name}:${c.type}:${c.reserved}`)).toEqual(["v:int32:false", "_tp_time:datetime64(3, 'UTC'):false", '_tp_index_time:datetime64(3):false', '_tp_sn:int64:true']);
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toBe(`CREATE TABLE default.r_ok (v Int32, _tp_time DateTime64(3, 'UTC'), _tp_index_time DateTime64(3), _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ${APPEND_KEYS}`);
    q(sql);
  });

  it('_is_deleted is Hadron\'s in changelog_kv streams (44), a plain name elsewhere', () => {
    expect(thrownCode(() => create("CREATE STREAM b (k string, _is_deleted uint8) PRIMARY KEY k SETTINGS mode='changelog_kv'"))).toBe(44);
    expect(create('CREATE STREAM b (k string, _is_deleted uint8)').columns.map((c) => c.name)).toEqual(['k', '_is_deleted', '_tp_time', '_tp_sn']);
  });

  it('keyed streams need a primary key (A10: 62)', () => {
    expect(thrownCode(() => create("CREATE STREAM b (k string, v int32) SETTINGS mode='versioned_kv'"))).toBe(62);
    expect(thrownCode(() => create("CREATE STREAM b (k string, v int32) SETTINGS mode='changelog_kv'"))).toBe(62);
  });

  it('the version column may not be in the key; unknown modes are refused (36)', () => {
    expect(thrownCode(() => create("CREATE STREAM b (k string, v int32) PRIMARY KEY k SETTINGS mode='versioned_kv', version_column='k'"))).toBe(36);
    expect(thrownCode(() => create("CREATE STREAM b (k string) SETTINGS mode='upsert'"))).toBe(36);
  });
});

describe('column and stream options', () => {
  it('event_time_column is the DEFAULT of _tp_time (A5)', () => {
    const entry = create("CREATE STREAM o_event (id int32, ts datetime64(3, 'UTC')) SETTINGS event_time_column='ts'");
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toBe(`CREATE TABLE default.o_event (id Int32, ts DateTime64(3, 'UTC'), _tp_time DateTime64(3, 'UTC') DEFAULT ts CODEC(DoubleDelta, LZ4), _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ${APPEND_KEYS}`);
    q(sql);
    q("INSERT INTO default.o_event (id, ts) VALUES (1, '2023-05-05 10:00:00.250')");
    expect(q('SELECT id, _tp_time FROM default.o_event')).toBe('1\t2023-05-05 10:00:00.250\n');
  });

  it('event_time_column may be an expression in Proton spelling', () => {
    const entry = create("CREATE STREAM o_event2 (id int32, ts string) SETTINGS event_time_column='to_datetime64(ts, 3, \\'UTC\\')'");
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toContain("_tp_time DateTime64(3, 'UTC') DEFAULT toDateTime64(ts, 3, 'UTC') CODEC(DoubleDelta, LZ4)");
    q(sql);
    q("INSERT INTO default.o_event2 (id, ts) VALUES (1, '2023-05-05 10:00:00.5')");
    expect(q('SELECT _tp_time FROM default.o_event2')).toBe('2023-05-05 10:00:00.500\n');
  });

  it('DEFAULT, ALIAS, MATERIALIZED, codecs, comments, TTL, explicit keys', () => {
    const entry = create("CREATE STREAM o_cols (a int32, b string DEFAULT lower('X') CODEC(ZSTD(1)) COMMENT 'bee', c string ALIAS concat(b, '!'), d uint64 MATERIALIZED a * 2, e nullable(string)) ORDER BY a PARTITION BY to_YYYYMM(_tp_time) PRIMARY KEY a TTL to_datetime(_tp_time) + INTERVAL 7 DAY COMMENT 'opts'");
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toBe(`CREATE TABLE default.o_cols (a Int32, b String DEFAULT lower('X') COMMENT 'bee' CODEC(ZSTD(1)), c String ALIAS concat(b, '!'), d UInt64 MATERIALIZED a * 2, e Nullable(String), ${TP_TIME}, _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ENGINE = MergeTree PARTITION BY toYYYYMM(_tp_time) ORDER BY a TTL toDateTime(_tp_time) + INTERVAL 7 DAY SETTINGS allow_nullable_key = 1 COMMENT 'opts'`);
    q(sql);
    q('INSERT INTO default.o_cols (a) VALUES (3)');
    expect(q('SELECT * FROM default.o_cols').replace(/\t[^\t]+\n$/, '\n')).toBe('3\tx\t\\N\n');
    expect(q('SELECT c, d FROM default.o_cols')).toBe('x!\t6\n');
    expect(insertableColumns(entry)).toEqual(['a', 'b', 'e', '_tp_time']);
    expect(structureOf(entry, ['a', 'e', '_tp_time'])).toBe("a Int32, e Nullable(String), _tp_time DateTime64(3, 'UTC')");
  });

  it('EPHEMERAL columns are written only when named, as the store does without a column list', () => {
    const entry = create('CREATE STREAM o_eph (a int32, raw string EPHEMERAL, b string DEFAULT upper(raw))');
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toContain("(a Int32, raw String EPHEMERAL, b String DEFAULT upper(raw), _tp_time");
    q(sql);
    const columns = insertableColumns(entry);
    expect(columns).toEqual(['a', 'b', '_tp_time']);
    q(`INSERT INTO default.o_eph (${columns.join(', ')}) VALUES (1, 'x', '2024-01-01 00:00:00')`);
    q("INSERT INTO default.o_eph VALUES (2, 'y', '2024-01-01 00:00:00')");
    q("INSERT INTO default.o_eph (a, raw) VALUES (3, 'z')");
    expect(q('SELECT a, b FROM default.o_eph ORDER BY a')).toBe('1\tx\n2\ty\n3\tZ\n');
  });

  it('a PRIMARY KEY different from ORDER BY is written out', () => {
    const entry = create('CREATE STREAM o_pk (a int32, b int32) ORDER BY (a, b) PRIMARY KEY a');
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toContain('ORDER BY (a, b) PRIMARY KEY a SETTINGS');
    q(sql);
  });

  it('CREATE STREAM s2 AS s1 copies the user columns only', () => {
    const source = create("CREATE STREAM o_src (k string, v int32 DEFAULT 1) PRIMARY KEY k SETTINGS mode='changelog_kv'");
    const copy = create('CREATE STREAM o_copy AS o_src', source);
    expect(copy.mode).toBe('append');
    expect(createTableSql(copy, ctx, false)).toBe(`CREATE TABLE default.o_copy (k String, v Int32 DEFAULT 1, ${TP_TIME}, _tp_sn Int64 MATERIALIZED 0, ${INDEX}) ${APPEND_KEYS}`);
    q(createTableSql(copy, ctx, false));
  });

  it('columns without a type take their default\'s; a column needs one of them (62)', () => {
    expect(columnEntry({ ...((parseSql('CREATE STREAM x (a int32)') as CreateStream).columns[0] as CreateStream['columns'][number]) }).type).toBe('int32');
    const entry = create('CREATE STREAM o_untyped (a DEFAULT 1)');
    const sql = createTableSql(entry, ctx, false);
    expect(sql).toContain('(a DEFAULT 1, _tp_time');
    q(sql);
    expect(q("SELECT type FROM system.columns WHERE table = 'o_untyped' AND name = 'a'")).toBe('UInt8\n');
  });

  it('unquote reads a setting literal', () => {
    expect(unquote("'versioned_kv'")).toBe('versioned_kv');
    expect(unquote('ts')).toBe('ts');
    expect(unquote('3')).toBe('3');
  });
});
