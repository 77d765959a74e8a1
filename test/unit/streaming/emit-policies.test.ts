// EMIT policies (proton-semantics §1.10, §4 C, D) replayed on the engine with a fake clock, and the
// combinations Proton refuses.
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { createStream, replay, streaming } from './replay.ts';

const db = tempSession('stream-emit');
const at = (s: string): string => `'2024-01-24 10:00:${s}')`;
const ten = '2024-01-24 10:00:';

describe('EMIT ON UPDATE', () => {
  it('22: global aggregation emits the changed groups after each batch', async () => {
    createStream(db.session, 'CREATE STREAM g2 (i int32)');
    const steps = [{ insert: [`(1, ${at('00')}`] }, { insert: [`(2, ${at('05')}`] }, { insert: [`(3, ${at('10')}`] }];
    expect(await replay(db.session, 'g2', 'i', 'SELECT min(i), max(i), count() FROM g2 EMIT ON UPDATE', steps)).toEqual([['1,1,1'], ['1,2,2'], ['1,3,3']]);
    expect(await replay(db.session, 'g2', 'i', 'SELECT i, count() FROM g2 GROUP BY i EMIT ON UPDATE', steps)).toEqual([['1,1'], ['2,1'], ['3,1']]);
  });

  it('39: tumble emits changed groups of open windows; closing does not re-emit', async () => {
    createStream(db.session, 'CREATE STREAM w8 (i int32)');
    const emits = await replay(db.session, 'w8', 'i', 'SELECT window_start, window_end, i, count() FROM tumble(w8, 10s) GROUP BY window_start, window_end, i EMIT ON UPDATE', [
      { insert: [`(1, ${at('00')}`] }, { insert: [`(2, ${at('05')}`] }, { insert: [`(3, ${at('10')}`] },
    ]);
    expect(emits).toEqual([[`${ten}00.000,${ten}10.000,1,1`], [`${ten}00.000,${ten}10.000,2,1`], [`${ten}10.000,${ten}20.000,3,1`]]);
  });

  it('38: hop emits every open window a batch touched', async () => {
    createStream(db.session, 'CREATE STREAM w7 (i int32)');
    const emits = await replay(db.session, 'w7', 'i', 'SELECT window_start, window_end, min(i), max(i), count() FROM hop(w7, 10s, 30s) GROUP BY window_start, window_end ORDER BY window_start EMIT ON UPDATE', [
      { insert: [`(1, ${at('00')}`] }, { insert: [`(2, ${at('05')}`] }, { insert: [`(3, ${at('10')}`] },
    ]);
    expect(emits[2]).toEqual(['2024-01-24 09:59:50.000,2024-01-24 10:00:20.000,1,3,3', `${ten}00.000,${ten}30.000,1,3,3`, `${ten}10.000,${ten}40.000,3,3,1`]);
    expect(emits[1]).toHaveLength(3);
  });
});

describe('clock-driven emits', () => {
  it('42: TIMEOUT closes an idle window after clock time without rows; without it nothing', async () => {
    createStream(db.session, 'CREATE STREAM w12 (v int32)');
    const steps = [{ insert: ["(1, '2024-01-01 00:00:01')"] }, { wait: 4000 }];
    for (const e of ['EMIT AFTER WATERMARK AND TIMEOUT 2s', 'EMIT TIMEOUT 2s']) {
      expect(await replay(db.session, 'w12', 'v', `SELECT window_start, count() FROM tumble(w12, 5s) GROUP BY window_start ${e}`, steps)).toEqual([['2024-01-01 00:00:00.000,1']]);
    }
    expect(await replay(db.session, 'w12', 'v', 'SELECT window_start, count() FROM tumble(w12, 5s) GROUP BY window_start', steps)).toEqual([]);
  });

  it('21, 27: periodic full snapshots only after new rows, REPEAT without; emit_version() counts emits', async () => {
    createStream(db.session, 'CREATE STREAM g7 (i int32)');
    const steps = [{ insert: ["(1, '2024-01-01 00:00:01')"] }, { wait: 2000 }, { wait: 2000 }, { insert: ["(2, '2024-01-01 00:00:02')"] }, { wait: 2000 }];
    expect(await replay(db.session, 'g7', 'i', 'SELECT emit_version() AS ver, count() AS c FROM g7 EMIT PERIODIC 1s', steps)).toEqual([['0,1'], ['1,2']]);
    expect(await replay(db.session, 'g7', 'i', 'SELECT count() AS c FROM g7 EMIT PERIODIC 2s REPEAT', steps)).toEqual([['1'], ['1'], ['2']]);
    expect(await replay(db.session, 'g7', 'i', 'SELECT count() AS c FROM g7', [{ wait: 5000 }])).toEqual([]);
  });

  it('EMIT PERIODIC on a window: open windows as intermediate results, the final row again on close', async () => {
    createStream(db.session, 'CREATE STREAM w13 (v int32)');
    const emits = await replay(db.session, 'w13', 'v', 'SELECT window_start, count() FROM tumble(w13, 5s) GROUP BY window_start EMIT PERIODIC 1s', [
      { insert: ["(1, '2024-01-01 00:00:01')"] }, { wait: 1000 }, { insert: ["(1, '2024-01-01 00:00:06')"] }, { wait: 1000 },
    ]);
    expect(emits).toEqual([['2024-01-01 00:00:00.000,1'], ['2024-01-01 00:00:00.000,1'], ['2024-01-01 00:00:05.000,1']]);
  });
});

describe('refused forms', () => {
  const code = (sql: string): number | undefined => thrownCode(() => plan(parseSql(sql), streaming, sql));
  it('28, 35: Proton codes for emit policies on tails, watermarks without windows, windows not grouped', () => {
    createStream(db.session, 'CREATE STREAM r1 (i int32, v int32)');
    expect(code('SELECT * FROM r1 EMIT PERIODIC 2s')).toBe(80);
    expect(code('SELECT * FROM r1 EMIT AFTER WATERMARK')).toBe(80);
    expect(code('SELECT i FROM r1 GROUP BY i EMIT AFTER WATERMARK')).toBe(80);
    expect(code('SELECT count() FROM tumble(r1, 5s) GROUP BY v')).toBe(2002);
    expect(code('SELECT window_start, count() FROM tumble(r1, 5s) GROUP BY window_start EMIT PERIODIC 1s WITH DELAY 1s')).toBe(2523);
    expect(code('SELECT window_start, count() FROM tumble(r1, 1M) GROUP BY window_start')).toBe(36);
    expect(code('SELECT * FROM session(r1, 5s)')).toBe(48); // issue 6: session() aggregations run; a session tail is still 48
    expect(code('SELECT i FROM r1 EMIT CHANGELOG')).toBe(48); // EMIT CHANGELOG runs on aggregations and changelog tails (changelog.test.ts), not on append tails
  });
});
