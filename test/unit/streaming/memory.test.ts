// Per-query state memory accounting (streaming/memory.ts): the limit from `max_memory_usage` (or the
// server default), the meter's 241, the estimates of the window machine and the dedup key set, and a
// query run on the engine that fails with 241 once its key set passes the limit while its stream goes on.
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { defaultMaxMemoryUsage, memoryLimit, StateMeter } from '../../../src/streaming/memory.ts';
import { runTail } from '../../../src/streaming/tail.ts';
import { WindowMachine } from '../../../src/streaming/window.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { createStream, FakeClock, settle, streaming } from './replay.ts';

const db = tempSession('stream-memory');

describe('memoryLimit / StateMeter', () => {
  it('the limit: the client max_memory_usage, the server default without it, none for 0', () => {
    expect(memoryLimit(new Map())).toBe(defaultMaxMemoryUsage);
    expect(memoryLimit(new Map([['max_memory_usage', '1000000']]))).toBe(1_000_000);
    expect(memoryLimit(new Map([['max_memory_usage', '0']]))).toBe(null);
    expect(thrownCode(() => memoryLimit(new Map([['max_memory_usage', '1G']])))).toBe(36);
  });

  it('fails with 241 once the parts together pass the limit, naming them', () => {
    const meter = new StateMeter(1000);
    meter.report({ windows: 600, pending: 64 });
    meter.report({ windows: 900 });
    expect(meter.total()).toBe(964);
    let error: unknown;
    try {
      meter.report({ dedup: 100 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(241);
    expect((error as GatewayError).message).toContain('windows 900, pending 64, dedup 100');
    new StateMeter(null).report({ windows: 1e15 });
  });

  it('the window machine estimate grows with keys, open windows and late rules', () => {
    const m = new WindowMachine({ sizeMs: 1000, slideMs: 1000, maxWindows: 1e6, timeoutMs: null });
    const empty = m.bytes();
    const touch = (key: string, start: number) => ({ key, start, end: start + 1000, maxTime: start + 1, watermark: start, minSn: 1n });
    m.arrive({ first: 1n, next: 2n }, [touch('a', 0)], 0);
    const one = m.bytes();
    m.arrive({ first: 2n, next: 3n }, Array.from({ length: 100 }, (_, i) => touch(`k${i}`, 5000)), 0);
    expect(empty).toBeLessThan(one);
    expect(m.bytes()).toBeGreaterThan(one + 100 * 100);
  });
});

describe('a streaming query over its limit', () => {
  it('fails with 241 after the range that passes it; the store keeps its rows and a second query goes on', async () => {
    createStream(db.session, 'CREATE STREAM m1 (i int32, s string)');
    const log = new MemoryStreamLog();
    const clock = new FakeClock();
    let sn = 100n;
    const port = (out: string[]) => ({
      log, clock,
      position: async () => 100n,
      rows: async (q: string) => db.session.query(q, 'JSONEachRow').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
      emit: async (q: string) => {
        const lines = db.session.query(q, 'CSV').split('\n').filter((l) => l !== '');
        out.push(...lines);
        return lines.length;
      },
    });
    const tailOf = (sql: string) => {
      const p = plan(parseSql(sql), streaming, sql);
      if (p.kind !== 'tail') throw new Error(p.kind);
      return p.tail;
    };
    const small: string[] = [];
    const other: string[] = [];
    const controller = new AbortController();
    // 20 keys of about 160 bytes each pass 2000 bytes; the second query keeps the default limit.
    const failing = runTail({ ...tailOf('SELECT i FROM dedup(m1, s, 0s, 100000)'), key: 'default.m1', maxStateBytes: 2000 }, port(small), controller.signal)
      .then(() => null, (e: unknown) => e);
    const going = runTail({ ...tailOf('SELECT i FROM dedup(m1, s)'), key: 'default.m1', maxStateBytes: defaultMaxMemoryUsage }, port(other), controller.signal);
    await settle();
    const insert = async (from: number, n: number): Promise<void> => {
      const first = sn;
      const values = Array.from({ length: n }, (_, k) => `(${from + k}, 'k${from + k}', ${String(sn++)})`).join(', ');
      db.session.query(`INSERT INTO default.m1 (i, s, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES ${values}`, 'TSV');
      log.publish('default.m1', first, sn);
      await settle();
    };
    await insert(0, 5);
    await insert(5, 30);
    const error = await failing;
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(241);
    expect(small).toEqual(['0', '1', '2', '3', '4']);
    await insert(35, 2);
    controller.abort();
    await going;
    expect(other).toEqual(Array.from({ length: 37 }, (_, i) => String(i)));
  });
});
