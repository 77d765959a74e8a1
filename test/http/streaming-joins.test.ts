// Streaming joins in real time (proton-semantics §1.13, §4 F; docs/joins.md): over HTTP 3218 a
// stream ⨝ table() LEFT JOIN (F48), append ⨝ versioned_kv enrichment (F49), bidirectional append ⨝
// append (F52), the join_max_buffered_bytes bound (241), the 48s and the versioned-stream page's examples (../shared/reference/seeds/versioned-stream.zh.txt);
// over native 8463 an enrichment join read by the Python proton-driver (.venv) as its rows come.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

/** A streaming query that must be refused: the code of its error. */
async function refusedCode(sql: string): Promise<number | null> {
  const r = await fetch(`${hadron.server.streamingUrl}/`, { method: 'POST', body: sql });
  const text = await r.text();
  return r.status === 200 ? null : Number(/Code: (\d+)/.exec(text)?.[1] ?? NaN);
}


describe('§4 F joins on the streaming port', () => {
  it('F48 stream ⨝ table(): the dimension is frozen at the start, unmatched LEFT rows get defaults', async () => {
    await q('CREATE STREAM orders48 (oid int32, pid string, qty int32)');
    await q('CREATE STREAM products48 (pid string, price float64)');
    await q("INSERT INTO products48 (pid, price) VALUES ('p1', 10), ('p2', 20)");
    const s = stream('SELECT oid, o.pid, qty * price AS amount FROM orders48 AS o LEFT JOIN table(products48) AS p ON o.pid = p.pid');
    await pause(300);
    await q("INSERT INTO orders48 (oid, pid, qty) VALUES (1, 'p1', 2), (2, 'p3', 1)");
    expect((await s.until(2)).sort()).toEqual(['1\tp1\t20', '2\tp3\t0']);
    await q("INSERT INTO products48 (pid, price) VALUES ('p3', 30)");
    await q("INSERT INTO orders48 (oid, pid, qty) VALUES (3, 'p3', 1)");
    expect((await s.until(3))[2]).toBe('3\tp3\t0');
    await s.stop();
  });

  it('F49 append ⨝ versioned_kv: each left row joins the versions current at its arrival; right writes emit nothing', async () => {
    await q('CREATE STREAM jl (i int32, s string)');
    await q("CREATE STREAM jr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const s = stream('SELECT i, ii, s FROM jl INNER JOIN jr ON s = ss');
    await pause(300);
    await q("INSERT INTO jr (ii, ss) VALUES (1, 's1'), (2, 's1'), (3, 's3')");
    await q("INSERT INTO jl (i, s) VALUES (1, 's1'), (2, 's3')");
    expect((await s.until(2)).sort()).toEqual(['1\t2\ts1', '2\t3\ts3']);
    await q("INSERT INTO jr (ii, ss) VALUES (4, 's1'), (5, 's3')");
    await pause(300);
    expect(s.lines).toHaveLength(2);
    await q("INSERT INTO jl (i, s) VALUES (11, 's1'), (22, 's3')");
    expect((await s.until(4)).slice(2).sort()).toEqual(['11\t4\ts1', '22\t5\ts3']);
    await s.stop();
  });

  it('F52 bidirectional append ⨝ append: a write on either side probes the other side', async () => {
    await q('CREATE STREAM bl (i int32, k string)');
    await q('CREATE STREAM br (ii int32, k string)');
    const s = stream('SELECT i, ii FROM bl INNER JOIN br ON bl.k = br.k');
    await pause(300);
    await q("INSERT INTO bl (i, k) VALUES (1, 'a')");
    await pause(300);
    expect(s.lines).toEqual([]);
    await q("INSERT INTO br (ii, k) VALUES (10, 'a')");
    expect(await s.until(1)).toEqual(['1\t10']);
    await q("INSERT INTO bl (i, k) VALUES (2, 'a')");
    expect((await s.until(2))[1]).toBe('2\t10');
    await q("INSERT INTO br (ii, k) VALUES (20, 'a')");
    expect((await s.until(4)).slice(2).sort()).toEqual(['1\t20', '2\t20']);
    await s.stop();
  });

  it('append ⨝ append over join_max_buffered_bytes fails alone with 241, in-band', async () => {
    const s = stream('SELECT i, ii FROM bl INNER JOIN br ON bl.k = br.k SETTINGS join_max_buffered_bytes = 100');
    const other = stream('SELECT i, ii FROM bl INNER JOIN br ON bl.k = br.k');
    await pause(300);
    await q("INSERT INTO bl (i, k) VALUES (3, 'b'), (4, 'b'), (5, 'b')");
    await q("INSERT INTO br (ii, k) VALUES (30, 'b')");
    await s.done;
    expect(s.status).toBe(200);
    expect(s.lines.join('\n')).toMatch(/Code: 241\b.*join_max_buffered_bytes/);
    expect((await other.until(3)).sort()).toEqual(['3\t30', '4\t30', '5\t30']);
    await other.stop();
  });

  it('F56 RIGHT JOIN and versioned_kv ⨝ append are refused with 48', async () => {
    expect(await refusedCode('SELECT * FROM bl RIGHT JOIN br ON bl.k = br.k')).toBe(48);
    expect(await refusedCode('SELECT * FROM jr INNER JOIN jl ON jr.ss = jl.s')).toBe(48);
  });
});

describe('the versioned-stream page', () => {
  const revenue = 'SELECT orders._tp_time, order_id, product_id, quantity, price * quantity AS revenue';

  it('INNER JOIN with orders as an append stream: revenue 800, 899, then 799 after the price change', async () => {
    await q("CREATE STREAM dim_products (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'");
    await q("INSERT INTO dim_products (product_id, price) VALUES ('iPhone15', 799), ('iPhone15_Plus', 899)");
    await q("INSERT INTO dim_products (product_id, price) VALUES ('iPhone15', 800)");
    expect((await q('SELECT product_id, price FROM table(dim_products) ORDER BY product_id')).trim().split('\n')).toEqual(['iPhone15\t800', 'iPhone15_Plus\t899']);
    await q('CREATE STREAM orders (order_id int8, product_id string, quantity int8)');
    const s = stream(`${revenue} FROM orders JOIN dim_products USING (product_id)`);
    await pause(300);
    // The page's INSERT writes quantity 2 for order 2, its tables show 1 and revenue 899: the rows are taken as shown.
    await q("INSERT INTO orders (order_id, product_id, quantity, _tp_time) VALUES (1, 'iPhone15', 1, '2023-04-20 10:00:00'), (2, 'iPhone15_Plus', 1, '2023-04-20 10:01:00')");
    expect(await s.until(2)).toEqual(['2023-04-20 10:00:00.000\t1\tiPhone15\t1\t800', '2023-04-20 10:01:00.000\t2\tiPhone15_Plus\t1\t899']);
    await q("INSERT INTO dim_products (product_id, price) VALUES ('iPhone15', 799)");
    await q("INSERT INTO orders (order_id, product_id, quantity, _tp_time) VALUES (3, 'iPhone15', 1, '2023-04-20 11:00:00')");
    expect((await s.until(3))[2]).toBe('2023-04-20 11:00:00.000\t3\tiPhone15\t1\t799');
    await pause(200);
    expect(s.lines).toHaveLength(3);
    await s.stop();
  });

  it('sum(price) over dim_products: 1698, then 1699 after iPhone15 goes back to 800', async () => {
    const before = stream('SELECT sum(price) FROM dim_products EMIT PERIODIC 200ms');
    expect(await before.until(1)).toEqual(['1698']);
    await before.stop();
    await q("INSERT INTO dim_products (product_id, price) VALUES ('iPhone15', 800)");
    const after = stream('SELECT sum(price) FROM dim_products EMIT PERIODIC 200ms');
    expect(await after.until(1)).toEqual(['1699']);
    await after.stop();
  });

  it('ASOF JOIN with keep_versions=3: 800, 799 after the change, and the older 800 for a back-dated order', async () => {
    await q("CREATE STREAM dim_products_asof (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'");
    await q("INSERT INTO dim_products_asof (product_id, price) VALUES ('iPhone15', 799), ('iPhone15_Plus', 899)");
    await q("INSERT INTO dim_products_asof (product_id, price) VALUES ('iPhone15', 800)");
    await q('CREATE STREAM orders_asof (order_id int8, product_id string, quantity int8)');
    const s = stream(`SELECT order_id, product_id, quantity, price * quantity AS revenue
      FROM orders_asof AS orders ASOF JOIN dim_products_asof AS dim_products
      ON orders.product_id = dim_products.product_id AND orders._tp_time >= dim_products._tp_time SETTINGS keep_versions = 3`);
    await pause(300);
    await q("INSERT INTO orders_asof (order_id, product_id, quantity) VALUES (5, 'iPhone15', 1)");
    expect(await s.until(1)).toEqual(['5\tiPhone15\t1\t800']);
    const beforeChange = (await q('SELECT now64(3)')).trim();
    await pause(50);
    await q("INSERT INTO dim_products_asof (product_id, price) VALUES ('iPhone15', 799)");
    await q("INSERT INTO orders_asof (order_id, product_id, quantity) VALUES (6, 'iPhone15', 1)");
    expect((await s.until(2))[1]).toBe('6\tiPhone15\t1\t799');
    await q(`INSERT INTO orders_asof (order_id, product_id, quantity, _tp_time) VALUES (7, 'iPhone15', 1, '${beforeChange}')`);
    expect((await s.until(3))[2]).toBe('7\tiPhone15\t1\t800');
    await s.stop();
  });

  it('refused with 48 (Proton\'s matrix): the page\'s LEFT JOIN with dim_products (versioned_kv) on the left of an append stream', async () => {
    expect(await refusedCode(`${revenue} FROM dim_products LEFT JOIN orders USING (product_id)`)).toBe(48);
  });

  it('the page verbatim, orders as versioned_kv: INNER and LEFT are kv ⨝ kv joins, changelogs with _tp_delta (§1.13)', async () => {
    await q("CREATE STREAM dim_products_kv (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'");
    await q("INSERT INTO dim_products_kv (product_id, price) VALUES ('iPhone15', 799), ('iPhone15_Plus', 899)");
    await q("INSERT INTO dim_products_kv (product_id, price) VALUES ('iPhone15', 800)");
    await q("CREATE STREAM orders_kv (order_id int8, product_id string, quantity int8) PRIMARY KEY order_id SETTINGS mode='versioned_kv'");
    const inner = stream(`${revenue}, _tp_delta FROM orders_kv AS orders JOIN dim_products_kv AS dim_products USING (product_id)`);
    const left = stream(`${revenue}, _tp_delta FROM dim_products_kv AS dim_products LEFT JOIN orders_kv AS orders USING (product_id)`);
    const epoch = '1970-01-01 00:00:00.000';
    // The LEFT JOIN starts with the current products, unmatched: revenue 0.
    expect((await left.until(2)).sort()).toEqual([`${epoch}\t0\tiPhone15\t0\t0\t1`, `${epoch}\t0\tiPhone15_Plus\t0\t0\t1`]);
    await q("INSERT INTO orders_kv (order_id, product_id, quantity, _tp_time) VALUES (1, 'iPhone15', 1, '2023-04-20 10:00:00'), (2, 'iPhone15_Plus', 1, '2023-04-20 10:01:00')");
    const joined = ['2023-04-20 10:00:00.000\t1\tiPhone15\t1\t800\t1', '2023-04-20 10:01:00.000\t2\tiPhone15_Plus\t1\t899\t1'];
    expect((await inner.until(2)).sort()).toEqual(joined);
    expect((await left.until(6)).slice(2).sort()).toEqual([`${epoch}\t0\tiPhone15\t0\t0\t-1`, `${epoch}\t0\tiPhone15_Plus\t0\t0\t-1`, ...joined]);
    // A price change retracts order 1's join and joins it again (the page's enrichment rows keep 800: that is orders as an append stream).
    await q("INSERT INTO dim_products_kv (product_id, price) VALUES ('iPhone15', 799)");
    const repriced = ['2023-04-20 10:00:00.000\t1\tiPhone15\t1\t799\t1', '2023-04-20 10:00:00.000\t1\tiPhone15\t1\t800\t-1'];
    expect((await inner.until(4)).slice(2).sort()).toEqual(repriced);
    expect((await left.until(8)).slice(6).sort()).toEqual(repriced);
    await q("INSERT INTO orders_kv (order_id, product_id, quantity, _tp_time) VALUES (3, 'iPhone15', 1, '2023-04-20 11:00:00')");
    expect((await inner.until(5))[4]).toBe('2023-04-20 11:00:00.000\t3\tiPhone15\t1\t799\t1');
    expect((await left.until(9))[8]).toBe('2023-04-20 11:00:00.000\t3\tiPhone15\t1\t799\t1');
    // Vision Pro: revenue 0 in the LEFT JOIN before its order (nothing in the INNER JOIN), the updated row after.
    await q("INSERT INTO dim_products_kv (product_id, price) VALUES ('Vision Pro', 3000)");
    expect((await left.until(10))[9]).toBe(`${epoch}\t0\tVision Pro\t0\t0\t1`);
    await q("INSERT INTO orders_kv (order_id, product_id, quantity, _tp_time) VALUES (4, 'Vision Pro', 1, '2023-04-20 12:00:00')");
    expect((await left.until(12)).slice(10).sort()).toEqual([`${epoch}\t0\tVision Pro\t0\t0\t-1`, '2023-04-20 12:00:00.000\t4\tVision Pro\t1\t3000\t1']);
    expect((await inner.until(6))[5]).toBe('2023-04-20 12:00:00.000\t4\tVision Pro\t1\t3000\t1');
    await pause(200);
    expect(inner.lines).toHaveLength(6);
    await inner.stop();
    await left.stop();
  });
});

describe('native 8463', () => {
  const root = new URL('../..', import.meta.url).pathname;
  const python = join(root, '.venv/bin/python');
  // proton-driver reads the join as its rows come (execute_iter on a thread) while another connection writes.
  const script = `
import json, sys, threading, time
from proton_driver import Client
port = int(sys.argv[1])
ddl = Client('127.0.0.1', port=port)
ddl.execute('CREATE STREAM nl (i int32, s string)')
ddl.execute("CREATE STREAM nr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'")
rows = []
reader = Client('127.0.0.1', port=port, send_receive_timeout=30)
def read():
    try:
        for row in reader.execute_iter('SELECT i, ii, s FROM nl INNER JOIN nr ON s = ss'):
            rows.append(list(row))
            if len(rows) >= 4:
                break
    except Exception as e:
        rows.append(['error', repr(e)])
t = threading.Thread(target=read, daemon=True)
t.start()
time.sleep(1)
ddl.execute("INSERT INTO nr (ii, ss) VALUES (1, 's1'), (2, 's1'), (3, 's3')")
ddl.execute("INSERT INTO nl (i, s) VALUES (1, 's1'), (2, 's3')")
deadline = time.time() + 10
while len(rows) < 2 and time.time() < deadline:
    time.sleep(0.02)
ddl.execute("INSERT INTO nr (ii, ss) VALUES (4, 's1'), (5, 's3')")
ddl.execute("INSERT INTO nl (i, s) VALUES (11, 's1'), (22, 's3')")
t.join(10)
print(json.dumps(rows), flush=True)
`;

  it('F49 enrichment read by proton-driver on the streaming port, rows as they come', async () => {
    expect(existsSync(python), `${python} is missing: python3 -m venv .venv && .venv/bin/pip install -r test/python/requirements.txt`).toBe(true);
    const output = await new Promise<string>((resolve, reject) => {
      execFile(python, ['-c', script, String(hadron.server.tcpPort)], { timeout: 60_000 }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`${err.message}\n${stderr}`))));
    });
    const rows = JSON.parse(output.trim()) as Array<[number, number, string]>;
    expect(rows.slice(0, 2).sort()).toEqual([[1, 2, 's1'], [2, 3, 's3']]);
    expect(rows.slice(2).sort()).toEqual([[11, 4, 's1'], [22, 5, 's3']]);
  }, 90_000);
});
