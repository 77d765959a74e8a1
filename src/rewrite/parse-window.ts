// What follows a call (`FILTER (WHERE …)`, `RESPECT|IGNORE NULLS`, `OVER …`), window specifications
// (also the body of `WINDOW w AS (…)`) and ORDER BY items, which both windows and SELECT use.
import type { Fill, Frame, FrameBound, FunctionCall, OrderItem, WindowSpec } from './ast.ts';
import { keyword, tokenValue } from './lexer.ts';
import { Cursor } from './parse-cursor.ts';
import { parseExpr } from './parse-expression.ts';

// call_suffix := [FILTER '(' WHERE expr ')'] [(RESPECT | IGNORE) NULLS] [OVER (name | '(' window_spec ')')]
export function parseCallSuffix(c: Cursor, fn: FunctionCall): FunctionCall {
  let out = fn;
  if (c.isKw('FILTER') && c.peek(1).raw === '(' && c.kw(2) === 'WHERE') {
    c.i += 3;
    out = { ...out, filter: c.withJsonColon(true, () => parseExpr(c)) };
    c.expectPunct(')');
  }
  if (c.acceptKw('RESPECT', 'NULLS')) out = { ...out, nulls: 'RESPECT' };
  else if (c.acceptKw('IGNORE', 'NULLS')) out = { ...out, nulls: 'IGNORE' };
  if (c.acceptKw('OVER')) {
    if (c.acceptPunct('(')) {
      out = { ...out, over: parseWindowSpec(c) };
      c.expectPunct(')');
    } else {
      out = { ...out, over: { ...emptyWindow, base: c.name('window name') } };
    }
  }
  return out;
}

const emptyWindow: WindowSpec = { kind: 'window_spec', base: null, partitionBy: [], orderBy: [], frame: null };
const specWords = new Set(['PARTITION', 'ORDER', 'ROWS', 'RANGE', 'GROUPS']);

// window_spec := [name] [PARTITION BY expr (',' expr)*] [ORDER BY order (',' order)*] [frame]
export function parseWindowSpec(c: Cursor): WindowSpec {
  const t = c.peek();
  const base = t.kind === 'quoted_id' || (t.kind === 'word' && !specWords.has(keyword(t))) ? c.name() : null;
  const partitionBy = c.acceptKw('PARTITION', 'BY') ? list(c, () => parseExpr(c)) : [];
  const orderBy = c.acceptKw('ORDER', 'BY') ? list(c, () => parseOrderItem(c)) : [];
  const frame = parseFrame(c);
  return { kind: 'window_spec', base, partitionBy, orderBy, frame };
}

// frame := (ROWS | RANGE | GROUPS) (BETWEEN bound AND bound | bound)     (one bound: end is CURRENT ROW)
function parseFrame(c: Cursor): Frame | null {
  const unit = (['ROWS', 'RANGE', 'GROUPS'] as const).find((u) => u === c.kw());
  if (unit === undefined) return null;
  c.next();
  if (!c.acceptKw('BETWEEN')) return { unit, start: parseBound(c), end: { type: 'CURRENT ROW', offset: null } };
  const start = parseBound(c);
  c.expectKw('AND');
  return { unit, start, end: parseBound(c) };
}

// bound := UNBOUNDED (PRECEDING | FOLLOWING) | CURRENT ROW | expr (PRECEDING | FOLLOWING)
function parseBound(c: Cursor): FrameBound {
  if (c.acceptKw('CURRENT', 'ROW')) return { type: 'CURRENT ROW', offset: null };
  if (c.acceptKw('UNBOUNDED', 'PRECEDING')) return { type: 'UNBOUNDED PRECEDING', offset: null };
  if (c.acceptKw('UNBOUNDED', 'FOLLOWING')) return { type: 'UNBOUNDED FOLLOWING', offset: null };
  const offset = parseExpr(c);
  if (c.acceptKw('PRECEDING')) return { type: 'PRECEDING', offset };
  c.expectKw('FOLLOWING');
  return { type: 'FOLLOWING', offset };
}

// order := expr [ASC | DESC | ASCENDING | DESCENDING] [NULLS (FIRST | LAST)] [COLLATE string]
//          [WITH FILL [FROM expr] [TO expr] [STEP expr]]
export function parseOrderItem(c: Cursor): OrderItem {
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
  let item: OrderItem = { kind: 'order_item', expr, direction, nulls };
  if (c.acceptKw('COLLATE')) {
    if (c.peek().kind !== 'string') c.fail(['string literal']);
    item = { ...item, collate: tokenValue(c.next()) };
  }
  if (c.acceptKw('WITH', 'FILL')) {
    const from = c.acceptKw('FROM') ? parseExpr(c) : null;
    const to = c.acceptKw('TO') ? parseExpr(c) : null;
    const fill: Fill = { from, to, step: c.acceptKw('STEP') ? parseExpr(c) : null };
    item = { ...item, fill };
  }
  return item;
}

function list<T>(c: Cursor, item: () => T): T[] {
  const out = [item()];
  while (c.acceptPunct(',')) out.push(item());
  return out;
}
