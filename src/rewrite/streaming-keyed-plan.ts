// Streaming reads of keyed and changelog inputs (proton-semantics §1.2, §2.2, §2.16): versioned_kv and
// changelog_kv streams, changelog-mode streams and `changelog(…)`. Every emit is a store query, so the
// engine keeps no per-key state: a read replaces the stream in the rewritten query by the relation it
// stands for at that position.
//
// | input                         | tail                                              | aggregation sees at position p      |
// |-------------------------------|---------------------------------------------------|-------------------------------------|
// | versioned_kv                  | snapshot at start, then each new row              | latest version per key of [0, p)    |
// | versioned_kv with `_tp_delta` | snapshot (+1) at start, then its changelog        | (same)                              |
// | changelog_kv                  | live rows at start, then each new ±1 row as is    | live rows per key of [0, p)         |
// | changelog (mode)              | each new ±1 row as is (an unkeyed stream: no snapshot) | the live multiset of [start, p) |
// | `changelog(s, k…)`            | its changelog from the query's start              | last row per key of [start, p)      |
//
// The live multiset of a changelog stream: each distinct row of user columns counted Σ `_tp_delta`
// times (a -1 row retracts one equal +1 row), so every aggregate sees retractions the same way
// (count() = Σ delta, sum(v) = Σ v·delta, min/max over what is live). Aggregates Proton cannot retract
// are refused with its error; so are windows (Proton: "not supported in changelog query processing").
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import { emptySelect, type BinaryOp, type Expr, type FunctionCall, type OrderItem, type Query, type Select, type SelectStatement, type WithItem } from './ast.ts';
import { protonFunction } from './function-lookup.ts';
import { rowsSelect, snapshotSelect, snBetween, type SnBounds } from './keyed-snapshot.ts';
import { print } from './printer.ts';
import { changelogLiveSelect, changelogSelect, changelogSource, versionedChangelog, type ChangelogSource } from './streaming-changelog.ts';
import type { TailPlan } from './streaming-plan.ts';
import { bindEmitVersion, type EmitPolicy } from './streaming-window-plan.ts';
import { NeedsStreaming, toClickHouse, type RewriteContext } from './to-clickhouse.ts';
import { visitAll } from './transform.ts';

export type KeyedInput =
  /** versioned_kv / changelog_kv: the current row per key. */
  | { readonly kind: 'snapshot'; readonly stream: StreamEntry }
  /** A changelog-mode stream: ±1 rows, no key. */
  | { readonly kind: 'multiset'; readonly stream: StreamEntry }
  /** `changelog(…)`, or a versioned_kv stream read with `_tp_delta`. */
  | { readonly kind: 'changelog'; readonly source: ChangelogSource };

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (n: bigint | number): Expr => ({ kind: 'number', text: String(n) });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
const star = (except: string[] = []): Expr => ({ kind: 'star', qualifier: [], except });
const sub = (query: Query, alias: string | null = null): Select['from'] => ({ kind: 'table_subquery', query, alias });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const and = (a: Expr | null, b: Expr | null): Expr | null => (a === null ? b : b === null ? a : bin('AND', a, b));
const asc = (e: Expr): OrderItem => ({ kind: 'order_item', expr: e, direction: null, nulls: null });
const live = '__hadron_live';

export const inputStream = (input: KeyedInput): StreamEntry => (input.kind === 'changelog' ? input.source.stream : input.stream);

/** Whether the input's tail and aggregations start from the stream's beginning (a keyed snapshot). */
export const fromBeginning = (input: KeyedInput): boolean => (input.kind === 'changelog' ? input.source.keyed : input.kind === 'snapshot');

/** The relation a user query reads, without `_tp_sn` (hidden from `*` like in a stream). */
const visible = (q: Select): Select => ({ ...emptySelect, columns: [star(['_tp_sn'])], from: sub(q) });

/**
 * The rows a tail emits for `range`: on its first read (`snapshot`, a keyed input read from the
 * stream's beginning) the live rows as of `range.next`, then the range's rows (or changelog rows).
 * `from`: the query's start (a changelog over an append stream begins there).
 */
export function tailRelation(input: KeyedInput, range: SnBounds, from: bigint, snapshot: boolean, ctx: RewriteContext): Select {
  switch (input.kind) {
    case 'snapshot':
      return visible(snapshot ? snapshotSelect(input.stream, { first: 0n, next: range.next }, ctx) : rowsSelect(input.stream, range));
    case 'multiset':
      return visible(rowsSelect(input.stream, range));
    case 'changelog': {
      const c = input.source;
      if (!(snapshot && c.keyed)) return visible(changelogSelect(c, range, c.keyed ? 0n : from));
      const current = changelogLiveSelect(c, 0n, range.next);
      return { ...emptySelect, columns: [star(['_tp_sn']), { kind: 'alias', expr: fn('toInt8', num(1)), name: '_tp_delta' }], from: sub(current) };
    }
  }
}

/** What an aggregation over the input sees at `next` (`from`: the query's start). */
export function aggregateRelation(input: KeyedInput, from: bigint, next: bigint, ctx: RewriteContext): Select {
  switch (input.kind) {
    case 'snapshot': return visible(snapshotSelect(input.stream, { first: 0n, next }, ctx));
    case 'changelog': return visible(changelogLiveSelect(input.source, input.source.keyed ? 0n : from, next));
    case 'multiset': return liveMultiset(input.stream, { first: from, next });
  }
}

/** Whether any row of the input is stored before `next` (an ungrouped aggregation emits nothing before). */
export function anyStored(input: KeyedInput, from: bigint, next: bigint): Expr {
  const rows = rowsSelect(inputStream(input), { first: fromBeginning(input) ? 0n : from, next });
  const count: Select = { ...emptySelect, columns: [fn('count')], from: sub(rows) };
  return { kind: 'binary', op: '>', left: { kind: 'subquery', query: count }, right: num(0) };
}

/** Each distinct row of user columns, repeated Σ `_tp_delta` times (`_tp_time`: its latest arrival). */
function liveMultiset(stream: StreamEntry, range: SnBounds): Select {
  const columns = stream.columns.filter((c) => !c.name.startsWith('_tp_') && c.name !== '_is_deleted').map((c) => id(c.name));
  const grouped: Select = {
    ...emptySelect,
    columns: [...columns, { kind: 'alias', expr: fn('max', id('_tp_time')), name: '_tp_time' }, { kind: 'alias', expr: fn('sum', id('_tp_delta')), name: live }],
    from: sub(rowsSelect(stream, range)),
    groupBy: columns,
  };
  return {
    ...emptySelect,
    columns: [star([live]), { kind: 'alias', expr: fn('toInt8', num(1)), name: '_tp_delta' }],
    from: sub(grouped),
    arrayJoin: [{ isLeft: false, items: [{ kind: 'alias', expr: fn('range', fn('toUInt64', fn('greatest', id(live), num(0)))), name: `${live}_i` }] }],
  };
}

/** Proton's retractable aggregates (SubstituteStreamingFunction), with `_if` / `_distinct` combinators. */
const retractable = new Set(['count', 'sum', 'sum_kahan', 'sum_with_overflow', 'avg', 'min', 'max', 'arg_min', 'arg_max', 'min_k', 'max_k', 'group_uniq_array', 'unique', 'unique_exact']);

/** Refuses (48, Proton's wording) aggregates over changelog input that Proton cannot retract. */
export function checkRetractable(columns: readonly Expr[]): void {
  for (const c of columns) {
    visitAll(c, (n) => {
      if (n.kind !== 'function') return;
      const f = n as FunctionCall;
      const entry = protonFunction(f.name);
      if (entry === undefined || entry.kind === 'unsupported' || !('aggregate' in entry) || !entry.aggregate || f.over != null) return;
      const name = f.name.toLowerCase();
      const base = name.replace(/(_if|_distinct)+$/, '');
      if (!retractable.has(base) && !retractable.has(name)) {
        throw new GatewayError(Code.NOT_IMPLEMENTED, `${f.name} aggregation function is not supported in changelog query processing`);
      }
    });
  }
}

/** Proton refuses windows over changelog input. */
export function refuseWindow(name: string): never {
  throw new GatewayError(Code.NOT_IMPLEMENTED, `The window '${name}' is not supported in changelog query processing`);
}

/** The keyed or changelog input a streaming SELECT reads (null: an append stream, planned by streaming-plan.ts). */
export function keyedInput(select: Select, stream: StreamEntry, ctx: RewriteContext): KeyedInput | null {
  const from = select.from;
  if (from?.kind === 'table_function' && /^changelog$/i.test(from.call.name)) return { kind: 'changelog', source: changelogSource(from.call, ctx) };
  // `SETTINGS enforce_append_only = 1`: the stream's rows as they are (no snapshot, no retraction).
  const appendOnly = select.settings.find((x) => x.name === 'enforce_append_only');
  if (appendOnly !== undefined && !(appendOnly.value.kind === 'number' && appendOnly.value.text === '0')) return null;
  switch (stream.mode) {
    case 'append': return null;
    case 'versioned_kv': case 'changelog_kv': return { kind: 'snapshot', stream };
    case 'changelog': return { kind: 'multiset', stream };
  }
}

/**
 * EMIT CHANGELOG (§1.10): the groups whose row changed between two results, as a -1 row of the row
 * emitted before and a +1 row of the new one. Both results have a `_tp_delta` column (a constant
 * placeholder where the query names it, or last), which takes the sign. `onlyNew` (EMIT ON UPDATE
 * over a changelog input, no `_tp_delta`): the new rows only. Rows compare as whole tuples, so an
 * unchanged group is left out.
 */
export function changelogDiff(before: Select, after: Select, onlyNew: boolean): Select {
  const changed = (a: Select, b: Select): Select['from'] => sub({ kind: 'set_operation', op: 'EXCEPT', mode: 'DISTINCT', left: a, right: b });
  if (onlyNew) return { ...emptySelect, columns: [star()], from: changed(after, before) };
  const side = (delta: 1 | -1, a: Select, b: Select): Select => ({
    ...emptySelect,
    columns: [{ kind: 'star', qualifier: [], except: [], transformers: [{ kind: 'star_replace', items: [{ kind: 'alias', expr: fn('toInt8', num(delta)), name: '_tp_delta' }] }] }],
    from: changed(a, b),
  });
  const plus = side(1, after, before);
  return {
    ...emptySelect, columns: [star()],
    from: sub({ kind: 'set_operation', op: 'UNION', mode: 'ALL', left: side(-1, before, after), right: plus }),
    orderBy: [asc(id('_tp_delta'))],
  };
}

/** What streaming-plan.ts has worked out when it hands a query over a keyed/changelog input (or EMIT CHANGELOG) here. */
export type KeyedQuery = {
  readonly statement: SelectStatement;
  readonly select: Select;
  readonly stream: StreamEntry;
  readonly input: KeyedInput | null;
  /** The window table function read (tumble, hop, session), or null. */
  readonly window: string | null;
  readonly dedup: boolean;
  readonly lag: boolean;
  readonly aggregated: boolean;
  readonly start: 'earliest' | 'now';
  readonly limit: number | null;
  readonly emit: EmitPolicy;
  readonly engineSettings: ReadonlySet<string>;
};

const mentions = (e: Expr | null, name: string): boolean => {
  let found = false;
  if (e !== null) visitAll(e, (n) => {
    if (n.kind === 'identifier' && (n as Extract<Expr, { kind: 'identifier' }>).parts.at(-1) === name) found = true;
    if (n.kind === 'function' && (n as FunctionCall).name.toLowerCase() === name) found = true;
  });
  return found;
};
const isDelta = (e: Expr): boolean => (e.kind === 'identifier' && e.parts.at(-1) === '_tp_delta') || (e.kind === 'alias' && e.name === '_tp_delta' && isDelta(e.expr));

/** EMIT CHANGELOG's `_tp_delta` where the query names it (else last), as a constant the difference replaces. */
function deltaPlaceholder(columns: readonly Expr[]): Expr[] {
  const placeholder: Expr = { kind: 'alias', expr: num(0), name: '_tp_delta' };
  return columns.some(isDelta) ? columns.map((c) => (isDelta(c) ? placeholder : c)) : [...columns, placeholder];
}

/** The forms Proton refuses over changelog input, or that do not run here yet (48). */
function refusals(q: KeyedQuery, changelog: boolean): void {
  if (q.window !== null) {
    if (q.input !== null) refuseWindow(q.window);
    throw new NeedsStreaming(`EMIT CHANGELOG over a ${q.window}() window`);
  }
  if (q.input !== null && (q.dedup || q.lag)) throw new NeedsStreaming('dedup() or lag/lags over a keyed or changelog stream');
  if (q.select.partitionBy.length > 0) throw new NeedsStreaming('PARTITION BY over a keyed or changelog input');
  if (!q.aggregated && q.input === null) throw new NeedsStreaming('EMIT CHANGELOG on a tail over an append stream (Proton takes it on tails over changelog sources)');
  if (q.aggregated && q.input !== null) checkRetractable([...q.select.columns, ...(q.select.having === null ? [] : [q.select.having])]);
  if (changelog && q.select.columns.some((c) => mentions(c, 'emit_version'))) {
    throw new GatewayError(Code.NOT_IMPLEMENTED, 'emit_version() is not supported with EMIT CHANGELOG');
  }
}

/** Plans a streaming SELECT over a keyed/changelog input, or one with EMIT CHANGELOG (see the table above). */
export function keyedTailPlan(q: KeyedQuery, ctx: RewriteContext): TailPlan {
  const changelog = q.select.emit?.changelog === true;
  refusals(q, changelog);
  const stream = q.stream;
  const select = q.select;
  const delta = select.columns.some((c) => mentions(c, '_tp_delta')) || mentions(select.where, '_tp_delta');
  const input = !q.aggregated && q.input?.kind === 'snapshot' && stream.mode === 'versioned_kv' && (changelog || delta)
    ? { kind: 'changelog' as const, source: versionedChangelog(stream, ctx) } : q.input;
  const alias = select.from?.kind === 'table_ref' || select.from?.kind === 'table_function' ? select.from.alias : null;
  const ref = { kind: 'table_ref' as const, name: { kind: 'identifier' as const, parts: [stream.database, stream.name] }, alias };
  const plain: Select = {
    ...select, emit: null, from: input === null ? select.from : ref,
    columns: changelog && q.aggregated ? deltaPlaceholder(select.columns) : select.columns,
    limit: q.aggregated ? select.limit : null, settings: select.settings.filter((s) => !q.engineSettings.has(s.name)),
  };
  const checked = toClickHouse(bindEmitVersion({ ...q.statement, query: plain, format: null }), ctx);
  const rewritten = checked.statement.query as Select;
  // FINAL collapses versions before WHERE: the relations below pick versions themselves.
  const settings = new Map([...checked.settings].filter(([k]) => k !== 'final'));
  const limited = (n: number | null): Select['limit'] => (n === null ? rewritten.limit : { limit: num(n), offset: null, withTies: false });
  const printed = (s: Select): string => print({ kind: 'select_statement', query: s, format: null }, 'clickhouse');
  const named = alias ?? stream.name;
  let startSn: bigint | null = null;
  let previous: bigint | null = null;
  const at = (from: bigint, next: bigint, version: number): Select => {
    const base: Select = input === null
      ? { ...rewritten, where: and(rewritten.where, snBetween({ first: from, next })) }
      : { ...rewritten, from: sub(aggregateRelation(input, from, next, ctx), named) };
    const guard = select.groupBy.length > 0 ? null : input === null ? bin('>', fn('count'), num(0)) : anyStored(input, from, next);
    const emitVersion: WithItem = { kind: 'with_expr', name: '__hadron_emit_version', expr: num(version) };
    return { ...base, with: [...rewritten.with, emitVersion], having: and(base.having, guard), limit: rewritten.limit };
  };
  const plan = {
    kind: 'tail' as const, stream, limit: q.limit, format: q.statement.format, settings,
    start: input !== null && fromBeginning(input) ? 'earliest' as const : q.start,
    aggregate: q.aggregated ? { periodMs: q.emit.periodMs, repeat: q.emit.repeat, onUpdate: q.emit.onUpdate } : null,
    window: null, dedup: null,
    sql: (range: SnBounds, n: number | null): string => {
      if (startSn === null && range.next > range.first) startSn = range.first;
      const rel = tailRelation(input as KeyedInput, range, startSn ?? range.first, range.first === 0n && fromBeginning(input as KeyedInput), ctx);
      return printed({ ...rewritten, from: sub(rel, named), limit: limited(n) });
    },
    read: (r: { rows: SnBounds; changedSince: bigint | null; version: number }, n: number | null): string => {
      const now = at(r.rows.first, r.rows.next, r.version);
      if (changelog) {
        const before = at(r.rows.first, previous ?? r.rows.first, r.version);
        previous = r.rows.next;
        return printed({ ...changelogDiff(before, now, false), limit: limited(n) });
      }
      if (r.changedSince !== null) return printed({ ...changelogDiff(at(r.rows.first, r.changedSince, r.version), now, true), limit: limited(n) });
      return printed({ ...now, limit: limited(n) });
    },
  };
  return plan;
}
