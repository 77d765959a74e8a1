// Aggregations over streaming joins on HTTP 3218: the join fills the query's own stream, an ordinary
// streaming aggregation (global, windowed, any emit policy) reads it; the stream is dropped when the
// query ends. kv ⨝ kv aggregations are recomputed over both snapshots (§4 F54 S2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHadron, type HadronProcess } from '../support/hadron.ts';
import { pause, post, streamLines } from '../support/streaming-http.ts';

let server: HadronProcess;

const q = (sql: string): Promise<string> => post(server.url, sql);
const stream = (sql: string) => streamLines(server.streamingUrl, sql);
/** The store's own table list (a ClickHouse client sees it; Proton clients see the catalog). */
const ownStreams = async (): Promise<string> => {
  const r = await fetch(`${server.url}/?hadron_client_dialect=clickhouse`, { method: 'POST', body: "SELECT count() FROM system.tables WHERE database = '_hadron' AND name LIKE 'join\\_%'" });
  return r.text();
};

beforeAll(async () => {
  server = await startHadron();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

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
