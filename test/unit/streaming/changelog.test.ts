// Changelogs in streaming queries (proton-semantics §1.10 EMIT CHANGELOG, §1.12 changelog(), §1.2
// changelog mode; §4 C23, C25, E44): EMIT CHANGELOG emits, per changed group, a -1 row of what was
// emitted before and a +1 row of the new values; changelog() turns an append stream into ±1 rows per
// key; a changelog-mode stream's -1 rows retract. Replays with 1-row, odd and whole-insert ranges
// must agree (STYLE 11).
import { describe, expect, it } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { changelogSelect, changelogSource } from '../../../src/rewrite/streaming-changelog.ts';
import { print } from '../../../src/rewrite/printer.ts';
import type { FunctionCall } from '../../../src/rewrite/ast.ts';
import { parseExpression } from '../../../src/rewrite/parse-select.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';
import { createStream, replay, streaming, type Step } from './replay.ts';

const db = tempSession('stream-changelog');
const splits = [1, 2, 3, null];
const created = new Set<string>();
const t = (s: string): string => `'2024-03-01 00:00:${s}')`;

/** `tail`: compare every row in order (a tail emits per range); otherwise emit by emit, each emit's +1 rows as a set. */
async function expectReplays(ddl: string, columns: string, sql: string, steps: readonly Step[], expected: readonly (readonly string[])[], tail = false, shape: (row: string) => string = (r) => r): Promise<void> {
  const name = /^CREATE STREAM\s+(\S+)/i.exec(ddl)?.[1] as string;
  for (const split of splits) {
    if (!created.has(name)) createStream(db.session, ddl);
    created.add(name);
    db.session.query(`TRUNCATE TABLE default.${name}`, 'TSV');
    const emits = (await replay(db.session, name, columns, sql, steps, split)).map((e) => e.map(shape));
    const canonical = (e: readonly string[]): string[] => [...e.filter((r) => r.endsWith(',-1')), ...e.filter((r) => !r.endsWith(',-1')).sort()];
    const got = tail ? [emits.flat()] : emits.map(canonical);
    const want = tail ? expected : expected.map(canonical);
    expect(got, `split ${String(split)}: ${sql}`).toEqual(want);
  }
}

describe('EMIT CHANGELOG', () => {
  it('C23 on append input: (1, 1); then (1, -1), (2, 1)', async () => {
    await expectReplays('CREATE STREAM g3 (i int32, k string)', 'i, k', 'SELECT count(), _tp_delta FROM g3 EMIT CHANGELOG',
      [{ wait: 1000 }, { insert: [`(1, 'k1', ${t('01')}`] }, { wait: 3000 }, { insert: [`(1, 'k2', ${t('02')}`] }, { wait: 3000 }],
      [['1,1'], ['1,-1', '2,1']]);
  });
  it('C25 group movement over versioned_kv: (k1, 2, 1); then (k1, 2, -1), (k1, 1, 1), (k2, 1, 1)', async () => {
    await expectReplays("CREATE STREAM g5 (i int32, k string) PRIMARY KEY i SETTINGS mode='versioned_kv'", 'i, k',
      'SELECT k, count(), _tp_delta FROM g5 GROUP BY k EMIT CHANGELOG PERIODIC 1s',
      [{ insert: [`(1, 'k1', ${t('01')}`, `(2, 'k1', ${t('01')}`] }, { wait: 2000 }, { insert: [`(1, 'k2', ${t('02')}`] }, { wait: 2000 }],
      [['k1,2,1'], ['k1,2,-1', 'k1,1,1', 'k2,1,1']]);
  });
  it('only changed groups: an unchanged group is not emitted again, a vanished one is retracted', async () => {
    await expectReplays("CREATE STREAM g9 (i int32, k string) PRIMARY KEY i SETTINGS mode='versioned_kv'", 'i, k',
      'SELECT k, count() AS c FROM g9 GROUP BY k EMIT CHANGELOG PERIODIC 1s',
      [{ insert: [`(1, 'a', ${t('01')}`, `(2, 'b', ${t('01')}`] }, { wait: 1000 }, { insert: [`(2, 'c', ${t('02')}`] }, { wait: 1000 }],
      [['a,1,1', 'b,1,1'], ['b,1,-1', 'c,1,1']]);
  });
  it('on a tail over a changelog source it passes _tp_delta through; emit_version() and append tails are refused', async () => {
    await expectReplays("CREATE STREAM cl1 (i int32) SETTINGS mode='changelog'", 'i, _tp_delta', 'SELECT i, _tp_delta FROM cl1 EMIT CHANGELOG',
      [{ insert: [`(1, 1, ${t('01')}`, `(2, 1, ${t('01')}`, `(1, -1, ${t('02')}`] }],
      [['1,1', '2,1', '1,-1']], true);
    createStream(db.session, 'CREATE STREAM ap (i int32)');
    for (const sql of ['SELECT emit_version(), count() FROM ap EMIT CHANGELOG', 'SELECT i FROM ap EMIT CHANGELOG', 'SELECT window_start, count() FROM tumble(ap, 5s) GROUP BY window_start EMIT CHANGELOG']) {
      expect(thrownCode(() => plan(parseSql(sql), streaming, sql)), sql).toBe(48);
    }
  });
});

describe('changelog mode: -1 rows retract', () => {
  it('count(), sum(), min(), max() over the live multiset', async () => {
    await expectReplays("CREATE STREAM cl2 (k string, v int32) SETTINGS mode='changelog'", 'k, v, _tp_delta',
      'SELECT k, count(), sum(v), min(v), max(v) FROM cl2 GROUP BY k EMIT PERIODIC 1s',
      [{ insert: [`('a', 1, 1, ${t('01')}`, `('a', 5, 1, ${t('01')}`, `('b', 2, 1, ${t('01')}`] }, { wait: 1000 },
        { insert: [`('a', 1, -1, ${t('02')}`, `('a', 7, 1, ${t('02')}`] }, { wait: 1000 }],
      [['a,2,6,1,5', 'b,1,2,2,2'], ['a,2,12,5,7', 'b,1,2,2,2']]);
  });
});

describe('changelog()', () => {
  it('E44 over an append stream: (1, k1, 1); (1, k1, -1), (1, k2, 1)', async () => {
    await expectReplays('CREATE STREAM c1 (i int32, k string)', 'i, k', 'SELECT i, k, _tp_delta FROM changelog(c1, i)',
      [{ insert: [`(1, 'k1', ${t('01')}`] }, { insert: [`(1, 'k2', ${t('02')}`, `(2, 'k3', ${t('02')}`, `(1, 'k4', ${t('03')}`] }],
      [['1,k1,1', '1,k1,-1', '1,k2,1', '2,k3,1', '1,k2,-1', '1,k4,1']], true);
  });
  it('drop_late_rows: a row below its key\'s version is ignored', async () => {
    await expectReplays('CREATE STREAM c2 (i int32, v int32, k string)', 'i, v, k', 'SELECT i, k, _tp_delta FROM changelog(c2, i, v, true)',
      [{ insert: [`(1, 5, 'a', ${t('01')}`, `(1, 3, 'late', ${t('02')}`, `(1, 6, 'b', ${t('03')}`] }],
      [['1,a,1', '1,a,-1', '1,b,1']], true);
  });
  it('an aggregation over changelog() sees the last row per key', async () => {
    await expectReplays('CREATE STREAM c3 (i int32, v int32)', 'i, v', 'SELECT count(), sum(v) FROM changelog(c3, i) EMIT PERIODIC 1s',
      [{ insert: [`(1, 10, ${t('01')}`, `(2, 20, ${t('01')}`] }, { wait: 1000 }, { insert: [`(1, 11, ${t('02')}`] }, { wait: 1000 }],
      [['2,30'], ['2,31']]);
  });
  it('changelogSelect: the ClickHouse Select of a range\'s changelog rows (for joins), run on the store', () => {
    createStream(db.session, 'CREATE STREAM c4 (i int32, k string)');
    db.session.query(`INSERT INTO default.c4 (i, k, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1 VALUES (1, 'x', '2024-03-01 00:00:01', 1), (1, 'y', '2024-03-01 00:00:02', 2), (2, 'z', '2024-03-01 00:00:02', 3)`, 'TSV');
    const ctx = { catalog: streaming.catalog, database: 'default', dialect: 'proton' as const, virtualTables: new Map() };
    const source = changelogSource(parseExpression('changelog(c4, i)') as FunctionCall, ctx);
    const sql = print({ kind: 'select_statement', query: changelogSelect(source, { first: 2n, next: 4n }, 0n), format: null }, 'clickhouse');
    expect(sql).toMatch(/leadInFrame/);
    const rows = db.session.query(`SELECT i, k, _tp_delta, _tp_sn FROM (${sql})`, 'TSV').trim().split('\n');
    expect(rows).toEqual(['1\tx\t-1\t2', '1\ty\t1\t2', '2\tz\t1\t3']);
  });
});

describe('EMIT CHANGELOG column order', () => {
  it('_tp_delta stays where the query names it, and is added last when it does not', async () => {
    await expectReplays('CREATE STREAM g10 (i int32, k string)', 'i, k', 'SELECT _tp_delta, k, count() FROM g10 GROUP BY k EMIT CHANGELOG',
      [{ insert: [`(1, 'a', ${t('01')}`] }, { wait: 2000 }, { insert: [`(2, 'a', ${t('02')}`] }, { wait: 2000 }],
      // Emitted as (_tp_delta, k, count): (1, a, 1); then (-1, a, 1), (1, a, 2). Compared with the sign moved last.
      [['a,1,1'], ['a,1,-1', 'a,2,1']],
      false, (r) => { const f = r.split(','); return [...f.slice(1), f[0]].join(','); });
    await expectReplays('CREATE STREAM g11 (i int32, k string)', 'i, k', 'SELECT k, max(i) FROM g11 GROUP BY k EMIT CHANGELOG',
      [{ insert: [`(1, 'a', ${t('01')}`] }, { wait: 2000 }, { insert: [`(2, 'a', ${t('02')}`] }, { wait: 2000 }],
      [['a,1,1'], ['a,1,-1', 'a,2,1']]);
  });
});
