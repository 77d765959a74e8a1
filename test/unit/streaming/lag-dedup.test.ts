// Golden replays of lag/lags and dedup() tails (proton-semantics §1.12, §4 E 43 and 45): each emit is
// computed by the store over a `_tp_sn` range (lag: plus the rows before it since the query's start;
// dedup: the runs its key set kept, see dedup-lru.test.ts for max_keys and ttl), so 1-row, odd and
// whole-insert ranges give the same rows; rows stored before a tail from now are not "previous".
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { createStream, replay, streaming, type Step } from './replay.ts';

const db = tempSession('stream-lag-dedup');
const splits = [1, 2, 3, null];
const at = (s: number): string => `'2024-03-01 00:00:${String(s).padStart(2, '0')}')`;

/** The rows every split emits, in order (the grouping into emits is the only thing that differs). */
async function golden(stream: string, columns: string, sql: string, steps: readonly Step[], before?: string): Promise<string[]> {
  const results: string[][] = [];
  for (const split of splits) {
    const { session } = db;
    session.query(`TRUNCATE TABLE default.${stream}`, 'TSV');
    if (before !== undefined) session.query(before, 'TSV');
    results.push((await replay(session, stream, columns, sql, steps, split)).flat());
  }
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  return results[0] as string[];
}

describe('lag / lags', () => {
  it('§4 E 45: the previous rows of the streaming input, type default when missing', async () => {
    createStream(db.session, 'CREATE STREAM l1 (v int32)');
    const steps: Step[] = [{ insert: [`(10, ${at(1)}`] }, { insert: [`(20, ${at(2)}`] }, { insert: [`(30, ${at(3)}`] }];
    expect(await golden('l1', 'v', 'SELECT v, lag(v) AS p, lags(v, 1, 2) AS ps FROM l1', steps)).toEqual(['10,0,[0,0]', '20,10,[10,0]', '30,20,[20,10]']);
  });

  it('offsets, defaults (cast to the column type) and lags from the current row, across batches', async () => {
    createStream(db.session, 'CREATE STREAM l2 (v int32)');
    const steps: Step[] = [{ insert: [1, 2, 3, 4, 5].map((v) => `(${v}, ${at(v)}`) }, { insert: [6, 7].map((v) => `(${v}, ${at(v)}`) }];
    const rows = await golden('l2', 'v', 'SELECT v, lag(v, 3, -1) AS p, lags(v, 0, 2, 9) AS ps, v - lag(v, 2) AS d FROM l2', steps);
    expect(rows).toEqual(['1,-1,[1,9,9],1', '2,-1,[2,1,9],2', '3,-1,[3,2,1],2', '4,1,[4,3,2],2', '5,2,[5,4,3],2', '6,3,[6,5,4],2', '7,4,[7,6,5],2']);
  });

  it('among the rows that pass the WHERE, per PARTITION BY key', async () => {
    createStream(db.session, 'CREATE STREAM l3 (k string, v int32)');
    const data = [['a', 1], ['b', 2], ['a', 3], ['b', 40], ['a', 5], ['b', 6], ['a', 70], ['a', 8]] as const;
    const steps: Step[] = [{ insert: data.slice(0, 5).map(([k, v], i) => `('${k}', ${v}, ${at(i)}`) }, { insert: data.slice(5).map(([k, v], i) => `('${k}', ${v}, ${at(i + 5)}`) }];
    expect(await golden('l3', 'k, v', 'SELECT k, v, lag(v) FROM l3 WHERE v < 10', steps)).toEqual(['a,1,0', 'b,2,1', 'a,3,2', 'a,5,3', 'b,6,5', 'a,8,6']);
    expect(await golden('l3', 'k, v', 'SELECT k, v, lag(v) AS p FROM l3 WHERE v < 50 PARTITION BY k', steps)).toEqual(['a,1,0', 'b,2,0', 'a,3,1', 'b,40,2', 'a,5,3', 'b,6,40', 'a,8,5']);
  });

  it('a tail from now: rows stored before the start are not previous; a rewind reads them', async () => {
    createStream(db.session, 'CREATE STREAM l4 (v int32)');
    const before = `INSERT INTO default.l4 (v, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES (100, '2024-03-01 00:00:00', 5)`;
    const steps: Step[] = [{ insert: [`(1, ${at(1)}`, `(2, ${at(2)}`] }, { insert: [`(3, ${at(3)}`] }];
    expect(await golden('l4', 'v', 'SELECT v, lag(v) FROM l4', steps, before)).toEqual(['1,0', '2,1', '3,2']);
    expect(await golden('l4', 'v', "SELECT v, lag(v) FROM l4 SETTINGS seek_to='earliest'", steps, before)).toEqual(['100,0', '1,100', '2,1', '3,2']);
  });

  it('over a view that filters and projects a stream (composed into the query)', async () => {
    createStream(db.session, 'CREATE STREAM l8 (v int32)');
    createStream(db.session, 'CREATE VIEW l8v AS SELECT v * 2 AS w FROM l8 WHERE v != 2');
    const steps: Step[] = [{ insert: [1, 2, 3].map((v) => `(${v}, ${at(v)}`) }, { insert: [4].map((v) => `(${v}, ${at(v)}`) }];
    expect(await golden('l8', 'v', 'SELECT w, lag(w) AS p FROM l8v', steps)).toEqual(['2,0', '6,2', '8,6']);
  });

  it('LIMIT ends the query after n rows', async () => {
    createStream(db.session, 'CREATE STREAM l5 (v int32)');
    const steps: Step[] = [{ insert: [1, 2, 3].map((v) => `(${v}, ${at(v)}`) }, { insert: [4, 5].map((v) => `(${v}, ${at(v)}`) }];
    expect(await golden('l5', 'v', 'SELECT v, lag(v) FROM l5 LIMIT 4', steps)).toEqual(['1,0', '2,1', '3,2', '4,3']);
  });

  it('the SQL of a range: the range plus the last n rows before it per key, kept by QUALIFY; columns named as written', () => {
    createStream(db.session, 'CREATE STREAM l7 (k string, v int32)');
    const sql = 'SELECT a.v, lag(a.v, 2), lags(v, 0, 1) AS ps FROM l7 AS a WHERE v > 0 PARTITION BY a.k';
    const p = plan(parseSql(sql), streaming, sql);
    if (p.kind !== 'tail') throw new Error(p.kind);
    // The executor describes the empty range for a format's header before the first read.
    const empty = p.tail.sql({ first: 0n, next: 0n }, 0);
    expect(empty).toContain('QUALIFY a._tp_sn >= 0');
    expect(db.session.query(`DESCRIBE (${empty})`, 'TSV').split('\n').map((l) => l.split('\t').slice(0, 2).join(' '))).toEqual(['v Int32', 'lag(a.v, 2) Int32', 'ps Array(Int32)', '']);
    p.tail.sql({ first: 10n, next: 12n }, null);
    const text = p.tail.sql({ first: 20n, next: 25n }, 3);
    const over = 'OVER (PARTITION BY a.k ORDER BY a._tp_sn ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)';
    expect(text).toBe(`SELECT a.v, lagInFrame(a.v, 2) ${over} AS \`lag(a.v, 2)\`, [lagInFrame(v, 0) ${over}, lagInFrame(v, 1) ${over}] AS ps FROM l7 AS a`
      + ' WHERE v > 0 AND (a._tp_sn >= 20 AND a._tp_sn < 25 OR a._tp_sn IN (SELECT a._tp_sn FROM l7 AS a WHERE a._tp_sn >= 10 AND a._tp_sn < 20 AND v > 0 ORDER BY a._tp_sn DESC LIMIT 2 BY a.k))'
      + ' QUALIFY a._tp_sn >= 20 ORDER BY a._tp_sn LIMIT 3');
    db.session.query('INSERT INTO default.l7 (k, v, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES (\'a\', 1, 10), (\'a\', 2, 11), (\'a\', 3, 20)', 'TSV');
    expect(db.session.query(text, 'JSONEachRow').trim()).toBe('{"v":3,"lag(a.v, 2)":1,"ps":[3,2]}');
  });

  it('refused: lag in an aggregation, a window or a WHERE; non-literal offsets', () => {
    createStream(db.session, 'CREATE STREAM l6 (v int32)');
    const code = (sql: string): number | undefined => thrownCode(() => plan(parseSql(sql), streaming, sql));
    const message = (sql: string): string => {
      try {
        plan(parseSql(sql), streaming, sql);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(code('SELECT count(), lag(v) FROM l6')).toBe(48);
    expect(code('SELECT sum(v - lag(v)) FROM l6')).toBe(48);
    expect(code('SELECT lag(v) FROM tumble(l6, 5s)')).toBe(48);
    // Each refusal names its form (Proton documents lag/lags for row-by-row reads only).
    expect(message('SELECT sum(v - lag(v)) FROM l6')).toMatch(/^lag\/lags in a streaming aggregation/);
    expect(message('SELECT window_start, count(), lag(v) FROM tumble(l6, 5s) GROUP BY window_start')).toMatch(/^lag\/lags in a streaming tumble\/hop window/);
    expect(code('SELECT v FROM l6 WHERE lag(v) > 1')).toBe(48);
    expect(code('SELECT lag(v, v) FROM l6')).toBe(36);
    expect(code('SELECT lags(v, 2, 1) FROM l6')).toBe(36);
  });
});

describe('dedup()', () => {
  it('§4 E 43: the first row per key, nothing for a repeat', async () => {
    createStream(db.session, 'CREATE STREAM d1 (i int32, s string)');
    const batch = [`(1, 's1', ${at(1)}`, `(2, 's2', ${at(2)}`, `(3, 's3', ${at(3)}`];
    expect(await golden('d1', 'i, s', 'SELECT i, s FROM dedup(d1, s)', [{ insert: batch }, { insert: batch }])).toEqual(['1,s1', '2,s2', '3,s3']);
  });

  it('repeats inside one range and across ranges, compound keys, an outer WHERE after the dedup', async () => {
    createStream(db.session, 'CREATE STREAM d2 (i int32, s string)');
    const rows = [[1, 'a'], [2, 'a'], [1, 'a'], [1, 'b'], [3, 'c'], [1, 'b'], [2, 'a'], [4, 'c']] as const;
    const steps: Step[] = [{ insert: rows.slice(0, 5).map(([i, s], n) => `(${i}, '${s}', ${at(n)}`) }, { insert: rows.slice(5).map(([i, s], n) => `(${i}, '${s}', ${at(n + 5)}`) }];
    expect(await golden('d2', 'i, s', 'SELECT i, s FROM dedup(d2, s)', steps)).toEqual(['1,a', '1,b', '3,c']);
    expect(await golden('d2', 'i, s', 'SELECT i, s FROM dedup(d2, i, s, 0s, 100) AS d WHERE d.i > 1', steps)).toEqual(['2,a', '3,c', '4,c']);
  });

  it('a NULL key is a key like any other', async () => {
    createStream(db.session, 'CREATE STREAM d6 (i int32, s nullable(string))');
    const steps: Step[] = [{ insert: [`(1, NULL, ${at(1)}`, `(2, 'a', ${at(2)}`] }, { insert: [`(3, NULL, ${at(3)}`, `(4, 'b', ${at(4)}`] }];
    expect(await golden('d6', 'i, s', 'SELECT i, s FROM dedup(d6, s)', steps)).toEqual(['1,\\N', '2,a', '4,b']);
    expect(await golden('d6', 'i, s', 'SELECT i, s FROM dedup(d6, s, i)', steps)).toEqual(['1,\\N', '2,a', '3,\\N', '4,b']);
  });

  it('a tail from now remembers only the keys seen since its start; a rewind all of them', async () => {
    createStream(db.session, 'CREATE STREAM d3 (i int32, s string)');
    const before = `INSERT INTO default.d3 (i, s, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES (0, 'a', '2024-03-01 00:00:00', 5)`;
    const steps: Step[] = [{ insert: [`(1, 'a', ${at(1)}`, `(2, 'b', ${at(2)}`] }, { insert: [`(3, 'a', ${at(3)}`] }];
    expect(await golden('d3', 'i, s', 'SELECT i, s FROM dedup(d3, s)', steps, before)).toEqual(['1,a', '2,b']);
    expect(await golden('d3', 'i, s', "SELECT i, s FROM dedup(d3, s) SETTINGS seek_to='earliest'", steps, before)).toEqual(['0,a', '2,b']);
    expect(await golden('d3', 'i, s', 'SELECT i, s FROM dedup(d3, s) LIMIT 1', steps, before)).toEqual(['1,a']);
  });

  it('a global aggregation over dedup(): every period, the result over the first row per key since the start', async () => {
    createStream(db.session, 'CREATE STREAM d5 (i int32, s string)');
    const steps: Step[] = [
      { insert: [`(1, 'a', ${at(1)}`, `(2, 'b', ${at(2)}`, `(3, 'a', ${at(3)}`] }, { wait: 1000 },
      { insert: [`(4, 'b', ${at(4)}`, `(5, 'c', ${at(5)}`] }, { wait: 1000 }, { wait: 1000 },
    ];
    const sql = 'SELECT count(), sum(i) FROM dedup(d5, s) EMIT PERIODIC 1s';
    expect(await golden('d5', 'i, s', sql, steps)).toEqual(['2,3', '3,8']);
  });

  it('refused: dedup under a window or over a subquery, ON UPDATE over dedup', () => {
    createStream(db.session, 'CREATE STREAM d4 (i int32, s string)');
    const code = (sql: string): number | undefined => thrownCode(() => plan(parseSql(sql), streaming, sql));
    expect(code('SELECT s, count() FROM dedup(d4, s) GROUP BY s EMIT ON UPDATE')).toBe(48);
    expect(code('SELECT * FROM tumble(dedup(d4, s), 5s)')).toBe(48);
    expect(code('SELECT * FROM dedup((SELECT * FROM d4), s)')).toBe(48);
  });
});
