// A view over a stream is streaming (proton-semantics §1.5): a streaming read of a view that filters
// and projects one stream reads that stream, with the view composed into the query; table(v) reads
// its history, and that is what the streaming read gives too.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { expectStreamingEqualsHistorical } from './historical.ts';
import { createStream, replay, streaming } from './replay.ts';

const db = tempSession('stream-views');
const t = (s: string): string => `'2024-01-01 00:00:${s}')`;
const day = '2024-01-01 00:00:';
const tailSql = (sql: string): string => {
  const p = plan(parseSql(sql), streaming, sql);
  if (p.kind !== 'tail') throw new Error(`${sql}: ${p.kind} plan`);
  return p.tail.sql({ first: 5n, next: 9n }, null);
};

describe('composition', () => {
  it('the view is inlined: its filter joins the WHERE, its names stand for their expressions, the range reads the stream', () => {
    createStream(db.session, 'CREATE STREAM vs (k string, v int32)');
    createStream(db.session, 'CREATE VIEW vf AS SELECT k, v * 10 AS v10 FROM vs WHERE v > 1');
    expect(tailSql('SELECT * FROM vf')).toBe('SELECT k, v * 10 AS v10 FROM default.vs WHERE v > 1 AND (_tp_sn >= 5 AND _tp_sn < 9)');
    const aliased = tailSql('SELECT v10, f.k FROM vf AS f WHERE f.v10 > 20');
    expect(aliased).toBe('SELECT v * 10 AS v10, k FROM default.vs AS f WHERE v * 10 > 20 AND v > 1 AND (f._tp_sn >= 5 AND f._tp_sn < 9)');
    db.session.query("INSERT INTO default.vs (k, v, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ('a', 1, 5), ('b', 2, 6), ('c', 3, 7), ('d', 4, 9)", 'TSV');
    expect(db.session.query(aliased, 'TSV')).toBe('30\tc\n');
  });

  it("the view's aliases may name each other and appear in its WHERE", () => {
    createStream(db.session, 'CREATE VIEW va AS SELECT v + 10 AS a, a * 2 AS b, k FROM vs WHERE b > 25');
    const sql = tailSql('SELECT b, k FROM va');
    expect(sql).toBe('SELECT (v + 10) * 2 AS b, k FROM default.vs WHERE (v + 10) * 2 > 25 AND (_tp_sn >= 5 AND _tp_sn < 9)');
    expect(db.session.query(sql, 'TSV')).toBe('26\tc\n');
  });

  it('a view over a view composes down to the stream; a window over a view windows the stream', () => {
    createStream(db.session, 'CREATE VIEW vff AS SELECT v10 AS x, k FROM vf WHERE k != \'z\'');
    expect(tailSql('SELECT x FROM vff')).toBe("SELECT v * 10 AS x FROM default.vs WHERE k != 'z' AND v > 1 AND (_tp_sn >= 5 AND _tp_sn < 9)");
    const p = plan(parseSql('SELECT window_start, count() FROM tumble(vff, 5s) GROUP BY window_start'), streaming, '');
    expect(p.kind === 'tail' && p.tail.window?.sizeMs).toBe(5000);
  });
});

describe('replays over views', () => {
  const steps = [
    { insert: [`('a', 1, ${t('01')}`, `('b', 2, ${t('02')}`] },
    { insert: [`('c', 3, ${t('04')}`] },
    { insert: [`('d', 4, ${t('06')}`, `('e', 0, ${t('08')}`] },
    { insert: [`('f', 5, ${t('12')}`] },
  ];
  const view = ['CREATE VIEW rv AS SELECT k, v * 10 AS v10, _tp_time FROM rs WHERE v > 0'];
  const stream = 'CREATE STREAM rs (k string, v int32)';

  it('a tail over a view ↔ the same SELECT over table(v)', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream, setup: view, columns: 'k, v', steps, compare: 'all',
      streaming: 'SELECT k, v10 FROM rv WHERE v10 >= 20', bounded: 'SELECT k, v10 FROM table(rv) WHERE v10 >= 20',
    });
  });

  it('a global aggregation over a view: the last emit ↔ the aggregation over table(v)', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM rs2 (k string, v int32)', setup: ['CREATE VIEW rv2 AS SELECT k, v * 10 AS v10 FROM rs2 WHERE v > 0'], columns: 'k, v', steps, compare: 'last',
      streaming: 'SELECT count() AS c, sum(v10) AS s FROM rv2', bounded: 'SELECT count() AS c, sum(v10) AS s FROM table(rv2)',
    });
    expect(rows).toEqual(['5,150']);
  });

  it('a tumble over a view ↔ the tumble over table(v), closed windows', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM rs3 (k string, v int32)', setup: ['CREATE VIEW rv3 AS SELECT k, v * 10 AS v10, _tp_time FROM rs3 WHERE v > 0'], columns: 'k, v', steps, compare: 'all',
      streaming: 'SELECT window_start, count() AS c, sum(v10) AS s FROM tumble(rv3, 5s) GROUP BY window_start',
      bounded: `SELECT window_start, count() AS c, sum(v10) AS s FROM tumble(table(rv3), 5s) WHERE window_end <= '${day}10' GROUP BY window_start`,
    });
    expect(rows.sort()).toEqual([`${day}00.000,3,60`, `${day}05.000,1,40`]);
  });

  it('a rewind through a view reads the past first', async () => {
    createStream(db.session, 'CREATE STREAM rs4 (k string, v int32)');
    createStream(db.session, 'CREATE VIEW rv4 AS SELECT k FROM rs4 WHERE v > 0');
    db.session.query("INSERT INTO default.rs4 (k, v, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ('old', 1, '2024-01-01 00:00:00', 0), ('no', 0, '2024-01-01 00:00:00', 1)", 'TSV');
    const emits = await replay(db.session, 'rs4', 'k, v', "SELECT k FROM rv4 SETTINGS seek_to='earliest'", [{ insert: [`('new', 2, ${t('01')}`] }]);
    expect(emits.flat()).toContain('old');
    expect(emits.flat()).toContain('new');
    expect(emits.flat()).not.toContain('no');
  });
});

describe('CTEs and FROM subqueries over streams (§1.10 "Subqueries / CTE")', () => {
  it('compose like views: a CTE read once, a subquery in FROM or in a window', () => {
    createStream(db.session, 'CREATE STREAM cs (dev string, cpu float64)');
    expect(tailSql('WITH f AS (SELECT * FROM cs WHERE cpu > 80) SELECT dev, cpu FROM f')).toBe('SELECT dev, cpu FROM default.cs WHERE cpu > 80 AND (_tp_sn >= 5 AND _tp_sn < 9)');
    expect(tailSql('SELECT d, c FROM (SELECT dev AS d, cpu * 2 AS c FROM cs WHERE cpu > 1) AS x WHERE c > 3'))
      .toBe('SELECT dev AS d, cpu * 2 AS c FROM default.cs AS x WHERE cpu * 2 > 3 AND cpu > 1 AND (x._tp_sn >= 5 AND x._tp_sn < 9)');
    db.session.query("INSERT INTO default.cs (dev, cpu, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ('a', 1, 5), ('b', 90, 6), ('c', 2, 7)", 'TSV');
    expect(db.session.query(tailSql('SELECT d, c FROM (SELECT dev AS d, cpu * 2 AS c FROM cs WHERE cpu > 1) AS x WHERE c > 3'), 'TSV')).toBe('b\t180\nc\t4\n');
  });

  const steps = [
    { insert: [`('a', 81, ${t('01')}`, `('b', 20, ${t('02')}`] },
    { insert: [`('a', 95, ${t('04')}`] },
    { insert: [`('b', 85, ${t('06')}`, `('a', 10, ${t('08')}`] },
    { insert: [`('c', 99, ${t('12')}`] },
  ];

  it('a global aggregation over a CTE (the §1.10 example) ↔ the same over table()', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM cs2 (dev string, cpu float64)', columns: 'dev, cpu', steps, compare: 'last',
      streaming: 'WITH f AS (SELECT * FROM cs2 WHERE cpu > 80) SELECT dev, max(cpu) AS m FROM f GROUP BY dev ORDER BY dev',
      bounded: 'WITH f AS (SELECT * FROM table(cs2) WHERE cpu > 80) SELECT dev, max(cpu) AS m FROM f GROUP BY dev ORDER BY dev',
    });
    expect(rows).toEqual(['a,95', 'b,85', 'c,99']);
  });

  it('a tumble over a subquery ↔ the tumble over table(), closed windows', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM cs3 (dev string, cpu float64)', columns: 'dev, cpu', steps, compare: 'all',
      streaming: 'SELECT window_start, count() AS c FROM tumble((SELECT * FROM cs3 WHERE cpu > 80), 5s) GROUP BY window_start',
      bounded: `SELECT window_start, count() AS c FROM tumble((SELECT * FROM table(cs3) WHERE cpu > 80), 5s) WHERE window_end <= '${day}10' GROUP BY window_start`,
    });
    expect(rows.sort()).toEqual([`${day}00.000,2`, `${day}05.000,1`]);
  });
});

describe('refused with 48', () => {
  const code = (sql: string): number | undefined => thrownCode(() => plan(parseSql(sql), streaming, sql));
  it('views that aggregate, limit or join do not compose (they are stages); windows over them are refused', () => {
    createStream(db.session, 'CREATE STREAM xs (k string, v int32)');
    createStream(db.session, 'CREATE VIEW xa AS SELECT k, count() AS c FROM xs GROUP BY k');
    createStream(db.session, 'CREATE VIEW xl AS SELECT k FROM xs LIMIT 3');
    createStream(db.session, 'CREATE VIEW xj AS SELECT a.k FROM xs AS a INNER JOIN table(xs) AS b ON a.k = b.k');
    createStream(db.session, 'CREATE VIEW xq AS SELECT k FROM (SELECT k, count() AS c FROM xs GROUP BY k)');
    // Views that aggregate, limit or join run as a stage of their own (streaming-pipeline.ts), a stage in a stage too.
    for (const v of ['xa', 'xl', 'xj', 'xq']) expect(plan(parseSql(`SELECT * FROM ${v}`), streaming, '').kind, v).toBe('describe_then');
    expect(code('SELECT window_start, count() FROM tumble(xa, 5s) GROUP BY window_start')).toBe(48);
  });

  it('a view over table(s) stays bounded on the streaming port', () => {
    createStream(db.session, 'CREATE VIEW xh AS SELECT k FROM table(xs)');
    expect(plan(parseSql('SELECT * FROM xh'), streaming, '').kind).toBe('query');
  });
});
