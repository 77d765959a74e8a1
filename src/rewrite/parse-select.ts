// Recursive-descent parser for Proton SELECT statements (expressions: parse-expression.ts).
// Entry points: parseStatement (a whole query text) and parseExpression (one expression).
// Syntax errors are GatewayError 62 worded as ClickHouse words them; statements other than
// SELECT / WITH are refused with NOT_IMPLEMENTED until the parser grows them.
import { GatewayError } from '../errors.ts';
import type {
  Emit, Expr, Join, JoinKind, JoinStrictness, OrderItem, Query, Select, SelectStatement, Setting, TableExpr, WithItem,
} from './ast.ts';
import { emptyEmit, emptySelect } from './ast.ts';
import { Cursor, precedence } from './parse-cursor.ts';
import { parseElement, parseExpr, parseFunction } from './parse-expression.ts';
import { keyword } from './lexer.ts';

function cursor(sql: string): Cursor {
  const c = new Cursor(sql);
  c.subquery = parseQuery;
  return c;
}

// statement := query [FORMAT name] [';']
export function parseStatement(sql: string): SelectStatement {
  const c = cursor(sql);
  const verb = c.kw();
  if (verb !== 'SELECT' && verb !== 'WITH' && !c.isPunct('(')) {
    if (verb !== '') {
      throw new GatewayError(48, `Hadron's Proton SQL parser does not support ${verb} statements yet (only SELECT)`);
    }
    c.fail(['SELECT query']);
  }
  const query = parseQuery(c);
  const format = c.acceptKw('FORMAT') ? c.name('format name') : null;
  c.acceptPunct(';');
  if (c.peek().kind !== 'end') c.fail(['end of query']);
  return { kind: 'select_statement', query, format };
}

// A single expression, e.g. for tests and for settings values.
export function parseExpression(sql: string): Expr {
  const c = cursor(sql);
  const expr = parseElement(c);
  if (c.peek().kind !== 'end') c.fail(['end of query']);
  return expr;
}

// query := operand (UNION [ALL | DISTINCT] operand)*
// operand := select | '(' query ')'
export function parseQuery(c: Cursor): Query {
  let left = parseOperand(c);
  while (c.acceptKw('UNION')) {
    const mode = c.acceptKw('DISTINCT') ? 'DISTINCT' : (c.acceptKw('ALL'), 'ALL');
    left = { kind: 'union', mode, left, right: parseOperand(c) };
  }
  return left;
}

function parseOperand(c: Cursor): Query {
  if (!c.acceptPunct('(')) return parseSelect(c);
  const q = parseQuery(c);
  c.expectPunct(')');
  return q;
}

// select := [WITH with_item (',' with_item)*] SELECT [DISTINCT] column (',' column)*
//   [FROM tables] [WHERE expr] [PARTITION BY list] [SHUFFLE BY list] [GROUP BY list] [HAVING expr]
//   [EMIT emit] [ORDER BY order (',' order)*] [LIMIT n [OFFSET m] BY list] [LIMIT n [OFFSET m] | LIMIT m, n]
//   [EMIT emit] [SETTINGS name = expr (',' name = expr)*]
// column := expr [[AS] name]        (implicit alias only when the word is not a keyword)
function parseSelect(c: Cursor): Select {
  const withItems = c.acceptKw('WITH') ? list(c, parseWithItem) : [];
  c.expectKw('SELECT');
  const distinct = c.acceptKw('DISTINCT');
  const columns = list(c, parseColumn);
  const from = c.acceptKw('FROM') ? parseTables(c) : null;
  const where = c.acceptKw('WHERE') ? parseExpr(c) : null;
  const partitionBy = c.acceptKw('PARTITION', 'BY') ? list(c, parseExpr) : [];
  const shuffleBy = c.acceptKw('SHUFFLE', 'BY') ? list(c, parseExpr) : [];
  const groupBy = c.acceptKw('GROUP', 'BY') ? list(c, parseExpr) : [];
  const having = c.acceptKw('HAVING') ? parseExpr(c) : null;
  let emit = c.acceptKw('EMIT') ? parseEmit(c) : null;
  const orderBy = c.acceptKw('ORDER', 'BY') ? list(c, parseOrderItem) : [];
  let limitBy: Select['limitBy'] = null;
  let limit: Select['limit'] = null;
  if (c.acceptKw('LIMIT')) {
    const first = parseLimit(c);
    if (c.acceptKw('BY')) {
      limitBy = { ...first, by: list(c, parseExpr) };
      if (c.acceptKw('LIMIT')) limit = parseLimit(c);
    } else {
      limit = first;
    }
  }
  if (emit === null && c.acceptKw('EMIT')) emit = parseEmit(c);
  const settings = c.acceptKw('SETTINGS') ? list(c, parseSetting) : [];
  return {
    ...emptySelect, with: withItems, distinct, columns, from, where, partitionBy, shuffleBy, groupBy, having, emit,
    orderBy, limitBy, limit, settings,
  };
}

function list<T>(c: Cursor, item: (c: Cursor) => T): T[] {
  const out = [item(c)];
  while (c.acceptPunct(',')) out.push(item(c));
  return out;
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
  if (c.acceptKw('AS')) return { kind: 'alias', expr, name: c.name('alias') };
  return c.atImplicitAlias() ? { kind: 'alias', expr, name: c.name() } : expr;
}

function parseAlias(c: Cursor): string | null {
  if (c.acceptKw('AS')) return c.name('alias');
  return c.atImplicitAlias() ? c.name() : null;
}

// tables := table_item (join_op table_item [ON expr | USING ('(' names ')' | name)])*
// join_op := ',' | [GLOBAL] [kind] [strictness] JOIN | [GLOBAL] [strictness] [kind] JOIN
// kind := INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | CROSS;  strictness := ALL | ANY | ASOF | LATEST
function parseTables(c: Cursor): TableExpr {
  let left = parseTableItem(c);
  for (;;) {
    if (c.acceptPunct(',')) {
      left = { kind: 'join', joinKind: 'CROSS', strictness: null, comma: true, left, right: parseTableItem(c), on: null, using: null };
      continue;
    }
    const op = parseJoinOp(c);
    if (op === null) return left;
    const right = parseTableItem(c);
    let on: Expr | null = null;
    let using: string[] | null = null;
    if (c.acceptKw('ON')) on = parseExpr(c);
    else if (c.acceptKw('USING')) using = c.acceptPunct('(') ? parenNames(c) : [c.name()];
    else if (op.joinKind !== 'CROSS') c.fail();
    left = { kind: 'join', joinKind: op.joinKind, strictness: op.strictness, comma: false, left, right, on, using } satisfies Join;
  }
}

function parenNames(c: Cursor): string[] {
  const names = list(c, (x) => x.name());
  c.expectPunct(')');
  return names;
}

const joinKinds: readonly JoinKind[] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS'];
const strictnesses: readonly NonNullable<JoinStrictness>[] = ['ALL', 'ANY', 'ASOF', 'LATEST'];

function parseJoinOp(c: Cursor): { joinKind: JoinKind; strictness: JoinStrictness } | null {
  const start = c.i;
  let joinKind: JoinKind | null = null;
  let strictness: JoinStrictness = null;
  for (let step = 0; step < 2; step++) {
    const word = c.kw();
    const k = joinKinds.find((x) => x === word);
    const s = strictnesses.find((x) => x === word);
    if (k !== undefined && joinKind === null) {
      c.next();
      joinKind = k;
      if (k !== 'INNER' && k !== 'CROSS') c.acceptKw('OUTER');
    } else if (s !== undefined && strictness === null) {
      c.next();
      strictness = s;
    }
  }
  if (!c.acceptKw('JOIN')) {
    if (c.i !== start) c.fail();
    return null;
  }
  return { joinKind: joinKind ?? 'INNER', strictness };
}

// table_item := '(' query ')' [alias] | name '(' list ')' [alias] | name ['.' name] [alias]
function parseTableItem(c: Cursor): TableExpr {
  if (c.acceptPunct('(')) {
    const query = parseQuery(c);
    c.expectPunct(')');
    return { kind: 'table_subquery', query, alias: parseAlias(c) };
  }
  const t = c.peek();
  if ((t.kind === 'word' || t.kind === 'quoted_id') && c.peek(1).raw === '(' && c.peek(1).kind === 'punct') {
    const call = parseFunction(c);
    return { kind: 'table_function', call, alias: parseAlias(c) };
  }
  const parts = [c.name('table, table function or subquery')];
  while (c.acceptPunct('.')) parts.push(c.name());
  return { kind: 'table_ref', name: { kind: 'identifier', parts }, alias: parseAlias(c) };
}

// order := expr [ASC | DESC | ASCENDING | DESCENDING] [NULLS (FIRST | LAST)]
function parseOrderItem(c: Cursor): OrderItem {
  const expr = parseExpr(c);
  let direction: OrderItem['direction'] = null;
  if (c.acceptKw('ASC') || c.acceptKw('ASCENDING')) direction = 'ASC';
  else if (c.acceptKw('DESC') || c.acceptKw('DESCENDING')) direction = 'DESC';
  let nulls: OrderItem['nulls'] = null;
  if (c.acceptKw('NULLS')) {
    if (c.acceptKw('FIRST')) nulls = 'FIRST';
    else if (c.acceptKw('LAST')) nulls = 'LAST';
    else c.fail();
  }
  return { kind: 'order_item', expr, direction, nulls };
}

// limit := expr [OFFSET expr] | expr ',' expr        (`m, n` = offset m, limit n)
function parseLimit(c: Cursor): { limit: Expr; offset: Expr | null } {
  const first = parseExpr(c);
  if (c.acceptPunct(',')) return { limit: parseExpr(c), offset: first };
  return { limit: first, offset: c.acceptKw('OFFSET') ? parseExpr(c) : null };
}

// setting := name '=' expr
function parseSetting(c: Cursor): Setting {
  const name = c.name('setting name');
  c.expectPunct('=');
  return { kind: 'setting', name, value: parseExpr(c) };
}

// emit := [STREAM | CHANGELOG] [emit_item ([AND] emit_item)*]
// emit_item := AFTER WATERMARK | AFTER WINDOW CLOSE | WITH DELAY i | PERIODIC i [REPEAT]
//            | ON UPDATE [WITH BATCH i] | PER EVENT | TIMEOUT i | LAST i [ON PROCTIME]
// (both Proton 1.6 and 3.x grammars; each item at most once; i is an interval)
function parseEmit(c: Cursor): Emit {
  const changelog = c.acceptKw('CHANGELOG');
  if (!changelog) c.acceptKw('STREAM');
  let emit: Emit = { ...emptyEmit, changelog };
  let first = true;
  for (;;) {
    const at = c.i;
    if (!first && c.acceptKw('AND') && !isEmitItem(c)) {
      c.i = at + 1;
      c.fail(['TIMEOUT', 'LAST', 'PERIODIC', 'ON UPDATE']);
    }
    if (!isEmitItem(c)) return emit;
    emit = parseEmitItem(c, emit);
    first = false;
  }
}

const emitStarts = ['AFTER', 'WITH', 'PERIODIC', 'ON', 'PER', 'TIMEOUT', 'LAST'];
function isEmitItem(c: Cursor): boolean {
  return emitStarts.some((w) => c.isKw(w));
}

function parseEmitItem(c: Cursor, emit: Emit): Emit {
  const interval = () => parseExpr(c, precedence.unaryMinus);
  const start = c.peek();
  const once = <K extends keyof Emit>(key: K, value: Emit[K]): Emit => {
    if (emit[key] !== emptyEmit[key]) throw c.syntaxError(start.start, `'${start.raw}'`, `EMIT sets ${String(key)} twice`);
    return { ...emit, [key]: value };
  };
  if (c.acceptKw('AFTER', 'WATERMARK') || c.acceptKw('AFTER', 'WINDOW', 'CLOSE')) return once('afterWindowClose', true);
  if (c.acceptKw('WITH', 'DELAY')) return once('delay', interval());
  if (c.acceptKw('PERIODIC')) {
    const next = once('periodic', interval());
    return c.acceptKw('REPEAT') ? { ...next, repeat: true } : next;
  }
  if (c.acceptKw('ON', 'UPDATE')) {
    const next = once('onUpdate', true);
    if (!c.acceptKw('WITH', 'BATCH')) return next;
    emit = next;
    return once('periodic', interval());
  }
  if (c.acceptKw('PER', 'EVENT')) return once('perEvent', true);
  if (c.acceptKw('TIMEOUT')) return once('timeout', interval());
  if (c.acceptKw('LAST')) {
    const next = once('last', interval());
    return c.acceptKw('ON', 'PROCTIME') ? { ...next, lastOnProctime: true } : next;
  }
  c.fail();
}
