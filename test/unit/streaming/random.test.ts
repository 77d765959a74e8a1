// Random stream generators (proton-semantics §1.4): the pure schedule (rows per batch, when, fractional
// eps, max_events) on a fake clock, the per-stream lease count, and a generator feeding the real tail
// engine through the store: each batch is an INSERT … SELECT of the DEFAULT expressions with `_tp_sn`.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { maxBatchRows, minBatchIntervalMs, RandomGenerators, RandomSchedule, runRandom, type RandomRate } from '../../../src/streaming/random.ts';
import { runTail } from '../../../src/streaming/tail.ts';
import { tempSession } from '../../support/chdb.ts';
import { createStream, FakeClock, settle, streaming } from './replay.ts';

const rate = (eps: number, intervalMs = 100, maxEvents: number | null = null): RandomRate => ({ eps, intervalMs, maxEvents });

/** The batches a schedule hands out over `ms` of clock time, visiting it when it asks. */
function batches(r: RandomRate, ms: number): { at: number; rows: number }[] {
  const s = new RandomSchedule(r, 0);
  const out: { at: number; rows: number }[] = [];
  let now: number | null = 0;
  while (now !== null && now <= ms) {
    const rows = s.take(now);
    if (rows > 0) out.push({ at: now, rows });
    now = s.nextAt(now);
  }
  return out;
}

describe('RandomSchedule', () => {
  it('eps × interval rows per batch, the first at once', () => {
    expect(batches(rate(100, 200), 1000)).toEqual([0, 200, 400, 600, 800, 1000].map((at) => ({ at, rows: 20 })));
  });

  it('a fractional rate accumulates across batches', () => {
    const b = batches(rate(15, 100), 1000);
    expect(b.map((x) => x.rows)).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]);
    expect(b.reduce((n, x) => n + x.rows, 0)).toBe(16);
  });

  it('eps below 1: one row every 1/eps seconds, sleeping until it is due', () => {
    expect(batches(rate(0.5, 5), 7000)).toEqual([{ at: 1900, rows: 1 }, { at: 3900, rows: 1 }, { at: 5900, rows: 1 }]);
  });

  it(`batches come at most every ${minBatchIntervalMs} ms, at the same rate`, () => {
    const b = batches(rate(1000, 5), 1000);
    expect(b.map((x) => x.at)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(b.every((x) => x.rows === 100)).toBe(true);
  });

  it('max_events bounds the total, then the schedule ends', () => {
    const s = new RandomSchedule(rate(100, 100, 25), 0);
    expect([s.take(0), s.take(100), s.take(200)]).toEqual([10, 10, 5]);
    expect(s.nextAt(200)).toBeNull();
  });

  it('eps 0 is unbounded: a full block every interval', () => {
    expect(batches(rate(0, 100), 200)).toEqual([0, 100, 200].map((at) => ({ at, rows: maxBatchRows })));
  });

  it('a slow store is caught up, not drifted, and one batch never exceeds the block', () => {
    const s = new RandomSchedule(rate(100, 100), 0);
    expect(s.take(0)).toBe(10);
    expect(s.take(5000)).toBe(500);
    const fast = new RandomSchedule(rate(1_000_000, 100), 0);
    expect(fast.take(10_000)).toBe(maxBatchRows);
  });
});

describe('runRandom and RandomGenerators', () => {
  it('runs on the clock until aborted', async () => {
    const clock = new FakeClock();
    const inserted: number[] = [];
    const stop = new AbortController();
    const run = runRandom(rate(50, 200), { clock, insert: async (n) => void inserted.push(n) }, stop.signal);
    await settle();
    await clock.advance(1000);
    stop.abort();
    expect(await run).toBe(60);
    expect(inserted).toEqual([10, 10, 10, 10, 10, 10]);
  });

  it('one generator per stream, shared by its readers, stopped by the last', async () => {
    const clock = new FakeClock();
    const gens = new RandomGenerators(clock);
    const inserted: string[] = [];
    const insert = (tag: string) => async (n: number) => void inserted.push(`${tag}${n}`);
    const a = gens.acquire('s', rate(10, 100), insert('a'));
    const b = gens.acquire('s', rate(99, 100), insert('b'));
    await settle();
    expect(gens.active()).toEqual(['s']);
    await clock.advance(200);
    a.release();
    a.release();
    await clock.advance(100);
    expect(inserted).toEqual(['a1', 'a1', 'a1', 'a1']);
    b.release();
    await clock.advance(500);
    expect(gens.active()).toEqual([]);
    expect(inserted).toHaveLength(4);
  });

  it('a bounded generator says when it is exhausted', async () => {
    const clock = new FakeClock();
    const gens = new RandomGenerators(clock);
    const lease = gens.acquire('s', rate(100, 100, 15), async () => undefined);
    let done = false;
    void lease.exhausted.then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    await clock.advance(100);
    expect(done).toBe(true);
    expect(gens.active()).toEqual([]);
    lease.release();
  });

  it('read(): the generator starts when the read has its position, the read ends a drain after max_events', async () => {
    const clock = new FakeClock();
    const gens = new RandomGenerators(clock);
    const inserted: number[] = [];
    let startedAt: number | null = null;
    const result = gens.read('s', rate(100, 100, 25), async (n) => void inserted.push(n), 500, new AbortController().signal, async (signal, started) => {
      await clock.sleep(50, signal);
      expect(inserted).toEqual([]);
      started();
      startedAt = clock.now();
      await clock.sleep(60_000, signal);
      return clock.now() - (startedAt ?? 0);
    });
    await settle();
    await clock.advance(50);
    expect(inserted).toEqual([10]);
    await clock.advance(200);
    expect(inserted).toEqual([10, 10, 5]);
    await clock.advance(500);
    expect(await result).toBe(700);
    expect(gens.active()).toEqual([]);
  });

  it('read(): a failing generator fails the read; an aborted read stops it', async () => {
    const clock = new FakeClock();
    const gens = new RandomGenerators(clock);
    const failing = gens.read('f', rate(10), async () => {
      throw new Error('refused');
    }, 0, new AbortController().signal, async (signal, started) => {
      started();
      await clock.sleep(60_000, signal);
      return 'ended';
    });
    await expect(failing).rejects.toThrow('refused');
    const client = new AbortController();
    const reading = gens.read('g', rate(10), async () => undefined, 0, client.signal, async (signal, started) => {
      started();
      await clock.sleep(60_000, signal);
      return 'ended';
    });
    await settle();
    expect(gens.active()).toEqual(['g']);
    client.abort();
    expect(await reading).toBe('ended');
    expect(gens.active()).toEqual([]);
  });

  it('a failing insert fails every reader, and the next reader starts afresh', async () => {
    const clock = new FakeClock();
    const gens = new RandomGenerators(clock);
    const lease = gens.acquire('s', rate(10), async () => {
      throw new Error('refused');
    });
    await expect(lease.failed).rejects.toThrow('refused');
    expect(gens.active()).toEqual([]);
    lease.release();
    const next = gens.acquire('s', rate(10), async () => undefined);
    expect(gens.active()).toEqual(['s']);
    next.release();
  });
});

describe('a generator feeding the tail engine (embedded ClickHouse)', () => {
  const chdb = tempSession('random');

  it('SELECT id FROM r LIMIT 5 reads 5 generated rows in 0..3; the backing table keeps only what was generated', async () => {
    const session = chdb.session;
    createStream(session, 'CREATE RANDOM STREAM rnd (id int32 DEFAULT rand() % 4, s string DEFAULT random_string(3)) SETTINGS eps=100, interval_time=100');
    expect(session.query('SELECT count() FROM default.rnd', 'TSV').trim()).toBe('0');
    const sql = 'SELECT id, length(s) FROM rnd LIMIT 5';
    const p = plan(parseSql(sql), streaming, sql);
    if (p.kind !== 'tail' || p.random === undefined) throw new Error(`${p.kind} plan without a generator`);
    expect(p.random.rate).toEqual({ eps: 100, intervalMs: 100, maxEvents: null });
    const { random } = p;
    const log = new MemoryStreamLog();
    const clock = new FakeClock();
    let next = 0n;
    const gens = new RandomGenerators(clock);
    const emits: string[] = [];
    const controller = new AbortController();
    const run = runTail({ ...p.tail, key: random.key }, {
      log, clock,
      position: async () => next,
      rows: async () => [],
      emit: async (q) => {
        const lines = session.query(q, 'TSV').split('\n').filter((l) => l !== '');
        emits.push(...lines);
        return lines.length;
      },
    }, controller.signal);
    // As the executor does: rows numbered from `next`, stored, then published.
    const lease = gens.acquire(random.key, random.rate, async (rows) => {
      const first = next;
      session.query(`INSERT INTO ${random.key} (${[...random.columns, '_tp_sn'].join(', ')}) SELECT *, ${first} + rowNumberInAllBlocks() FROM (${random.select(rows)}) SETTINGS insert_allow_materialized_columns = 1`, 'TSV');
      next += BigInt(rows);
      log.publish(random.key, first, next);
    });
    await settle();
    await Promise.race([lease.failed, settle()]);
    expect(await run).toBe(5);
    lease.release();
    expect(emits).toHaveLength(5);
    for (const e of emits) expect(e).toMatch(/^[0-3]\t3$/);
    expect(session.query('SELECT count() FROM default.rnd', 'TSV').trim()).toBe('10');
    controller.abort();
  });
});
