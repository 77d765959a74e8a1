// proton-semantics §4 F as golden replays of the join engine: each scenario at whole writes (emit by
// emit) and at 1-row and odd splits (the same rows: batching never changes a join's answer).
import { describe, expect, it } from 'vitest';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { replayJoin, type Write } from './join-replay.ts';
import { createStream, streaming, table } from './replay.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';

const db = tempSession('stream-joins');

/** The emits at whole writes, checked to hold the same rows at 1-row and 2-row splits. */
async function scenario(sql: string, writes: readonly Write[]): Promise<string[][]> {
  const whole = await replayJoin(db.session, sql, writes);
  for (const split of [1, 2]) expect((await replayJoin(db.session, sql, writes, split)).flat().sort(), `split ${split}`).toEqual(whole.flat().sort());
  return whole;
}

/** What a changelog adds up to: each row's +1s minus its -1s, the rows left over. */
function net(emits: string[][]): string[] {
  const count = new Map<string, number>();
  for (const r of emits.flat()) {
    const cut = r.lastIndexOf(',');
    const row = r.slice(0, cut);
    count.set(row, (count.get(row) ?? 0) + Number(r.slice(cut + 1)));
  }
  return [...count].flatMap(([row, n]) => Array<string>(Math.max(0, n)).fill(row)).sort();
}

const w = (into: string, columns: string, ...rows: string[]): Write => ({ into, columns, rows });

describe('§4 F: streaming joins', () => {
  it('F48 stream ⨝ table(): the dimension is frozen at the start, unmatched LEFT rows get defaults', async () => {
    createStream(db.session, 'CREATE STREAM orders (oid int32, pid string, qty int32)');
    createStream(db.session, 'CREATE STREAM products (pid string, price float64)');
    const sql = 'SELECT oid, o.pid, qty * price AS amount FROM orders AS o LEFT JOIN table(products) AS p ON o.pid = p.pid';
    const emits = await replayJoin(db.session, sql, [
      { ...w('products', 'pid, price', "('p1', 10)", "('p2', 20)"), before: true },
      w('orders', 'oid, pid, qty', "(1, 'p1', 2)", "(2, 'p3', 1)"),
      w('products', 'pid, price', "('p3', 30)"),
      w('orders', 'oid, pid, qty', "(3, 'p3', 1)"),
    ]);
    expect(emits).toEqual([['1,p1,20', '2,p3,0'], ['3,p3,0']]);
  });

  it('F49 append ⨝ versioned_kv: each left row joins the versions current at its arrival', async () => {
    createStream(db.session, 'CREATE STREAM jl (i int32, s string)');
    createStream(db.session, "CREATE STREAM jr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const emits = await scenario('SELECT i, ii, s FROM jl INNER JOIN jr ON s = ss', [
      w('jr', 'ii, ss', "(1, 's1')", "(2, 's1')", "(3, 's3')"),
      w('jl', 'i, s', "(1, 's1')", "(2, 's3')"),
      w('jr', 'ii, ss', "(4, 's1')", "(5, 's3')"),
      w('jl', 'i, s', "(11, 's1')", "(22, 's3')"),
    ]);
    expect(emits).toEqual([['1,2,s1', '2,3,s3'], ['11,4,s1', '22,5,s3']]);
  });

  it('F50 append LEFT JOIN versioned_kv', async () => {
    createStream(db.session, 'CREATE STREAM jl2 (i int32, k string)');
    createStream(db.session, "CREATE STREAM jr2 (j int32, kk string) PRIMARY KEY kk SETTINGS mode='versioned_kv'");
    const emits = await scenario('SELECT i, k, j, kk FROM jl2 AS a LEFT JOIN jr2 AS b ON a.i = b.j', [
      w('jr2', 'j, kk', "(1, 'kk1')"), w('jl2', 'i, k', "(1, 'k1')"),
      w('jr2', 'j, kk', "(2, 'kk1')"), w('jl2', 'i, k', "(2, 'k1')"),
      w('jl2', 'i, k', "(3, 'k2')"),
    ]);
    expect(emits).toEqual([['1,k1,1,kk1'], ['2,k1,2,kk1'], ['3,k2,0,']]);
  });

  it('F51 ASOF join with keep_versions over a versioned_kv right side', async () => {
    createStream(db.session, 'CREATE STREAM al (i int32, s string)');
    createStream(db.session, "CREATE STREAM ar (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const emits = await scenario('SELECT i, ii, s FROM al ASOF JOIN ar ON s = ss AND i < ii SETTINGS keep_versions=2', [
      w('ar', 'ii, ss', "(1, 's1')", "(2, 's1')", "(3, 's3')"),
      w('al', 'i, s', "(0, 's1')", "(2, 's3')"),
      w('ar', 'ii, ss', "(4, 's1')", "(5, 's3')"),
      w('al', 'i, s', "(0, 's1')", "(4, 's3')"),
    ]);
    expect(emits).toEqual([['0,1,s1', '2,3,s3'], ['0,2,s1', '4,5,s3']]);
  });

  it('F52 bidirectional append ⨝ append', async () => {
    createStream(db.session, 'CREATE STREAM bl (i int32, k string)');
    createStream(db.session, 'CREATE STREAM br (ii int32, k string)');
    const emits = await scenario('SELECT i, ii FROM bl INNER JOIN br ON bl.k = br.k', [
      w('bl', 'i, k', "(1, 'a')"), w('br', 'ii, k', "(10, 'a')"), w('bl', 'i, k', "(2, 'a')"), w('br', 'ii, k', "(20, 'a')"),
    ]);
    expect(emits).toEqual([['1,10'], ['2,10'], ['1,20', '2,20']]);
  });

  it('F53 range join: date_diff_within and date_diff BETWEEN are inclusive; bounds must hold 0', async () => {
    createStream(db.session, 'CREATE STREAM rl (i int32, s string, ts datetime64(3))');
    createStream(db.session, 'CREATE STREAM rr (ii int32, ss string, tts datetime64(3))');
    const rows = ['s1', '15:44:59', 's2', '15:45:00', 's3', '15:45:09', 's4', '15:45:10', 's5', '15:45:15', 's6', '15:45:19', 's7', '15:45:20', 's8', '15:45:21'];
    const right = Array.from({ length: 8 }, (_, n) => `(1, '${rows[2 * n]}', '2022-05-23 ${rows[2 * n + 1]}')`);
    const writes = [w('rl', 'i, s, ts', "(1, 's', '2022-05-23 15:45:10')"), w('rr', 'ii, ss, tts', ...right)];
    const expected = [['s,s2', 's,s3', 's,s4', 's,s5', 's,s6', 's,s7']];
    expect(await scenario('SELECT s, ss FROM rl INNER JOIN rr ON i = ii AND date_diff_within(10s, ts, tts)', writes)).toEqual(expected);
    expect(await scenario("SELECT s, ss FROM rl INNER JOIN rr ON i = ii AND date_diff('second', ts, tts) BETWEEN -10 AND 10", writes)).toEqual(expected);
    const bad = "SELECT s, ss FROM rl INNER JOIN rr ON i = ii AND date_diff('second', ts, tts) > 3 AND date_diff('second', ts, tts) < 10";
    expect(thrownCode(() => plan(parseSql(bad), streaming, bad))).toBe(62);
  });

  it('F55 LATEST join: left rows enrich against the newest right row; right writes emit nothing', async () => {
    createStream(db.session, 'CREATE STREAM tl (i int32, k string)');
    createStream(db.session, 'CREATE STREAM tr (ii int32, k string)');
    const emits = await scenario('SELECT i, ii FROM tl INNER LATEST JOIN tr ON tl.k = tr.k', [
      w('tr', 'ii, k', "(10, 'a')"), w('tr', 'ii, k', "(20, 'a')"), w('tl', 'i, k', "(1, 'a')"),
      w('tr', 'ii, k', "(30, 'a')"), w('tl', 'i, k', "(2, 'a')"),
    ]);
    expect(emits).toEqual([['1,20'], ['2,30']]);
  });

  it('F54 versioned_kv ⨝ versioned_kv: a changelog, retractions before additions', async () => {
    createStream(db.session, "CREATE STREAM vl (i int32, s string) PRIMARY KEY s SETTINGS mode='versioned_kv'");
    createStream(db.session, "CREATE STREAM vr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const writes = [w('vr', 'ii, ss', "(1, 's1')"), w('vl', 'i, s', "(3, 's1')"), w('vl', 'i, s', "(2, 's1')"), w('vr', 'ii, ss', "(4, 's1')")];
    const emits = await replayJoin(db.session, 'SELECT i, ii, s, _tp_delta FROM vl INNER JOIN vr ON s = ss', writes);
    expect(emits).toEqual([['3,1,s1,1'], ['3,1,s1,-1'], ['2,1,s1,1'], ['2,1,s1,-1'], ['2,4,s1,1']]);
    // The sum of a changelog is the join's final state, at any batching.
    for (const split of [1, null]) expect(net(await replayJoin(db.session, 'SELECT i, ii, s, _tp_delta FROM vl INNER JOIN vr ON s = ss', writes, split))).toEqual(['2,4,s1']);
    const sums = await replayJoin(db.session, 'SELECT sum(i + ii) AS total FROM vl INNER JOIN vr ON s = ss GROUP BY s EMIT PERIODIC 2s', [
      writes[0] as Write, { wait: 2500 }, writes[1] as Write, { wait: 2500 }, writes[2] as Write, { wait: 2500 }, writes[3] as Write, { wait: 2500 },
    ]);
    expect(sums).toEqual([['4'], ['3'], ['6']]);
  });

  it('a kv ⨝ kv write computes its change over the keys it touched only', async () => {
    createStream(db.session, "CREATE STREAM tkl (i int32, s string) PRIMARY KEY s SETTINGS mode='versioned_kv'");
    createStream(db.session, "CREATE STREAM tkr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const sql = 'SELECT i, ii, s, _tp_delta FROM tkl INNER JOIN tkr ON s = ss';
    const p = plan(parseSql(sql), streaming, sql);
    if (p.kind !== 'join' || p.join.changelog === null) throw new Error(p.kind);
    expect(p.join.changelog.sql({ left: 5n, right: 9n }, { left: 7n, right: 9n }, -1, null)).toContain('WHERE s IN (SELECT s FROM (SELECT *, _tp_sn FROM default.tkl WHERE _tp_sn >= 5 AND _tp_sn < 7))');
    const emits = await scenario(sql, [
      w('tkr', 'ii, ss', "(1, 's1')", "(2, 's2')"), w('tkl', 'i, s', "(10, 's1')", "(20, 's2')"),
      w('tkl', 'i, s', "(11, 's1')"), w('tkr', 'ii, ss', "(3, 's2')"),
    ]);
    expect(emits).toEqual([['10,1,s1,1', '20,2,s2,1'], ['10,1,s1,-1'], ['11,1,s1,1'], ['20,2,s2,-1'], ['20,3,s2,1']]);
  });

  it('the versioned-stream page: LEFT JOIN of two versioned streams gives revenue 0 until the order comes', async () => {
    createStream(db.session, "CREATE STREAM dim_products (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode='versioned_kv'");
    createStream(db.session, "CREATE STREAM korders (order_id int8, product_id string, quantity int8) PRIMARY KEY order_id SETTINGS mode='versioned_kv'");
    const sql = 'SELECT order_id, product_id, quantity, price * quantity AS revenue, _tp_delta FROM dim_products LEFT JOIN korders USING (product_id)';
    const emits = await replayJoin(db.session, sql, [
      { ...w('dim_products', 'product_id, price', "('iPhone15', 800)"), before: true },
      w('dim_products', 'product_id, price', "('Vision Pro', 3000)"),
      w('korders', 'order_id, product_id, quantity', "(4, 'Vision Pro', 1)"),
    ]);
    expect(emits).toEqual([['0,iPhone15,0,0,1'], ['0,Vision Pro,0,0,1'], ['0,Vision Pro,0,0,-1'], ['4,Vision Pro,1,3000,1']]);
  });

  it('append ⨝ changelog(r, k): a left row joins the live row of each key at its arrival', async () => {
    createStream(db.session, 'CREATE STREAM cjl (i int32)');
    createStream(db.session, 'CREATE STREAM cjr (j int32, kk string)');
    const emits = await scenario('SELECT i, j, kk FROM cjl AS l INNER JOIN changelog(cjr, kk) AS b ON l.i = b.j', [
      w('cjr', 'j, kk', "(1, 'a')"), w('cjl', 'i', '(1)'), w('cjr', 'j, kk', "(2, 'a')"), w('cjl', 'i', '(1)'), w('cjl', 'i', '(2)'),
    ]);
    expect(emits).toEqual([['1,1,a'], ['2,2,a']]);
  });
});

describe('streaming = historical for joins whose right side does not change under them', () => {
  /** The bounded query's rows as the replay writes them (sorted, TSV fields joined by commas). */
  const bounded = (sql: string): string[] => db.session.query(sql, 'TSV').split('\n').filter((l) => l !== '').map((l) => l.replaceAll('\t', ',')).sort();

  it('append ⨝ append (both directions, a range predicate) ↔ the same join over table()', async () => {
    createStream(db.session, 'CREATE STREAM hl (i int32, k string, ts datetime64(3))');
    createStream(db.session, 'CREATE STREAM hr (ii int32, k string, tts datetime64(3))');
    const writes = [
      w('hl', 'i, k, ts', "(1, 'a', '2024-01-01 00:00:00')", "(2, 'b', '2024-01-01 00:00:05')"),
      w('hr', 'ii, k, tts', "(10, 'a', '2024-01-01 00:00:03')", "(20, 'b', '2024-01-01 00:00:30')"),
      w('hl', 'i, k, ts', "(3, 'a', '2024-01-01 00:00:09')", "(4, 'b', '2024-01-01 00:00:25')"),
      w('hr', 'ii, k, tts', "(30, 'a', '2024-01-01 00:00:01')"),
    ];
    const cases = [
      ['hl.k = hr.k', 'hl.k = hr.k'],
      ['hl.k = hr.k AND date_diff_within(10s, ts, tts)', "hl.k = hr.k AND abs(date_diff('second', ts, tts)) <= 10"],
    ];
    for (const [on, historical] of cases) {
      const emits = await scenario(`SELECT i, ii FROM hl INNER JOIN hr ON ${on}`, writes);
      expect(emits.flat().sort(), on).toEqual(bounded(plan_(`SELECT i, ii FROM table(hl) AS hl INNER JOIN table(hr) AS hr ON ${historical}`)));
    }
  });

  it('stream ⨝ table() ↔ the left rows joined with the frozen table', async () => {
    createStream(db.session, 'CREATE STREAM hs (i int32, k string)');
    createStream(db.session, 'CREATE STREAM hd (k string, v int32)');
    const emits = await scenario('SELECT i, v FROM hs LEFT JOIN table(hd) AS d ON hs.k = d.k', [
      { ...w('hd', 'k, v', "('a', 1)", "('b', 2)"), before: true },
      w('hs', 'i, k', "(1, 'a')", "(2, 'c')"), w('hs', 'i, k', "(3, 'b')"),
    ]);
    expect(emits.flat().sort()).toEqual(bounded(plan_('SELECT i, v FROM table(hs) AS hs LEFT JOIN table(hd) AS d ON hs.k = d.k')));
  });
});

/** A bounded query's ClickHouse SQL as the planner prints it. */
function plan_(sql: string): string {
  const p = plan(parseSql(sql), table, sql);
  if (p.kind !== 'query') throw new Error(`${sql}: ${p.kind} plan`);
  return p.sql;
}

describe('regressions of Proton join bugs (issues 377, 378, 1188, PR 1186)', () => {
  it("seek_to='earliest' drops no backfill match (#1188): every stored left row joins the stored right side", async () => {
    createStream(db.session, 'CREATE STREAM rtl (i int32, k string)');
    createStream(db.session, 'CREATE STREAM rtr (ii int32, k string)');
    const emits = await scenario("SELECT i, ii FROM rtl INNER LATEST JOIN rtr ON rtl.k = rtr.k SETTINGS seek_to='earliest'", [
      { ...w('rtr', 'ii, k', "(10, 'a')", "(20, 'a')", "(5, 'b')"), before: true },
      { ...w('rtl', 'i, k', "(1, 'a')", "(2, 'b')", "(3, 'a')"), before: true },
      w('rtl', 'i, k', "(4, 'b')"),
    ]);
    expect(emits).toEqual([['1,20', '2,5', '3,20'], ['4,5']]);
  });

  it('no phantom retracts: a write that leaves the join as it was emits nothing', async () => {
    createStream(db.session, "CREATE STREAM pvl (i int32, s string) PRIMARY KEY s SETTINGS mode='versioned_kv'");
    createStream(db.session, "CREATE STREAM pvr (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const emits = await scenario('SELECT i, ii, s, _tp_delta FROM pvl INNER JOIN pvr ON s = ss', [
      w('pvr', 'ii, ss', "(1, 's1')"), w('pvl', 'i, s', "(3, 's1')"),
      w('pvl', 'i, s', "(3, 's1')"), w('pvr', 'ii, ss', "(7, 's9')"), w('pvl', 'i, s', "(5, 's5')"),
    ]);
    expect(emits).toEqual([['3,1,s1,1']]);
  });

  it('no wrong intermediate rows: a changelog_kv update (-1 then +1 in one write) retracts once and adds once', async () => {
    createStream(db.session, "CREATE STREAM wil (i int32, s string) PRIMARY KEY s SETTINGS mode='changelog_kv'");
    createStream(db.session, "CREATE STREAM wir (ii int32, ss string) PRIMARY KEY ss SETTINGS mode='versioned_kv'");
    const emits = await replayJoin(db.session, 'SELECT i, ii, s, _tp_delta FROM wil INNER JOIN wir ON s = ss', [
      w('wir', 'ii, ss', "(1, 's1')"), w('wil', 'i, s, _tp_delta', "(3, 's1', 1)"), w('wil', 'i, s, _tp_delta', "(3, 's1', -1)", "(4, 's1', 1)"),
    ]);
    expect(emits).toEqual([['3,1,s1,1'], ['3,1,s1,-1'], ['4,1,s1,1']]);
  });

  it('changelog streams: an append row joins the live multiset; a changelog left side gives a changelog', async () => {
    createStream(db.session, 'CREATE STREAM ccl (i int32, k string)');
    createStream(db.session, "CREATE STREAM ccr (k string, v int32) SETTINGS mode='changelog'");
    const emits = await scenario('SELECT i, v FROM ccl INNER JOIN ccr ON ccl.k = ccr.k', [
      w('ccr', 'k, v, _tp_delta', "('a', 1, 1)", "('a', 2, 1)"), w('ccl', 'i, k', "(1, 'a')"),
      w('ccr', 'k, v, _tp_delta', "('a', 1, -1)"), w('ccl', 'i, k', "(2, 'a')"),
    ]);
    expect(emits).toEqual([['1,1', '1,2'], ['2,2']]);
    createStream(db.session, "CREATE STREAM ccv (k string, w int32) PRIMARY KEY k SETTINGS mode='versioned_kv'");
    const change = await scenario('SELECT v, w, _tp_delta FROM ccr INNER JOIN ccv ON ccr.k = ccv.k', [
      w('ccv', 'k, w', "('a', 10)"), w('ccr', 'k, v, _tp_delta', "('a', 5, 1)"), w('ccr', 'k, v, _tp_delta', "('a', 5, -1)"),
    ]);
    expect(change).toEqual([['5,10,1'], ['5,10,-1']]);
  });

  it('a bounded view (over table()) on the right is read by the store as it is', async () => {
    createStream(db.session, 'CREATE STREAM bvl (i int32, k string)');
    createStream(db.session, 'CREATE STREAM bvd (k string, v int32)');
    createStream(db.session, 'CREATE VIEW bvv AS SELECT k, v * 10 AS v10 FROM table(bvd)');
    const emits = await replayJoin(db.session, 'SELECT i, v10 FROM bvl INNER JOIN bvv ON bvl.k = bvv.k', [
      { ...w('bvd', 'k, v', "('a', 1)"), before: true }, w('bvl', 'i, k', "(1, 'a')", "(2, 'b')"),
    ]);
    expect(emits).toEqual([['1,10']]);
  });

  it('F56 unsupported stream joins fail with 48', () => {
    for (const sql of ['SELECT * FROM bl RIGHT JOIN br ON bl.k = br.k', 'SELECT * FROM bl CROSS JOIN br', 'SELECT * FROM vl INNER JOIN bl ON vl.s = bl.k']) {
      expect(thrownCode(() => plan(parseSql(sql), streaming, sql)), sql).toBe(48);
    }
  });
});
