// Views over streams over HTTP 3218 (proton-semantics §1.5): a view over a streaming query is itself
// streaming — a read of it tails the stream under it, windows and aggregates it; table(v) and views
// over table(s) are bounded; views that do not compose with the stream are refused with 48.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

const at = (s: string): string => `'2024-01-01 00:00:${s}'`;

describe('§1.5 views over streams on 3218', () => {
  it('a read of a filter/projection view tails the stream under it; table(v) reads its history', async () => {
    await q('CREATE STREAM sv1 (k string, v int32)');
    await q('CREATE VIEW vv1 AS SELECT k, v * 10 AS v10 FROM sv1 WHERE v > 1');
    await q("INSERT INTO sv1 (k, v) VALUES ('old', 9)");
    const s = stream('SELECT k, v10 FROM vv1 WHERE v10 < 40');
    await pause(300);
    await q("INSERT INTO sv1 (k, v) VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4)");
    expect((await s.until(2)).sort()).toEqual(['b\t20', 'c\t30']);
    await pause(300);
    expect(s.lines).toHaveLength(2);
    expect(s.ended).toBe(false);
    await s.stop();
    const history = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT k FROM table(vv1) ORDER BY k' });
    expect(await history.text()).toBe('b\nc\nd\nold\n');
  });

  it('a view over a view, with LIMIT, ends the query', async () => {
    await q("CREATE VIEW vv2 AS SELECT v10 AS x FROM vv1 WHERE k != 'z'");
    const s = stream('SELECT x FROM vv2 LIMIT 2');
    await pause(300);
    await q("INSERT INTO sv1 (k, v) VALUES ('z', 5), ('e', 6), ('f', 7), ('g', 8)");
    await s.done;
    expect(s.lines).toEqual(['60', '70']);
  });

  it('a tumble over a view emits each window once a later row passes its end', async () => {
    await q('CREATE STREAM sv3 (dev string, val int32)');
    await q('CREATE VIEW vv3 AS SELECT dev, val, _tp_time FROM sv3 WHERE val > 0');
    const s = stream('SELECT window_start, dev, count() AS c FROM tumble(vv3, 5s) GROUP BY window_start, dev ORDER BY dev');
    await pause(300);
    await q(`INSERT INTO sv3 (dev, val, _tp_time) VALUES ('a', 1, ${at('01')}), ('b', 0, ${at('02')}), ('b', 2, ${at('03')})`);
    await q(`INSERT INTO sv3 (dev, val, _tp_time) VALUES ('a', 1, ${at('07')})`);
    expect(await s.until(2)).toEqual(['2024-01-01 00:00:00.000\ta\t1', '2024-01-01 00:00:00.000\tb\t1']);
    await s.stop();
  });

  it('a global aggregation over a view re-emits after new rows', async () => {
    const s = stream('SELECT count() AS c FROM vv3 EMIT PERIODIC 200ms');
    await pause(400);
    await q(`INSERT INTO sv3 (dev, val, _tp_time) VALUES ('a', 1, ${at('08')}), ('a', 0, ${at('09')})`);
    expect(await s.until(1, 6000)).toEqual(['1']);
    await s.stop();
  });

  it('a view over a random stream streams its generated rows', async () => {
    await q('CREATE RANDOM STREAM rv6 (id int32 DEFAULT rand() % 4) SETTINGS eps=100');
    await q('CREATE VIEW vv6 AS SELECT id * 10 AS x FROM rv6 WHERE id >= 0');
    const s = stream('SELECT x FROM vv6 LIMIT 3');
    await s.done;
    expect(s.lines).toHaveLength(3);
    for (const line of s.lines) expect(['0', '10', '20', '30']).toContain(line);
  });

  it('a window over a view that does not compose is refused with 48; views over table(s) are bounded', async () => {
    // (A read of such a view runs it as a stage: test/http/streaming-join-aggregate.test.ts.)
    await q('CREATE VIEW vv4 AS SELECT dev, count() AS c FROM sv3 GROUP BY dev');
    const refused = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT window_start, count() FROM tumble(vv4, 5s) GROUP BY window_start' });
    expect(refused.headers.get('x-clickhouse-exception-code')).toBe('48');
    await refused.text();
    await q('CREATE VIEW vv5 AS SELECT dev FROM table(sv3)');
    const bounded = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT count() FROM vv5' });
    expect(bounded.status).toBe(200);
    expect(Number(await bounded.text())).toBeGreaterThan(0);
  });
});
