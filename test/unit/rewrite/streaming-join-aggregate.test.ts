// Aggregations over a join of an append stream: the planner splits them into the join (its rows, into
// the query's own stream) and an ordinary streaming aggregation over that stream. The SQL of each part,
// run on the embedded ClickHouse.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import type { PipelinePlan } from '../../../src/rewrite/streaming-pipeline.ts';
import { tempSession } from '../../support/chdb.ts';
import { createStream, streaming } from '../streaming/replay.ts';

const db = tempSession('join-aggregate');
const rows = (sql: string): string => db.session.query(sql, 'TSV');

describe('an aggregation over a streaming join', () => {
  it('is the join into the query\'s own stream, then an aggregation over it with qualified names resolved', () => {
    createStream(db.session, 'CREATE STREAM jao (oid int32, pid string, qty int32)');
    createStream(db.session, "CREATE STREAM jap (pid string, price float64) PRIMARY KEY pid SETTINGS mode='versioned_kv'");
    const sql = 'SELECT o.pid, sum(qty * p.price) AS revenue FROM jao AS o INNER JOIN jap AS p ON o.pid = p.pid WHERE qty > 0 GROUP BY o.pid EMIT PERIODIC 1s';
    const p = plan(parseSql(sql), streaming, sql);
    if (p.kind !== 'describe_then') throw new Error(p.kind);
    expect(p.sql).toBe('DESCRIBE TABLE (SELECT * FROM (SELECT * EXCEPT (_tp_sn) FROM (SELECT *, _tp_sn FROM default.jao WHERE _tp_sn < 0)) AS o INNER JOIN (SELECT * EXCEPT (_tp_sn) FROM (SELECT *, _tp_sn FROM default.jap WHERE pid IN (SELECT pid FROM (SELECT *, _tp_sn FROM default.jao WHERE _tp_sn < 0)) AND _tp_sn < 0 ORDER BY _tp_time DESC, _tp_sn DESC LIMIT 1 BY pid)) AS p ON o.pid = p.pid WHERE qty > 0 LIMIT 0)');
    const described = rows(`${p.sql} FORMAT JSONEachRow`).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { name: string; type: string });
    expect(described.map((c) => c.name)).toEqual(['oid', 'pid', 'qty', '_tp_time', 'p.pid', 'price', 'p._tp_time']);
    const pipeline = p.then(described) as PipelinePlan;
    expect(pipeline.kind).toBe('pipeline');
    const stage = pipeline.stages[0];
    if (pipeline.stages.length !== 1 || stage?.source.kind !== 'join' || pipeline.consumer.kind !== 'tail') throw new Error('a join into an aggregation');
    const join = stage.source.join;
    const tail = pipeline.consumer.tail;
    const table = `_hadron.${stage.stream.name}`;
    expect(stage.create).toBe(`CREATE TABLE ${table} (oid Int32, pid String, qty Int32, _tp_time DateTime64(3, 'UTC'), \`p.pid\` String, price Float64, \`p._tp_time\` DateTime64(3, 'UTC'), _tp_sn Int64 MATERIALIZED 0) ENGINE = MergeTree ORDER BY tuple()`);
    expect(tail.start).toBe('earliest');
    expect(tail.aggregate?.periodMs).toBe(1000);
    rows('CREATE DATABASE IF NOT EXISTS _hadron');
    rows(stage.create);
    rows(`INSERT INTO default.jap (pid, price, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ('a', 2, 0)`);
    rows(`INSERT INTO default.jao (oid, pid, qty, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES (1, 'a', 3, 0), (2, 'a', 0, 1), (3, 'b', 1, 2)`);
    // The join's rows (a left write [0, 3) against the right side as of 1) go into the stream …
    const joined = join.leftSql({ first: 0n, next: 3n }, { first: 0n, next: 1n }, null);
    rows(`INSERT INTO ${table} (oid, pid, qty, _tp_time, \`p.pid\`, price, \`p._tp_time\`, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 SELECT *, rowNumberInAllBlocks() FROM (${joined})`);
    // … and the aggregation reads it: `p.price` is the stream's price, `o.pid` its pid.
    const read = tail.read({ windows: null, rows: { first: 0n, next: 1n }, late: [], changedSince: null, version: 0 }, null);
    expect(read).toBe(`WITH 0 AS __hadron_emit_version SELECT pid, sum(qty * price) AS revenue FROM ${table} WHERE _tp_sn >= 0 AND _tp_sn < 1 GROUP BY pid`);
    expect(rows(read)).toBe('a\t6\n');
  });
});
