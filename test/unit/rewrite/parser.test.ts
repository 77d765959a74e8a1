// Parser round trips (STYLE 4): each case lists equivalent spellings that parse to one tree, and
// print → reparse gives that tree again in both dialects.
import { describe, expect, it } from 'vitest';
import type { Emit, Expr, Query, Select, SelectStatement } from '../../../src/rewrite/ast.ts';
import { emptyEmit, emptySelect } from '../../../src/rewrite/ast.ts';
import { parseExpression, parseStatement } from '../../../src/rewrite/parse-select.ts';
import { print } from '../../../src/rewrite/printer.ts';
import { GatewayError } from '../../../src/errors.ts';
import { thrownCode } from '../../support/chdb.ts';

const lenient = { implicitAliases: true } as const;

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (text: string): Expr => ({ kind: 'number', text });
const str = (value: string): Expr => ({ kind: 'string', value });
const bin = (op: Extract<Expr, { kind: 'binary' }>['op'], left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
const not = (operand: Expr): Expr => ({ kind: 'unary', op: 'NOT', operand });
const neg = (operand: Expr): Expr => ({ kind: 'unary', op: '-', operand });
const type = (name: string, ...args: Extract<Expr, { kind: 'cast' }>['type']['args'][number][]) => ({ kind: 'type', name, args }) as const;
const cast = (expr: Expr, t: ReturnType<typeof type>): Expr => ({ kind: 'cast', expr, type: t });
const interval = (n: string, unit: Extract<Expr, { kind: 'interval' }>['unit']): Expr => ({ kind: 'interval', value: num(n), unit });
const alias = (expr: Expr, name: string): Expr => ({ kind: 'alias', expr, name });
const select = (s: Partial<Select>): Select => ({ ...emptySelect, ...s });
const stmt = (query: Query, format: string | null = null): SelectStatement => ({ kind: 'select_statement', query, format });
const emit = (e: Partial<Emit>): Emit => ({ ...emptyEmit, ...e });
const table = (name: string, a: string | null = null) => ({ kind: 'table_ref', name: { kind: 'identifier', parts: [name] }, alias: a }) as const;

/** Nodes without a ClickHouse spelling, or spelled differently there, are only round-tripped as Proton. */
function roundTrip(tree: Expr | SelectStatement, reparse: (sql: string) => unknown, clickhouse = true): void {
  expect(reparse(print(tree, 'proton'))).toEqual(tree);
  if (clickhouse) expect(reparse(print(tree, 'clickhouse'))).toEqual(tree);
}

type ExprCase = { spellings: string[]; tree: Expr; clickhouse?: boolean };
const expressions: ExprCase[] = [
  { spellings: ['1', ' 1 '], tree: num('1') },
  { spellings: ['-1', '- 1'], tree: num('-1') },
  { spellings: ['-(1)'], tree: neg(num('1')) },
  { spellings: ['- -1', '-(-1)'], tree: neg(num('-1')) },
  { spellings: ['0x1F'], tree: num('0x1F') },
  { spellings: ['1.5e-3'], tree: num('1.5e-3') },
  { spellings: ["'a'"], tree: str('a') },
  { spellings: ["'it''s'", "'it\\'s'"], tree: str("it's") },
  { spellings: ['NULL', 'null'], tree: { kind: 'null' } },
  { spellings: ['true', 'TRUE'], tree: { kind: 'bool', value: true } },
  { spellings: ['[1, 2]', '[1,2]'], tree: { kind: 'array', items: [num('1'), num('2')] } },
  { spellings: ['[]'], tree: { kind: 'array', items: [] } },
  { spellings: ['(1, 2)'], tree: { kind: 'tuple', items: [num('1'), num('2')] } },
  { spellings: ['(1,)'], tree: { kind: 'tuple', items: [num('1')] } },
  { spellings: ["{'a': 1, 'b': x}", "{'a':1,'b':x}"], tree: { kind: 'map', entries: [{ key: str('a'), value: num('1') }, { key: str('b'), value: id('x') }] }, clickhouse: false },
  { spellings: ['a', '`a`', '"a"'], tree: id('a') },
  { spellings: ['db.t.c', '`db`.t."c"'], tree: id('db', 't', 'c') },
  { spellings: ['`a.b`'], tree: id('a.b') },
  { spellings: ['raw:user.id'], tree: { kind: 'json_path', object: id('raw'), path: ['user', 'id'] }, clickhouse: false },
  { spellings: ['raw:`a.b`.c'], tree: { kind: 'json_path', object: id('raw'), path: ['a.b', 'c'] }, clickhouse: false },
  { spellings: ["raw:ts::datetime64(3, 'UTC')"], tree: cast({ kind: 'json_path', object: id('raw'), path: ['ts'] }, type('datetime64', { kind: 'number', text: '3' }, { kind: 'string', value: 'UTC' })), clickhouse: false },
  { spellings: ['a[1]', 'a [ 1 ]'], tree: { kind: 'subscript', object: id('a'), index: num('1') } },
  { spellings: ['t.1'], tree: { kind: 'element', object: id('t'), index: 1 } },
  { spellings: ['f(x).2'], tree: { kind: 'element', object: fn('f', id('x')), index: 2 } },
  { spellings: ['x::Int8', 'CAST(x AS Int8)', 'cast(x as Int8)'], tree: cast(id('x'), type('Int8')) },
  { spellings: ["'12'::int32"], tree: cast(str('12'), type('int32')) },
  { spellings: ["x::Tuple(a Nullable(Int8), b Enum8('x' = -1))"], tree: cast(id('x'), type('Tuple', { kind: 'named_type', name: 'a', type: type('Nullable', type('Int8')) }, { kind: 'named_type', name: 'b', type: type('Enum8', { kind: 'enum_entry', name: 'x', value: { kind: 'number', text: '-1' } }) })) },
  { spellings: ["CAST(x, 'Int8')"], tree: fn('CAST', id('x'), str('Int8')) },
  { spellings: ['count()', 'count( )'], tree: fn('count') },
  { spellings: ['count(*)'], tree: fn('count', { kind: 'star', qualifier: [], except: [] }) },
  { spellings: ['count(DISTINCT x)', 'count(distinct x)'], tree: { kind: 'function', name: 'count', params: null, args: [id('x')], distinct: true } },
  { spellings: ['quantile(0.5)(x)'], tree: { kind: 'function', name: 'quantile', params: [num('0.5')], args: [id('x')], distinct: false } },
  { spellings: ['uniqExact(a AS b)'], tree: fn('uniqExact', alias(id('a'), 'b')) },
  { spellings: ['and(a, b)', '`and`(a, b)'], tree: fn('and', id('a'), id('b')) },
  { spellings: ['x -> x + 1'], tree: { kind: 'lambda', params: ['x'], body: bin('+', id('x'), num('1')) } },
  { spellings: ['(x, y) -> x * y'], tree: { kind: 'lambda', params: ['x', 'y'], body: bin('*', id('x'), id('y')) } },
  { spellings: ['arrayMap(x -> x * 2, a)'], tree: fn('arrayMap', { kind: 'lambda', params: ['x'], body: bin('*', id('x'), num('2')) }, id('a')) },
  { spellings: ['a = b', 'a == b'], tree: bin('=', id('a'), id('b')) },
  { spellings: ['a != b', 'a <> b'], tree: bin('!=', id('a'), id('b')) },
  { spellings: ["a || 'x'"], tree: bin('||', id('a'), str('x')) },
  { spellings: ['a DIV 2', 'a div 2'], tree: bin('DIV', id('a'), num('2')) },
  { spellings: ['a NOT IN (1, 2)'], tree: bin('NOT IN', id('a'), { kind: 'tuple', items: [num('1'), num('2')] }) },
  { spellings: ['a GLOBAL IN t'], tree: bin('GLOBAL IN', id('a'), id('t')) },
  { spellings: ["a NOT ILIKE 'x%'"], tree: bin('NOT ILIKE', id('a'), str('x%')) },
  { spellings: ['a IS NOT NULL'], tree: { kind: 'is_null', expr: id('a'), not: true } },
  { spellings: ['a NOT BETWEEN 1 AND 2'], tree: { kind: 'between', expr: id('a'), not: true, low: num('1'), high: num('2') } },
  { spellings: ['CASE WHEN a THEN 1 ELSE 2 END', 'case when a then 1 else 2 end'], tree: { kind: 'case', operand: null, whens: [{ when: id('a'), then: num('1') }], else: num('2') } },
  { spellings: ['CASE x WHEN 1 THEN 2 WHEN 3 THEN 4 END'], tree: { kind: 'case', operand: id('x'), whens: [{ when: num('1'), then: num('2') }, { when: num('3'), then: num('4') }], else: null } },
  { spellings: ['a ? b : c'], tree: { kind: 'ternary', cond: id('a'), then: id('b'), else: id('c') } },
  { spellings: ['a ? b:c'], tree: { kind: 'ternary', cond: id('a'), then: id('b'), else: id('c') } },
  { spellings: ['a ? b : c:d'], tree: { kind: 'ternary', cond: id('a'), then: id('b'), else: { kind: 'json_path', object: id('c'), path: ['d'] } }, clickhouse: false },
  { spellings: ['5s', 'INTERVAL 5 SECOND', 'interval 5 seconds', "INTERVAL '5 second'"], tree: interval('5', 'SECOND') },
  { spellings: ['2m', 'INTERVAL 2 MINUTE'], tree: interval('2', 'MINUTE') },
  { spellings: ['1M', 'INTERVAL 1 MONTH'], tree: interval('1', 'MONTH') },
  { spellings: ['500ms', 'INTERVAL 500 MILLISECOND'], tree: interval('500', 'MILLISECOND') },
  { spellings: ['now() - 1h', 'now() - INTERVAL 1 HOUR'], tree: bin('-', fn('now'), interval('1', 'HOUR')) },
  { spellings: ['INTERVAL (1 + 2) DAY'], tree: { kind: 'interval', value: bin('+', num('1'), num('2')), unit: 'DAY' } },
  { spellings: ['{p:UInt8}', '{ p : UInt8 }'], tree: { kind: 'param', name: 'p', type: 'UInt8' } },
  { spellings: ['t.*'], tree: { kind: 'star', qualifier: ['t'], except: [] } },
  { spellings: ['* EXCEPT (a, b)', '* except (a,b)'], tree: { kind: 'star', qualifier: [], except: ['a', 'b'] } },
  { spellings: ['x AS y', 'x as `y`'], tree: alias(id('x'), 'y') },
  { spellings: ['(SELECT 1)'], tree: { kind: 'subquery', query: select({ columns: [num('1')] }) } },
  { spellings: ['x IN (SELECT a FROM t)'], tree: bin('IN', id('x'), { kind: 'subquery', query: select({ columns: [id('a')], from: table('t') }) }) },
];

/** Precedence: one spelling, the tree ClickHouse's parser builds for it. */
const ladder: Array<[string, Expr]> = [
  ['NOT a = b', not(bin('=', id('a'), id('b')))],
  ['NOT a AND b', bin('AND', not(id('a')), id('b'))],
  ['a OR b AND c', bin('OR', id('a'), bin('AND', id('b'), id('c')))],
  ['-x::Int8', neg(cast(id('x'), type('Int8')))],
  ['-1::Int8', cast(num('-1'), type('Int8'))],
  ['a || b = c', bin('=', bin('||', id('a'), id('b')), id('c'))],
  ['a + b || c', bin('||', bin('+', id('a'), id('b')), id('c'))],
  ['1 + 2 * 3', bin('+', num('1'), bin('*', num('2'), num('3')))],
  ['(1 + 2) * 3', bin('*', bin('+', num('1'), num('2')), num('3'))],
  ['a - b - c', bin('-', bin('-', id('a'), id('b')), id('c'))],
  ['a - (b - c)', bin('-', id('a'), bin('-', id('b'), id('c')))],
  ['a = b IS NULL', { kind: 'is_null', expr: bin('=', id('a'), id('b')), not: false }],
  ['a BETWEEN 1 AND 2 = 1', { kind: 'between', expr: id('a'), not: false, low: num('1'), high: bin('=', num('2'), num('1')) }],
  ['NOT a BETWEEN 1 AND 2', not({ kind: 'between', expr: id('a'), not: false, low: num('1'), high: num('2') })],
  ['a BETWEEN 1 AND 2 AND b', bin('AND', { kind: 'between', expr: id('a'), not: false, low: num('1'), high: num('2') }, id('b'))],
  ['a OR b ? c : d', { kind: 'ternary', cond: bin('OR', id('a'), id('b')), then: id('c'), else: id('d') }],
  ['a ? b : c ? d : e', { kind: 'ternary', cond: id('a'), then: id('b'), else: { kind: 'ternary', cond: id('c'), then: id('d'), else: id('e') } }],
  ['-a[1]', neg({ kind: 'subscript', object: id('a'), index: num('1') })],
  ['a[1]::String', cast({ kind: 'subscript', object: id('a'), index: num('1') }, type('String'))],
  ['x -> x AND y', { kind: 'lambda', params: ['x'], body: bin('AND', id('x'), id('y')) }],
  ['a IN (1) = 0', bin('=', bin('IN', id('a'), num('1')), num('0'))],
  ['(a AS b) + 1', bin('+', alias(id('a'), 'b'), num('1'))],
];

describe('expression round trips', () => {
  for (const c of expressions) {
    it(c.spellings[0] as string, () => {
      for (const s of c.spellings) expect(parseExpression(s), s).toEqual(c.tree);
      roundTrip(c.tree, parseExpression, c.clickhouse ?? true);
    });
  }
});

describe('precedence ladder', () => {
  for (const [sql, tree] of ladder) {
    it(sql, () => {
      expect(parseExpression(sql)).toEqual(tree);
      roundTrip(tree, parseExpression);
    });
  }
});

describe('hostile identifiers and strings', () => {
  const texts = [
    '', "'", '"', '`', '\\', "\\'", '``', 'a`b', 'a\\`b', '\0', 'a\nb', '\r\t', '-- not a comment', '/* nor this */',
    '# hash', 'select', 'FROM', 'EMIT', 'null', 'inf', '1abc', 'a b', 'a.b', 'Ω≈ç√', '日本語', '🙂', '{x:UInt8}', '$1', '\x01\x7f',
  ];
  for (const text of texts) {
    it(JSON.stringify(text), () => {
      const s: Expr = str(text);
      roundTrip(s, parseExpression);
      if (text !== '') roundTrip(id(text), parseExpression);
      if (text !== '') roundTrip(alias(num('1'), text), parseExpression);
      if (text !== '') {
        const q = stmt(select({ columns: [alias(id(text, text), text)], from: table(text, text) }));
        roundTrip(q, parseStatement);
      }
    });
  }
});

/** `spellings` parse in both alias modes, `lenient` ones only with implicit aliases (ClickHouse's rule). */
type StatementCase = { spellings: string[]; lenient?: string[]; tree: SelectStatement; clickhouse?: boolean };
const statements: StatementCase[] = [
  { spellings: ['SELECT 1', 'select 1;', ' SELECT 1 ; '], tree: stmt(select({ columns: [num('1')] })) },
  {
    spellings: ['SELECT currentUser() AS user', 'SELECT currentUser() AS `user`'], lenient: ['select currentUser() user'],
    tree: stmt(select({ columns: [alias(fn('currentUser'), 'user')] })),
  },
  {
    spellings: ['select distinct a, b as c from db.t as x where a > 1'], lenient: ['SELECT DISTINCT a, b c FROM db.t x WHERE a > 1'],
    tree: stmt(select({ distinct: true, columns: [id('a'), alias(id('b'), 'c')], from: { kind: 'table_ref', name: id('db', 't') as Extract<Expr, { kind: 'identifier' }>, alias: 'x' }, where: bin('>', id('a'), num('1')) })),
  },
  { spellings: ['SELECT a EMIT STREAM', 'SELECT a EMIT'], tree: stmt(select({ columns: [id('a')], emit: emit({}) })), clickhouse: false },
  {
    spellings: ['WITH f AS (SELECT * FROM m WHERE cpu > 80) SELECT dev, max(cpu) FROM f GROUP BY dev'],
    tree: stmt(select({
      with: [{ kind: 'cte', name: 'f', query: select({ columns: [{ kind: 'star', qualifier: [], except: [] }], from: table('m'), where: bin('>', id('cpu'), num('80')) }) }],
      columns: [id('dev'), fn('max', id('cpu'))], from: table('f'), groupBy: [id('dev')],
    })),
  },
  { spellings: ['WITH 1 + 1 AS x SELECT x'], tree: stmt(select({ with: [{ kind: 'with_expr', name: 'x', expr: bin('+', num('1'), num('1')) }], columns: [id('x')] })) },
  {
    spellings: ['SELECT window_start, count() AS c FROM tumble(s, 5s) GROUP BY window_start'], lenient: ['SELECT window_start, count() c FROM tumble(s, INTERVAL 5 SECOND) GROUP BY window_start'],
    tree: stmt(select({ columns: [id('window_start'), alias(fn('count'), 'c')], from: { kind: 'table_function', call: fn('tumble', id('s'), interval('5', 'SECOND')) as Extract<Expr, { kind: 'function' }>, alias: null }, groupBy: [id('window_start')] })),
  },
  {
    spellings: ['SELECT * FROM clicks INNER LATEST JOIN profiles AS p ON clicks.uid = p.uid'], lenient: ['SELECT * FROM clicks LATEST INNER JOIN profiles p ON clicks.uid = p.uid'],
    tree: stmt(select({ columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'join', global: false, joinKind: 'INNER', strictness: 'LATEST', comma: false, left: table('clicks'), right: table('profiles', 'p'), on: bin('=', id('clicks', 'uid'), id('p', 'uid')), using: null } })),
  },
  {
    spellings: ['SELECT 1 FROM a LEFT OUTER ASOF JOIN b USING (k), c CROSS JOIN d', 'SELECT 1 FROM a ASOF LEFT JOIN b USING k, c CROSS JOIN d'],
    tree: stmt(select({
      columns: [num('1')],
      from: {
        kind: 'join', global: false, joinKind: 'CROSS', strictness: null, comma: false, on: null, using: null, right: table('d'),
        left: { kind: 'join', global: false, joinKind: 'CROSS', strictness: null, comma: true, on: null, using: null, right: table('c'),
          left: { kind: 'join', global: false, joinKind: 'LEFT', strictness: 'ASOF', comma: false, left: table('a'), right: table('b'), on: null, using: ['k'] } },
      },
    })),
  },
  {
    spellings: ['SELECT * FROM (SELECT 1) AS s JOIN t ON 1'], lenient: ['SELECT * FROM (SELECT 1) s INNER JOIN t ON 1'],
    tree: stmt(select({ columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'join', global: false, joinKind: 'INNER', strictness: null, comma: false, left: { kind: 'table_subquery', query: select({ columns: [num('1')] }), alias: 's' }, right: table('t'), on: num('1'), using: null } })),
  },
  {
    spellings: ['SELECT a FROM t ORDER BY a DESC NULLS LAST, b LIMIT 2 BY a LIMIT 10 OFFSET 5 SETTINGS max_threads = 2 FORMAT JSON', 'SELECT a FROM t ORDER BY a DESCENDING NULLS LAST, b LIMIT 2 BY a LIMIT 5, 10 SETTINGS max_threads=2 FORMAT JSON'],
    tree: stmt(select({
      columns: [id('a')], from: table('t'),
      orderBy: [{ kind: 'order_item', expr: id('a'), direction: 'DESC', nulls: 'LAST' }, { kind: 'order_item', expr: id('b'), direction: null, nulls: null }],
      limitBy: { limit: num('2'), offset: null, by: [id('a')] }, limit: { limit: num('10'), offset: num('5'), withTies: false },
      settings: [{ kind: 'setting', name: 'max_threads', value: num('2') }],
    }), 'JSON'),
  },
  {
    spellings: ['SELECT 1 UNION SELECT 2 UNION DISTINCT SELECT 3', 'SELECT 1 UNION ALL SELECT 2 UNION DISTINCT (SELECT 3)', '(SELECT 1) UNION ALL (SELECT 2) UNION DISTINCT SELECT 3'],
    tree: stmt({ kind: 'set_operation', op: 'UNION', mode: 'DISTINCT', left: { kind: 'set_operation', op: 'UNION', mode: 'ALL', left: select({ columns: [num('1')] }), right: select({ columns: [num('2')] }) }, right: select({ columns: [num('3')] }) }),
  },
  {
    spellings: ['SELECT 1 UNION ALL (SELECT 2 UNION ALL SELECT 3)'],
    tree: stmt({ kind: 'set_operation', op: 'UNION', mode: 'ALL', left: select({ columns: [num('1')] }), right: { kind: 'set_operation', op: 'UNION', mode: 'ALL', left: select({ columns: [num('2')] }), right: select({ columns: [num('3')] }) } }),
  },
  {
    spellings: ['SELECT dev, window_start, count() FROM tumble(m, 5s) PARTITION BY dev GROUP BY dev, window_start'],
    tree: stmt(select({ columns: [id('dev'), id('window_start'), fn('count')], from: { kind: 'table_function', call: fn('tumble', id('m'), interval('5', 'SECOND')) as Extract<Expr, { kind: 'function' }>, alias: null }, partitionBy: [id('dev')], groupBy: [id('dev'), id('window_start')] })),
    clickhouse: false,
  },
  { spellings: ['SELECT loc FROM m SHUFFLE BY loc'], tree: stmt(select({ columns: [id('loc')], from: table('m'), shuffleBy: [id('loc')] })), clickhouse: false },
];

/** EMIT clauses: every 1.6 and 3.x spelling of one policy parses to one tree (§1.10). */
const emits: Array<[string[], Emit]> = [
  [['EMIT STREAM', 'EMIT'], emit({})],
  [['EMIT PERIODIC 1s', 'EMIT STREAM PERIODIC 1s', 'EMIT PERIODIC INTERVAL 1 SECOND'], emit({ periodic: interval('1', 'SECOND') })],
  [['EMIT PERIODIC 3s REPEAT'], emit({ periodic: interval('3', 'SECOND'), repeat: true })],
  [['EMIT ON UPDATE'], emit({ onUpdate: true })],
  [['EMIT PERIODIC 1s ON UPDATE', 'EMIT ON UPDATE WITH BATCH 1s'], emit({ periodic: interval('1', 'SECOND'), onUpdate: true })],
  [['EMIT AFTER WATERMARK', 'EMIT AFTER WINDOW CLOSE', 'EMIT STREAM AFTER WATERMARK'], emit({ afterWindowClose: true })],
  [['EMIT AFTER WATERMARK WITH DELAY 2s', 'EMIT AFTER WINDOW CLOSE WITH DELAY 2s'], emit({ afterWindowClose: true, delay: interval('2', 'SECOND') })],
  [['EMIT AFTER WATERMARK AND TIMEOUT 3s', 'EMIT AFTER WINDOW CLOSE TIMEOUT 3s'], emit({ afterWindowClose: true, timeout: interval('3', 'SECOND') })],
  [['EMIT AFTER WINDOW CLOSE WITH DELAY 1s AND TIMEOUT 5s'], emit({ afterWindowClose: true, delay: interval('1', 'SECOND'), timeout: interval('5', 'SECOND') })],
  [['EMIT TIMEOUT 2s'], emit({ timeout: interval('2', 'SECOND') })],
  [['EMIT CHANGELOG'], emit({ changelog: true })],
  [['EMIT CHANGELOG PERIODIC 1s'], emit({ changelog: true, periodic: interval('1', 'SECOND') })],
  [['EMIT LAST 1h', 'EMIT STREAM LAST INTERVAL 1 HOUR'], emit({ last: interval('1', 'HOUR') })],
  [['EMIT PERIODIC 1s AND LAST 1h ON PROCTIME'], emit({ periodic: interval('1', 'SECOND'), last: interval('1', 'HOUR'), lastOnProctime: true })],
  [['EMIT PER EVENT'], emit({ perEvent: true })],
];

describe('statement round trips', () => {
  for (const c of statements) {
    it(c.spellings[0] as string, () => {
      for (const s of c.spellings) expect(parseStatement(s), s).toEqual(c.tree);
      for (const s of [...c.spellings, ...(c.lenient ?? [])]) expect(parseStatement(s, lenient), s).toEqual(c.tree);
      for (const s of c.lenient ?? []) expect(thrownCode(() => parseStatement(s)), s).toBe(62);
      roundTrip(c.tree, parseStatement, c.clickhouse ?? true);
    });
  }
  for (const [spellings, e] of emits) {
    it(spellings[0] as string, () => {
      const tree = stmt(select({ columns: [fn('count')], from: table('s'), groupBy: [id('k')], emit: e, settings: [{ kind: 'setting', name: 'seek_to', value: str('earliest') }] }));
      for (const s of spellings) {
        expect(parseStatement(`SELECT count() FROM s GROUP BY k ${s} SETTINGS seek_to='earliest'`), s).toEqual(tree);
      }
      roundTrip(tree, parseStatement, false);
    });
  }
  it('accepts EMIT after LIMIT too', () => {
    expect(parseStatement('SELECT a FROM s LIMIT 3 EMIT CHANGELOG')).toEqual(
      stmt(select({ columns: [id('a')], from: table('s'), limit: { limit: num('3'), offset: null, withTies: false }, emit: emit({ changelog: true }) })),
    );
  });
});

function syntaxError(sql: string, parse: (s: string) => unknown = parseStatement): GatewayError {
  try {
    parse(sql);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error(`parsed: ${sql}`);
}

describe('syntax errors', () => {
  const cases: Array<[string, number, string]> = [
    ['SELECT a FROM', 14, '(end of query)'],
    ['SELECT a FROM t WHERE', 22, '(end of query)'],
    ['SELECT (1', 10, '(end of query)'],
    ['SELECT 1 2', 10, "(2)"],
    ["SELECT 'abc", 8, "('abc)"],
    ['SELECT a FROM t LEFT u', 22, "(u)"],
    ['SELECT CASE END', 13, "(END)"],
    ['SELECT x FROM t EMIT PERIODIC 1s PERIODIC 2s', 34, "(PERIODIC)"],
    ['SELECT x FROM t EMIT AFTER WATERMARK AND', 41, '(end of query)'],
    ['SELECT 1e5x', 8, "(1e5x)"],
    ['SELECT 1 x', 10, "(x)"],
    ['SELECT a FROM t x', 17, "(x)"],
    ['SELECT a FROM t SELECT', 17, "(SELECT)"],
    ['SELECT ñ FROM t WHERE', 23, '(end of query)'],
  ];
  for (const [sql, position, what] of cases) {
    it(sql, () => {
      const err = syntaxError(sql);
      expect(err.code).toBe(62);
      expect(err.message).toMatch(new RegExp(`^Syntax error: failed at position ${position} ${what.replace(/[()'.]/g, '\\$&')}: `));
    });
  }
  it('lists what it expected, ClickHouse style', () => {
    expect(syntaxError('SELECT a FROM').message).toBe(
      'Syntax error: failed at position 14 (end of query): . Expected one of: opening round bracket, table, table function or subquery',
    );
    expect(syntaxError('SELECT (1').message).toMatch(/Expected one of: .*Comma, closing round bracket$/);
  });
  it('refuses statements it does not parse yet', () => {
    for (const sql of ['INSERT INTO t VALUES (1)', 'CREATE STREAM s (a int)', 'SHOW STREAMS', 'EXPLAIN SELECT 1']) {
      const err = syntaxError(sql);
      expect(err.code).toBe(48);
      expect(err.message).toMatch(/does not support .* statements yet/);
    }
    expect(syntaxError('').code).toBe(62);
    expect(syntaxError('1 + 1').code).toBe(62);
  });
});
