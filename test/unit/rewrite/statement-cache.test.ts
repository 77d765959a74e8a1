// StatementCache: hits share the tree, options are part of the key, bounds by entries and text size,
// errors and INSERT data never cached.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../../src/catalog.ts';
import { Code, GatewayError } from '../../../src/errors.ts';
import { parseSql, UnknownStatement } from '../../../src/rewrite/parse-statement.ts';
import { plan, type PlanContext } from '../../../src/rewrite/plan.ts';
import { maxCachedTextLength, StatementCache } from '../../../src/rewrite/statement-cache.ts';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
};

const deepFreeze = (o: unknown): void => {
  if (o === null || typeof o !== 'object' || Object.isFrozen(o)) return;
  Object.freeze(o);
  for (const v of Object.values(o)) deepFreeze(v);
};

describe('StatementCache', () => {
  it('returns the same tree on a hit, equal to what parseSql builds', () => {
    const cache = new StatementCache();
    const sql = 'SELECT a, count() AS n FROM table(s) WHERE a > 1 GROUP BY a';
    const first = cache.parse(sql, {});
    expect(first).toEqual(parseSql(sql));
    expect(cache.parse(sql, {})).toBe(first);
    expect(cache.parse(sql)).toBe(first);
    expect(cache.stats).toEqual({ hits: 2, misses: 1 });
    expect(cache.size).toBe(1);
  });

  it('keys on the parse options', () => {
    const cache = new StatementCache();
    const sql = 'SELECT 1 x';
    const clickhouse = cache.parse(sql, { implicitAliases: true });
    expect(clickhouse.kind).toBe('select_statement');
    const err = thrown(() => cache.parse(sql, { implicitAliases: false }));
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(Code.SYNTAX_ERROR);
    expect(cache.parse(sql, { implicitAliases: true })).toBe(clickhouse);
    const proton = cache.parse('SELECT 1 AS x', {});
    expect(cache.parse('SELECT 1 AS x', { implicitAliases: false })).toBe(proton);
    expect(cache.parse('SELECT 1 AS x', { implicitAliases: true })).not.toBe(proton);
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const cache = new StatementCache({ maxEntries: 2 });
    const a = cache.parse('SELECT 1');
    cache.parse('SELECT 2');
    cache.parse('SELECT 1');
    cache.parse('SELECT 3');
    expect(cache.size).toBe(2);
    expect(cache.parse('SELECT 1')).toBe(a);
    const misses = cache.stats.misses;
    cache.parse('SELECT 2');
    expect(cache.stats.misses).toBe(misses + 1);
  });

  it('evicts by total text size and skips texts larger than the bound', () => {
    const cache = new StatementCache({ maxBytes: 100 });
    const texts = ['a', 'b', 'c'].map((c) => `SELECT ${c.repeat(30)}`);
    const first = cache.parse(texts[0] as string);
    cache.parse(texts[1] as string);
    expect(cache.parse(texts[0] as string)).toBe(first);
    cache.parse(texts[2] as string);
    expect(cache.size).toBe(2);
    expect(cache.textSize).toBeLessThanOrEqual(100);
    expect(cache.parse(texts[0] as string)).toBe(first);
    const big = `SELECT ${'x'.repeat(120)}`;
    expect(cache.parse(big)).not.toBe(cache.parse(big));
    expect(cache.textSize).toBeLessThanOrEqual(100);
  });

  it(`neither looks up nor keeps texts over ${maxCachedTextLength} characters`, () => {
    const cache = new StatementCache({ maxBytes: 1024 * 1024 });
    const sql = `SELECT 1 /* ${'-'.repeat(maxCachedTextLength)} */`;
    expect(cache.parse(sql).kind).toBe('select_statement');
    expect(cache.parse(sql)).not.toBe(cache.parse(sql));
    expect(cache.size).toBe(0);
    expect(cache.stats.hits).toBe(0);
  });

  it('rethrows a fresh error on every call and caches nothing for it', () => {
    const cache = new StatementCache();
    const e1 = thrown(() => cache.parse('SELECT FROM WHERE'));
    const e2 = thrown(() => cache.parse('SELECT FROM WHERE'));
    expect(e1).toBeInstanceOf(GatewayError);
    expect((e2 as GatewayError).code).toBe(Code.SYNTAX_ERROR);
    expect((e2 as Error).message).toBe((e1 as Error).message);
    expect(e2).not.toBe(e1);
    const u = thrown(() => cache.parse('GRANT SELECT ON *.* TO u'));
    expect(u).toBeInstanceOf(UnknownStatement);
    expect(thrown(() => cache.parse('GRANT SELECT ON *.* TO u'))).not.toBe(u);
    expect(cache.size).toBe(0);
    expect(cache.stats).toEqual({ hits: 0, misses: 4 });
  });

  it('caches INSERT heads but never a text with inline data', () => {
    const cache = new StatementCache();
    const withValues = 'INSERT INTO s (a, b) VALUES (1, 2), (3, 4)';
    const withRows = 'INSERT INTO s FORMAT JSONEachRow\n{"a":1}\n';
    for (const sql of [withValues, withRows]) {
      const first = cache.parse(sql);
      expect(first).toEqual(parseSql(sql));
      expect(cache.parse(sql)).not.toBe(first);
    }
    expect(cache.size).toBe(0);
    const heads = ['INSERT INTO s (a, b) VALUES ', 'INSERT INTO s FORMAT JSONEachRow\n', 'INSERT INTO s SELECT * FROM t'];
    for (const head of heads) {
      const first = cache.parse(head);
      expect(cache.parse(head)).toBe(first);
    }
    expect(cache.size).toBe(3);
    const head = cache.parse('INSERT INTO s (a, b) VALUES ');
    const full = parseSql(withValues);
    expect(head.kind === 'insert' && full.kind === 'insert' && head.source).toEqual(full.kind === 'insert' && full.source);
  });

  it('shares trees safely: planning never changes a cached (here: frozen) tree', () => {
    const catalog = new Catalog();
    const ctx: PlanContext = { catalog, database: 'default', dialect: 'proton', settings: new Map(), queryMode: 'table', virtualTables: new Map() };
    const cache = new StatementCache();
    for (const ddl of ["CREATE STREAM o (id int32, pid string, qty int32)", "CREATE STREAM p (pid string, price float64) PRIMARY KEY pid SETTINGS mode='versioned_kv'"]) {
      const planned = plan(cache.parse(ddl), ctx, ddl);
      if (planned.kind === 'ddl') for (const e of planned.change.put) catalog.put(e);
    }
    const texts = [
      'WITH t AS (SELECT pid, sum(qty) AS q FROM table(o) GROUP BY pid) SELECT p.pid, p.price * t.q AS r FROM t INNER JOIN table(p) AS p ON t.pid = p.pid ORDER BY r DESC',
      'SELECT window_start, count() AS c FROM tumble(table(o), 5s) GROUP BY window_start',
      "SELECT to_type_name(qty), raw:a.b AS j, '1'::int32 AS n, now() - 1h AS t FROM (SELECT qty, '{}' AS raw FROM table(o))",
      'INSERT INTO o (id, pid, qty) SELECT number, to_string(number), 1 FROM numbers(3)',
      'CREATE STREAM o2 (id int32 DEFAULT 7, s string) ORDER BY id', 'ALTER STREAM o ADD COLUMN c string', 'SHOW CREATE STREAM o', 'DESCRIBE o',
    ];
    for (const sql of texts) {
      const tree = cache.parse(sql);
      const before = JSON.stringify(tree);
      deepFreeze(tree);
      const first = plan(tree, ctx, sql);
      expect(plan(cache.parse(sql), ctx, sql)).toEqual(first);
      expect(JSON.stringify(tree)).toBe(before);
    }
  });
});
