// Streaming = historical (proton-semantics §1.4, §1.9, §4 C–E): every aggregation and window
// scenario the replays cover, replayed with 1-row, 2-row, 3-row and whole-insert ranges, gives the
// multiset its bounded equivalent over table(…) returns.
import { describe, expect, it } from 'vitest';
import { tempSession } from '../../support/chdb.ts';
import { expectStreamingEqualsHistorical } from './historical.ts';

const db = tempSession('stream-historical');
const t = (s: string): string => `'2024-01-01 00:00:${s}')`;
const day = '2024-01-01 00:00:';
/** Time-ordered across inserts (out of order only inside one, never below the watermark): no row is late whatever the ranges. */
const batches = [
  { insert: [`('a', 1, ${t('01')}`, `('b', 2, ${t('02')}`] },
  { insert: [`('a', 3, ${t('04')}`, `('b', 4, ${t('06')}`] },
  { insert: [`('a', 5, ${t('09')}`, `('b', 6, ${t('07')}`, `('a', 7, ${t('11')}`] },
  { insert: [`('b', 8, ${t('13')}`] },
];

describe('tails', () => {
  it('a filter/projection tail ↔ the same SELECT over table(s)', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h1 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'all',
      streaming: 'SELECT dev, val * 10 AS v10 FROM h1 WHERE val > 2',
      bounded: 'SELECT dev, val * 10 AS v10 FROM table(h1) WHERE val > 2',
    });
  });

  it('a window tail ↔ the window over table(s)', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h2 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'all',
      streaming: 'SELECT dev, val, window_start, window_end FROM tumble(h2, 5s)',
      bounded: 'SELECT dev, val, window_start, window_end FROM tumble(table(h2), 5s)',
    });
  });
});

describe('global aggregations: the last emit ↔ the aggregation over table(s)', () => {
  it('grouped, filtered, default period', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h3 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'last',
      streaming: 'SELECT dev, count() AS c, sum(val) AS s FROM h3 WHERE val != 4 GROUP BY dev',
      bounded: 'SELECT dev, count() AS c, sum(val) AS s FROM table(h3) WHERE val != 4 GROUP BY dev',
    });
    expect(rows.sort()).toEqual(['a,4,16', 'b,3,16']);
  });

  it('ungrouped, EMIT PERIODIC, HAVING', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h4 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'last',
      streaming: 'SELECT count() AS c, min(val), max(val), avg(val) FROM h4 HAVING c > 1 EMIT PERIODIC 1s',
      bounded: 'SELECT count() AS c, min(val), max(val), avg(val) FROM table(h4) HAVING c > 1',
    });
  });
});

describe('EMIT ON UPDATE and TIMEOUT', () => {
  it('ON UPDATE: each group\'s latest emitted row ↔ the aggregation over table(s)', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h10 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'latest',
      streaming: 'SELECT dev, count() AS c, max(val) AS m FROM h10 GROUP BY dev EMIT ON UPDATE',
      bounded: 'SELECT dev, count() AS c, max(val) AS m FROM table(h10) GROUP BY dev',
    });
  });

  it('tumble ON UPDATE: each window\'s latest emitted row ↔ the tumble over table(s)', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h11 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'latest',
      streaming: 'SELECT window_start, count() AS c, sum(val) AS s FROM tumble(h11, 5s) GROUP BY window_start EMIT ON UPDATE',
      bounded: 'SELECT window_start, count() AS c, sum(val) AS s FROM tumble(table(h11), 5s) GROUP BY window_start',
    });
  });

  it('TIMEOUT closes every open window once the input is idle: all windows ↔ the tumble over table(s)', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h12 (dev string, val int32)', columns: 'dev, val', steps: [...batches, { wait: 4000 }], compare: 'all',
      streaming: 'SELECT window_start, dev, count() AS c FROM tumble(h12, 5s) GROUP BY window_start, dev EMIT AFTER WATERMARK AND TIMEOUT 2s',
      bounded: 'SELECT window_start, dev, count() AS c FROM tumble(table(h12), 5s) GROUP BY window_start, dev',
    });
  });
});

describe('windows: every final emit ↔ the window over table(s) restricted to the closed windows', () => {
  // The watermark after the last row (13 s) is 10 s: windows ending by then are closed.
  it('tumble, grouped by key', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h5 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'all',
      streaming: 'SELECT window_start, window_end, dev, count() AS c, sum(val) AS s FROM tumble(h5, 5s) GROUP BY window_start, window_end, dev',
      bounded: `SELECT window_start, window_end, dev, count() AS c, sum(val) AS s FROM tumble(table(h5), 5s) WHERE window_end <= '${day}10' GROUP BY window_start, window_end, dev`,
    });
    expect(rows).toHaveLength(4);
  });

  it('tumble with a filter and an explicit time column', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h6 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'all',
      streaming: "SELECT window_start, count() AS c FROM tumble(h6, _tp_time, 5s) WHERE dev = 'a' GROUP BY window_start",
      bounded: `SELECT window_start, count() AS c FROM tumble(table(h6), _tp_time, 5s) WHERE dev = 'a' AND window_end <= '${day}10' GROUP BY window_start`,
    });
  });

  it('hop', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h7 (dev string, val int32)', columns: 'dev, val', steps: batches, compare: 'all',
      streaming: 'SELECT window_start, window_end, count() AS c, max(val) AS m FROM hop(h7, 5s, 10s) GROUP BY window_start, window_end',
      bounded: `SELECT window_start, window_end, count() AS c, max(val) AS m FROM hop(table(h7), 5s, 10s) WHERE window_end <= '${day}10' GROUP BY window_start, window_end`,
    });
    expect(rows).toHaveLength(2);
  });

  it('WITH DELAY: a row behind the undelayed watermark still counts', async () => {
    const steps = [{ insert: [`('a', 1, ${t('01')}`] }, { insert: [`('a', 2, ${t('06')}`] }, { insert: [`('a', 3, ${t('04')}`] }, { insert: [`('a', 4, ${t('12')}`] }];
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h9 (dev string, val int32)', columns: 'dev, val', steps, compare: 'all',
      streaming: 'SELECT window_start, count() AS c FROM tumble(h9, 5s) GROUP BY window_start EMIT AFTER WATERMARK WITH DELAY 2s',
      bounded: `SELECT window_start, count() AS c FROM tumble(table(h9), 5s) WHERE window_end <= '${day}10' GROUP BY window_start`,
    });
    expect(rows.sort()).toEqual([`${day}00.000,2`, `${day}05.000,1`]);
  });

  it('PARTITION BY: each key closed up to its own watermark', async () => {
    // a's last row is at 11 s (watermark 10 s), b's at 13 s (10 s); a key's watermark moves only with its rows.
    const steps = [...batches, { insert: [`('b', 9, ${t('16')}`] }];
    await expectStreamingEqualsHistorical(db.session, {
      stream: 'CREATE STREAM h8 (dev string, val int32)', columns: 'dev, val', steps, compare: 'all',
      streaming: 'SELECT dev, window_start, count() AS c, sum(val) AS s FROM tumble(h8, 5s) PARTITION BY dev GROUP BY dev, window_start',
      bounded: `SELECT dev, window_start, count() AS c, sum(val) AS s FROM tumble(table(h8), 5s) WHERE (dev = 'a' AND window_end <= '${day}10') OR (dev = 'b' AND window_end <= '${day}15') GROUP BY dev, window_start`,
    });
  });
});
