// A rewind's backfill meets the live tail with no gap and no duplicate while inserts really run
// concurrently (streaming/tail.ts; §2.7): writes go through the real `_tp_sn` sequencer
// (history/sequence.ts), which publishes each stored range to the stream log in the stream's turn;
// each write yields to the event loop before and after it stores (store latency), and the query
// starts, reads its start position and backfills while writes are queued and running.
import { describe, expect, it } from 'vitest';
import { Sequences } from '../../../src/history/sequence.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { runTail } from '../../../src/streaming/tail.ts';
import { tempSession } from '../../support/chdb.ts';
import { createStream, FakeClock, settle, streaming } from './replay.ts';

const db = tempSession('stream-concurrent');
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Writes `batches` (row counts) of ids from 0 concurrently through the sequencer; starts the query after `startAfter` writes were queued. */
async function run(stream: string, sql: string, batches: readonly number[], startAfter: number): Promise<{ emitted: string[]; all: string[] }> {
  const key = `default.${stream}`;
  createStream(db.session, `CREATE STREAM ${stream} (id int32)`);
  const log = new MemoryStreamLog();
  const sequences = new Sequences(async (k) => BigInt(String((JSON.parse(db.session.query(`SELECT if(count() = 0, 0, max(_tp_sn) + 1) AS n FROM ${k}`, 'JSONEachRow')) as { n: string | number }).n)));
  sequences.listen((k, first, next) => log.publish(k, first, next), (k) => log.hasSubscribers(k));
  let id = 0;
  const write = (rows: number): Promise<void> => {
    const ids = Array.from({ length: rows }, () => id++);
    return sequences.run(key, async (base) => {
      await turn();
      const values = ids.map((x, i) => `(${x}, ${String(base + BigInt(i))})`).join(', ');
      db.session.query(`INSERT INTO ${key} (id, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ${values}`, 'TSV');
      await turn();
      return { value: undefined, rows: BigInt(rows) };
    });
  };
  const p = plan(parseSql(sql), streaming, sql);
  if (p.kind !== 'tail') throw new Error(`${sql}: ${p.kind} plan`);
  const emitted: string[] = [];
  const controller = new AbortController();
  const writes: Promise<void>[] = [];
  let query: Promise<number> | null = null;
  for (const [i, rows] of batches.entries()) {
    if (i === startAfter) {
      query = runTail({ ...p.tail, key }, {
        log, clock: new FakeClock(),
        position: (k) => sequences.position(k),
        rows: async () => [],
        emit: async (q) => {
          await turn();
          const lines = db.session.query(q, 'TSV').split('\n').filter((l) => l !== '');
          emitted.push(...lines);
          await turn();
          return lines.length;
        },
      }, controller.signal);
    }
    writes.push(write(rows));
    if (i % 3 === 0) await turn();
  }
  await Promise.all(writes);
  await settle();
  controller.abort();
  await query;
  return { emitted, all: Array.from({ length: id }, (_, i) => String(i)) };
}

const byNumber = (xs: readonly string[]): string[] => [...xs].sort((a, b) => Number(a) - Number(b));
const batches = [1, 3, 2, 7, 1, 1, 5, 4, 1, 2, 9, 1, 3, 3, 1, 6, 2, 1, 1, 4];

describe('rewinds under concurrent inserts', () => {
  for (const startAfter of [0, 1, 4, 9, 15]) {
    it(`seek_to='earliest' started after ${startAfter} queued writes: every row exactly once`, async () => {
      const { emitted, all } = await run(`c${startAfter}`, `SELECT id FROM c${startAfter} SETTINGS seek_to='earliest'`, batches, startAfter);
      expect(byNumber(emitted)).toEqual(all);
    });
  }

  it('a _tp_sn rewind and a tail from now: each row at most once, none after the start missed', async () => {
    const { emitted, all } = await run('c_sn', 'SELECT id FROM c_sn WHERE _tp_sn >= 10', batches, 6);
    expect(byNumber(emitted)).toEqual(all.slice(10));
    const now = await run('c_now', 'SELECT id FROM c_now', batches, 6);
    const got = byNumber(now.emitted);
    expect(new Set(got).size).toBe(got.length);
    // Ids are numbered in write order, so a tail from now sees a suffix of them: no gap.
    expect(got).toEqual(now.all.slice(now.all.length - got.length));
    expect(got.length).toBeGreaterThan(0);
  });
});
