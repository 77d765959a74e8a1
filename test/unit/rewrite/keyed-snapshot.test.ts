// Streams as of a `_tp_sn` position: the SQL printed, and what it returns on the embedded ClickHouse.
import { describe, expect, it } from 'vitest';
import { print } from '../../../src/rewrite/printer.ts';
import { rowsSelect, snapshotSelect } from '../../../src/rewrite/keyed-snapshot.ts';
import { tempSession } from '../../support/chdb.ts';
import { catalog, createStream, table } from '../streaming/replay.ts';

const db = tempSession('keyed-snapshot');
const sql = (s: Parameters<typeof print>[0]): string => print(s, 'clickhouse');
const stmt = (q: ReturnType<typeof rowsSelect>) => ({ kind: 'select_statement' as const, query: q, format: null });
const rows = (q: string): string[] => db.session.query(`${q} ORDER BY ALL`, 'TSV').split('\n').filter((l) => l !== '');
const insert = (t: string, cols: string, values: string): void => {
  db.session.query(`INSERT INTO default.${t} (${cols}, _tp_sn) SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0 VALUES ${values}`, 'TSV');
};

describe('keyed snapshots as of a position', () => {
  it('versioned_kv: the latest version per key among the rows before the position, ties by arrival', () => {
    createStream(db.session, "CREATE STREAM ks1 (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const s = catalog.stream('default', 'ks1');
    if (s === undefined) throw new Error('no stream');
    insert('ks1', 'ii, ss, _tp_time', "(1, 's1', '2024-01-01 00:00:00', 0), (2, 's1', '2024-01-01 00:00:00', 1), (3, 's3', '2024-01-01 00:00:00', 2)");
    insert('ks1', 'ii, ss, _tp_time', "(4, 's1', '2024-01-01 00:00:01', 3), (5, 's3', '2024-01-01 00:00:00', 4)");
    const before = sql(stmt(snapshotSelect(s, { first: 0n, next: 3n }, table)));
    expect(before).toBe('SELECT *, _tp_sn FROM default.ks1 WHERE _tp_sn < 3 ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY ss');
    expect(rows(`SELECT ii, ss FROM (${before})`)).toEqual(['2\ts1', '3\ts3']);
    expect(rows(`SELECT ii, ss FROM (${sql(stmt(snapshotSelect(s, { first: 0n, next: 5n }, table)))})`)).toEqual(['4\ts1', '5\ts3']);
    expect(rows(`SELECT ii, ss FROM (${sql(stmt(snapshotSelect(s, { first: 0n, next: 5n }, table, 2)))})`)).toEqual(['2\ts1', '3\ts3', '4\ts1', '5\ts3']);
  });

  it('changelog_kv: a key whose last change is a delete is gone; an expression key', () => {
    createStream(db.session, "CREATE STREAM ks2 (a string, b string, v int32) PRIMARY KEY (a, b) SETTINGS mode='changelog_kv'");
    const s = catalog.stream('default', 'ks2');
    if (s === undefined) throw new Error('no stream');
    insert('ks2', 'a, b, v, _tp_delta', "('x', '1', 1, 1, 0), ('y', '1', 2, 1, 1), ('x', '1', 1, -1, 2), ('x', '1', 3, 1, 3), ('y', '1', 2, -1, 4)");
    const q = sql(stmt(snapshotSelect(s, { first: 0n, next: 5n }, table)));
    expect(q).toBe('SELECT * FROM (SELECT *, _tp_sn FROM default.ks2 WHERE _tp_sn < 5 ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY a, b) WHERE _tp_delta > 0');
    expect(rows(`SELECT a, b, v FROM (${q})`)).toEqual(['x\t1\t3']);
    expect(rows(`SELECT a, v FROM (${sql(stmt(snapshotSelect(s, { first: 0n, next: 2n }, table)))})`)).toEqual(['x\t1', 'y\t2']);
  });

  it('append: the rows of a range', () => {
    createStream(db.session, 'CREATE STREAM ks3 (v int32)');
    const s = catalog.stream('default', 'ks3');
    if (s === undefined) throw new Error('no stream');
    insert('ks3', 'v', '(10, 0), (11, 1), (12, 2)');
    const q = sql(stmt(rowsSelect(s, { first: 1n, next: 3n })));
    expect(q).toBe('SELECT *, _tp_sn FROM default.ks3 WHERE _tp_sn >= 1 AND _tp_sn < 3');
    expect(rows(`SELECT v FROM (${q})`)).toEqual(['11', '12']);
  });
});
