// The FROM clause: table items, joins of every kind and strictness, ARRAY JOIN.
import type { ArrayJoin, Expr, Join, JoinKind, JoinStrictness, TableExpr, TableRef } from './ast.ts';
import { Cursor } from './parse-cursor.ts';
import { parseElement, parseExpr, parseFunction } from './parse-expression.ts';

// tables := table_item (',' table_item | join_op table_item [join_cond])*
// join_cond := ON expr | USING ('(' name (',' name)* ')' | name)    (required except for CROSS, PASTE and comma joins)
export function parseTables(c: Cursor): TableExpr {
  let left = parseTableItem(c);
  for (;;) {
    if (c.acceptPunct(',')) {
      const right = parseTableItem(c);
      left = { kind: 'join', joinKind: 'CROSS', strictness: null, global: false, comma: true, left, right, on: null, using: null };
      continue;
    }
    const op = parseJoinOp(c);
    if (op === null) return left;
    const right = parseTableItem(c);
    let on: Expr | null = null;
    let using: string[] | null = null;
    if (c.acceptKw('ON')) on = parseExpr(c);
    else if (c.acceptKw('USING')) using = c.acceptPunct('(') ? parenNames(c) : [c.name()];
    else if (op.joinKind !== 'CROSS' && op.joinKind !== 'PASTE') c.fail();
    left = { kind: 'join', ...op, comma: false, left, right, on, using } satisfies Join;
  }
}

function parenNames(c: Cursor): string[] {
  const names = [c.name()];
  while (c.acceptPunct(',')) names.push(c.name());
  c.expectPunct(')');
  return names;
}

const joinKinds: readonly JoinKind[] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'PASTE'];
const strictnesses: readonly NonNullable<JoinStrictness>[] = ['ALL', 'ANY', 'ASOF', 'SEMI', 'ANTI', 'LATEST'];

// join_op := [GLOBAL | LOCAL] ([kind] [strictness] | [strictness] [kind]) JOIN
// kind := INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | CROSS | PASTE
// strictness := ALL | ANY | ASOF | SEMI | ANTI | LATEST
function parseJoinOp(c: Cursor): { joinKind: JoinKind; strictness: JoinStrictness; global: boolean } | null {
  const start = c.i;
  const global = c.acceptKw('GLOBAL');
  if (!global) c.acceptKw('LOCAL');
  let joinKind: JoinKind | null = null;
  let strictness: JoinStrictness = null;
  for (let step = 0; step < 2; step++) {
    const word = c.kw();
    const k = joinKinds.find((x) => x === word);
    const s = strictnesses.find((x) => x === word);
    if (k !== undefined && joinKind === null && !(k === 'LEFT' && c.kw(1) === 'ARRAY')) {
      c.next();
      joinKind = k;
      if (k === 'LEFT' || k === 'RIGHT' || k === 'FULL') c.acceptKw('OUTER');
    } else if (s !== undefined && strictness === null) {
      c.next();
      strictness = s;
    }
  }
  if (!c.acceptKw('JOIN')) {
    if (c.i !== start) c.fail();
    return null;
  }
  return { joinKind: joinKind ?? 'INNER', strictness, global };
}

// table_item := '(' query ')' [alias] | name '(' list ')' [alias]
//             | name ['.' name] [alias] [FINAL] [SAMPLE expr [OFFSET expr]]
function parseTableItem(c: Cursor): TableExpr {
  if (c.acceptPunct('(')) {
    const query = c.subquery(c);
    c.expectPunct(')');
    return { kind: 'table_subquery', query, alias: parseAlias(c) };
  }
  const t = c.peek();
  if ((t.kind === 'word' || t.kind === 'quoted_id') && c.peek(1).raw === '(' && c.peek(1).kind === 'punct') {
    const fn = parseFunction(c);
    return { kind: 'table_function', call: fn, alias: parseAlias(c) };
  }
  const parts = [c.name('table, table function or subquery')];
  while (c.acceptPunct('.')) parts.push(c.name());
  const alias = parseAlias(c);
  let ref: TableRef = { kind: 'table_ref', name: { kind: 'identifier', parts }, alias };
  if (c.acceptKw('FINAL')) ref = { ...ref, final: true };
  if (c.acceptKw('SAMPLE')) {
    const ratio = parseExpr(c);
    ref = { ...ref, sample: { ratio, offset: c.acceptKw('OFFSET') ? parseExpr(c) : null } };
  }
  return ref;
}

// array_join := [LEFT] ARRAY JOIN element (',' element)*
export function parseArrayJoin(c: Cursor): ArrayJoin | null {
  if (!c.isKw('ARRAY', 'JOIN') && !c.isKw('LEFT', 'ARRAY', 'JOIN')) return null;
  const isLeft = c.acceptKw('LEFT');
  c.i += 2;
  const items = [parseElement(c)];
  while (c.acceptPunct(',')) items.push(parseElement(c));
  return { isLeft, items };
}

/** alias := AS name | name (implicit aliases only) */
export function parseAlias(c: Cursor): string | null {
  if (c.acceptKw('AS')) return c.name('alias');
  return c.atImplicitAlias() ? c.name() : null;
}
