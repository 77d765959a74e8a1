// Proton's streaming-only row functions in a tail (proton-semantics §1.12): `lag(col [, n=1] [, d])`,
// `lags(col, begin, end [, d])` and `FROM dedup(s, key, … [, ttl] [, max_keys])`, computed by the store
// over the stored rows of each `_tp_sn` range like any tail (streaming-plan.ts). `lag` reads the
// previous rows of a range again: a window function over the range's rows plus the last n rows
// before it (since the query's start, among the rows that pass the WHERE, per PARTITION BY key).
// A `dedup` tail keeps its key set in the engine (streaming/dedup.ts): a probe gives each row's key
// hash, the key set picks the rows that pass, and the range's SQL reads those `_tp_sn` runs. An
// aggregation over `dedup` reads the first row per key of every row since the start (ttl and
// max_keys do not apply there: docs/streaming.md).
import { Code, GatewayError } from '../errors.ts';
import type { Expr, FunctionCall, Select, WindowSpec } from './ast.ts';
import { emptySelect } from './ast.ts';
import { print } from './printer.ts';
import { msPerUnit } from './streaming-window-plan.ts';
import { NeedsStreaming } from './to-clickhouse.ts';
import { transform, visitAll } from './transform.ts';

/** A `_tp_sn` range `[first, next)` of stored rows. */
type Range = { readonly first: bigint; readonly next: bigint };
type Sn = () => Expr;

/** Marks the OVER of a rewritten `lag`, consumed by `lagSql` (never printed). */
const lagMarker = '__hadron_lag';
const num = (n: bigint | number): Expr => ({ kind: 'number', text: String(n) });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
const and = (left: Expr, right: Expr | null): Expr => (right === null ? left : { kind: 'binary', op: 'AND', left, right });
const cmp = (op: '>=' | '<', left: Expr, n: bigint): Expr => ({ kind: 'binary', op, left, right: num(n) });
const isLag = (e: Expr): e is FunctionCall => e.kind === 'function' && /^lags?$/i.test(e.name) && e.over == null;

/** Whether `e` calls `lag` / `lags`. */
export function hasLag(e: Expr): boolean {
  let found = false;
  visitAll(e, (n) => {
    if (n.kind !== 'subquery' && isLag(n as Expr)) found = true;
  });
  return found;
}

/** A whole non-negative literal argument of lag/lags (offsets are fixed per query). */
function offset(e: Expr | undefined, name: string, fallback: number | null): number {
  if (e === undefined && fallback !== null) return fallback;
  if (e?.kind !== 'number' || !/^\d+$/.test(e.text)) throw new GatewayError(Code.BAD_ARGUMENTS, `${name}() takes whole non-negative literal offsets`);
  return Number(e.text);
}

/** The offsets a lag/lags call reads, and its column and default. */
function lagCall(f: FunctionCall): { column: Expr; offsets: number[]; fallback: Expr | null } {
  const column = f.args[0];
  if (column === undefined) throw new GatewayError(Code.NUMBER_OF_ARGUMENTS_DOESNT_MATCH, `${f.name}() needs a column`);
  if (/^lag$/i.test(f.name)) {
    if (f.args.length > 3) throw new GatewayError(Code.NUMBER_OF_ARGUMENTS_DOESNT_MATCH, 'lag(column [, offset] [, default])');
    return { column, offsets: [offset(f.args[1], 'lag', 1)], fallback: f.args[2] ?? null };
  }
  if (f.args.length < 3 || f.args.length > 4) throw new GatewayError(Code.NUMBER_OF_ARGUMENTS_DOESNT_MATCH, 'lags(column, begin, end [, default])');
  const begin = offset(f.args[1], 'lags', null);
  const end = offset(f.args[2], 'lags', null);
  if (end < begin) throw new GatewayError(Code.BAD_ARGUMENTS, 'lags(column, begin, end): end must not be below begin');
  return { column, offsets: Array.from({ length: end - begin + 1 }, (_, i) => begin + i), fallback: f.args[3] ?? null };
}

/**
 * The tail's SELECT list with each `lag(x, n, d)` as `lag_in_frame(x, n, d) OVER (PARTITION BY
 * <partitionBy> ORDER BY _tp_sn ROWS BETWEEN depth PRECEDING AND CURRENT ROW)` and each `lags` as the
 * array of those, most recent first; `depth` is the largest offset. Still Proton: the rewrite runs next.
 * Precondition: `hasLag` holds for some item.
 */
export function lagColumns(select: Select, sn: Sn): { select: Select; depth: number } {
  let depth = 0;
  for (const c of select.columns) {
    visitAll(c, (n) => {
      if (n.kind !== 'subquery' && isLag(n as Expr)) depth = Math.max(depth, ...lagCall(n as FunctionCall).offsets);
    });
  }
  const over: WindowSpec = {
    kind: 'window_spec', base: lagMarker, partitionBy: select.partitionBy,
    orderBy: [{ kind: 'order_item', expr: sn(), direction: null, nulls: null }],
    frame: { unit: 'ROWS', start: { type: 'PRECEDING', offset: num(depth) }, end: { type: 'CURRENT ROW', offset: null } },
  };
  const one = (column: Expr, n: number, fallback: Expr | null): Expr => ({ ...(fn('lag_in_frame', column, num(n), ...(fallback === null ? [] : [fallback])) as FunctionCall), over });
  const replaced = (c: Expr): Expr => transform(c, (n) => {
    if (!isLag(n as Expr)) return n;
    const f = n as FunctionCall;
    const { column, offsets, fallback } = lagCall(f);
    return /^lag$/i.test(f.name) ? one(column, offsets[0] as number, fallback) : { kind: 'array', items: offsets.map((k) => one(column, k, fallback)) };
  }, (n) => n.kind !== 'subquery' && n.kind !== 'lambda');
  // An unaliased item keeps the name of what the client wrote (`lag(v)`), in either dialect.
  const columns = select.columns.map((c) => (!hasLag(c) ? c : c.kind === 'alias' ? replaced(c) : { kind: 'alias' as const, expr: replaced(c), name: print(c, 'proton') }));
  return { select: { ...select, columns }, depth };
}

/**
 * The per-range SELECT of a rewritten lag tail: the range's rows plus, read again, the last `depth`
 * rows before it since `start` that pass the WHERE (per partition key), the window computed over
 * both, and only the range's rows kept (QUALIFY), in `_tp_sn` order. A default is cast to the
 * column's type (ClickHouse's lagInFrame wants the same type; Proton converts).
 */
export function lagSql(rewritten: Select, depth: number, sn: Sn, start: bigint, range: Range): Select {
  let keys: readonly Expr[] = [];
  const columns = rewritten.columns.map((c) => transform(c, (n) => {
    const f = n as FunctionCall;
    if (n.kind !== 'function' || f.over?.base !== lagMarker) return n;
    keys = f.over.partitionBy;
    const [column, k, fallback] = f.args as [Expr, Expr, Expr | undefined];
    const args = fallback === undefined ? [column, k] : [column, k, fn('CAST', fallback, fn('toTypeName', column))];
    return { ...f, args, over: { ...f.over, base: null } };
  }));
  const inRange = and(cmp('>=', sn(), range.first), cmp('<', sn(), range.next));
  const before: Select = {
    ...emptySelect, columns: [sn()], from: rewritten.from,
    where: and(and(cmp('>=', sn(), start), cmp('<', sn(), range.first)), rewritten.where),
    orderBy: [{ kind: 'order_item', expr: sn(), direction: 'DESC', nulls: null }],
    ...(keys.length === 0
      ? { limit: { limit: num(depth), offset: null, withTies: false } }
      : { limitBy: { limit: num(depth), offset: null, by: keys } }),
  };
  const previous: Expr = { kind: 'binary', op: 'IN', left: sn(), right: { kind: 'subquery', query: before } };
  const rows: Expr = depth === 0 || range.first <= start ? inRange : { kind: 'binary', op: 'OR', left: inRange, right: previous };
  return {
    ...rewritten, columns,
    where: rewritten.where === null ? rows : and(rewritten.where, rows),
    qualify: and(cmp('>=', sn(), range.first), rewritten.qualify),
    orderBy: rewritten.orderBy.length > 0 ? rewritten.orderBy : [{ kind: 'order_item', expr: sn(), direction: null, nulls: null }],
  };
}

/**
 * The SELECT of an aggregation emit over dedup: the rewrite made `dedup(s, keys)` the subquery
 * `(SELECT * FROM s ORDER BY _tp_sn LIMIT 1 BY keys)`; its rows are limited to the range and to keys no
 * row of `[start, range.first)` carried, so each key passes once since the query's start.
 */
export function dedupSql(rewritten: Select, start: bigint, range: Range): Select {
  const from = rewritten.from;
  if (from?.kind !== 'table_subquery' || from.query.kind !== 'select' || from.query.limitBy === null) return rewritten;
  const q = from.query;
  const keys = q.limitBy?.by ?? [];
  const sn: Expr = { kind: 'identifier', parts: ['_tp_sn'] };
  const inRange = and(cmp('>=', sn, range.first), cmp('<', sn, range.next));
  // One tuple column on both sides: a NULL key is then a value of the set (a bare NULL is never NOT IN).
  const key = fn('tuple', ...keys);
  const seen: Select = { ...emptySelect, columns: [key], from: q.from, where: and(cmp('>=', sn, start), cmp('<', sn, range.first)) };
  const fresh: Expr = { kind: 'binary', op: 'NOT IN', left: key, right: { kind: 'subquery', query: seen } };
  const where = range.first <= start ? inRange : and(inRange, fresh);
  return { ...rewritten, from: { ...from, query: { ...q, where: q.where === null ? where : and(q.where, where) } } };
}

/** The key set's bounds of `dedup(s, key, … [, ttl] [, max_keys])` (see streaming/dedup.ts). */
export type DedupBounds = { readonly maxKeys: number; readonly ttlMs: number };

/** Proton's default `max_keys` (DedupTransform::initKeySet). */
const defaultMaxKeys = 10_000;

/**
 * The bounds of a dedup call: a trailing whole number is `max_keys` (0: no limit), an interval
 * literal after the keys is `ttl` (`0s`: forever), in any unit from milliseconds to days.
 */
export function dedupBounds(call: FunctionCall): DedupBounds {
  const rest = call.args.slice(1);
  const last = rest.at(-1);
  const maxKeys = last?.kind === 'number' ? wholeNumber(last.text, 'dedup() max_keys') : defaultMaxKeys;
  const ttl = rest.find((a) => a.kind === 'interval');
  if (ttl === undefined) return { maxKeys, ttlMs: 0 };
  const unit = ttl.kind === 'interval' ? msPerUnit[ttl.unit] : undefined;
  if (ttl.kind !== 'interval' || ttl.value.kind !== 'number' || unit === undefined) {
    throw new GatewayError(Code.BAD_ARGUMENTS, 'dedup() ttl takes an interval literal from milliseconds to days (e.g. 120s)');
  }
  return { maxKeys, ttlMs: wholeNumber(ttl.value.text, 'dedup() ttl') * unit };
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new GatewayError(Code.BAD_ARGUMENTS, `${what} takes a whole non-negative number`);
  return Number(text);
}

/** The rewritten `dedup(s, keys)` subquery (`SELECT * FROM s ORDER BY _tp_sn LIMIT 1 BY keys`), or null. */
function dedupSubquery(rewritten: Select): Select | null {
  const from = rewritten.from;
  return from?.kind === 'table_subquery' && from.query.kind === 'select' && from.query.limitBy !== null ? from.query : null;
}

/**
 * The probe of a dedup tail's range: `{k, sn}` per stored row of the range in `_tp_sn` order, `k` the
 * 128-bit SipHash of the key tuple (as Proton's KeySet; a NULL key is a value like any other), `sn` a string.
 */
export function dedupProbe(rewritten: Select, range: Range): string {
  const q = dedupSubquery(rewritten);
  if (q === null) throw new GatewayError(Code.LOGICAL_ERROR, 'A streaming dedup() lost its key subquery');
  const sn: Expr = { kind: 'identifier', parts: ['_tp_sn'] };
  const probe: Select = {
    ...emptySelect, from: q.from,
    columns: [
      { kind: 'alias', expr: fn('hex', fn('sipHash128', fn('tuple', ...(q.limitBy?.by ?? [])))), name: 'k' },
      { kind: 'alias', expr: fn('toString', sn), name: 'sn' },
    ],
    where: and(cmp('>=', sn, range.first), cmp('<', sn, range.next)),
    orderBy: [{ kind: 'order_item', expr: sn, direction: null, nulls: null }],
  };
  return print({ kind: 'select_statement', query: probe, format: null }, 'clickhouse');
}

/**
 * The SELECT of a dedup tail's read: the rows of the `_tp_sn` runs the key set kept (each run
 * `[first, next)`), in `_tp_sn` order. No LIMIT 1 BY: a key forgotten inside a range passes again.
 */
export function dedupKeptSql(rewritten: Select, kept: readonly Range[]): Select {
  const q = dedupSubquery(rewritten);
  const from = rewritten.from;
  if (q === null || from?.kind !== 'table_subquery') return rewritten;
  const sn: Expr = { kind: 'identifier', parts: ['_tp_sn'] };
  const run = (r: Range): Expr => (r.next === r.first + 1n ? fn('equals', sn, num(r.first)) : and(cmp('>=', sn, r.first), cmp('<', sn, r.next)));
  // One flat or(...) call: a chain of binary ORs would nest as deep as the runs are many.
  const where = kept.length === 0 ? num(0) : kept.length === 1 ? run(kept[0] as Range) : fn('or', ...kept.map(run));
  return { ...rewritten, from: { ...from, query: { ...q, limitBy: null, where: q.where === null ? where : and(q.where, where) } } };
}

/** `dedup(s, key, … [, ttl] [, max_keys])` read by a tail: the stream's name (only a stream is tailed). */
export function dedupSource(call: FunctionCall): Expr {
  const name = call.args[0];
  if (name?.kind !== 'identifier') throw new NeedsStreaming('A streaming dedup() over a subquery or a table function');
  return name;
}
