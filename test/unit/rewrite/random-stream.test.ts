// Random streams in the planner (proton-semantics §1.4): the backing table, the generating SQL (shown
// and run on the embedded ClickHouse), bounded reads, the generator's rate and its settings' checks.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/catalog.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan, type Plan, type PlanContext } from '../../../src/rewrite/plan.ts';
import { boundedRandomRows } from '../../../src/rewrite/random-stream.ts';
import { tempSession, thrownCode } from '../../support/chdb.ts';

const catalog = new Catalog();
const table: PlanContext = { catalog, database: 'default', dialect: 'proton', virtualTables: new Map(), settings: new Map(), queryMode: 'table' };
const streaming: PlanContext = { ...table, queryMode: 'streaming' };
const planned = (sql: string, ctx: PlanContext = table): Plan => plan(parseSql(sql), ctx, sql);
const chdb = tempSession('random-stream');

function create(sql: string): string[] {
  const p = planned(sql);
  if (p.kind !== 'ddl') throw new Error(`${sql}: ${p.kind}`);
  for (const step of p.steps) chdb.session.query(step, 'TSV');
  for (const e of p.change.put) catalog.put(e);
  return [...p.steps];
}

function sqlOf(p: Plan): string {
  if (p.kind !== 'query') throw new Error(`a ${p.kind} plan`);
  return p.sql;
}

const run = (sql: string): string => chdb.session.query(sql, 'TSV').trim();

describe('random streams in the planner', () => {
  it('CREATE RANDOM STREAM makes a backing table whose rows expire after an hour', () => {
    const [step] = create('CREATE RANDOM STREAM r1 (id int32 DEFAULT rand() % 4) SETTINGS eps=100');
    expect(step).toContain('id Int32 DEFAULT rand() % 4');
    expect(step).toContain('TTL _tp_time + INTERVAL 1 HOUR');
    expect(step).toContain('merge_with_ttl_timeout = 600');
    expect(run('SELECT count() FROM default.r1')).toBe('0');
  });

  it('table(r) is one generated block: the DEFAULTs over numbers(65409), each random call its own', () => {
    create('CREATE RANDOM STREAM r2 (a uint32 DEFAULT rand() % 1000, b uint32 DEFAULT rand() % 1000, c uint32 DEFAULT a + 1)');
    const sql = sqlOf(planned('SELECT count(), countIf(a != b) > 60000, countIf(c = a + 1), max(_tp_time) <= now64(3) FROM table(r2)'));
    expect(sql).toContain('FROM (SELECT rand(1) % 1000 AS a, rand(2) % 1000 AS b, a + 1 AS c, now64(3, \'UTC\') AS _tp_time FROM numbers(65409)) AS r2');
    expect(run(sql)).toBe(`${boundedRandomRows}\t1\t${boundedRandomRows}\t1`);
  });

  it('a read on the snapshot ports is a bounded read too; on the streaming ports it tails with a generator', () => {
    expect(run(sqlOf(planned('SELECT count() FROM r2')))).toBe(String(boundedRandomRows));
    const p = planned('SELECT a FROM r2 WHERE a > 10 LIMIT 3', streaming);
    if (p.kind !== 'tail' || p.random === undefined) throw new Error('no generator');
    expect(p.tail.start).toBe('now');
    expect(p.tail.limit).toBe(3);
    expect(p.random.key).toBe('default.r2');
    expect(p.random.ensure).toMatch(/^CREATE TABLE IF NOT EXISTS default\.r2 /);
    expect(p.random.columns).toEqual(['a', 'b', 'c', '_tp_time']);
    expect(p.random.select(7)).toBe("SELECT rand(1) % 1000 AS a, rand(2) % 1000 AS b, a + 1 AS c, now64(3, 'UTC') AS _tp_time FROM numbers(7)");
    expect(run(`SELECT count() FROM (${p.random.select(7)})`)).toBe('7');
  });

  it('the rate: the stream\'s settings (defaults eps 1000, interval 5 ms), query-time eps and max_events', () => {
    const rate = (sql: string, ctx = streaming) => {
      const p = planned(sql, ctx);
      if (p.kind !== 'tail' || p.random === undefined) throw new Error('no generator');
      return { ...p.random.rate, limit: p.tail.limit };
    };
    expect(rate('SELECT a FROM r2')).toEqual({ eps: 1000, intervalMs: 5, maxEvents: null, limit: null });
    expect(rate('SELECT id FROM r1')).toEqual({ eps: 100, intervalMs: 5, maxEvents: null, limit: null });
    expect(rate('SELECT id FROM r1 SETTINGS eps=0.5')).toMatchObject({ eps: 0.5 });
    expect(rate('SELECT id FROM r1 SETTINGS eps=-1')).toMatchObject({ eps: 100 });
    expect(rate('SELECT id FROM r1 LIMIT 50 SETTINGS max_events=20')).toMatchObject({ maxEvents: 20, limit: 20 });
    expect(rate('SELECT count() FROM r1 SETTINGS max_events=20')).toMatchObject({ maxEvents: 20, limit: null });
    expect(rate('SELECT id FROM r1', { ...streaming, settings: new Map([['eps', '7']]) })).toMatchObject({ eps: 7 });
    expect(thrownCode(() => planned('SELECT id FROM r1 SETTINGS eps=-2', streaming))).toBe(36);
    expect(thrownCode(() => planned('SELECT id FROM r1 SETTINGS max_events=1.5', streaming))).toBe(36);
  });

  it('bad eps / interval_time are refused at CREATE with 36', () => {
    for (const s of ['interval_time=0', 'interval_time=1001', 'interval_time=2.5', 'eps=-1', "eps='x'"]) {
      expect(thrownCode(() => planned(`CREATE RANDOM STREAM bad (v int8 DEFAULT 1) SETTINGS ${s}`)), s).toBe(36);
    }
    expect(thrownCode(() => planned('CREATE RANDOM STREAM ok (v int8 DEFAULT 1) SETTINGS eps=0, interval_time=1000'))).toBeUndefined();
  });

  it('a column without DEFAULT takes a random value of its type (generateRandom)', () => {
    create('CREATE RANDOM STREAM r3 (k int16, s string, v float64 DEFAULT rand_uniform(5, 6))');
    const sql = sqlOf(planned('SELECT count(), uniqExact(k) > 1000, min(v) >= 5, max(v) < 6, length(any(s)) <= 16 FROM table(r3)'));
    expect(sql).toContain("FROM generateRandom('k Int16, s String', NULL, 16, 4) LIMIT 65409");
    expect(run(sql)).toBe(`${boundedRandomRows}\t1\t1\t1\t1`);
  });

  it('helpers work in DEFAULTs: random_in_type, random_printable_ascii, random_string, rand_normal, uuid', () => {
    create(`CREATE RANDOM STREAM r4 (i int8 DEFAULT random_in_type('int8'), j uint16 DEFAULT random_in_type('uint16', 10),
      t string DEFAULT random_in_type('string'), p string DEFAULT random_printable_ascii(5), q string DEFAULT random_string(6),
      n float64 DEFAULT rand_normal(0, 1), m float64 DEFAULT rand_normal(0, 1), id uuid DEFAULT uuid())`);
    const sql = sqlOf(planned(`SELECT uniqExact(i) > 200, max(j) < 10, uniqExact(j), length(any(t)), min(length(p)), max(length(q)),
      countIf(n != m) > 60000, uniqExact(id) FROM table(r4)`));
    expect(sql).toContain("reinterpret(randomString(byteSize(defaultValueOfTypeName('Int8')), 1), 'Int8') AS i");
    expect(sql).toContain("CAST(randCanonical(2) * 10, 'UInt16') AS j");
    expect(run(sql)).toBe(`1\t1\t10\t8\t5\t6\t1\t${boundedRandomRows}`);
  });

  it('INSERT … SELECT from a random stream inserts one generated block', () => {
    create('CREATE STREAM sink (id int32)');
    const p = planned('INSERT INTO sink (id) SELECT id FROM r1 WHERE id < 2');
    if (p.kind !== 'insert_select') throw new Error(p.kind);
    expect(p.select).toContain('FROM (SELECT rand(1) % 4 AS id, now64(3, \'UTC\') AS _tp_time FROM numbers(65409)) AS r1');
    expect(Number(run(`SELECT count() FROM (${p.select})`))).toBeLessThan(boundedRandomRows);
  });

  it('DROP removes the backing table (IF EXISTS: older random streams have none); INSERT is refused with 48', () => {
    const p = planned('DROP STREAM r3');
    expect(p.kind === 'ddl' && p.steps).toEqual(['DROP TABLE IF EXISTS default.r3']);
    expect(thrownCode(() => planned('INSERT INTO r1 (id) SELECT 1'))).toBe(48);
  });
});
