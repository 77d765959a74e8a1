// Round trips (STYLE 4) for the grammar beyond the core: SELECT clauses, joins, window functions,
// expression special forms, Proton 3.x EMIT items and the alias policy. Each case lists equivalent
// spellings that parse to one tree; print → reparse gives that tree in both dialects.
import { describe, expect, it } from 'vitest';
import type { Emit, Expr, FunctionCall, Join, OrderItem, Query, Select, SelectStatement, TableExpr, WindowSpec } from '../../../src/rewrite/ast.ts';
import { call, emptyEmit, emptySelect } from '../../../src/rewrite/ast.ts';
import { Cursor } from '../../../src/rewrite/parse-cursor.ts';
import { parseExpression, parseQuery, parseSelectBody, parseStatement } from '../../../src/rewrite/parse-select.ts';
import { print } from '../../../src/rewrite/printer.ts';
import { thrownCode } from '../../support/chdb.ts';

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (text: string): Expr => ({ kind: 'number', text });
const str = (value: string): Expr => ({ kind: 'string', value });
const bool = (value: boolean): Expr => ({ kind: 'bool', value });
const bin = (op: Extract<Expr, { kind: 'binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const fn = (name: string, ...args: Expr[]): FunctionCall => call(name, args);
const alias = (expr: Expr, name: string): Expr => ({ kind: 'alias', expr, name });
const star: Expr = { kind: 'star', qualifier: [], except: [] };
const select = (s: Partial<Select>): Select => ({ ...emptySelect, ...s });
const stmt = (query: Query, format: string | null = null): SelectStatement => ({ kind: 'select_statement', query, format });
const table = (name: string, a: string | null = null): TableExpr => ({ kind: 'table_ref', name: { kind: 'identifier', parts: [name] }, alias: a });
const order = (expr: Expr, o: Partial<OrderItem> = {}): OrderItem => ({ kind: 'order_item', expr, direction: null, nulls: null, ...o });
const window = (w: Partial<WindowSpec>): WindowSpec => ({ kind: 'window_spec', base: null, partitionBy: [], orderBy: [], frame: null, ...w });
const join = (j: Partial<Join> & Pick<Join, 'left' | 'right'>): Join => ({ kind: 'join', joinKind: 'INNER', strictness: null, global: false, comma: false, on: null, using: null, ...j });
const fromT = (s: Partial<Select>): SelectStatement => stmt(select({ columns: [id('a')], from: table('t'), ...s }));
const lenient = { implicitAliases: true } as const;

function roundTrip(tree: Expr | SelectStatement, reparse: (sql: string) => unknown, clickhouse = true): void {
  expect(reparse(print(tree, 'proton'))).toEqual(tree);
  if (clickhouse) expect(reparse(print(tree, 'clickhouse'))).toEqual(tree);
}

type Case<T> = { spellings: string[]; tree: T; clickhouse?: boolean };

const expressions: Case<Expr>[] = [
  { spellings: ['count() OVER ()'], tree: { ...fn('count'), over: window({}) } },
  { spellings: ['rank() OVER w', 'rank() OVER (w)', 'rank() over `w`'], tree: { ...fn('rank'), over: window({ base: 'w' }) } },
  {
    spellings: ['row_number() OVER (PARTITION BY k ORDER BY _tp_time)', 'row_number() over (partition by k order by _tp_time)'],
    tree: { ...fn('row_number'), over: window({ partitionBy: [id('k')], orderBy: [order(id('_tp_time'))] }) },
  },
  {
    spellings: ['sum(x) OVER (PARTITION BY a, b ORDER BY c DESC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)', 'sum(x) OVER (PARTITION BY a, b ORDER BY c DESC ROWS 2 PRECEDING)'],
    tree: { ...fn('sum', id('x')), over: window({ partitionBy: [id('a'), id('b')], orderBy: [order(id('c'), { direction: 'DESC' })], frame: { unit: 'ROWS', start: { type: 'PRECEDING', offset: num('2') }, end: { type: 'CURRENT ROW', offset: null } } }) },
  },
  {
    spellings: ['sum(x) OVER (w ORDER BY c RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)', 'sum(x) OVER (w ORDER BY c RANGE UNBOUNDED PRECEDING)'],
    tree: { ...fn('sum', id('x')), over: window({ base: 'w', orderBy: [order(id('c'))], frame: { unit: 'RANGE', start: { type: 'UNBOUNDED PRECEDING', offset: null }, end: { type: 'CURRENT ROW', offset: null } } }) },
  },
  {
    spellings: ['max(x) OVER (ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)'],
    tree: { ...fn('max', id('x')), over: window({ frame: { unit: 'ROWS', start: { type: 'FOLLOWING', offset: num('1') }, end: { type: 'UNBOUNDED FOLLOWING', offset: null } } }) },
  },
  { spellings: ['count() FILTER (WHERE number > 5)', 'count() filter (where number > 5)'], tree: { ...fn('count'), filter: bin('>', id('number'), num('5')) } },
  { spellings: ['first_value(x) IGNORE NULLS OVER w'], tree: { ...fn('first_value', id('x')), nulls: 'IGNORE', over: window({ base: 'w' }) } },
  { spellings: ['last_value(x) RESPECT NULLS'], tree: { ...fn('last_value', id('x')), nulls: 'RESPECT' } },
  { spellings: ['EXTRACT(DAY FROM d)', 'extract(day from d)'], tree: { kind: 'extract', unit: 'DAY', expr: id('d') } },
  { spellings: ["extract(s, '[0-9]+')"], tree: fn('extract', id('s'), str('[0-9]+')) },
  { spellings: ['substring(s FROM 2 FOR 3)', 'substring(s, 2, 3)'], tree: fn('substring', id('s'), num('2'), num('3')) },
  { spellings: ['SUBSTRING(s FROM 2)', 'SUBSTRING(s, 2)'], tree: fn('SUBSTRING', id('s'), num('2')) },
  { spellings: ["trim(BOTH 'x' FROM s)", "trim('x' FROM s)", "TRIM(both 'x' from s)"], tree: { kind: 'trim', side: 'BOTH', chars: str('x'), expr: id('s') } },
  { spellings: ["trim(LEADING ' ' FROM s)"], tree: { kind: 'trim', side: 'LEADING', chars: str(' '), expr: id('s') } },
  { spellings: ['trim(s)'], tree: fn('trim', id('s')) },
  { spellings: ["position('a' IN s)", "position(s, 'a')"], tree: fn('position', id('s'), str('a')) },
  { spellings: ["DATE '2024-01-01'", "date '2024-01-01'"], tree: { kind: 'typed_literal', type: 'DATE', value: '2024-01-01' } },
  { spellings: ["TIMESTAMP '2024-01-01 00:00:00'"], tree: { kind: 'typed_literal', type: 'TIMESTAMP', value: '2024-01-01 00:00:00' } },
  { spellings: ["x'4142'", "X'4142'", "b'0100000101000010'", "'AB'"], tree: str('AB') },
  { spellings: ['a IS TRUE', 'a <=> true', 'a IS NOT DISTINCT FROM true'], tree: bin('<=>', id('a'), bool(true)) },
  { spellings: ['a IS NOT FALSE', 'a IS DISTINCT FROM false'], tree: bin('IS DISTINCT FROM', id('a'), bool(false)) },
  { spellings: ['a IS DISTINCT FROM b = c'], tree: bin('IS DISTINCT FROM', id('a'), bin('=', id('b'), id('c'))) },
  { spellings: ['a = b IS DISTINCT FROM c'], tree: bin('IS DISTINCT FROM', bin('=', id('a'), id('b')), id('c')) },
  { spellings: ['(a IS DISTINCT FROM b) = c'], tree: bin('=', bin('IS DISTINCT FROM', id('a'), id('b')), id('c')) },
  { spellings: ["COLUMNS('^a')"], tree: { kind: 'columns', qualifier: [], regexp: '^a', names: [], transformers: [] } },
  { spellings: ['t.COLUMNS(a, b) APPLY(toString)', 't.COLUMNS(a, b) APPLY toString'], tree: { kind: 'columns', qualifier: ['t'], regexp: null, names: ['a', 'b'], transformers: [{ kind: 'star_apply', fn: id('toString') }] } },
  {
    spellings: ['* EXCEPT (b) REPLACE (a + 1 AS a) APPLY(x -> x * 2)', '* EXCEPT b REPLACE a + 1 AS a APPLY (x -> x * 2)'],
    tree: { kind: 'star', qualifier: [], except: ['b'], transformers: [{ kind: 'star_replace', items: [{ kind: 'alias', expr: bin('+', id('a'), num('1')), name: 'a' }] }, { kind: 'star_apply', fn: { kind: 'lambda', params: ['x'], body: bin('*', id('x'), num('2')) } }] },
  },
  { spellings: ['* APPLY(quantile(0.9))'], tree: { kind: 'star', qualifier: [], except: [], transformers: [{ kind: 'star_apply', fn: fn('quantile', num('0.9')) }] } },
  { spellings: ['EXISTS (SELECT 1)', 'EXISTS(SELECT 1)'], tree: call('EXISTS', [{ kind: 'subquery', query: select({ columns: [num('1')] }) }]) },
  { spellings: ['a = ANY (SELECT 1)'], tree: bin('=', id('a'), { kind: 'quantified', quantifier: 'ANY', query: select({ columns: [num('1')] }) }) },
  { spellings: ['a > ALL (SELECT 1)'], tree: bin('>', id('a'), { kind: 'quantified', quantifier: 'ALL', query: select({ columns: [num('1')] }) }) },
  { spellings: ['a = any(b)'], tree: bin('=', id('a'), fn('any', id('b'))) },
  { spellings: ['a GLOBAL NOT IN (SELECT 1)'], tree: bin('GLOBAL NOT IN', id('a'), { kind: 'subquery', query: select({ columns: [num('1')] }) }) },
  { spellings: ['CAST(x AS DOUBLE PRECISION)', 'x::DOUBLE PRECISION'], tree: { kind: 'cast', expr: id('x'), type: { kind: 'type', name: 'DOUBLE PRECISION', args: [] } } },
  { spellings: ['CAST(x AS char varying)'], tree: { kind: 'cast', expr: id('x'), type: { kind: 'type', name: 'char varying', args: [] } } },
];

describe('expression forms', () => {
  for (const c of expressions) {
    it(c.spellings[0] as string, () => {
      for (const s of c.spellings) expect(parseExpression(s), s).toEqual(c.tree);
      roundTrip(c.tree, parseExpression, c.clickhouse ?? true);
    });
  }
});

const emit = (e: Partial<Emit>): Emit => ({ ...emptyEmit, ...e });
const interval = (n: string, unit: Extract<Expr, { kind: 'interval' }>['unit']): Expr => ({ kind: 'interval', value: num(n), unit });
const selectA: Select = select({ columns: [id('a')] });

const statements: Case<SelectStatement>[] = [
  { spellings: ['SELECT a FROM t ARRAY JOIN arr AS x, [1, 2] AS y LEFT ARRAY JOIN m'], tree: fromT({ arrayJoin: [{ isLeft: false, items: [alias(id('arr'), 'x'), alias({ kind: 'array', items: [num('1'), num('2')] }, 'y')] }, { isLeft: true, items: [id('m')] }] }) },
  { spellings: ['SELECT a FROM t PREWHERE b = 1 WHERE c'], tree: fromT({ prewhere: bin('=', id('b'), num('1')), where: id('c') }) },
  { spellings: ['SELECT a FROM t AS x FINAL SAMPLE 1 / 10 OFFSET 1 / 2'], tree: fromT({ from: { ...table('t', 'x'), final: true, sample: { ratio: bin('/', num('1'), num('10')), offset: bin('/', num('1'), num('2')) } } as TableExpr }) },
  { spellings: ['SELECT a FROM t SAMPLE 0.1'], tree: fromT({ from: { ...table('t'), sample: { ratio: num('0.1'), offset: null } } as TableExpr }) },
  { spellings: ['SELECT a FROM t GROUP BY a, b WITH ROLLUP', 'SELECT a FROM t GROUP BY ROLLUP(a, b)'], tree: fromT({ groupBy: [id('a'), id('b')], groupByMode: 'ROLLUP' }) },
  { spellings: ['SELECT a FROM t GROUP BY a WITH CUBE WITH TOTALS', 'SELECT a FROM t GROUP BY CUBE(a) WITH TOTALS'], tree: fromT({ groupBy: [id('a')], groupByMode: 'CUBE', withTotals: true }) },
  { spellings: ['SELECT a FROM t GROUP BY a WITH TOTALS'], tree: fromT({ groupBy: [id('a')], withTotals: true }) },
  { spellings: ['SELECT a FROM t GROUP BY ALL'], tree: fromT({ groupByMode: 'ALL' }) },
  { spellings: ['SELECT a FROM t GROUP BY GROUPING SETS ((a, b), (a), ())', 'SELECT a FROM t GROUP BY GROUPING SETS ((a, b), a, ())'], tree: fromT({ groupByMode: 'GROUPING SETS', groupingSets: [[id('a'), id('b')], [id('a')], []] }) },
  {
    spellings: ["SELECT a FROM t ORDER BY a ASC COLLATE 'en' WITH FILL FROM 1 TO 10 STEP 2, b WITH FILL INTERPOLATE (x AS x + 1, y)"],
    tree: fromT({ orderBy: [order(id('a'), { direction: 'ASC', collate: 'en', fill: { from: num('1'), to: num('10'), step: num('2') } }), order(id('b'), { fill: { from: null, to: null, step: null } })], interpolate: [{ name: 'x', expr: bin('+', id('x'), num('1')) }, { name: 'y', expr: null }] }),
  },
  { spellings: ['SELECT a FROM t ORDER BY a WITH FILL INTERPOLATE', 'SELECT a FROM t ORDER BY a WITH FILL INTERPOLATE ()'], tree: fromT({ orderBy: [order(id('a'), { fill: { from: null, to: null, step: null } })], interpolate: [] }) },
  {
    spellings: ['SELECT a FROM t ORDER BY a LIMIT 3 OFFSET 2 WITH TIES', 'SELECT a FROM t ORDER BY a LIMIT 2, 3 WITH TIES', 'SELECT a FROM t ORDER BY a OFFSET 2 ROWS FETCH FIRST 3 ROWS WITH TIES', 'SELECT a FROM t ORDER BY a OFFSET 2 ROW FETCH NEXT 3 ROW WITH TIES'],
    tree: fromT({ orderBy: [order(id('a'))], limit: { limit: num('3'), offset: num('2'), withTies: true } }),
  },
  { spellings: ['SELECT a FROM t LIMIT 3 OFFSET 2', 'SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY'], tree: fromT({ limit: { limit: num('3'), offset: num('2'), withTies: false } }) },
  { spellings: ['SELECT a FROM t OFFSET 2', 'SELECT a FROM t OFFSET 2 ROWS'], tree: fromT({ limit: { limit: null, offset: num('2'), withTies: false } }) },
  { spellings: ['SELECT TOP 5 a FROM t', 'SELECT a FROM t LIMIT 5'], tree: fromT({ limit: { limit: num('5'), offset: null, withTies: false } }) },
  { spellings: ['SELECT DISTINCT ON (a, b) a FROM t'], tree: fromT({ distinctOn: [id('a'), id('b')] }) },
  {
    spellings: ['SELECT a FROM t WINDOW w AS (PARTITION BY a), v AS (w ORDER BY b) QUALIFY row_number() OVER w = 1'],
    tree: fromT({ window: [{ name: 'w', spec: window({ partitionBy: [id('a')] }) }, { name: 'v', spec: window({ base: 'w', orderBy: [order(id('b'))] }) }], qualify: bin('=', { ...fn('row_number'), over: window({ base: 'w' }) }, num('1')) }),
  },
  {
    spellings: ['SELECT a INTERSECT SELECT a UNION SELECT a', 'SELECT a INTERSECT ALL SELECT a UNION ALL SELECT a'],
    tree: stmt({ kind: 'set_operation', op: 'UNION', mode: 'ALL', left: { kind: 'set_operation', op: 'INTERSECT', mode: 'ALL', left: selectA, right: selectA }, right: selectA }),
  },
  {
    spellings: ['SELECT a UNION SELECT a INTERSECT DISTINCT SELECT a', 'SELECT a UNION ALL (SELECT a INTERSECT DISTINCT SELECT a)'],
    tree: stmt({ kind: 'set_operation', op: 'UNION', mode: 'ALL', left: selectA, right: { kind: 'set_operation', op: 'INTERSECT', mode: 'DISTINCT', left: selectA, right: selectA } }),
  },
  {
    spellings: ['(SELECT a UNION SELECT a) INTERSECT SELECT a'],
    tree: stmt({ kind: 'set_operation', op: 'INTERSECT', mode: 'ALL', left: { kind: 'set_operation', op: 'UNION', mode: 'ALL', left: selectA, right: selectA }, right: selectA }),
  },
  { spellings: ['SELECT a EXCEPT DISTINCT SELECT a'], tree: stmt({ kind: 'set_operation', op: 'EXCEPT', mode: 'DISTINCT', left: selectA, right: selectA }) },
  { spellings: ['SELECT * EXCEPT SELECT a', 'SELECT * EXCEPT ALL SELECT a'], tree: stmt({ kind: 'set_operation', op: 'EXCEPT', mode: 'ALL', left: select({ columns: [star] }), right: selectA }) },
  { spellings: ['SELECT a FROM x GLOBAL ANY LEFT JOIN y USING a', 'SELECT a FROM x GLOBAL LEFT OUTER ANY JOIN y USING (a)'], tree: fromT({ from: join({ joinKind: 'LEFT', strictness: 'ANY', global: true, left: table('x'), right: table('y'), using: ['a'] }) }) },
  { spellings: ['SELECT a FROM x LEFT SEMI JOIN y ON 1', 'SELECT a FROM x SEMI LEFT JOIN y ON 1'], tree: fromT({ from: join({ joinKind: 'LEFT', strictness: 'SEMI', left: table('x'), right: table('y'), on: num('1') }) }) },
  { spellings: ['SELECT a FROM x RIGHT ANTI JOIN y ON 1'], tree: fromT({ from: join({ joinKind: 'RIGHT', strictness: 'ANTI', left: table('x'), right: table('y'), on: num('1') }) }) },
  { spellings: ['SELECT a FROM x FULL ALL JOIN y ON 1', 'SELECT a FROM x ALL FULL OUTER JOIN y ON 1'], tree: fromT({ from: join({ joinKind: 'FULL', strictness: 'ALL', left: table('x'), right: table('y'), on: num('1') }) }) },
  { spellings: ['SELECT a FROM x PASTE JOIN y'], tree: fromT({ from: join({ joinKind: 'PASTE', left: table('x'), right: table('y') }) }) },
  { spellings: ['SELECT a FROM x LEFT LATEST JOIN y ON 1', 'SELECT a FROM x LATEST LEFT JOIN y ON 1'], tree: fromT({ from: join({ joinKind: 'LEFT', strictness: 'LATEST', left: table('x'), right: table('y'), on: num('1') }) }), clickhouse: false },
  {
    spellings: ['SELECT a FROM x ASOF JOIN y ON x.k = y.k AND x.t >= y.t', 'SELECT a FROM x INNER ASOF JOIN y ON x.k = y.k AND x.t >= y.t'],
    tree: fromT({ from: join({ strictness: 'ASOF', left: table('x'), right: table('y'), on: bin('AND', bin('=', id('x', 'k'), id('y', 'k')), bin('>=', id('x', 't'), id('y', 't'))) }) }),
  },
];

/** Proton 3.x EMIT items beyond the core table in parser.test.ts. */
const emits: Array<[string[], Emit]> = [
  [['EMIT AFTER KEY EXPIRE IDENTIFIED BY ts WITH MAXSPAN 500ms AND TIMEOUT 2s'], emit({ afterKeyExpire: true, identifiedBy: id('ts'), maxSpan: interval('500', 'MILLISECOND'), timeout: interval('2', 'SECOND') })],
  [['EMIT AFTER KEY EXPIRE WITH ONLY MAXSPAN 1s'], emit({ afterKeyExpire: true, onlyMaxSpan: true, maxSpan: interval('1', 'SECOND') })],
  [['EMIT AFTER SESSION CLOSE IDENTIFIED BY (ts, start_flag, end_flag) WITH MAXSPAN 1s AND TIMEOUT 2s'], emit({ afterSessionClose: true, identifiedBy: { kind: 'tuple', items: [id('ts'), id('start_flag'), id('end_flag')] }, maxSpan: interval('1', 'SECOND'), timeout: interval('2', 'SECOND') })],
];

describe('SELECT clauses and joins', () => {
  for (const c of statements) {
    it(c.spellings[0] as string, () => {
      for (const s of c.spellings) expect(parseStatement(s), s).toEqual(c.tree);
      roundTrip(c.tree, parseStatement, c.clickhouse ?? true);
    });
  }
  for (const [spellings, e] of emits) {
    it(spellings[0] as string, () => {
      const tree = stmt(select({ columns: [id('k'), fn('count')], from: table('s'), groupBy: [id('k')], emit: e, settings: [{ kind: 'setting', name: 'seek_to', value: str('earliest') }] }));
      for (const s of spellings) expect(parseStatement(`SELECT k, count() FROM s GROUP BY k ${s} SETTINGS seek_to = 'earliest'`), s).toEqual(tree);
      roundTrip(tree, parseStatement, false);
    });
  }
  it('reads SETTINGS after FORMAT as the last SELECT\'s', () => {
    expect(parseStatement('SELECT 1 UNION ALL SELECT 2 FORMAT JSON SETTINGS a = 1')).toEqual(parseStatement('SELECT 1 UNION ALL SELECT 2 SETTINGS a = 1 FORMAT JSON'));
  });
  it('refuses two close policies in one EMIT', () => {
    expect(thrownCode(() => parseStatement('SELECT count() FROM s EMIT AFTER KEY EXPIRE WITH MAXSPAN 1s AFTER SESSION CLOSE WITH MAXSPAN 1s'))).toBe(62);
  });
  it('refuses TOP together with LIMIT, and a join without a condition', () => {
    expect(thrownCode(() => parseStatement('SELECT TOP 1 a FROM t LIMIT 2'))).toBe(62);
    expect(thrownCode(() => parseStatement('SELECT a FROM x LEFT JOIN y'))).toBe(62);
  });
});

describe('alias policy', () => {
  it('requires AS by default (Proton), like ClickHouse words a syntax error', () => {
    for (const sql of ['SELECT 1 x', 'SELECT a b FROM t', 'SELECT a FROM t x', 'SELECT a FROM (SELECT 1) s']) {
      expect(thrownCode(() => parseStatement(sql)), sql).toBe(62);
    }
    expect(() => parseStatement('SELECT 1 x')).toThrow(/^Syntax error: failed at position 10 \(x\): x\. Expected one of: .*FROM, .*end of query$/);
    expect(() => parseStatement('SELECT 1\n FROM numbers(1) x')).toThrow(/^Syntax error: failed at position 27 \(x\) \(line 2, col 18\): x\. /);
    expect(thrownCode(() => parseExpression('1 x'))).toBe(62);
  });
  it('accepts implicit aliases when asked, never a clause keyword', () => {
    expect(parseStatement('SELECT 1 x', lenient)).toEqual(stmt(select({ columns: [alias(num('1'), 'x')] })));
    expect(parseStatement('SELECT f(a) b', lenient)).toEqual(parseStatement('SELECT f(a) AS b'));
    const clauses = [
      'SELECT a FROM t LATEST JOIN u ON 1', 'SELECT a FROM t ASOF JOIN u ON 1', 'SELECT a FROM t PARTITION BY a',
      'SELECT a FROM t SHUFFLE BY a', 'SELECT a FROM t EMIT STREAM', 'SELECT a FROM t SETTINGS x = 1', 'SELECT a FROM t FORMAT JSON',
      'SELECT a FROM t WINDOW w AS (PARTITION BY a)', 'SELECT a FROM t QUALIFY a', 'SELECT a FROM t FINAL', 'SELECT a FROM t SAMPLE 1',
      'SELECT a FROM t ARRAY JOIN b', 'SELECT a FROM t PASTE JOIN u', 'SELECT a FROM t PREWHERE a', 'SELECT a FROM t SEMI JOIN u ON 1',
      'SELECT a FROM t GLOBAL JOIN u ON 1', 'SELECT a INTERSECT SELECT a', 'SELECT a EXCEPT SELECT a', 'SELECT a FROM t OFFSET 1',
    ];
    for (const sql of clauses) expect(parseStatement(sql, lenient), sql).toEqual(parseStatement(sql));
  });
});

describe('entry points for the statement parser', () => {
  it('parseSelectBody reads query [SETTINGS] [FORMAT] and leaves the rest', () => {
    const c = new Cursor('SELECT a FROM t SETTINGS x = 1 FORMAT JSON ; rest');
    c.subquery = parseQuery;
    expect(parseSelectBody(c)).toEqual(stmt(select({ columns: [id('a')], from: table('t'), settings: [{ kind: 'setting', name: 'x', value: num('1') }] }), 'JSON'));
    expect(c.peek().raw).toBe(';');
  });
  it('parseQuery reads a query from a cursor built with options', () => {
    const c = new Cursor('SELECT 1 x', { implicitAliases: true });
    c.subquery = parseQuery;
    expect(parseQuery(c)).toEqual(select({ columns: [alias(num('1'), 'x')] }));
  });
});
