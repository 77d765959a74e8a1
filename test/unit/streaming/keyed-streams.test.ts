// Keyed streams in streaming queries (proton-semantics §1.2, §2.2, §2.16; §4 C24, C26, E47 "Also";
// the versioned-stream page): a streaming read of a versioned_kv / changelog_kv stream replays the
// current row per key first, then follows new rows; aggregations over them retract superseded rows.
// Replays with 1-row, odd and whole-insert ranges must agree (STYLE 11).
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { expectStreamingEqualsHistorical } from './historical.ts';
import { createStream, replay, streaming, type Step } from './replay.ts';

const db = tempSession('stream-keyed');
const splits = [1, 2, 3, null];
const created = new Set<string>();

/**
 * Replays with every split on a fresh stream; all must give `expected`. `tail`: a tail emits per range,
 * so its emits are compared as [the snapshot's rows as a set, then every later row in order].
 */
async function expectReplays(ddl: string, columns: string, sql: string, before: readonly string[], steps: readonly Step[], expected: readonly (readonly string[])[], tail = false): Promise<void> {
  const name = /^CREATE STREAM\s+(\S+)/i.exec(ddl)?.[1] as string;
  for (const split of splits) {
    if (!created.has(name)) createStream(db.session, ddl);
    created.add(name);
    db.session.query(`TRUNCATE TABLE default.${name}`, 'TSV');
    stored(name, columns, before);
    const emits = await replay(db.session, name, columns, sql, steps, split);
    const got = !tail ? emits : before.length === 0 ? [emits.flat()] : [[...(emits[0] ?? [])].sort(), emits.slice(1).flat()];
    const want = !tail ? expected : expected.map((e, i) => (i === 0 && before.length > 0 ? [...e].sort() : e));
    expect(got, `split ${String(split)}: ${sql}`).toEqual(want);
  }
}

/** Rows stored before the query starts (`_tp_sn` 1, 2, … — below every position the replay uses). */
function stored(name: string, columns: string, rows: readonly string[]): void {
  if (rows.length === 0) return;
  const values = rows.map((r, i) => `${r.slice(0, -1)}, ${String(i + 1)})`).join(', ');
  db.session.query(`INSERT INTO default.${name} (${columns}, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0 VALUES ${values}`, 'TSV');
}

const t = (s: string): string => `'2024-03-01 00:00:${s}')`;

describe('versioned_kv', () => {
  it('C24: a global aggregation recomputed over the snapshot: (3,1,6,9,3) then (3,2,4,9,3)', async () => {
    await expectReplays("CREATE STREAM g4 (id int32, val float32) PRIMARY KEY id SETTINGS mode='versioned_kv'", 'id, val',
      'SELECT count(), min(val), max(val), sum(val), avg(val) FROM g4 EMIT PERIODIC 1s',
      [`(1, 1, ${t('01')}`, `(2, 2, ${t('02')}`, `(3, 6, ${t('03')}`],
      [{ wait: 1000 }, { insert: [`(1, 3, ${t('04')}`, `(3, 4, ${t('05')}`] }, { wait: 1000 }],
      [['3,1,6,9,3'], ['3,2,4,9,3']]);
  });
});

describe('the versioned-stream page (non-join examples)', () => {
  const ddl = 'CREATE STREAM dim_products (product_id string, price float32) PRIMARY KEY (product_id) SETTINGS mode=\'versioned_kv\'';
  it('an overwrite of iPhone15 gives 2 rows, not 3: the snapshot first, then each new row', async () => {
    await expectReplays(ddl, 'product_id, price', 'SELECT product_id, price FROM dim_products',
      [`('iPhone15', 799, ${t('01')}`, `('iPhone15_Plus', 899, ${t('01')}`, `('iPhone15', 800, ${t('02')}`],
      [{ insert: [`('Vision Pro', 3000, ${t('03')}`] }],
      [['iPhone15,800', 'iPhone15_Plus,899'], ['Vision Pro,3000']], true);
  });
  it('sum(price) is 1698, then 1699 after iPhone15 is set to 800', async () => {
    await expectReplays(ddl, 'product_id, price', 'SELECT sum(price) FROM dim_products',
      [`('iPhone15', 799, ${t('01')}`, `('iPhone15_Plus', 899, ${t('01')}`],
      [{ wait: 2000 }, { insert: [`('iPhone15', 800, ${t('02')}`] }, { wait: 2000 }],
      [['1698'], ['1699']]);
  });
});

describe('versioned_kv tails and retractable aggregates', () => {
  it('_tp_delta is synthesized: the snapshot as +1 rows, then -1 of the superseded version and +1 of the new', async () => {
    await expectReplays("CREATE STREAM kv1 (id int32, v int32) PRIMARY KEY id SETTINGS mode='versioned_kv'", 'id, v',
      'SELECT id, v, _tp_delta FROM kv1',
      [`(1, 10, ${t('01')}`, `(1, 11, ${t('02')}`, `(2, 20, ${t('02')}`],
      [{ insert: [`(1, 12, ${t('03')}`, `(3, 30, ${t('03')}`, `(1, 13, ${t('04')}`] }],
      [['1,11,1', '2,20,1'], ['1,11,-1', '1,12,1', '3,30,1', '1,12,-1', '1,13,1']], true);
  });
  it('E47 also: min_k / max_k over versioned_kv retract the old values', async () => {
    await expectReplays("CREATE STREAM mk (id int32, val int32) PRIMARY KEY id SETTINGS mode='versioned_kv'", 'id, val',
      'SELECT min_k(val, 3), max_k(val, 3), min_k(val, 2, id), max_k(val, 2, id) FROM mk EMIT PERIODIC 1s',
      [`(1, 1, ${t('01')}`, `(2, 3, ${t('01')}`, `(3, 5, ${t('01')}`],
      [{ wait: 1000 }, { insert: [`(1, 6, ${t('02')}`, `(2, 4, ${t('02')}`, `(3, 2, ${t('02')}`] }, { wait: 1000 }],
      [['[1,3,5],[5,3,1],[(1,1),(3,2)],[(5,3),(3,2)]'], ['[2,4,6],[6,4,2],[(2,3),(4,2)],[(6,1),(4,2)]']]);
  });
  it('an aggregation emits nothing before the first row, even over a keyed stream', async () => {
    await expectReplays("CREATE STREAM kv2 (id int32, v int32) PRIMARY KEY id SETTINGS mode='versioned_kv'", 'id, v',
      'SELECT count() FROM kv2 EMIT PERIODIC 1s', [],
      [{ wait: 3000 }, { insert: [`(1, 1, ${t('01')}`, `(1, 2, ${t('02')}`] }, { wait: 1000 }],
      [['1']]);
  });
  it('aggregates Proton cannot retract and windows over changelog input are 48, with Proton\'s wording', () => {
    createStream(db.session, "CREATE STREAM kv3 (id int32, v int32) PRIMARY KEY id SETTINGS mode='versioned_kv'");
    for (const sql of ['SELECT latest(v) FROM kv3', 'SELECT id, p90(v) FROM kv3 GROUP BY id', 'SELECT window_start, count() FROM tumble(kv3, 5s) GROUP BY window_start']) {
      expect(thrownCode(() => plan(parseSql(sql), streaming, sql)), sql).toBe(48);
    }
    expect(() => plan(parseSql('SELECT latest(v) FROM kv3'), streaming, '')).toThrow(/latest aggregation function is not supported in changelog query processing/);
  });
});

describe('changelog_kv', () => {
  const ddl = "CREATE STREAM g6 (id int32, val float32) PRIMARY KEY id SETTINGS mode='changelog_kv'";
  it('C26: count() and sum() over the live rows: (3, 6.6), then (2, 3.3) after a delete', async () => {
    await expectReplays(ddl, 'id, val, _tp_delta', 'SELECT count(), round(sum(val), 4) FROM g6 EMIT PERIODIC 1s',
      [`(1, 1.1, 1, ${t('01')}`, `(2, 2.2, 1, ${t('01')}`, `(3, 3.3, 1, ${t('01')}`],
      [{ wait: 1000 }, { insert: [`(3, 3.3, -1, ${t('02')}`] }, { wait: 1000 }],
      [['3,6.6'], ['2,3.3']]);
  });
  it('a tail replays the live rows, then streams the ±1 rows as they are', async () => {
    await expectReplays(ddl, 'id, val, _tp_delta', 'SELECT id, val, _tp_delta FROM g6',
      [`(1, 1.5, 1, ${t('01')}`, `(2, 2.5, 1, ${t('01')}`, `(2, 2.5, -1, ${t('02')}`],
      [{ insert: [`(1, 1.5, -1, ${t('03')}`, `(1, 4.5, 1, ${t('03')}`] }],
      [['1,1.5,1'], ['1,1.5,-1', '1,4.5,1']], true);
  });
  it('enforce_append_only = 1: the rows as they are stored, no snapshot, no retraction (streaming and table())', async () => {
    for (const split of splits) {
      db.session.query('TRUNCATE TABLE default.g6', 'TSV');
      stored('g6', 'id, val, _tp_delta', [`(1, 1.5, 1, ${t('01')}`]);
      const emits = await replay(db.session, 'g6', 'id, val, _tp_delta', 'SELECT id, val, _tp_delta FROM g6 SETTINGS enforce_append_only = 1', [{ insert: [`(1, 1.5, -1, ${t('03')}`, `(1, 4.5, 1, ${t('03')}`] }], split);
      expect(emits.flat(), `split ${String(split)}`).toEqual(['1,1.5,-1', '1,4.5,1']);
    }
    const sql = 'SELECT id, val, _tp_delta FROM table(g6) ORDER BY _tp_sn SETTINGS enforce_append_only = 1';
    const p = plan(parseSql(sql), streaming, sql);
    if (p.kind !== 'query') throw new Error(p.kind);
    expect(p.sql).toBe('SELECT id, val, _tp_delta FROM g6 ORDER BY _tp_sn');
    expect(db.session.query(p.sql, 'TSV')).toBe('1\t1.5\t1\n1\t1.5\t-1\n1\t4.5\t1\n');
  });
});

describe('streaming = historical over keyed streams (the last emit ↔ the aggregation over table(s))', () => {
  /** Updates across inserts and inside one; key 'c' is deleted (changelog_kv) or moved (versioned_kv). */
  const kv = [
    { insert: [`('a', 1, 'x', ${t('01')}`, `('b', 2, 'x', ${t('01')}`, `('c', 3, 'y', ${t('02')}`] },
    { insert: [`('a', 4, 'y', ${t('03')}`, `('b', 5, 'x', ${t('03')}`, `('a', 6, 'x', ${t('04')}`] },
    { insert: [`('c', 7, 'x', ${t('05')}`, `('d', 8, 'y', ${t('05')}`] },
  ];
  it('versioned_kv: grouped, filtered', async () => {
    const rows = await expectStreamingEqualsHistorical(db.session, {
      stream: "CREATE STREAM hk1 (id string, v int32, g string) PRIMARY KEY id SETTINGS mode='versioned_kv'", columns: 'id, v, g', steps: kv, compare: 'last',
      streaming: 'SELECT g, count() AS c, sum(v) AS s, max(v) AS m FROM hk1 WHERE v > 1 GROUP BY g',
      bounded: 'SELECT g, count() AS c, sum(v) AS s, max(v) AS m FROM table(hk1) WHERE v > 1 GROUP BY g',
    });
    expect(rows.sort()).toEqual(['x,3,18,7', 'y,1,8,8']);
  });
  it('versioned_kv: EMIT ON UPDATE, each group\'s latest row', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: "CREATE STREAM hk2 (id string, v int32, g string) PRIMARY KEY id SETTINGS mode='versioned_kv'", columns: 'id, v, g', steps: kv, compare: 'latest',
      streaming: 'SELECT g, count() AS c, min(v) AS m FROM hk2 GROUP BY g EMIT ON UPDATE',
      bounded: 'SELECT g, count() AS c, min(v) AS m FROM table(hk2) GROUP BY g',
    });
  });
  it('changelog_kv with a delete', async () => {
    await expectStreamingEqualsHistorical(db.session, {
      stream: "CREATE STREAM hk3 (id string, v int32) PRIMARY KEY id SETTINGS mode='changelog_kv'", columns: 'id, v, _tp_delta', compare: 'last',
      steps: [
        { insert: [`('a', 1, 1, ${t('01')}`, `('b', 2, 1, ${t('01')}`, `('c', 3, 1, ${t('01')}`] },
        { insert: [`('a', 1, -1, ${t('02')}`, `('a', 4, 1, ${t('02')}`, `('c', 3, -1, ${t('02')}`] },
      ],
      streaming: 'SELECT count() AS c, sum(v) AS s, avg(v) FROM hk3',
      bounded: 'SELECT count() AS c, sum(v) AS s, avg(v) FROM table(hk3)',
    });
  });
});

describe('versions and keys', () => {
  it('a row below its key\'s version changes nothing (version_column), in changelog(kv) and in aggregations', async () => {
    const ddl = "CREATE STREAM vk (id int32, ver int32, v int32) PRIMARY KEY id SETTINGS mode='versioned_kv', version_column='ver'";
    await expectReplays(ddl, 'id, ver, v', 'SELECT id, v, _tp_delta FROM changelog(vk)',
      [`(1, 5, 50, ${t('01')}`],
      [{ insert: [`(1, 3, 30, ${t('02')}`, `(1, 5, 51, ${t('03')}`, `(2, 1, 10, ${t('03')}`, `(1, 4, 40, ${t('04')}`] }],
      [['1,50,1'], ['1,50,-1', '1,51,1', '2,10,1']], true);
    await expectReplays(ddl, 'id, ver, v', 'SELECT sum(v) FROM vk EMIT PERIODIC 1s',
      [`(1, 5, 50, ${t('01')}`],
      [{ wait: 1000 }, { insert: [`(1, 3, 30, ${t('02')}`, `(2, 1, 10, ${t('03')}`] }, { wait: 1000 }],
      [['50'], ['60']]);
  });
  it('a tuple PRIMARY KEY and an expression PRIMARY KEY', async () => {
    await expectReplays("CREATE STREAM pk2 (a string, b string, v int32) PRIMARY KEY (a, b) SETTINGS mode='versioned_kv'", 'a, b, v',
      'SELECT a, b, v FROM pk2',
      [`('x', 'y', 1, ${t('01')}`, `('x', 'z', 2, ${t('01')}`, `('x', 'y', 3, ${t('02')}`], [],
      [['x,y,3', 'x,z,2'], []], true);
    await expectReplays("CREATE STREAM pk3 (first_name string, last_name string, v int32) PRIMARY KEY first_name || ' ' || last_name SETTINGS mode='versioned_kv'", 'first_name, last_name, v',
      'SELECT count(), sum(v) FROM pk3 EMIT PERIODIC 1s',
      [`('a', 'b', 1, ${t('01')}`, `('a', 'c', 2, ${t('01')}`, `('a', 'b', 5, ${t('02')}`],
      [{ wait: 1000 }], [['2,7']]);
  });
});
