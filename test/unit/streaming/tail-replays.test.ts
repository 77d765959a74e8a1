// Golden replays of tails and global aggregations (streaming/tail.ts; proton-semantics §2.1, §2.3,
// §2.7, §4 B): the same emits with 1-row, odd and whole-insert ranges; LIMIT across ranges ends the
// query by itself; a rewind's backfill meets the live tail with no gap and no duplicate while inserts
// run concurrently — one lands in the stream's turn before the start position is read (already
// published to the query's subscription), one while the backfill query runs.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { runTail } from '../../../src/streaming/tail.ts';
import { tempSession } from '../../support/chdb.ts';
import { createStream, FakeClock, replay, settle, streaming } from './replay.ts';

const db = tempSession('stream-tails');
const at = (s: string): string => `'2024-02-01 00:00:${s}')`;
const splits = [1, 3, null];

type Concurrent = {
  /** Stored before the query starts. */
  readonly before: readonly string[];
  /** Stored in the stream's turn just before the start position is read (after the query subscribed). */
  readonly atStart: readonly string[];
  /** Stored while the first store query (the backfill, or the first live read) runs. */
  readonly duringFirstRead: readonly string[];
  /** Inserts after the start, stored and published in ranges of `split` rows (null: whole inserts). */
  readonly after: readonly (readonly string[])[];
  /** Clock time passed after every insert (aggregations). */
  readonly wait?: number;
};

let sn = 0n;

/** Runs `sql` over `stream` (columns `k, v`) with inserts interleaved as `c` says; the emits and whether the query ended by itself. */
async function concurrent(stream: string, sql: string, c: Concurrent, split: number | null): Promise<{ emits: string[][]; ended: boolean }> {
  const p = plan(parseSql(sql), streaming, sql);
  if (p.kind !== 'tail') throw new Error(`${sql}: ${p.kind} plan`);
  const key = `default.${stream}`;
  const log = new MemoryStreamLog();
  const clock = new FakeClock();
  const store = (rows: readonly string[]): void => {
    if (rows.length === 0) return;
    const first = sn;
    const values = rows.map((r) => `${r.slice(0, -1)}, ${String(sn++)})`).join(', ');
    db.session.query(`INSERT INTO ${key} (k, v, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ${values}`, 'TSV');
    log.publish(key, first, sn);
  };
  db.session.query(`TRUNCATE TABLE ${key}`, 'TSV');
  store(c.before);
  const emits: string[][] = [];
  let reads = 0;
  let ended = false;
  const controller = new AbortController();
  const run = runTail({ ...p.tail, key }, {
    log, clock,
    position: async () => {
      store(c.atStart);
      return sn;
    },
    rows: async () => [],
    emit: async (q) => {
      if (reads++ === 0) store(c.duringFirstRead);
      const lines = db.session.query(q, 'TSV').split('\n').filter((l) => l !== '').map((l) => l.replaceAll('\t', ','));
      if (lines.length > 0) emits.push(lines);
      return lines.length;
    },
  }, controller.signal).then((n) => {
    ended = !controller.signal.aborted;
    return n;
  });
  await settle();
  for (const rows of c.after) {
    for (let i = 0; i < rows.length; i += split ?? rows.length) {
      store(rows.slice(i, i + (split ?? rows.length)));
      await settle();
    }
    if (c.wait !== undefined) await clock.advance(c.wait);
  }
  await settle();
  controller.abort();
  await run;
  return { emits, ended };
}

const rows = (prefix: string, n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `('${prefix}${i + from}', ${i + from}, ${at(String(10 + ((i + from) % 40)))}`);
const names = (emits: string[][]): string[] => emits.flat().map((l) => l.split(',')[0] as string).sort();

describe('a rewind meets the live tail: no gap, no duplicate, while inserts run', () => {
  const c: Concurrent = { before: rows('p', 4), atStart: rows('s', 2), duringFirstRead: rows('d', 3), after: [rows('a', 5), rows('b', 1), rows('c', 7)] };
  const all = names([[...c.before, ...c.atStart, ...c.duringFirstRead, ...c.after.flat()].map((r) => r.slice(2, r.indexOf("'", 2)))]);

  it('seek_to=earliest: every stored row exactly once, whatever the ranges', async () => {
    createStream(db.session, 'CREATE STREAM t1 (k string, v int32)');
    for (const split of splits) {
      const { emits } = await concurrent('t1', "SELECT k, v FROM t1 SETTINGS seek_to='earliest'", c, split);
      expect(names(emits), `split ${String(split)}`).toEqual(all);
      // The backfill is one store query over the rows before the start position.
      expect(emits[0]?.map((l) => l.split(',')[0]).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 's0', 's1']);
    }
  });

  it('a _tp_time rewind filters the past and the live rows alike', async () => {
    createStream(db.session, 'CREATE STREAM t2 (k string, v int32)');
    const sql = "SELECT k FROM t2 WHERE _tp_time >= '2024-02-01 00:00:13'";
    for (const split of splits) {
      const { emits } = await concurrent('t2', sql, c, split);
      expect(names(emits)).toEqual(all.filter((k) => Number(k.slice(1)) >= 3));
    }
  });

  it('a tail from now: rows stored before the start position never come, later ones once', async () => {
    createStream(db.session, 'CREATE STREAM t3 (k string, v int32)');
    for (const split of splits) {
      const { emits } = await concurrent('t3', 'SELECT k FROM t3', c, split);
      expect(names(emits)).toEqual(all.filter((k) => !/^[ps]/.test(k)));
    }
  });
});

describe('LIMIT across ranges', () => {
  const c: Concurrent = { before: rows('p', 3), atStart: [], duringFirstRead: [], after: [rows('a', 2), rows('b', 2), rows('c', 4)] };

  it('a tail ends after n rows, split across ranges as they came', async () => {
    createStream(db.session, 'CREATE STREAM t4 (k string, v int32)');
    const sizes: Record<string, number[]> = { '1': [1, 1, 1, 1, 1], '3': [2, 2, 1], null: [2, 2, 1] };
    for (const split of splits) {
      const { emits, ended } = await concurrent('t4', 'SELECT k FROM t4 LIMIT 5', c, split);
      expect(ended).toBe(true);
      expect(emits.map((e) => e.length)).toEqual(sizes[String(split)]);
      expect(emits.flat()).toEqual(['a0', 'a1', 'b0', 'b1', 'c0']);
    }
  });

  it('a rewind whose backfill fills the LIMIT ends without a live read', async () => {
    createStream(db.session, 'CREATE STREAM t5 (k string, v int32)');
    const { emits, ended } = await concurrent('t5', "SELECT k FROM t5 WHERE _tp_sn >= 0 LIMIT 2", c, null);
    expect(ended).toBe(true);
    expect(emits).toHaveLength(1);
    expect(emits[0]).toHaveLength(2);
  });

  it('an aggregation ends after n rows over its emits', async () => {
    createStream(db.session, 'CREATE STREAM t6 (k string, v int32)');
    const groups: Concurrent = { ...c, before: [], after: [[`('a', 1, ${at('01')}`, `('b', 1, ${at('01')}`], [`('a', 2, ${at('02')}`]], wait: 1000 };
    for (const split of splits) {
      const { emits, ended } = await concurrent('t6', 'SELECT k, count() FROM t6 GROUP BY k ORDER BY k LIMIT 3 EMIT PERIODIC 1s', groups, split);
      expect(ended).toBe(true);
      expect(emits).toEqual([['a,1', 'b,1'], ['a,2']]);
    }
  });
});

describe('global aggregations', () => {
  it('periodic emits depend on the clock, not on the ranges', async () => {
    createStream(db.session, 'CREATE STREAM g1 (k string, v int32)');
    const steps = [{ insert: rows('x', 3) }, { wait: 2000 }, { insert: rows('y', 2) }, { wait: 2000 }, { wait: 2000 }, { insert: rows('z', 4) }, { wait: 2000 }];
    for (const split of splits) {
      expect(await replay(db.session, 'g1', 'k, v', 'SELECT count(), sum(v) FROM g1', steps, split)).toEqual([['3,3'], ['5,4'], ['9,10']]);
    }
  });

  it('a rewound aggregation counts the backfill and the concurrent inserts once', async () => {
    createStream(db.session, 'CREATE STREAM g2 (k string, v int32)');
    const c: Concurrent = { before: rows('p', 4), atStart: rows('s', 2), duringFirstRead: rows('d', 3), after: [rows('a', 5), rows('b', 1)], wait: 2000 };
    for (const split of splits) {
      const { emits } = await concurrent('g2', "SELECT count() FROM g2 SETTINGS seek_to='earliest'", c, split);
      expect(emits.at(-1)).toEqual(['15']);
    }
  });

  it('ON UPDATE emits after each range: 1-row ranges give every step, whole inserts one per insert', async () => {
    createStream(db.session, 'CREATE STREAM g3 (k string, v int32)');
    const steps = [{ insert: [`('a', 1, ${at('01')}`, `('b', 2, ${at('02')}`, `('a', 3, ${at('03')}`] }];
    const sql = 'SELECT k, sum(v) FROM g3 GROUP BY k ORDER BY k EMIT ON UPDATE';
    expect(await replay(db.session, 'g3', 'k, v', sql, steps, 1)).toEqual([['a,1'], ['b,2'], ['a,4']]);
    expect(await replay(db.session, 'g3', 'k, v', sql, steps)).toEqual([['a,4', 'b,2']]);
  });
});
