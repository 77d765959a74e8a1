// The query half of the printer: SELECT clauses, FROM items and joins, windows, ORDER BY items and
// EMIT. Expression spellings and the dialect table are in printer.ts.
import type {
  ArrayJoin, Emit, Expr, FrameBound, Join, Limit, OrderItem, Query, Select, SetOperation, TableRef, WindowSpec, WithItem,
} from './ast.ts';
import { identifier, type Print, type QueryPrinter } from './printer.ts';
import { precedence } from './parse-cursor.ts';
import { string } from './printer.ts';

export function printSelect(s: Select, r: QueryPrinter): string {
  const p = r.p;
  const exprs = (items: readonly Expr[]) => items.map((e) => p(e)).join(', ');
  const parts: string[] = [];
  if (s.with.length > 0) parts.push(`WITH ${s.with.map((w: WithItem) => r.node(w)).join(', ')}`);
  const distinct = s.distinctOn.length > 0 ? `DISTINCT ON (${exprs(s.distinctOn)}) ` : s.distinct ? 'DISTINCT ' : '';
  parts.push(`SELECT ${distinct}${exprs(s.columns)}`);
  if (s.from !== null) parts.push(`FROM ${r.node(s.from)}`);
  for (const a of s.arrayJoin) parts.push(arrayJoin(a, p));
  if (s.prewhere !== null) parts.push(`PREWHERE ${p(s.prewhere)}`);
  if (s.where !== null) parts.push(`WHERE ${p(s.where)}`);
  if (s.partitionBy.length > 0) parts.push(r.spelling.substreams('PARTITION BY', exprs(s.partitionBy)));
  if (s.shuffleBy.length > 0) parts.push(r.spelling.substreams('SHUFFLE BY', exprs(s.shuffleBy)));
  parts.push(...groupBy(s, exprs));
  if (s.having !== null) parts.push(`HAVING ${p(s.having)}`);
  if (s.window.length > 0) parts.push(`WINDOW ${s.window.map((w) => `${identifier(w.name)} AS (${r.node(w.spec)})`).join(', ')}`);
  if (s.qualify !== null) parts.push(`QUALIFY ${p(s.qualify)}`);
  if (s.emit !== null) parts.push(r.node(s.emit));
  if (s.orderBy.length > 0) parts.push(`ORDER BY ${s.orderBy.map((o) => r.node(o)).join(', ')}`);
  if (s.interpolate !== null) {
    const items = s.interpolate.map((i) => `${identifier(i.name)}${i.expr === null ? '' : ` AS ${p(i.expr)}`}`);
    parts.push(items.length === 0 ? 'INTERPOLATE' : `INTERPOLATE (${items.join(', ')})`);
  }
  if (s.limitBy !== null) parts.push(`LIMIT ${limit(s.limitBy.limit, s.limitBy.offset, p)} BY ${exprs(s.limitBy.by)}`);
  if (s.limit !== null) parts.push(topLimit(s.limit, p));
  if (s.settings.length > 0) parts.push(`SETTINGS ${s.settings.map((x) => r.node(x)).join(', ')}`);
  return parts.join(' ');
}

function groupBy(s: Select, exprs: (items: readonly Expr[]) => string): string[] {
  const out: string[] = [];
  if (s.groupByMode === 'ALL') out.push('GROUP BY ALL');
  else if (s.groupByMode === 'GROUPING SETS') out.push(`GROUP BY GROUPING SETS (${s.groupingSets.map((g) => `(${exprs(g)})`).join(', ')})`);
  else if (s.groupBy.length > 0) out.push(`GROUP BY ${exprs(s.groupBy)}`);
  if (s.groupByMode === 'ROLLUP' || s.groupByMode === 'CUBE') out.push(`WITH ${s.groupByMode}`);
  if (s.withTotals) out.push('WITH TOTALS');
  return out;
}

function arrayJoin(a: ArrayJoin, p: Print): string {
  return `${a.isLeft ? 'LEFT ' : ''}ARRAY JOIN ${a.items.map((e) => p(e)).join(', ')}`;
}

function limit(n: Expr, offset: Expr | null, p: Print): string {
  return `${p(n)}${offset === null ? '' : ` OFFSET ${p(offset)}`}`;
}

function topLimit(l: Limit, p: Print): string {
  if (l.limit === null) return `OFFSET ${p(l.offset as Expr)}`;
  return `LIMIT ${limit(l.limit, l.offset, p)}${l.withTies ? ' WITH TIES' : ''}`;
}

/** Set operations nest leftwards; a right operand that is one, or a looser left operand of INTERSECT, is bracketed. */
export function printSetOperation(n: SetOperation, r: QueryPrinter): string {
  const loose = (q: Query) => q.kind === 'set_operation' && q.op !== 'INTERSECT';
  const left = n.op === 'INTERSECT' && loose(n.left) ? `(${r.node(n.left)})` : r.node(n.left);
  const right = n.right.kind === 'set_operation' ? `(${r.node(n.right)})` : r.node(n.right);
  return `${left} ${n.op} ${n.mode} ${right}`;
}

export function printTableRef(n: TableRef, r: QueryPrinter): string {
  const sample = n.sample ? ` SAMPLE ${r.p(n.sample.ratio)}${n.sample.offset === null ? '' : ` OFFSET ${r.p(n.sample.offset)}`}` : '';
  return `${r.node(n.name)}${alias(n.alias)}${n.final ? ' FINAL' : ''}${sample}`;
}

export function alias(name: string | null): string {
  return name === null ? '' : ` AS ${identifier(name)}`;
}

export function printJoin(n: Join, r: QueryPrinter): string {
  const right = n.right.kind === 'join' ? `(${r.node(n.right)})` : r.node(n.right);
  if (n.comma) return `${r.node(n.left)}, ${right}`;
  const words = [n.global ? 'GLOBAL' : null, n.strictness, n.joinKind, 'JOIN'].filter((w) => w !== null).join(' ');
  const cond = n.on !== null ? ` ON ${r.p(n.on)}` : n.using !== null ? ` USING (${n.using.map(identifier).join(', ')})` : '';
  return `${r.node(n.left)} ${words} ${right}${cond}`;
}

/** The inside of `OVER (…)` and `WINDOW w AS (…)`. */
export function printWindowSpec(w: WindowSpec, r: QueryPrinter): string {
  const parts: string[] = [];
  if (w.base !== null) parts.push(identifier(w.base));
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${w.partitionBy.map((e) => r.p(e)).join(', ')}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${w.orderBy.map((o) => r.node(o)).join(', ')}`);
  if (w.frame !== null) parts.push(`${w.frame.unit} BETWEEN ${bound(w.frame.start, r.p)} AND ${bound(w.frame.end, r.p)}`);
  return parts.join(' ');
}

function bound(b: FrameBound, p: Print): string {
  return b.offset === null ? b.type : `${p(b.offset, precedence.postfix)} ${b.type}`;
}

export function printOrderItem(n: OrderItem, p: Print): string {
  const fill = n.fill
    ? ` WITH FILL${n.fill.from === null ? '' : ` FROM ${p(n.fill.from)}`}${n.fill.to === null ? '' : ` TO ${p(n.fill.to)}`}${n.fill.step === null ? '' : ` STEP ${p(n.fill.step)}`}`
    : '';
  const collate = n.collate != null ? ` COLLATE ${string(n.collate)}` : '';
  return `${p(n.expr)}${n.direction === null ? '' : ` ${n.direction}`}${n.nulls === null ? '' : ` NULLS ${n.nulls}`}${collate}${fill}`;
}

/** Proton 1.6's EMIT grammar (the source baseline), plus the 3.x-only key-expiry and session-close items. */
export function printEmit(e: Emit, p: Print): string {
  const i = (x: Expr) => p(x, precedence.postfix);
  const items: string[] = [];
  if (e.afterWindowClose) items.push(`AFTER WATERMARK${e.delay === null ? '' : ` WITH DELAY ${i(e.delay)}`}`);
  else if (e.delay !== null) items.push(`WITH DELAY ${i(e.delay)}`);
  if (e.afterKeyExpire || e.afterSessionClose) {
    const by = e.identifiedBy === null ? '' : ` IDENTIFIED BY ${p(e.identifiedBy)}`;
    const span = e.maxSpan === null ? '' : ` WITH ${e.onlyMaxSpan ? 'ONLY ' : ''}MAXSPAN ${i(e.maxSpan)}`;
    items.push(`AFTER ${e.afterKeyExpire ? 'KEY EXPIRE' : 'SESSION CLOSE'}${by}${span}`);
  }
  if (e.periodic !== null) items.push(`PERIODIC ${i(e.periodic)}${e.repeat ? ' REPEAT' : ''}`);
  if (e.onUpdate) items.push('ON UPDATE');
  if (e.perEvent) items.push('PER EVENT');
  if (e.timeout !== null) items.push(`${items.length > 0 ? 'AND ' : ''}TIMEOUT ${i(e.timeout)}`);
  if (e.last !== null) items.push(`${items.length > 0 ? 'AND ' : ''}LAST ${i(e.last)}${e.lastOnProctime ? ' ON PROCTIME' : ''}`);
  return ['EMIT', e.changelog ? 'CHANGELOG' : 'STREAM', ...items].join(' ');
}
