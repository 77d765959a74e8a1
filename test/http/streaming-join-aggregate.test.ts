// Aggregations over streaming joins on HTTP 3218: the join fills the query's own stream, an ordinary
// streaming aggregation (global, windowed, any emit policy) reads it; the stream is dropped when the
// query ends. kv ⨝ kv aggregations are recomputed over both snapshots (§4 F54 S2).
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;
/** The store's own table list (a ClickHouse client sees it; Proton clients see the catalog). */
const ownStreams = async (): Promise<string> => {
  const r = await fetch(`${hadron.server.url}/?hadron_client_dialect=clickhouse`, { method: 'POST', body: "SELECT count() FROM system.tables WHERE database = '_hadron' AND name LIKE 'join\\_%'" });
  return r.text();
};


describe('aggregations over streaming joins', () => {
  it('revenue per product over orders enriched with a versioned_kv price list (the versioned-stream page)', async () => {
    await q("CREATE STREAM ja_products (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'");
    await q('CREATE STREAM ja_orders (order_id int8, product_id string, quantity int8)');
    await q("INSERT INTO ja_products (product_id, price) VALUES ('iPhone15', 800), ('iPhone15_Plus', 899)");
    const s = stream('SELECT o.product_id AS p, sum(price * quantity) AS revenue, count() AS n FROM ja_orders AS o INNER JOIN ja_products AS d ON o.product_id = d.product_id GROUP BY p ORDER BY p EMIT PERIODIC 500ms');
    await pause(800);
    await q("INSERT INTO ja_orders (order_id, product_id, quantity) VALUES (1, 'iPhone15', 1), (2, 'iPhone15_Plus', 2)");
    expect(await s.until(2, 8000)).toEqual(['iPhone15\t800\t1', 'iPhone15_Plus\t1798\t1']);
    await q("INSERT INTO ja_products (product_id, price) VALUES ('iPhone15', 799)");
    await pause(300);
    await q("INSERT INTO ja_orders (order_id, product_id, quantity) VALUES (3, 'iPhone15', 1)");
    // Order 1 keeps the price of its arrival (800); order 3 joins the new one (799).
    expect((await s.until(4, 8000)).slice(2)).toEqual(['iPhone15\t1599\t2', 'iPhone15_Plus\t1798\t1']);
    expect(await ownStreams()).toBe('1\n');
    await s.stop();
    for (let i = 0; i < 50 && (await ownStreams()) !== '0\n'; i++) await pause(100);
    expect(await ownStreams()).toBe('0\n');
  });

  it('a global aggregation over a bidirectional append ⨝ append join', async () => {
    await q('CREATE STREAM ja_l (k string, v int32)');
    await q('CREATE STREAM ja_r (k string, w int32)');
    const t = stream('SELECT count() AS c, sum(v * w) AS s FROM ja_l INNER JOIN ja_r ON ja_l.k = ja_r.k EMIT PERIODIC 500ms');
    await pause(800);
    await q("INSERT INTO ja_l (k, v) VALUES ('a', 1), ('b', 2)");
    await q("INSERT INTO ja_r (k, w) VALUES ('a', 10)");
    expect(await t.until(1, 8000)).toEqual(['1\t10']);
    await q("INSERT INTO ja_r (k, w) VALUES ('b', 100), ('a', 1)");
    expect((await t.until(2, 8000))[1]).toBe('3\t211');
    await t.stop();
  });

  it('F54 S2: sum over a versioned_kv ⨝ versioned_kv join follows updates on both sides', async () => {
    await q("CREATE STREAM ja_vl (i int32, s string) PRIMARY KEY s SETTINGS mode='versioned_kv'");
    await q("CREATE STREAM ja_vr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const s = stream('SELECT sum(i + ii) AS total FROM ja_vl INNER JOIN ja_vr ON s = ss GROUP BY s EMIT PERIODIC 500ms');
    await pause(800);
    await q("INSERT INTO ja_vr (ii, ss) VALUES (1, 's1')");
    await q("INSERT INTO ja_vl (i, s) VALUES (3, 's1')");
    expect(await s.until(1, 8000)).toEqual(['4']);
    await q("INSERT INTO ja_vl (i, s) VALUES (2, 's1')");
    expect((await s.until(2, 8000))[1]).toBe('3');
    await q("INSERT INTO ja_vr (ii, ss) VALUES (4, 's1')");
    expect((await s.until(3, 8000))[2]).toBe('6');
    await s.stop();
  });
});

describe('streaming queries over streaming subqueries (stages)', () => {
  it('global over window: the max of each closed window\'s count', async () => {
    await q('CREATE STREAM st_w (v int32)');
    const s = stream('SELECT max(c) AS m, count() AS windows FROM (SELECT window_start, count() AS c FROM tumble(st_w, 5s) GROUP BY window_start) EMIT PERIODIC 500ms');
    await pause(800);
    await q("INSERT INTO st_w (v, _tp_time) VALUES (1, '2024-01-01 00:00:01'), (1, '2024-01-01 00:00:02'), (1, '2024-01-01 00:00:06')");
    await q("INSERT INTO st_w (v, _tp_time) VALUES (1, '2024-01-01 00:00:11')");
    // A periodic emit may come after the first window closed and before the second did ('2\t1').
    for (let i = 0; i < 80 && !s.lines.includes('2\t2'); i++) await pause(100);
    expect(s.lines).toContain('2\t2');
    expect(s.lines.every((l) => l === '2\t1' || l === '2\t2')).toBe(true);
    await s.stop();
  });

  it('a join with a streaming aggregation on its right side (Nexmark q7-shaped): the right side is the aggregation\'s emits', async () => {
    await q('CREATE STREAM st_bid (auction int32, price int32)');
    await q('CREATE STREAM st_flag (price int32)');
    const s = stream('SELECT f.price, m.n FROM st_flag AS f INNER JOIN (SELECT max(price) AS price, count() AS n FROM st_bid EMIT PERIODIC 500ms) AS m ON f.price = m.price');
    await pause(800);
    await q('INSERT INTO st_bid (auction, price) VALUES (1, 10), (2, 30), (3, 20)');
    await pause(1200);
    await q('INSERT INTO st_flag (price) VALUES (30), (10)');
    expect(await s.until(1, 8000)).toEqual(['30\t3']);
    await s.stop();
  });

  it('a view that aggregates is a stage too; a filter over its emits', async () => {
    await q('CREATE STREAM st_v (k string)');
    await q('CREATE VIEW st_counts AS SELECT k, count() AS c FROM st_v GROUP BY k');
    const s = stream('SELECT k, c FROM st_counts WHERE c >= 2');
    await pause(800);
    await q("INSERT INTO st_v (k) VALUES ('a'), ('a'), ('b')");
    expect(await s.until(1, 8000)).toEqual(['a\t2']);
    await s.stop();
  });

  it('a stage that ends (a view with LIMIT) ends the query after its rows are read', async () => {
    await q('CREATE STREAM st_l (k string)');
    await q('CREATE VIEW st_lim AS SELECT k FROM st_l LIMIT 2');
    const s = stream('SELECT upper(k) AS u FROM st_lim');
    await pause(800);
    await q("INSERT INTO st_l (k) VALUES ('a'), ('b'), ('c')");
    await s.until(2, 8000);
    for (let i = 0; i < 50 && !s.ended; i++) await pause(100);
    expect(s.lines).toEqual(['A', 'B']);
    expect(s.ended).toBe(true);
    await s.stop();
  });
});

describe('stages in stages', () => {
  it('a window over a window (two levels): 10 s windows over the emits of 5 s windows', async () => {
    await q('CREATE STREAM st_ww (v int32)');
    const inner = 'SELECT window_end AS ts, count() AS c FROM tumble(st_ww, 5s) GROUP BY window_end';
    const s = stream(`SELECT window_start, max(c) AS busiest, count() AS windows FROM tumble((${inner}), ts, 10s) GROUP BY window_start`);
    await pause(800);
    // 5 s windows [0,5): 2 rows, [5,10): 1 row ending at 00:05 and 00:10; [10,15) closes at the 00:16 row, [15,20) at 00:31.
    await q("INSERT INTO st_ww (v, _tp_time) VALUES (1, '2024-01-01 00:00:01'), (1, '2024-01-01 00:00:02'), (1, '2024-01-01 00:00:06')");
    await q("INSERT INTO st_ww (v, _tp_time) VALUES (1, '2024-01-01 00:00:11'), (1, '2024-01-01 00:00:16')");
    await q("INSERT INTO st_ww (v, _tp_time) VALUES (1, '2024-01-01 00:00:31')");
    // Outer [0,10) holds the inner row ts=00:05 (2); it closes when an inner row with ts ≥ 00:10 arrives.
    expect((await s.until(1, 8000))[0]).toBe('2024-01-01 00:00:00.000\t2\t1');
    await s.stop();
  });
});

describe('join sides that are queries', () => {
  it('a filtering subquery and a view as join sides run as stages', async () => {
    await q('CREATE STREAM js_l (k string, v int32)');
    await q('CREATE STREAM js_r (k string, w int32)');
    await q('CREATE VIEW js_rv AS SELECT k, w * 10 AS w10 FROM js_r WHERE w > 0');
    const s = stream('SELECT a.k, a.v, b.w10 FROM (SELECT k, v FROM js_l WHERE v > 1) AS a INNER JOIN js_rv AS b ON a.k = b.k');
    await pause(800);
    await q("INSERT INTO js_r (k, w) VALUES ('x', 1), ('y', 0)");
    await pause(300);
    await q("INSERT INTO js_l (k, v) VALUES ('x', 2), ('x', 1), ('y', 5)");
    expect(await s.until(1, 8000)).toEqual(['x\t2\t10']);
    await pause(300);
    expect(s.lines).toEqual(['x\t2\t10']);
    await s.stop();
  });

  it('a chain of joins: (orders ⨝ products) ⨝ customers, each order enriched at its arrival', async () => {
    await q('CREATE STREAM jc_orders (oid int32, pid string, cid string)');
    await q("CREATE STREAM jc_products (pid string, price float64) PRIMARY KEY pid SETTINGS mode='versioned_kv'");
    await q("CREATE STREAM jc_customers (cid string, name string) PRIMARY KEY cid SETTINGS mode='versioned_kv'");
    await q("INSERT INTO jc_products (pid, price) VALUES ('p1', 10), ('p2', 20)");
    await q("INSERT INTO jc_customers (cid, name) VALUES ('c1', 'Ann'), ('c2', 'Bo')");
    const s = stream('SELECT o.oid, p.price, c.name FROM jc_orders AS o INNER JOIN jc_products AS p ON o.pid = p.pid INNER JOIN jc_customers AS c ON o.cid = c.cid');
    await pause(1000);
    await q("INSERT INTO jc_orders (oid, pid, cid) VALUES (1, 'p1', 'c2'), (2, 'p2', 'c1'), (3, 'p9', 'c1')");
    expect((await s.until(2, 8000)).sort()).toEqual(['1\t10\tBo', '2\t20\tAnn']);
    await q("INSERT INTO jc_customers (cid, name) VALUES ('c1', 'Anna')");
    await pause(300);
    await q("INSERT INTO jc_orders (oid, pid, cid) VALUES (4, 'p2', 'c1')");
    expect((await s.until(3, 8000))[2]).toBe('4\t20\tAnna');
    await s.stop();
  });
});
