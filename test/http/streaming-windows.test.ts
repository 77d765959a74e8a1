// Streaming windows over HTTP 3218 (proton-semantics §4 C, D), in real time: a window emits once a
// later row passes its end, late rows are dropped, TIMEOUT closes an idle window, ON UPDATE emits per batch.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

describe('§4 D on the streaming port', () => {
  it('D30 a tumble window closes on a later event; a late row is dropped; the historical tumble keeps it', async () => {
    await q('CREATE STREAM hw1 (dev string, val int32)');
    const s = stream('SELECT window_start, window_end, dev, count() AS c, sum(val) AS s FROM tumble(hw1, 5s) GROUP BY window_start, window_end, dev');
    await pause(300);
    await q("INSERT INTO hw1 (dev, val, _tp_time) VALUES ('a', 1, '2024-01-01 00:00:01'), ('b', 2, '2024-01-01 00:00:02')");
    await q("INSERT INTO hw1 (dev, val, _tp_time) VALUES ('a', 3, '2024-01-01 00:00:04')");
    await pause(300);
    expect(s.lines).toEqual([]);
    await q("INSERT INTO hw1 (dev, val, _tp_time) VALUES ('a', 4, '2024-01-01 00:00:06')");
    expect((await s.until(2)).sort()).toEqual(['2024-01-01 00:00:00.000\t2024-01-01 00:00:05.000\ta\t2\t4', '2024-01-01 00:00:00.000\t2024-01-01 00:00:05.000\tb\t1\t2']);
    await q("INSERT INTO hw1 (dev, val, _tp_time) VALUES ('a', 5, '2024-01-01 00:00:03')");
    await q("INSERT INTO hw1 (dev, val, _tp_time) VALUES ('b', 6, '2024-01-01 00:00:12')");
    expect((await s.until(3)).slice(2)).toEqual(['2024-01-01 00:00:05.000\t2024-01-01 00:00:10.000\ta\t1\t4']);
    await s.stop();
    expect(await q('SELECT window_start, dev, count() AS c, sum(val) AS s FROM tumble(table(hw1), 5s) GROUP BY window_start, dev ORDER BY window_start, dev')).toBe(
      '2024-01-01 00:00:00.000\ta\t3\t9\n2024-01-01 00:00:00.000\tb\t1\t2\n2024-01-01 00:00:05.000\ta\t1\t4\n2024-01-01 00:00:10.000\tb\t1\t6\n');
  });

  it('D42 EMIT TIMEOUT closes an idle window after wall time without rows', async () => {
    await q('CREATE STREAM hw12 (v int32)');
    const s = stream('SELECT window_start, count() FROM tumble(hw12, 5s) GROUP BY window_start EMIT AFTER WATERMARK AND TIMEOUT 1s');
    await pause(300);
    await q("INSERT INTO hw12 (v, _tp_time) VALUES (1, '2024-01-01 00:00:01')");
    expect(await s.until(1, 5000)).toEqual(['2024-01-01 00:00:00.000\t1']);
    await s.stop();
  });

  it('C22 EMIT ON UPDATE emits after each batch; refused forms answer with Proton codes', async () => {
    await q('CREATE STREAM hg2 (i int32)');
    const s = stream('SELECT min(i), max(i), count() FROM hg2 EMIT ON UPDATE');
    await pause(300);
    await q('INSERT INTO hg2 (i) VALUES (1)');
    expect(await s.until(1)).toEqual(['1\t1\t1']);
    await q('INSERT INTO hg2 (i) VALUES (2)');
    expect(await s.until(2)).toEqual(['1\t1\t1', '1\t2\t2']);
    await s.stop();
    const bad = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT count() FROM tumble(hg2, 5s) GROUP BY i' });
    expect(await bad.text()).toContain('2002');
  });
});
