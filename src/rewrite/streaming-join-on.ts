// The ON clause of a streaming join (proton-semantics §1.12 `date_diff_within` / `lag_behind`, §1.13):
// its conjuncts sorted into equality keys (left side = right side), range predicates and the rest;
// Proton's join-only functions rewritten to plain expressions the store evaluates.
import { Code, GatewayError } from '../errors.ts';
import type { BinaryOp, Expr } from './ast.ts';
import { print } from './printer.ts';
import { NeedsStreaming } from './to-clickhouse.ts';
import { transform, visitAll } from './transform.ts';

/** Which side a column belongs to: names qualified by a side's alias, or unqualified names of its columns. */
export type SideNames = { readonly alias: string; readonly columns: ReadonlySet<string> };

export type JoinOn = {
  /** The ON clause with `date_diff_within` rewritten and `lag_behind` dropped. */
  readonly on: Expr | null;
  /** Right-side expressions of the `left = right` conjuncts, unqualified (they are evaluated inside the right side's subquery). */
  readonly rightKeys: readonly Expr[];
  /** The left-side expressions of the same conjuncts, in the same order, unqualified. */
  readonly leftKeys: readonly Expr[];
  /** Whether a time-range predicate bounds the join (`date_diff_within`, `date_diff(…) BETWEEN …`). */
  readonly range: boolean;
};

const num = (n: number): Expr => ({ kind: 'number', text: String(n) });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });

const msPerUnit: Readonly<Record<string, number>> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000 };

/** Sorts the ON clause of a join between `left` and `right`; OR-ed clauses are refused as Proton refuses them. */
export function joinOn(on: Expr | null, left: SideNames, right: SideNames): JoinOn {
  if (on === null) return { on: null, rightKeys: [], leftKeys: [], range: false };
  let range = false;
  const kept: Expr[] = [];
  const rightKeys: Expr[] = [];
  const leftKeys: Expr[] = [];
  const bounds: { lower: number | null; upper: number | null } = { lower: null, upper: null };
  for (const c of conjuncts(on)) {
    if (c.kind === 'binary' && c.op === 'OR') throw new NeedsStreaming('A streaming join with OR in its ON clause (use WHERE instead)');
    if (c.kind === 'function' && /^lag_behind$/i.test(c.name)) continue;
    if (c.kind === 'function' && /^date_diff_within$/i.test(c.name)) {
      kept.push(dateDiffWithin(c.args, left, right));
      range = true;
      continue;
    }
    if (rangeBound(c, bounds)) range = true;
    if (c.kind === 'binary' && c.op === '=') {
      const l = sideOf(c.left, left, right);
      const r = sideOf(c.right, left, right);
      if (l === 'left' && r === 'right') {
        rightKeys.push(unqualified(c.right, right));
        leftKeys.push(unqualified(c.left, left));
      } else if (l === 'right' && r === 'left') {
        rightKeys.push(unqualified(c.left, right));
        leftKeys.push(unqualified(c.right, left));
      }
    }
    kept.push(c);
  }
  if ((bounds.lower !== null && bounds.lower > 0) || (bounds.upper !== null && bounds.upper < 0)) {
    throw new GatewayError(Code.SYNTAX_ERROR, `A range join's bounds must hold 0: lower bound ${bounds.lower ?? '-inf'} and upper bound ${bounds.upper ?? '+inf'} (write e.g. date_diff('second', l.ts, r.ts) BETWEEN -10 AND 10)`);
  }
  const joined = kept.reduce<Expr | null>((a, b) => (a === null ? b : bin('AND', a, b)), null);
  return { on: joined, rightKeys, leftKeys, range };
}

function conjuncts(e: Expr): Expr[] {
  if (e.kind === 'binary' && e.op === 'AND') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/** `date_diff_within(10s [, a.ts, b.ts])` → `abs(date_diff('millisecond', a.ts, b.ts)) <= 10000` (inclusive; default columns `_tp_time`). */
function dateDiffWithin(args: readonly Expr[], left: SideNames, right: SideNames): Expr {
  const [within, a, b] = args;
  if (within?.kind !== 'interval' || within.value.kind !== 'number' || msPerUnit[within.unit] === undefined || (args.length !== 1 && args.length !== 3)) {
    throw new GatewayError(Code.BAD_ARGUMENTS, 'date_diff_within takes a range in milliseconds, seconds or minutes (e.g. 10s) and optionally the two time columns');
  }
  const ms = Number(within.value.text) * (msPerUnit[within.unit] as number);
  const l = a ?? { kind: 'identifier', parts: [left.alias, '_tp_time'] };
  const r = b ?? { kind: 'identifier', parts: [right.alias, '_tp_time'] };
  return bin('<=', fn('abs', fn('date_diff', { kind: 'string', value: 'millisecond' }, l, r)), num(ms));
}

/** A `date_diff(…) BETWEEN lo AND hi` or `date_diff(…) <op> n` conjunct: records its bound. */
function rangeBound(c: Expr, bounds: { lower: number | null; upper: number | null }): boolean {
  const isDiff = (e: Expr): boolean => e.kind === 'function' && /^date_diff$/i.test(e.name);
  const value = (e: Expr): number | null => (e.kind === 'number' ? Number(e.text) : e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number' ? -Number(e.operand.text) : null);
  if (c.kind === 'between' && isDiff(c.expr) && !c.not) {
    const lo = value(c.low);
    const hi = value(c.high);
    if (lo !== null) bounds.lower = lo;
    if (hi !== null) bounds.upper = hi;
    return true;
  }
  if (c.kind !== 'binary' || !['<', '<=', '>', '>='].includes(c.op)) return false;
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
  const [op, n] = isDiff(c.left) ? [c.op, value(c.right)] : isDiff(c.right) ? [flip[c.op] as string, value(c.left)] : [null, null];
  if (op === null || n === null) return false;
  if (op === '>' || op === '>=') bounds.lower = n;
  else bounds.upper = n;
  return true;
}

/** 'left', 'right', 'both' or 'none': the sides whose columns an expression reads. */
function sideOf(e: Expr, left: SideNames, right: SideNames): 'left' | 'right' | 'both' | 'none' {
  let l = false;
  let r = false;
  visitAll(e, (n) => {
    if (n.kind !== 'identifier') return;
    const parts = (n as Extract<Expr, { kind: 'identifier' }>).parts;
    const col = parts[parts.length - 1] as string;
    if (parts.length >= 2) {
      const q = parts[parts.length - 2];
      if (q === left.alias) l = true;
      else if (q === right.alias) r = true;
      return;
    }
    // ClickHouse resolves an unqualified name present on both sides to the left one.
    if (left.columns.has(col)) l = true;
    else if (right.columns.has(col)) r = true;
  });
  return l && r ? 'both' : l ? 'left' : r ? 'right' : 'none';
}

/** The expression with the side's qualifier removed (it is evaluated inside that side's subquery). */
function unqualified(e: Expr, side: SideNames): Expr {
  return transform(e, (n) => {
    if (n.kind !== 'identifier') return n;
    const parts = (n as Extract<Expr, { kind: 'identifier' }>).parts;
    return parts.length >= 2 && parts[parts.length - 2] === side.alias ? { kind: 'identifier', parts: [parts[parts.length - 1] as string] } : n;
  });
}

/** For messages: the ON clause as the user wrote it. */
export const onText = (on: Expr): string => print(on, 'proton');
