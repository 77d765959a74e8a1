// Streaming queries over HTTP 3218 (proton-semantics §4 B): tails see only rows stored after they
// start, rewinds read the past first, LIMIT ends a query, global aggregations re-emit, KILL ends one.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

describe('§4 B on the streaming port', () => {
  it('B14 a tail sees only rows stored after it started', async () => {
    await q('CREATE STREAM q1 (k string, v int32)');
    await q("INSERT INTO q1 (k, v) VALUES ('old', 9)");
    const s = stream('SELECT k, v * 10 AS v10 FROM q1 WHERE v > 1');
    await pause(300);
    await q("INSERT INTO q1 (k, v) VALUES ('a', 1), ('b', 2), ('c', 3)");
    expect((await s.until(2)).sort()).toEqual(['b\t20', 'c\t30']);
    await pause(300);
    expect(s.lines).not.toContain('old\t90');
    expect(s.ended).toBe(false);
    await s.stop();
  });

  it('B16 a global aggregation on 3218 stays open and emits only after new rows', async () => {
    const s = stream('SELECT count() FROM q1');
    await pause(2500);
    expect(s.lines).toEqual([]);
    expect(s.status).toBe(200);
    await q("INSERT INTO q1 (k, v) VALUES ('d', 4)");
    expect(await s.until(1, 6000)).toEqual(['1']);
    await s.stop();
  });

  it('B17 rewind by _tp_time emits the past, then only new matching rows', async () => {
    await q('CREATE STREAM q2 (s string)');
    await q("INSERT INTO q2 (s, _tp_time) VALUES ('s1', '2022-12-01 00:00:01.111'), ('s2', '2022-12-01 00:00:02.111'), ('s3', '2022-12-01 00:00:03.111'), ('s4', '2022-12-01 00:00:04.111')");
    const s = stream("SELECT s FROM q2 WHERE _tp_time >= '2022-12-01 00:00:03.111'");
    expect((await s.until(2)).sort()).toEqual(['s3', 's4']);
    await q("INSERT INTO q2 (s, _tp_time) VALUES ('s5', '2022-12-01 00:00:05'), ('s0', '2022-12-01 00:00:00')");
    expect(await s.until(3)).toEqual(expect.arrayContaining(['s5']));
    await pause(300);
    expect(s.lines).not.toContain('s0');
    await s.stop();
  });

  it('B18 rewind to the beginning with earliest_ts() and seek_to', async () => {
    await q('CREATE STREAM q3 (i int32)');
    await q('INSERT INTO q3 (i) VALUES (1), (2)');
    const a = stream('SELECT i FROM q3 WHERE _tp_time > earliest_ts()');
    const b = stream("SELECT i FROM q3 SETTINGS seek_to='earliest'");
    expect((await a.until(2)).sort()).toEqual(['1', '2']);
    expect((await b.until(2)).sort()).toEqual(['1', '2']);
    await q('INSERT INTO q3 (i) VALUES (3)');
    expect(await a.until(3)).toContain('3');
    expect(await b.until(3)).toContain('3');
    await a.stop();
    await b.stop();
  });

  it('B19 rewind by sequence number', async () => {
    const s = stream('SELECT i FROM q3 WHERE _tp_sn >= 1');
    expect((await s.until(2)).sort()).toEqual(['2', '3']);
    const none = stream('SELECT i FROM q3 WHERE _tp_sn = 5');
    await pause(500);
    expect(none.lines).toEqual([]);
    await s.stop();
    await none.stop();
  });

  it('B20 LIMIT ends a streaming query', async () => {
    const s = stream('SELECT i FROM q3 LIMIT 2');
    await pause(300);
    await q('INSERT INTO q3 (i) VALUES (7), (8), (9)');
    await s.done;
    expect(s.lines).toEqual(['7', '8']);
    expect(s.ended).toBe(true);
  });

  it('K76 rows ingested through the REST API reach live queries', async () => {
    await q('CREATE STREAM ing_live (id int32, name string)');
    const s = stream('SELECT name FROM ing_live');
    await pause(300);
    const r = await fetch(`${hadron.server.streamingUrl}/proton/v1/ingest/streams/ing_live`, { method: 'POST', body: JSON.stringify({ columns: ['name'], data: [['x']] }) });
    expect(r.status).toBe(200);
    await r.text();
    expect(await s.until(1, 1000)).toEqual(['x']);
    await s.stop();
  });

  it('INSERT … SELECT from a stream on 3218 is a pipeline that runs until killed', async () => {
    await q('CREATE STREAM pipe_src (x int32)');
    await q('CREATE STREAM pipe_dst (x int32)');
    await q('INSERT INTO pipe_src (x) VALUES (100)');
    const running = fetch(`${hadron.server.streamingUrl}/?query_id=pipe-1`, { method: 'POST', body: 'INSERT INTO pipe_dst SELECT x * 2 AS x FROM pipe_src WHERE x < 50' }).then((r) => r.text());
    await pause(400);
    await q('INSERT INTO pipe_src (x) VALUES (1), (2)');
    await q('INSERT INTO pipe_src (x) VALUES (3)');
    const deadline = Date.now() + 10_000;
    while ((await q('SELECT count() FROM table(pipe_dst)')) !== '3\n' && Date.now() < deadline) await pause(50);
    expect(await q('SELECT x, _tp_sn FROM table(pipe_dst) ORDER BY x')).toBe('2\t0\n4\t1\n6\t2\n');
    expect(await q("SELECT count() FROM system.processes WHERE query_id = 'pipe-1'")).toBe('1\n');
    await q("KILL QUERY WHERE query_id = 'pipe-1' SYNC");
    await running.catch(() => undefined);
    expect(await q("SELECT count() FROM system.processes WHERE query_id = 'pipe-1'")).toBe('0\n');
  });

  it('K77 KILL QUERY ends a streaming query; system.processes lists it until then', async () => {
    const s = stream('SELECT * FROM q3', { query_id: 'q-kill' });
    await pause(300);
    expect(await q("SELECT count() FROM system.processes WHERE query_id = 'q-kill'")).toBe('1\n');
    await q("KILL QUERY WHERE query_id = 'q-kill' SYNC");
    await s.done;
    expect(await q("SELECT count() FROM system.processes WHERE query_id = 'q-kill'")).toBe('0\n');
  });

  it('a view over a stream is streaming on 3218 (test/http/streaming-views.test.ts has more), bounded through table() or over table()', async () => {
    await q('CREATE VIEW v_tail AS SELECT i FROM q3');
    await q('CREATE VIEW v_hist AS SELECT i FROM table(q3)');
    const live = stream('SELECT * FROM v_tail');
    await pause(300);
    await q('INSERT INTO q3 (i) VALUES (11)');
    expect(await live.until(1)).toEqual(['11']);
    await live.stop();
    const bounded = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT count() FROM v_hist' });
    expect(bounded.status).toBe(200);
    expect(Number(await bounded.text())).toBeGreaterThan(0);
    const viaTable = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT count() FROM table(v_tail)' });
    expect(viaTable.status).toBe(200);
    await viaTable.text();
  });

  it('header rows go out once; whole-document formats are refused', async () => {
    const s = stream('SELECT i FROM q3 WHERE _tp_sn < 2 FORMAT TSVWithNames');
    expect(await s.until(3)).toEqual(['i', '1', '2']);
    await q('INSERT INTO q3 (i) VALUES (10)');
    await pause(500);
    expect(s.lines).toEqual(['i', '1', '2']);
    await s.stop();
    const json = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT i FROM q3 FORMAT JSON' });
    expect(json.headers.get('x-clickhouse-exception-code')).toBe('48');
    await json.text();
  });

  it('a slow reader does not hold up ingest', async () => {
    await q('CREATE STREAM fast (x uint64)');
    const controller = new AbortController();
    const r = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT x, repeat(\'y\', 1000) FROM fast', signal: controller.signal });
    // The body is never read: the server's socket buffer fills and its emits wait, ingest does not.
    for (let i = 0; i < 50; i++) await q(`INSERT INTO fast (x) SELECT number FROM numbers(${i * 1000}, 1000)`);
    expect(await q('SELECT count() FROM table(fast)')).toBe('50000\n');
    controller.abort();
    void r.body?.cancel().catch(() => undefined);
  });

  it('a streaming query the store cannot run fails up front with its code, before any body', async () => {
    for (const body of ['SELECT no_such_column FROM q1', 'SELECT i, ii FROM q1 INNER JOIN q3 ON q1.k = q3.nope']) {
      const r = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body });
      expect(r.status, body).toBe(404);
      expect(r.headers.get('x-clickhouse-exception-code'), body).toBe('47');
      expect(await r.text()).toContain('UNKNOWN_IDENTIFIER');
    }
  });
});
