// Keyed streams and changelogs over HTTP 3218 in real time (proton-semantics §2.2, §1.10 EMIT
// CHANGELOG, §4 C24, C25, E44): a versioned_kv read replays its current rows first; an aggregation
// over it retracts superseded versions; EMIT CHANGELOG and changelog() emit ±1 rows.
import { describe, expect, it } from 'vitest';
import { pause, streamingServer } from '../support/streaming-http.ts';

const hadron = streamingServer();
const { q, stream } = hadron;

describe('keyed streams on the streaming port', () => {
  it('the versioned-stream page: 2 rows after an overwrite, then each new row; sum(price) 1698 then 1699', async () => {
    await q("CREATE STREAM dim_products (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'");
    await q("INSERT INTO dim_products (product_id, price) VALUES ('iPhone15', 799), ('iPhone15_Plus', 899)");
    const total = stream('SELECT sum(price) FROM dim_products EMIT PERIODIC 200ms');
    expect(await total.until(1)).toEqual(['1698']);
    await q("INSERT INTO dim_products (product_id, price) VALUES ('iPhone15', 800)");
    const rows = stream('SELECT product_id, price FROM dim_products');
    expect((await rows.until(2)).sort()).toEqual(['iPhone15\t800', 'iPhone15_Plus\t899']);
    expect((await total.until(2))[1]).toBe('1699');
    await q("INSERT INTO dim_products (product_id, price) VALUES ('Vision Pro', 3000)");
    expect((await rows.until(3))[2]).toBe('Vision Pro\t3000');
    await rows.stop();
    await total.stop();
  });

  it('C24 retractive aggregation, C25 EMIT CHANGELOG group movement, E44 changelog()', async () => {
    await q("CREATE STREAM g4 (id int32, val float32) PRIMARY KEY id SETTINGS mode='versioned_kv'");
    await q('INSERT INTO g4 (id, val) VALUES (1, 1), (2, 2), (3, 6)');
    const agg = stream('SELECT count(), min(val), max(val), sum(val), avg(val) FROM g4 EMIT PERIODIC 300ms');
    await q("CREATE STREAM g5 (i int32, k string) PRIMARY KEY i SETTINGS mode='versioned_kv'");
    const moves = stream('SELECT k, count(), _tp_delta FROM g5 GROUP BY k EMIT CHANGELOG PERIODIC 300ms');
    await q('CREATE STREAM c1 (i int32, k string)');
    const changes = stream('SELECT i, k, _tp_delta FROM changelog(c1, i)');
    expect(await agg.until(1)).toEqual(['3\t1\t6\t9\t3']);
    await pause(300);
    await q('INSERT INTO g4 (id, val) VALUES (1, 3), (3, 4)');
    await q("INSERT INTO g5 (i, k) VALUES (1, 'k1'), (2, 'k1')");
    await q("INSERT INTO c1 (i, k) VALUES (1, 'k1')");
    expect((await agg.until(2))[1]).toBe('3\t2\t4\t9\t3');
    expect(await moves.until(1)).toEqual(['k1\t2\t1']);
    await pause(700);
    await q("INSERT INTO g5 (i, k) VALUES (1, 'k2')");
    await q("INSERT INTO c1 (i, k) VALUES (1, 'k2')");
    const moved = await moves.until(4);
    expect(moved[1]).toBe('k1\t2\t-1');
    expect(moved.slice(2).sort()).toEqual(['k1\t1\t1', 'k2\t1\t1']);
    expect(await changes.until(3)).toEqual(['1\tk1\t1', '1\tk1\t-1', '1\tk2\t1']);
    for (const s of [agg, moves, changes]) await s.stop();
  });
});
