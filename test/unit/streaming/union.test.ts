// Streaming UNION ALL (proton-semantics §1.10) as golden replays: the union planned as the server plans
// it runs on the real engines (execute-union.ts runUnion over streaming/tail.ts and streaming/join.ts)
// over rows stored in the embedded ClickHouse, each write published as ingest does, split into ranges
// of 1 row, 2 rows or whole writes — the emitted rows (a multiset) never depend on the split.
import { describe, expect, it } from 'vitest';
import { runUnion } from '../../../src/execute-union.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import type { UnionPlan } from '../../../src/rewrite/streaming-union-plan.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import type { Write } from './join-replay.ts';
import { createStream, FakeClock, settle, streaming } from './replay.ts';

const db = tempSession('stream-union');

let sn = 5_000_000n;

function unionOf(sql: string): UnionPlan {
  const p = plan(parseSql(sql), streaming, sql);
  if (p.kind !== 'union') throw new Error(`${sql}: ${p.kind} plan`);
  return p;
}

const settingsSql = (m: ReadonlyMap<string, string>): string => (m.size === 0 ? '' : ` SETTINGS ${[...m].map(([k, v]) => `${k} = ${v}`).join(', ')}`);

/** The union's header as the store describes it: `name type` per column. */
function header(p: UnionPlan): { name: string; type: string }[] {
  return db.session.query(`DESCRIBE TABLE (${p.header}) FORMAT JSONEachRow`, 'JSONEachRow').split('\n').filter((l) => l !== '').map((l) => { const c = JSON.parse(l) as { name: string; type: string }; return { name: c.name, type: c.type }; });
}

/** Runs `sql` as a streaming union over the writes; resolves with its emits (rows as comma-joined text) and whether it ended by itself. */
async function replayUnion(sql: string, steps: readonly Write[], split: number | null = null): Promise<{ emits: string[][]; ended: boolean }> {
  const p = unionOf(sql);
  const writes = steps.filter((x): x is Extract<Write, { into: string }> => 'into' in x);
  for (const t of new Set(writes.map((x) => x.into))) db.session.query(`TRUNCATE TABLE default.${t}`, 'TSV');
  const store = (w: Extract<Write, { into: string }>, rows: readonly string[]): bigint => {
    const first = sn;
    const values = rows.map((r) => `${r.slice(0, -1)}, ${String(sn++)})`).join(', ');
    db.session.query(`INSERT INTO default.${w.into} (${w.columns}, _tp_sn) SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0 VALUES ${values}`, 'TSV');
    return first;
  };
  for (const w of writes) if (w.before === true) store(w, w.rows);
  const log = new MemoryStreamLog();
  const clock = new FakeClock();
  const emits: string[][] = [];
  const controller = new AbortController();
  let ended = false;
  const run = runUnion(p, header(p), new Map(), {
    log, clock,
    position: async () => sn,
    rows: async (q, s) => db.session.query(`${q} FORMAT JSONEachRow${settingsSql(s)}`, 'JSONEachRow').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    emit: async (q, s) => {
      const lines = db.session.query(`${q}${settingsSql(s)}`, 'TSV').split('\n').filter((l) => l !== '').map((l) => l.replaceAll('\t', ','));
      if (lines.length > 0) emits.push(lines);
      return lines.length;
    },
  }, controller.signal).then(() => null, (error: unknown) => ({ error })).finally(() => {
    ended = true;
  });
  await settle();
  for (const w of steps) {
    if ('wait' in w) {
      await clock.advance(w.wait);
      continue;
    }
    if (w.before === true) continue;
    const size = split ?? w.rows.length;
    for (let i = 0; i < w.rows.length; i += size) {
      const first = store(w, w.rows.slice(i, i + size));
      log.publish(`default.${w.into}`, first, sn);
      await settle();
    }
  }
  const endedByItself = ended;
  controller.abort();
  const failed = await run;
  if (failed !== null) throw failed.error;
  return { emits, ended: endedByItself };
}

/** The emits at whole writes, checked to hold the same rows (a multiset) at 1-row and 2-row splits. */
async function scenario(sql: string, writes: readonly Write[]): Promise<string[][]> {
  const whole = (await replayUnion(sql, writes)).emits;
  for (const split of [1, 2]) expect((await replayUnion(sql, writes, split)).emits.flat().sort(), `split ${split}`).toEqual(whole.flat().sort());
  return whole;
}

const w = (into: string, columns: string, ...rows: string[]): Write => ({ into, columns, rows });

describe('streaming UNION ALL', () => {
  it('merges two filtered/projected tails; plain UNION is UNION ALL; the first branch names the columns', async () => {
    createStream(db.session, 'CREATE STREAM u1 (k string, v int32)');
    createStream(db.session, 'CREATE STREAM u2 (k string, w int64)');
    const sql = "SELECT k AS key, v FROM u1 WHERE v > 1 UNION SELECT k, w * 10 FROM u2 WHERE k != 'x'";
    const p = unionOf(sql);
    expect(p.branches.map((b) => b.kind)).toEqual(['tail', 'tail']);
    expect(p.header).toBe(
      'SELECT * FROM (SELECT k AS key, v FROM u1 WHERE v > 1 AND (_tp_sn >= 0 AND _tp_sn < 0) LIMIT 0) UNION ALL '
      + "SELECT * FROM (SELECT k, w * 10 FROM u2 WHERE k != 'x' AND (_tp_sn >= 0 AND _tp_sn < 0) LIMIT 0)",
    );
    expect(header(p)).toEqual([{ name: 'key', type: 'String' }, { name: 'v', type: 'Int64' }]);
    const emits = await scenario(sql, [
      { ...w('u1', 'k, v', "('old', 9)"), before: true },
      w('u1', 'k, v', "('a', 1)", "('b', 2)", "('c', 3)"),
      w('u2', 'k, w', "('d', 4)", "('x', 5)"),
      w('u1', 'k, v', "('e', 5)"),
    ]);
    expect(emits).toEqual([['b,2', 'c,3'], ['d,40'], ['e,5']]);
  });

  it('a LIMIT after the last branch is the whole query\'s: it ends the query after n rows of any branch', async () => {
    const sql = 'SELECT k FROM u1 UNION ALL SELECT k FROM u2 LIMIT 3';
    expect(unionOf(sql).limit).toBe(3);
    const writes = [w('u1', 'k, v', "('a', 1)", "('b', 2)"), w('u2', 'k, w', "('c', 3)"), w('u1', 'k, v', "('d', 4)"), w('u2', 'k, w', "('e', 5)")];
    for (const split of [null, 1, 2]) {
      const r = await replayUnion(sql, writes, split);
      expect(r.emits.flat(), `split ${split}`).toEqual(['a', 'b', 'c']);
      expect(r.ended, `split ${split}`).toBe(true);
    }
  });

  it('a bounded branch (table(x), no stream) is emitted once at the start', async () => {
    createStream(db.session, 'CREATE STREAM u3 (k string, v int32)');
    const sql = "SELECT k, v FROM table(u3) UNION ALL SELECT k, v FROM u1 UNION ALL SELECT 'const', 0";
    const p = unionOf(sql);
    expect(p.branches.map((b) => b.kind)).toEqual(['bounded', 'tail', 'bounded']);
    const emits = await scenario(sql, [
      { ...w('u3', 'k, v', "('t1', 1)", "('t2', 2)"), before: true },
      w('u1', 'k, v', "('a', 1)", "('b', 2)"),
      w('u3', 'k, v', "('t3', 3)"),
    ]);
    expect(emits.map((e) => [...e].sort())).toEqual([['t1,1', 't2,2'], ['const,0'], ['a,1', 'b,2']]);
  });

  it('a streaming join and a dedup() tail as branches', async () => {
    createStream(db.session, 'CREATE STREAM uo (oid int32, pid string)');
    createStream(db.session, 'CREATE STREAM up (pid string, price float64)');
    const sql = 'SELECT oid, price FROM uo INNER JOIN table(up) AS p ON uo.pid = p.pid UNION ALL SELECT v, 0 FROM dedup(u1, k)';
    expect(unionOf(sql).branches.map((b) => b.kind)).toEqual(['join', 'tail']);
    const emits = await scenario(sql, [
      { ...w('up', 'pid, price', "('p1', 10)", "('p2', 20)"), before: true },
      w('uo', 'oid, pid', "(1, 'p1')", "(2, 'p9')"),
      w('u1', 'k, v', "('a', 7)", "('a', 8)", "('b', 9)"),
      w('uo', 'oid, pid', "(3, 'p2')"),
      w('u1', 'k, v', "('b', 10)", "('c', 11)"),
    ]);
    expect(emits.flat().sort()).toEqual(['1,10', '11,0', '3,20', '7,0', '9,0']);
  });

  it('a versioned_kv branch replays its current rows, then follows; the other branch tails', async () => {
    createStream(db.session, "CREATE STREAM ukv (k string, v int32) PRIMARY KEY k SETTINGS mode='versioned_kv'");
    const sql = 'SELECT k, v FROM ukv UNION ALL SELECT k, v FROM u1';
    const emits = await scenario(sql, [
      { ...w('ukv', 'k, v', "('a', 1)", "('a', 2)", "('b', 3)"), before: true },
      w('u1', 'k, v', "('t', 9)"),
      w('ukv', 'k, v', "('a', 4)"),
    ]);
    expect(emits.map((e) => [...e].sort())).toEqual([['a,2', 'b,3'], ['t,9'], ['a,4']]);
  });

  it('global aggregations as branches emit every period, each its own rows', async () => {
    const sql = 'SELECT count() AS n, \'u1\' AS s FROM u1 EMIT PERIODIC 1s UNION ALL SELECT count(), \'u2\' FROM u2 EMIT PERIODIC 1s';
    const emits = await scenario(sql, [
      w('u1', 'k, v', "('a', 1)", "('b', 2)"), w('u2', 'k, w', "('c', 3)"), { wait: 1000 },
      w('u2', 'k, w', "('d', 4)"), { wait: 1000 }, { wait: 1000 },
    ]);
    expect(emits.flat().sort()).toEqual(['1,u2', '2,u1', '2,u2']);
  });

  it('a tumble aggregation branch: the header is its emit\'s columns', () => {
    const p = unionOf('SELECT window_start AS t, count() AS n FROM tumble(u1, 5s) GROUP BY window_start UNION ALL SELECT _tp_time, v FROM u1');
    expect(p.branches.map((b) => b.kind)).toEqual(['tail', 'tail']);
    expect(header(p).map((c) => c.name)).toEqual(['t', 'n']);
  });

  it('an error in one branch ends the whole query with that error', async () => {
    const sql = "SELECT k, to_string(throw_if(v = 99, 'boom')) AS t FROM u1 UNION ALL SELECT k, 'x' FROM u2";
    await expect(replayUnion(sql, [w('u2', 'k, w', "('a', 1)"), w('u1', 'k, v', "('b', 99)")])).rejects.toThrow(/boom/);
  });

  it('INTERSECT, EXCEPT and UNION DISTINCT over streams are 48; branches of different widths are ClickHouse\'s 258', () => {
    for (const op of ['INTERSECT', 'EXCEPT', 'UNION DISTINCT', 'UNION ALL SELECT k FROM u1 INTERSECT']) {
      const sql = `SELECT k FROM u1 ${op} SELECT k FROM u2`;
      expect(thrownCode(() => plan(parseSql(sql), streaming, sql)), op).toBe(48);
    }
    const p = unionOf('SELECT k, v FROM u1 UNION ALL SELECT k FROM u2');
    expect(() => header(p)).toThrow(/Code: 258/);
  });

  it('a random stream in a branch is 48', () => {
    createStream(db.session, "CREATE RANDOM STREAM ur (k string DEFAULT 'a')");
    const sql = 'SELECT k FROM ur UNION ALL SELECT k FROM u1';
    expect(thrownCode(() => plan(parseSql(sql), streaming, sql))).toBe(48);
  });
});
