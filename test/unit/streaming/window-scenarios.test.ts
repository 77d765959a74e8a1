// Proton's window scenarios (proton-semantics §4 C, D) replayed on the engine with a fake clock:
// exact emits for the scenario's own batches, and the same emits whatever the range sizes for
// time-ordered input (STYLE 11; a late row is late relative to earlier batches, so out-of-order
// input legitimately depends on where batches end).
import { describe, expect, it } from 'vitest';
import { tempSession } from '../../support/chdb.ts';
import { createStream, expectSplitInvariant, replay, type Step } from './replay.ts';

const db = tempSession('stream-windows');
const t = (s: string): string => `'2024-01-01 00:00:${s}')`;
const day = '2024-01-01 00:00:';
const invariant = (stream: string, columns: string, sql: string, steps: readonly Step[]): Promise<string[][]> => expectSplitInvariant(db.session, stream, columns, sql, steps);

describe('tumble', () => {
  it('30: closes on a later event and drops late rows', async () => {
    createStream(db.session, 'CREATE STREAM w1 (dev string, val int32)');
    const emits = await replay(db.session, 'w1', 'dev, val', 'SELECT window_start, window_end, dev, count() AS c, sum(val) AS s FROM tumble(w1, 5s) GROUP BY window_start, window_end, dev ORDER BY dev', [
      { insert: [`('a', 1, ${t('01')}`, `('b', 2, ${t('02')}`] },
      { insert: [`('a', 3, ${t('04')}`] },
      { insert: [`('a', 4, ${t('06')}`] },
      { insert: [`('a', 5, ${t('03')}`] },
      { insert: [`('b', 6, ${t('12')}`] },
    ]);
    expect(emits).toEqual([
      [`${day}00.000,${day}05.000,a,2,4`, `${day}00.000,${day}05.000,b,1,2`],
      [`${day}05.000,${day}10.000,a,1,4`],
    ]);
  });

  it('32, 33: out of order inside a batch; several windows close at once, in time order, empty ones never', async () => {
    createStream(db.session, 'CREATE STREAM w2 (v int32)');
    const sql = 'SELECT window_start, count() AS c FROM tumble(w2, 5s) GROUP BY window_start';
    expect(await replay(db.session, 'w2', 'v', sql, [{ insert: [`(1, ${t('07')}`, `(1, ${t('01')}`, `(1, ${t('03')}`] }])).toEqual([[`${day}00.000,2`]]);
    const emits = await invariant('w2', 'v', sql, [{ insert: [`(1, ${t('01')}`] }, { insert: [`(1, ${t('06')}`] }, { insert: [`(1, ${t('30')}`] }]);
    expect(emits).toEqual([[`${day}00.000,1`], [`${day}05.000,1`]]);
  });

  it('34: allowed lateness WITH DELAY, in both grammars', async () => {
    createStream(db.session, 'CREATE STREAM w4 (v int32)');
    for (const policy of ['AFTER WATERMARK', 'AFTER WINDOW CLOSE']) {
      const sql = `SELECT window_start, count() AS c FROM tumble(w4, 5s) GROUP BY window_start EMIT ${policy} WITH DELAY 2s`;
      const emits = await invariant('w4', 'v', sql, [{ insert: [`(1, ${t('01')}`] }, { insert: [`(1, ${t('06')}`] }, { insert: [`(1, ${t('04')}`] }, { insert: [`(1, ${t('07')}`] }]);
      expect(emits).toEqual([[`${day}00.000,2`]]);
    }
  });

  it('40: PARTITION BY gives each key its own watermark', async () => {
    createStream(db.session, 'CREATE STREAM w9 (dev string)');
    const steps: Step[] = [
      { insert: [`('a', ${t('01')}`, `('b', ${t('01')}`] }, { insert: [`('a', ${t('07')}`] }, { insert: [`('b', ${t('03')}`] }, { insert: [`('b', ${t('05')}`] },
    ];
    const by = await replay(db.session, 'w9', 'dev', 'SELECT dev, window_start, count() AS c FROM tumble(w9, 5s) PARTITION BY dev GROUP BY dev, window_start', steps);
    expect(by).toEqual([[`a,${day}00.000,1`], [`b,${day}00.000,2`]]);
    const all = await replay(db.session, 'w9', 'dev', 'SELECT dev, window_start, count() AS c FROM tumble(w9, 5s) GROUP BY dev, window_start ORDER BY dev', steps);
    expect(all).toEqual([[`a,${day}00.000,1`, `b,${day}00.000,1`]]);
  });
});

describe('hop', () => {
  it('37: hop watermark is the end of the last elapsed window', async () => {
    createStream(db.session, 'CREATE STREAM w6 (v int32)');
    const emits = await invariant('w6', 'v', 'SELECT window_start, window_end, count() AS c FROM hop(w6, 5s, 10s) GROUP BY window_start, window_end', [
      { insert: [`(1, ${t('01')}`] }, { insert: [`(1, ${t('06')}`] }, { insert: [`(1, ${t('12')}`] },
    ]);
    expect(emits).toEqual([['2023-12-31 23:59:55.000,2024-01-01 00:00:05.000,1'], [`${day}00.000,${day}10.000,2`]]);
  });
});
