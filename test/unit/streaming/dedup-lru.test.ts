// dedup()'s bounded key set (proton-semantics §1.12, §4 E 43 "dedup key limit"): the pure machine
// (streaming/dedup.ts) and golden replays on the engine with 1-row, odd and whole-insert ranges and a
// fake clock — max_keys forgets the oldest admitted key, ttl forgets a key after that much clock time.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { DedupMachine, dedupReads, maxRunsPerRead } from '../../../src/streaming/dedup.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { createStream, replay, streaming, type Step } from './replay.ts';

const db = tempSession('stream-dedup-lru');
const at = (s: number): string => `'2024-03-01 00:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}')`;
const rows = (keys: readonly (readonly [number, string])[], t = 1): string[] => keys.map(([i, s]) => `(${i}, '${s}', ${at(t)}`);

/** The rows every split emits, in order; the splits must agree. */
async function golden(stream: string, sql: string, steps: readonly Step[], splits: readonly (number | null)[] = [1, 2, 3, null]): Promise<string[]> {
  const results: string[][] = [];
  for (const split of splits) {
    db.session.query(`TRUNCATE TABLE default.${stream}`, 'TSV');
    results.push((await replay(db.session, stream, 'i, s', sql, steps, split)).flat());
  }
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  return results[0] as string[];
}

describe('DedupMachine', () => {
  const row = (key: string, sn: number) => ({ key, sn: BigInt(sn) });

  it('passes the first row per key; contiguous kept rows are one run', () => {
    const m = new DedupMachine({ maxKeys: 10, ttlMs: 0 });
    expect(m.admit([row('a', 1), row('b', 2), row('a', 3), row('c', 4), row('d', 5)], 0)).toEqual([{ first: 1n, next: 3n }, { first: 4n, next: 6n }]);
    expect(m.admit([row('a', 6), row('e', 7)], 0)).toEqual([{ first: 7n, next: 8n }]);
  });

  it('max_keys forgets the oldest admitted key; a repeat does not refresh it (Proton KeySet)', () => {
    const m = new DedupMachine({ maxKeys: 2, ttlMs: 0 });
    expect(m.admit([row('s1', 1), row('s2', 2), row('s3', 3)], 0)).toEqual([{ first: 1n, next: 4n }]);
    expect([...m.state.keys.keys()]).toEqual(['s2', 's3']);
    expect(m.admit([row('s2', 4), row('s3', 5), row('s1', 6)], 0)).toEqual([{ first: 6n, next: 7n }]);
    // s2 repeated but was admitted first of the two: s1 evicted it.
    expect([...m.state.keys.keys()]).toEqual(['s3', 's1']);
  });

  it('ttl forgets keys admitted more than ttl ago, judged per range; 0 means forever', () => {
    const m = new DedupMachine({ maxKeys: 0, ttlMs: 1000 });
    m.admit([row('a', 1)], 0);
    m.admit([row('b', 2)], 600);
    expect(m.admit([row('a', 3), row('b', 4)], 1000)).toEqual([]);
    expect(m.admit([row('a', 5), row('b', 6)], 1001)).toEqual([{ first: 5n, next: 6n }]);
    const forever = new DedupMachine({ maxKeys: 0, ttlMs: 0 });
    forever.admit([row('a', 1)], 0);
    expect(forever.admit([row('a', 2)], 1e12)).toEqual([]);
  });

  it('its memory is bounded by max_keys', () => {
    const m = new DedupMachine({ maxKeys: 100, ttlMs: 0 });
    m.admit(Array.from({ length: 1000 }, (_, i) => row(`k${i}`.padEnd(32, '0'), i)), 0);
    expect(m.state.keys.size).toBe(100);
    const one = new DedupMachine({ maxKeys: 100, ttlMs: 0 });
    one.admit([row('k'.padEnd(32, '0'), 0)], 0);
    expect(m.bytes()).toBe(100 * one.bytes());
  });

  it('kept runs are read in pieces of at most maxRunsPerRead runs', () => {
    const kept = Array.from({ length: maxRunsPerRead * 2 + 1 }, (_, i) => ({ first: BigInt(2 * i), next: BigInt(2 * i + 1) }));
    const reads = dedupReads(kept);
    expect(reads.map((r) => r.kept.length)).toEqual([maxRunsPerRead, maxRunsPerRead, 1]);
    expect(reads[1]?.range).toEqual({ first: BigInt(2 * maxRunsPerRead), next: BigInt(4 * maxRunsPerRead - 1) });
    expect(reads.flatMap((r) => r.kept)).toEqual(kept);
  });
});

describe('dedup() tails with max_keys and ttl', () => {
  it('§4 E 43 (LRU): with dedup(d2, s, 0s, 2) the second insert emits (1, s1)', async () => {
    createStream(db.session, 'CREATE STREAM dl1 (i int32, s string)');
    const first = rows([[1, 's1'], [2, 's2'], [3, 's3']]);
    const second = rows([[2, 's2'], [3, 's3'], [1, 's1']]);
    expect(await golden('dl1', 'SELECT i, s FROM dedup(dl1, s, 0s, 2)', [{ insert: first }, { insert: second }])).toEqual(['1,s1', '2,s2', '3,s3', '1,s1']);
    expect(await golden('dl1', 'SELECT i, s FROM dedup(dl1, s, 2)', [{ insert: first }, { insert: second }])).toEqual(['1,s1', '2,s2', '3,s3', '1,s1']);
    // The default, 10000 keys: the repeat is dropped (§4 E 43's first part).
    expect(await golden('dl1', 'SELECT i, s FROM dedup(dl1, s)', [{ insert: first }, { insert: second }])).toEqual(['1,s1', '2,s2', '3,s3']);
  });

  it('a key forgotten inside one range passes again in that range', async () => {
    createStream(db.session, 'CREATE STREAM dl2 (i int32, s string)');
    const keys = rows([[1, 'a'], [2, 'b'], [3, 'a'], [4, 'c'], [5, 'a'], [6, 'b'], [7, 'b']]);
    // max_keys 2: a b | a dropped | c evicts a | a passes, evicts b | b passes, evicts c | b dropped.
    expect(await golden('dl2', 'SELECT i, s FROM dedup(dl2, s, 2)', [{ insert: keys }])).toEqual(['1,a', '2,b', '4,c', '5,a', '6,b']);
  });

  it('ttl: a key passes again once more than ttl of clock time passed since it was admitted', async () => {
    createStream(db.session, 'CREATE STREAM dl3 (i int32, s string)');
    const steps: Step[] = [
      { insert: rows([[1, 'a'], [2, 'b']]) }, { wait: 1500 },
      { insert: rows([[3, 'a'], [4, 'c']]) }, { wait: 600 },
      { insert: rows([[5, 'a'], [6, 'b'], [7, 'c']]) },
    ];
    // At 2.1 s a and b (admitted at 0) are forgotten, c (admitted at 1.5 s) is not.
    expect(await golden('dl3', 'SELECT i, s FROM dedup(dl3, s, 2s)', steps)).toEqual(['1,a', '2,b', '4,c', '5,a', '6,b']);
    expect(await golden('dl3', 'SELECT i, s FROM dedup(dl3, s, 0s)', steps)).toEqual(['1,a', '2,b', '4,c']);
    expect(await golden('dl3', 'SELECT i, s FROM dedup(dl3, s, 1000ms, 1)', steps)).toEqual(['1,a', '2,b', '3,a', '4,c', '5,a', '6,b', '7,c']);
  });

  it('an outer WHERE and LIMIT apply after the dedup', async () => {
    createStream(db.session, 'CREATE STREAM dl4 (i int32, s string)');
    const steps: Step[] = [{ insert: rows([[1, 'a'], [2, 'b'], [3, 'c']]) }, { insert: rows([[4, 'a'], [5, 'd'], [6, 'e']]) }];
    expect(await golden('dl4', 'SELECT i, s FROM dedup(dl4, s, 2) WHERE i > 1', steps)).toEqual(['2,b', '3,c', '4,a', '5,d', '6,e']);
    expect(await golden('dl4', 'SELECT i, s FROM dedup(dl4, s, 2) LIMIT 4', steps)).toEqual(['1,a', '2,b', '3,c', '4,a']);
  });

  it('a range with more kept runs than one read holds is read in several store queries, in order', async () => {
    createStream(db.session, 'CREATE STREAM dl5 (i int32, s string)');
    // Every other row repeats key 'x': 1300 kept runs of one row.
    const keys = Array.from({ length: 2600 }, (_, n) => [n, n % 2 === 0 ? `k${n}` : 'x'] as const);
    const expected = keys.filter(([n]) => n % 2 === 0 || n === 1).map(([n, s]) => `${n},${s}`);
    expect(await golden('dl5', 'SELECT i, s FROM dedup(dl5, s, 0s, 100000)', [{ insert: rows(keys) }], [911, null])).toEqual(expected);
  });

  it('the SQL: a probe of the range keys, then a read of the kept runs', () => {
    createStream(db.session, 'CREATE STREAM dl6 (i int32, s string)');
    const sql = 'SELECT i, s FROM dedup(dl6, s, i, 5s, 3)';
    const p = plan(parseSql(sql), streaming, sql);
    if (p.kind !== 'tail' || p.tail.dedup === null) throw new Error('a dedup tail');
    expect({ maxKeys: p.tail.dedup.maxKeys, ttlMs: p.tail.dedup.ttlMs }).toEqual({ maxKeys: 3, ttlMs: 5000 });
    expect(p.tail.dedup.probe({ first: 10n, next: 20n })).toBe('SELECT hex(sipHash128(tuple(s, i))) AS k, toString(_tp_sn) AS sn FROM dl6 WHERE _tp_sn >= 10 AND _tp_sn < 20 ORDER BY _tp_sn');
    const read = p.tail.sql({ first: 10n, next: 20n }, null, [{ first: 10n, next: 12n }, { first: 15n, next: 16n }]);
    expect(read).toBe('SELECT i, s FROM (SELECT * FROM dl6 WHERE or(_tp_sn >= 10 AND _tp_sn < 12, equals(_tp_sn, 15)) ORDER BY _tp_sn)');
    db.session.query("INSERT INTO default.dl6 (i, s, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES (1, 'a', 10), (2, 'a', 11), (3, 'a', 12), (4, 'b', 15)", 'TSV');
    expect(db.session.query(read, 'CSV').trim().split('\n')).toEqual(['1,"a"', '2,"a"', '4,"b"']);
    expect(db.session.query(p.tail.dedup.probe({ first: 10n, next: 13n }), 'JSONEachRow').trim().split('\n').length).toBe(3);
  });

  it('bounds: whole literals only; an aggregation over dedup has no key set in the engine', () => {
    createStream(db.session, 'CREATE STREAM dl7 (i int32, s string)');
    const code = (sql: string): number | undefined => thrownCode(() => plan(parseSql(sql), streaming, sql));
    expect(code('SELECT * FROM dedup(dl7, s, INTERVAL 2 WEEK)')).toBe(36);
    expect(code('SELECT * FROM dedup(dl7, s, 2w)')).toBe(36);
    expect(code('SELECT * FROM dedup(dl7, s, 0s, 2.5)')).toBe(36);
    const agg = plan(parseSql('SELECT count() FROM dedup(dl7, s, 10s, 5)'), streaming, '');
    expect(agg.kind === 'tail' && agg.tail.dedup).toBe(null);
  });
});
