// Streaming UNION ALL on HTTP 3218 (proton-semantics §1.10): the branches' rows come as they are
// stored, in one result with the first branch's column names (header rows once), a bounded branch's
// rows first; a LIMIT after the last branch ends the whole query; INTERSECT is 48 and branches of
// different widths are the store's 258 before anything is sent.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

describe('streaming UNION on 3218', () => {
  it('merges two streams in real time, header rows once with the first branch\'s names', async () => {
    await q('CREATE STREAM hu_a (k string, v int32)');
    await q('CREATE STREAM hu_b (name string, n int64)');
    await q("INSERT INTO hu_a (k, v) VALUES ('old', 1)");
    const s = stream('SELECT k AS key, v FROM hu_a WHERE v > 0 UNION SELECT name, n * 10 FROM hu_b FORMAT TSVWithNames');
    await pause(400);
    await q("INSERT INTO hu_a (k, v) VALUES ('a', 1), ('z', 0)");
    expect(await s.until(2)).toEqual(['key\tv', 'a\t1']);
    await q("INSERT INTO hu_b (name, n) VALUES ('b', 2)");
    expect(await s.until(3)).toEqual(['key\tv', 'a\t1', 'b\t20']);
    await q("INSERT INTO hu_a (k, v) VALUES ('c', 3)");
    expect(await s.until(4)).toEqual(['key\tv', 'a\t1', 'b\t20', 'c\t3']);
    expect(s.ended).toBe(false);
    await s.stop();
  });

  it('a table() branch comes first; LIMIT ends the whole query', async () => {
    const s = stream('SELECT k, v FROM table(hu_a) WHERE k = \'old\' UNION ALL SELECT name, n FROM hu_b LIMIT 3');
    expect(await s.until(1)).toEqual(['old\t1']);
    await pause(300);
    await q("INSERT INTO hu_b (name, n) VALUES ('x', 1)");
    expect(await s.until(2)).toEqual(['old\t1', 'x\t1']);
    await q("INSERT INTO hu_b (name, n) VALUES ('y', 2), ('w', 3)");
    await s.done;
    expect(s.lines).toEqual(['old\t1', 'x\t1', 'y\t2']);
    expect(s.status).toBe(200);
  });

  it('INSERT … SELECT … UNION ALL … on 3218 is a pipeline: every branch\'s rows go into the target', async () => {
    await q('CREATE STREAM hu_c (k string)');
    const running = fetch(`${hadron.server.streamingUrl}/?query_id=hu-pipe`, { method: 'POST', body: 'INSERT INTO hu_c SELECT k FROM hu_a UNION ALL SELECT name FROM hu_b' }).then((r) => r.text());
    await pause(400);
    await q("INSERT INTO hu_a (k, v) VALUES ('p1', 1)");
    await q("INSERT INTO hu_b (name, n) VALUES ('p2', 1)");
    let rows = '';
    for (let i = 0; i < 50 && rows !== 'p1\np2\n'; i++) {
      await pause(100);
      rows = await q('SELECT k FROM table(hu_c) ORDER BY k');
    }
    expect(rows).toBe('p1\np2\n');
    await q("KILL QUERY WHERE query_id = 'hu-pipe' SYNC");
    await running.catch(() => undefined);
  });

  it('an INSERT … UNION ALL … LIMIT n pipeline ends after writing n rows', async () => {
    await q('CREATE STREAM hu_f (k string)');
    const running = fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'INSERT INTO hu_f SELECT k FROM hu_a UNION ALL SELECT name FROM hu_b LIMIT 2' }).then((r) => r.status);
    await pause(400);
    await q("INSERT INTO hu_a (k, v) VALUES ('l1', 1)");
    await q("INSERT INTO hu_b (name, n) VALUES ('l2', 1), ('l3', 1)");
    expect(await running).toBe(200);
    expect(await q('SELECT k FROM table(hu_f) ORDER BY k')).toBe('l1\nl2\n');
  });

  it('an aggregation over a union subquery: the union fills the query\'s own stream, the aggregation reads it', async () => {
    await q('CREATE STREAM hu_d (k string)');
    await q('CREATE STREAM hu_e (k string)');
    const s = stream('SELECT k, count() AS n FROM (SELECT k FROM hu_d UNION ALL SELECT k FROM hu_e) GROUP BY k ORDER BY k EMIT PERIODIC 500ms');
    await pause(800);
    await q("INSERT INTO hu_d (k) VALUES ('a'), ('b')");
    await q("INSERT INTO hu_e (k) VALUES ('a')");
    let lines: string[] = [];
    for (let i = 0; i < 40 && lines.slice(-2).join(',') !== 'a\t2,b\t1'; i++) lines = await s.until(lines.length + 1, 1000);
    expect(lines.slice(-2)).toEqual(['a\t2', 'b\t1']);
    await s.stop();
  });

  it('INTERSECT over streams is 48; branches of different widths are 258', async () => {
    const r = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT k FROM hu_a INTERSECT SELECT name FROM hu_b' });
    expect(r.status).not.toBe(200);
    expect(await r.text()).toMatch(/Code: 48/);
    const w = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: 'SELECT k, v FROM hu_a UNION ALL SELECT name FROM hu_b' });
    expect(w.status).not.toBe(200);
    expect(await w.text()).toMatch(/Code: 258/);
  });
});
