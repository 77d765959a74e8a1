// Recursive-descent parser for Proton SELECT statements (expressions: parse-expression.ts, FROM:
// parse-join.ts, EMIT: parse-emit.ts, ORDER BY items and windows: parse-window.ts).
// Entry points: parseStatement (a whole query text), parseSelectBody (the same from a cursor, for the
// statement parser), parseQuery (a query inside a cursor) and parseExpression (one expression).
// Syntax errors are GatewayError 62 worded as ClickHouse words them; statements other than
// SELECT / WITH are refused with NOT_IMPLEMENTED here (parse-statement.ts handles them).
import { GatewayError } from '../errors.ts';
import type { ArrayJoin, Expr, GroupByMode, InterpolateItem, Limit, NamedWindow, Query, Select, SelectStatement, Setting, WithItem } from './ast.ts';
import { emptySelect } from './ast.ts';
import { Cursor, type ParseOptions } from './parse-cursor.ts';
import { parseEmit } from './parse-emit.ts';
import { parseElement, parseExpr } from './parse-expression.ts';
import { parseAlias, parseArrayJoin, parseTables } from './parse-join.ts';
import { parseOrderItem, parseWindowSpec } from './parse-window.ts';
import { keyword } from './lexer.ts';

export type { ParseOptions } from './parse-cursor.ts';

function cursor(sql: string, options: ParseOptions): Cursor {
  const c = new Cursor(sql, options);
  c.subquery = parseQuery;
  return c;
}

// statement := select_body [';']
export function parseStatement(sql: string, options: ParseOptions = {}): SelectStatement {
  const c = cursor(sql, options);
  const verb = c.kw();
  if (verb !== 'SELECT' && verb !== 'WITH' && !c.isPunct('(')) {
    if (verb !== '') {
      throw new GatewayError(48, `Hadron's Proton SQL parser does not support ${verb} statements yet (only SELECT)`);
    }
    c.fail(['SELECT query']);
  }
  const statement = parseSelectBody(c);
  c.acceptPunct(';');
  if (c.peek().kind !== 'end') c.fail(['end of query']);
  return statement;
}

// select_body := query [FORMAT name [SETTINGS setting (',' setting)*]]
//   (SETTINGS belong to the last SELECT of the query: `… FORMAT f SETTINGS s` ≡ `… SETTINGS s FORMAT f`)
export function parseSelectBody(c: Cursor): SelectStatement {
  let query = parseQuery(c);
  const format = c.acceptKw('FORMAT') ? c.name('format name') : null;
  if (format !== null && c.acceptKw('SETTINGS')) query = withSettings(query, list(c, parseSetting));
  return { kind: 'select_statement', query, format };
}

function withSettings(q: Query, settings: Setting[]): Query {
  if (q.kind === 'set_operation') return { ...q, right: withSettings(q.right, settings) };
  return { ...q, settings: [...q.settings, ...settings] };
}

// A single expression, e.g. for tests and for settings values.
export function parseExpression(sql: string, options: ParseOptions = {}): Expr {
  const c = cursor(sql, options);
  const expr = parseElement(c);
  if (c.peek().kind !== 'end') c.fail(['end of query']);
  return expr;
}

// query := term ((UNION | EXCEPT) [ALL | DISTINCT] term)*
// term := operand (INTERSECT [ALL | DISTINCT] operand)*          (INTERSECT binds tighter)
// operand := select | '(' query ')'
export function parseQuery(c: Cursor): Query {
  let left = parseTerm(c);
  for (;;) {
    const op = c.acceptKw('UNION') ? 'UNION' : c.acceptKw('EXCEPT') ? 'EXCEPT' : null;
    if (op === null) return left;
    left = { kind: 'set_operation', op, mode: setMode(c), left, right: parseTerm(c) };
  }
}

function parseTerm(c: Cursor): Query {
  let left = parseOperand(c);
  while (c.acceptKw('INTERSECT')) left = { kind: 'set_operation', op: 'INTERSECT', mode: setMode(c), left, right: parseOperand(c) };
  return left;
}

function setMode(c: Cursor): 'ALL' | 'DISTINCT' {
  if (c.acceptKw('DISTINCT')) return 'DISTINCT';
  c.acceptKw('ALL');
  return 'ALL';
}

function parseOperand(c: Cursor): Query {
  if (!c.acceptPunct('(')) return parseSelect(c);
  const q = parseQuery(c);
  c.expectPunct(')');
  return q;
}

// select := [WITH with_item (',' with_item)*] SELECT [DISTINCT [ON '(' list ')']] [TOP n [WITH TIES]] column (',' column)*
//   [FROM tables] [array_join]* [PREWHERE expr] [WHERE expr] [PARTITION BY list] [SHUFFLE BY list] [group_by] [HAVING expr]
//   [WINDOW name AS '(' window_spec ')' (',' …)*] [QUALIFY expr] [EMIT emit] [ORDER BY order (',' order)* [interpolate]]
//   [LIMIT n [OFFSET m] BY list] [limit] [EMIT emit] [SETTINGS name = expr (',' name = expr)*]
// column := expr [AS name]        (or an implicit alias, when enabled, if the word is not a keyword)
function parseSelect(c: Cursor): Select {
  const withItems = c.acceptKw('WITH') ? list(c, parseWithItem) : [];
  c.expectKw('SELECT');
  const distinct = c.acceptKw('DISTINCT');
  const distinctOn = distinct && c.acceptKw('ON') ? parenList(c) : [];
  const top = c.acceptKw('TOP') ? parseTop(c) : null;
  const columns = list(c, parseColumn);
  const from = c.acceptKw('FROM') ? parseTables(c) : null;
  const arrayJoin: ArrayJoin[] = [];
  for (let a = parseArrayJoin(c); a !== null; a = parseArrayJoin(c)) arrayJoin.push(a);
  const prewhere = c.acceptKw('PREWHERE') ? parseExpr(c) : null;
  const where = c.acceptKw('WHERE') ? parseExpr(c) : null;
  const partitionBy = c.acceptKw('PARTITION', 'BY') ? list(c, parseExpr) : [];
  const shuffleBy = c.acceptKw('SHUFFLE', 'BY') ? list(c, parseExpr) : [];
  const group = parseGroupBy(c);
  const having = c.acceptKw('HAVING') ? parseExpr(c) : null;
  const window = c.acceptKw('WINDOW') ? list(c, parseNamedWindow) : [];
  const qualify = c.acceptKw('QUALIFY') ? parseExpr(c) : null;
  let emit = c.acceptKw('EMIT') ? parseEmit(c) : null;
  const orderBy = c.acceptKw('ORDER', 'BY') ? list(c, parseOrderItem) : [];
  const interpolate = c.acceptKw('INTERPOLATE') ? parseInterpolate(c) : null;
  const limits = parseLimits(c);
  if (top !== null && limits.limit !== null) c.fail(['not both TOP and LIMIT']);
  if (emit === null && c.acceptKw('EMIT')) emit = parseEmit(c);
  const settings = c.acceptKw('SETTINGS') ? list(c, parseSetting) : [];
  return {
    ...emptySelect, with: withItems, distinct: distinct && distinctOn.length === 0, distinctOn, columns, from, arrayJoin, prewhere,
    where, partitionBy, shuffleBy, ...group, having, window, qualify, emit, orderBy, interpolate,
    limitBy: limits.limitBy, limit: top ?? limits.limit, settings,
  };
}

function list<T>(c: Cursor, item: (c: Cursor) => T): T[] {
  const out = [item(c)];
  while (c.acceptPunct(',')) out.push(item(c));
  return out;
}

function parenList(c: Cursor): Expr[] {
  c.expectPunct('(');
  const items = list(c, parseExpr);
  c.expectPunct(')');
  return items;
}

// top := expr [WITH TIES]
function parseTop(c: Cursor): Limit {
  const limit = parseExpr(c);
  return { limit, offset: null, withTies: c.acceptKw('WITH', 'TIES') };
}

// with_item := name AS '(' query ')' | expr AS name
function parseWithItem(c: Cursor): WithItem {
  const t = c.peek();
  if ((t.kind === 'word' || t.kind === 'quoted_id') && keyword(c.peek(1)) === 'AS' && c.peek(2).raw === '(' &&
    (keyword(c.peek(3)) === 'SELECT' || keyword(c.peek(3)) === 'WITH')) {
    const name = c.name();
    c.expectKw('AS');
    c.expectPunct('(');
    const query = parseQuery(c);
    c.expectPunct(')');
    return { kind: 'cte', name, query };
  }
  const expr = parseExpr(c);
  c.expectKw('AS');
  return { kind: 'with_expr', name: c.name('alias'), expr };
}

function parseColumn(c: Cursor): Expr {
  const expr = parseExpr(c);
  const name = parseAlias(c);
  return name === null ? expr : { kind: 'alias', expr, name };
}

type GroupBy = Pick<Select, 'groupBy' | 'groupByMode' | 'groupingSets' | 'withTotals'>;

// group_by := GROUP BY (ALL | ROLLUP '(' list ')' | CUBE '(' list ')' | GROUPING SETS '(' set (',' set)* ')' | list)
//             [WITH ROLLUP | WITH CUBE] [WITH TOTALS]        (also WITH TOTALS without GROUP BY)
// set := '(' [list] ')' | expr
function parseGroupBy(c: Cursor): GroupBy {
  let groupBy: Expr[] = [];
  let groupByMode: GroupByMode = null;
  let groupingSets: Expr[][] = [];
  if (c.acceptKw('GROUP', 'BY')) {
    if (c.acceptKw('ALL')) groupByMode = 'ALL';
    else if (c.acceptKw('GROUPING', 'SETS')) {
      groupByMode = 'GROUPING SETS';
      c.expectPunct('(');
      groupingSets = list(c, parseGroupingSet);
      c.expectPunct(')');
    } else if ((c.isKw('ROLLUP') || c.isKw('CUBE')) && c.peek(1).raw === '(') {
      groupByMode = c.next().raw.toUpperCase() as 'ROLLUP' | 'CUBE';
      groupBy = parenList(c);
    } else {
      groupBy = list(c, parseExpr);
    }
  }
  if (groupByMode === null && c.acceptKw('WITH', 'ROLLUP')) groupByMode = 'ROLLUP';
  else if (groupByMode === null && c.acceptKw('WITH', 'CUBE')) groupByMode = 'CUBE';
  const withTotals = c.acceptKw('WITH', 'TOTALS');
  return { groupBy, groupByMode, groupingSets, withTotals };
}

function parseGroupingSet(c: Cursor): Expr[] {
  if (!c.isPunct('(')) return [parseExpr(c)];
  c.next();
  const items = c.isPunct(')') ? [] : list(c, parseExpr);
  c.expectPunct(')');
  return items;
}

// named_window := name AS '(' window_spec ')'
function parseNamedWindow(c: Cursor): NamedWindow {
  const name = c.name('window name');
  c.expectKw('AS');
  c.expectPunct('(');
  const spec = parseWindowSpec(c);
  c.expectPunct(')');
  return { name, spec };
}

// interpolate := ['(' [name [AS expr] (',' name [AS expr])*] ')']
function parseInterpolate(c: Cursor): InterpolateItem[] {
  if (!c.acceptPunct('(')) return [];
  const items: InterpolateItem[] = [];
  while (!c.isPunct(')')) {
    const name = c.name('column name');
    items.push({ name, expr: c.acceptKw('AS') ? parseExpr(c) : null });
    if (!c.acceptPunct(',')) break;
  }
  c.expectPunct(')');
  return items;
}

// limits := [LIMIT n [OFFSET m] BY list] [LIMIT n [OFFSET m] [WITH TIES] | LIMIT m ',' n [WITH TIES]]
//           [OFFSET m [ROW | ROWS] [FETCH (FIRST | NEXT) n (ROW | ROWS) (ONLY | WITH TIES)]]
function parseLimits(c: Cursor): Pick<Select, 'limitBy' | 'limit'> {
  let limitBy: Select['limitBy'] = null;
  let limit: Limit | null = null;
  if (c.acceptKw('LIMIT')) {
    const first = parseLimit(c);
    if (c.acceptKw('BY')) {
      limitBy = { limit: first.limit, offset: first.offset, by: list(c, parseExpr) };
      if (c.acceptKw('LIMIT')) limit = { ...parseLimit(c), withTies: c.acceptKw('WITH', 'TIES') };
    } else {
      limit = { ...first, withTies: c.acceptKw('WITH', 'TIES') };
    }
  }
  if (limit === null && c.acceptKw('OFFSET')) limit = parseOffsetFetch(c);
  return { limitBy, limit };
}

// limit := expr [OFFSET expr] | expr ',' expr        (`m, n` = offset m, limit n)
function parseLimit(c: Cursor): { limit: Expr; offset: Expr | null } {
  const first = parseExpr(c);
  if (c.acceptPunct(',')) return { limit: parseExpr(c), offset: first };
  return { limit: first, offset: c.acceptKw('OFFSET') ? parseExpr(c) : null };
}

function parseOffsetFetch(c: Cursor): Limit {
  const offset = parseExpr(c);
  if (!c.acceptKw('ROW')) c.acceptKw('ROWS');
  if (!c.acceptKw('FETCH')) return { limit: null, offset, withTies: false };
  if (!c.acceptKw('FIRST')) c.expectKw('NEXT');
  const limit = parseExpr(c);
  if (!c.acceptKw('ROW')) c.expectKw('ROWS');
  const withTies = c.acceptKw('WITH', 'TIES');
  if (!withTies) c.expectKw('ONLY');
  return { limit, offset, withTies };
}

// setting := name '=' expr
function parseSetting(c: Cursor): Setting {
  const name = c.name('setting name');
  c.expectPunct('=');
  return { kind: 'setting', name, value: parseExpr(c) };
}
