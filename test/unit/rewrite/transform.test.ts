// transform/visitAll over the parsed corpora (the SELECTs and the DDL of test/fixtures/sql-corpus.ts,
// plus statements that reach every node kind):
// an identity visit returns the same object, every nested node is offered to the visit, and the
// walk is bottom-up for transform and top-down for visitAll.
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../src/rewrite/ast-statement.ts';
import type { Kind } from '../../../src/rewrite/ast.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { transform, visitAll } from '../../../src/rewrite/transform.ts';
import { ddlFilledAndSeeds, ddlReference, selectScenarios, selectSeeds } from '../../fixtures/sql-corpus.ts';

type AnyNode = { readonly kind: string };

const selects = [...selectScenarios, ...selectSeeds];
const ddl = [...ddlReference, ...ddlFilledAndSeeds];

/** Statements that reach the node kinds the corpora may not. */
const extra = [
  "SELECT 1 AS n, 'a' AS s, NULL AS z, true AS b, [1] AS a, (1, 2) AS t, {'k': 1} AS m, 5s AS i, x.y, {p:UInt8}, t.* EXCEPT (a) REPLACE (b + 1 AS b) APPLY(sum), * REPLACE (1 AS c) EXCEPT (d), COLUMNS('^a') FROM t",
  "SELECT raw:a.b, a[1], f(x).2, x::int32, quantile(0.5)(x), sum(x) FILTER (WHERE x > 1) OVER (PARTITION BY y ORDER BY z ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), x -> x + 1, -x, NOT x FROM t",
  "SELECT x IS NULL, x BETWEEN 1 AND 2, CASE WHEN x THEN 1 ELSE 2 END, x ? 1 : 2, (SELECT 1), EXTRACT(DAY FROM d), TRIM(LEADING 'x' FROM s), DATE '2024-01-01', x > ANY (SELECT 1) FROM t",
  "WITH c AS (SELECT 1), 2 AS two SELECT * FROM table(s) AS a INNER JOIN (SELECT 1) AS b ON a.x = b.x ARRAY JOIN arr AS e WHERE 1 WINDOW w AS (ORDER BY x) ORDER BY x WITH FILL SETTINGS max_threads = 1 UNION ALL SELECT 1 FROM s EMIT PERIODIC 1s",
  "CREATE STREAM t (a tuple(x int8, y string), e enum8('a' = 1), n nullable(string) DEFAULT 'q' CODEC(ZSTD(1)), INDEX i a TYPE minmax GRANULARITY 1) PRIMARY KEY a",
  'ALTER STREAM s ADD COLUMN c string AFTER b, DROP COLUMN d, MODIFY TTL to_datetime(_tp_time) + 1d',
];

function parsed(list: readonly string[]): Statement[] {
  const out: Statement[] = [];
  for (const sql of list) {
    try {
      out.push(parseSql(sql));
    } catch {
      // Statements the parser answers with an error (the corpora also hold negative cases) are not a tree.
    }
  }
  return out;
}

const corpus = parsed([...selects, ...ddl, ...extra]);

/** Every node object below and including `n`, by a direct walk independent of transform.ts. */
function nodes(n: unknown, out: AnyNode[] = []): AnyNode[] {
  if (Array.isArray(n)) for (const x of n) nodes(x, out);
  else if (typeof n === 'object' && n !== null) {
    if (typeof (n as { kind?: unknown }).kind === 'string') out.push(n as AnyNode);
    for (const v of Object.values(n)) nodes(v, out);
  }
  return out;
}

describe('transform over the corpus', () => {
  it('the corpus is large and reaches every expression and query node kind', () => {
    expect(selects.length).toBeGreaterThan(100);
    expect(ddl.length).toBeGreaterThan(100);
    expect(corpus.length).toBeGreaterThan(250);
    const kinds = new Set(corpus.flatMap((s) => nodes(s).map((n) => n.kind)));
    const required: readonly Kind[] = [
      'number', 'string', 'null', 'bool', 'array', 'tuple', 'map', 'interval', 'identifier', 'param', 'star', 'columns', 'json_path', 'subscript',
      'element', 'cast', 'function', 'lambda', 'unary', 'binary', 'is_null', 'between', 'case', 'ternary', 'subquery', 'alias', 'extract', 'trim',
      'typed_literal', 'quantified', 'star_except', 'star_replace', 'star_apply', 'window_spec', 'type', 'named_type', 'enum_entry', 'table_ref',
      'table_function', 'table_subquery', 'join', 'order_item', 'setting', 'cte', 'with_expr', 'emit', 'select', 'set_operation', 'select_statement',
    ];
    expect(required.filter((k) => !kinds.has(k))).toEqual([]);
  });

  it('an identity visit returns the same object for every statement', () => {
    for (const s of corpus) expect(transform(s, (n) => n)).toBe(s);
  });

  it('every nested node is offered to the visit, once', () => {
    for (const s of corpus) {
      const visited: AnyNode[] = [];
      transform(s, (n) => (visited.push(n), n));
      const all = nodes(s);
      expect(visited.length).toBe(all.length);
      expect(new Set(visited)).toEqual(new Set(all));
    }
  });

  it('a visit that copies every node rebuilds the whole tree: equal, sharing no node', () => {
    for (const s of corpus) {
      const copy = transform(s, (n) => ({ ...n }));
      expect(copy).toEqual(s);
      const before = new Set(nodes(s));
      expect(nodes(copy).filter((n) => before.has(n))).toEqual([]);
    }
  });

  it('a change deep down rebuilds only its ancestors', () => {
    const s = parseSql('SELECT a + 1 AS x, b FROM t WHERE c = 2');
    const next = transform(s, (n) => (n.kind === 'number' && (n as unknown as { text: string }).text === '2' ? { kind: 'number', text: '3' } : n));
    if (next.kind !== 'select_statement' || s.kind !== 'select_statement' || next.query.kind !== 'select' || s.query.kind !== 'select') throw new Error('not a select');
    expect(next).not.toBe(s);
    expect(next.query.columns).toBe(s.query.columns);
    expect(next.query.from).toBe(s.query.from);
    expect(next.query.where).toEqual({ kind: 'binary', op: '=', left: { kind: 'identifier', parts: ['c'] }, right: { kind: 'number', text: '3' } });
  });
});

describe('walk order and enter', () => {
  const s = parseSql('SELECT f(g(1)) FROM t');

  it('transform visits children before their parent', () => {
    const order: string[] = [];
    transform(s, (n) => (order.push(n.kind), n));
    expect(order.indexOf('number')).toBeLessThan(order.indexOf('function'));
    expect(order[order.length - 1]).toBe('select_statement');
  });

  it('visitAll visits parents first and sees every node', () => {
    const order: AnyNode[] = [];
    visitAll(s, (n) => order.push(n));
    expect(order[0]).toBe(s);
    expect(new Set(order)).toEqual(new Set(nodes(s)));
    const kinds = order.map((n) => n.kind);
    expect(kinds.indexOf('function')).toBeLessThan(kinds.indexOf('number'));
  });

  it('enter = false skips a subtree but still offers its root', () => {
    const seen: string[] = [];
    const out = transform(s, (n) => (seen.push(n.kind), n.kind === 'number' ? { kind: 'number', text: '2' } : n), (n) => n.kind !== 'function');
    expect(out).toBe(s);
    expect(seen).not.toContain('number');
    expect(seen).toContain('function');
  });
});
