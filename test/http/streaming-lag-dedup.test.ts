// lag/lags and dedup() tails over HTTP 3218 in real time (proton-semantics §1.12, §4 E 43 and 45):
// the previous rows of a batch may lie in earlier inserts; a repeated key never passes dedup twice.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

describe('§4 E on the streaming port', () => {
  it('E45 lag / lags over separate inserts', async () => {
    await q('CREATE STREAM l1 (v int32)');
    await q('INSERT INTO l1 (v) VALUES (1)');
    const s = stream('SELECT v, lag(v) AS p, lags(v, 1, 2) AS ps FROM l1');
    await pause(300);
    for (const v of [10, 20, 30]) {
      await q(`INSERT INTO l1 (v) VALUES (${v})`);
      await pause(50);
    }
    expect(await s.until(3)).toEqual(['10\t0\t[0,0]', '20\t10\t[10,0]', '30\t20\t[20,10]']);
    await s.stop();
  });

  it('lag per PARTITION BY key, LIMIT ends the query', async () => {
    await q('CREATE STREAM l2 (k string, v int32)');
    const s = stream('SELECT k, v, lag(v, 1, -1) AS p FROM l2 PARTITION BY k LIMIT 4');
    await pause(300);
    await q("INSERT INTO l2 (k, v) VALUES ('a', 1), ('b', 2)");
    await q("INSERT INTO l2 (k, v) VALUES ('a', 3), ('b', 4), ('a', 5)");
    await s.done;
    expect(s.lines).toEqual(['a\t1\t-1', 'b\t2\t-1', 'a\t3\t1', 'b\t4\t2']);
  });

  it('E43 dedup: the first row per key once, nothing for a repeated insert', async () => {
    await q('CREATE STREAM d1 (i int32, s string)');
    const s = stream('SELECT i, s FROM dedup(d1, s)');
    await pause(300);
    await q("INSERT INTO d1 (i, s) VALUES (1, 's1'), (2, 's2'), (3, 's3')");
    await q("INSERT INTO d1 (i, s) VALUES (1, 's1'), (2, 's2'), (3, 's3')");
    await q("INSERT INTO d1 (i, s) VALUES (4, 's4'), (5, 's1')");
    expect(await s.until(4)).toEqual(['1\ts1', '2\ts2', '3\ts3', '4\ts4']);
    await pause(500);
    expect(s.lines).toHaveLength(4);
    await s.stop();
  });

  it('the historical forms still answer on 8123: dedup over table(s), lag refused there', async () => {
    expect(await q('SELECT i, s FROM dedup(table(d1), s) ORDER BY i')).toBe('1\ts1\n2\ts2\n3\ts3\n4\ts4\n');
    const r = await fetch(`${hadron.server.url}/`, { method: 'POST', body: 'SELECT lag(v) FROM table(l1)' });
    expect(r.status).not.toBe(200);
  });
});
