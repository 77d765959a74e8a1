// Streaming SELECT over one append stream (proton-semantics §1.9–§1.11, §2.1, §2.3, §2.7): a tail
// (filter/projection, optional LIMIT), a global aggregation, or a tumble/hop aggregation
// (streaming-window-plan.ts), with its emit policy. The engine (streaming/tail.ts) reads the rows of
// each published `_tp_sn` range from the store with the SQL this module prints, so every function
// that works historically works here too. A read of a view that filters/projects a stream is composed
// with that stream first (§1.5). `lag`/`lags` and `dedup()` tails read the rows before each range
// again (streaming-functions.ts); session() aggregations are planned in streaming-session-plan.ts.
// Keyed and changelog inputs, changelog() and EMIT CHANGELOG are planned in streaming-keyed-plan.ts.
// Joins, views that aggregate and the other forms not built yet are refused with NeedsStreaming (48).
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import type { Expr, Limit, Select, SelectStatement, Setting, WithItem } from './ast.ts';
import { protonFunction } from './function-lookup.ts';
import { print } from './printer.ts';
import { NeedsStreaming, toClickHouse, type RewriteContext } from './to-clickhouse.ts';
import { visitAll } from './transform.ts';
import { composeSources } from './streaming-compose.ts';
import { dedupBounds, dedupKeptSql, dedupProbe, dedupSource, dedupSql, hasLag, lagColumns, lagSql, type DedupBounds } from './streaming-functions.ts';
import { keyedInput, keyedTailPlan } from './streaming-keyed-plan.ts';
import { bindEmitVersion, emitPolicy, windowCall, windowSql, type SnRange, type WindowCall, type WindowRead, type WindowSql } from './streaming-window-plan.ts';
import { sessionCall, sessionTailPlan, type SessionCall, type SessionSql } from './streaming-session-plan.ts';

export type { SnRange, WindowRead } from './streaming-window-plan.ts';

export type TailPlan = {
  readonly kind: 'tail';
  readonly stream: StreamEntry;
  /** Where reading starts: the stream's beginning (a rewind) or the rows appended after the query starts. */
  readonly start: 'earliest' | 'now';
  /** Rows after which the query ends (LIMIT n), or null. */
  readonly limit: number | null;
  /**
   * An aggregation (windowed or global) and when it emits: every `periodMs` (null: after each
   * range, ON UPDATE), even without new rows when `repeat`, only changed groups when `onUpdate`.
   */
  readonly aggregate: { readonly periodMs: number | null; readonly repeat: boolean; readonly onUpdate: boolean } | null;
  /** A tumble/hop aggregation: the window state machine's parameters and per-range probe. */
  readonly window: (WindowSql & { readonly maxWindows: number; readonly timeoutMs: number | null; readonly final: boolean }) | null;
  /** A session() aggregation: the session machine's parameters, probe and emits (streaming-session-plan.ts). */
  readonly session?: SessionSql | null;
  /**
   * A dedup() tail (h-bounded): the key set's bounds and the probe of a range's keys
   * (streaming/dedup.ts); its `sql` then reads the `kept` runs of the range.
   */
  readonly dedup: (DedupBounds & { probe(range: SnRange): string }) | null;
  /** ClickHouse SQL over the stream's rows in `range` (a tail; a dedup tail: its `kept` runs), LIMIT `limit` when given. */
  sql(range: SnRange, limit: number | null, kept?: readonly SnRange[]): string;
  /** ClickHouse SQL of one emit of an aggregation. */
  read(read: WindowRead, limit: number | null): string;
  readonly format: string | null;
  readonly settings: ReadonlyMap<string, string>;
};

/** Proton's default emit for a global aggregation: every 2 s, only when new rows arrived (§2.3). */
const defaultPeriodMs = 2000;
const defaultMaxWindows = 1000;
/** Proton's WINDOW_COLUMN_NOT_REFERENCED (named in errors.ts' Proton table, not in its Code table). */
const windowColumnNotReferenced = Code.WINDOW_COLUMN_NOT_REFERENCED;
const engineSettings = new Set(['seek_to', 'max_windows']);

/** Plans a streaming SELECT; throws NeedsStreaming for the forms the engine does not run yet. */
export function tailPlan(written: SelectStatement, ctx: RewriteContext): TailPlan {
  if (written.query.kind !== 'select') throw new NeedsStreaming('A streaming UNION / INTERSECT / EXCEPT');
  const select = composeSources(written.query, ctx, 0);
  const statement: SelectStatement = select === written.query ? written : { ...written, query: select };
  const { stream, call, dedup } = source(select, ctx);
  const aggregated = select.groupBy.length > 0 || select.columns.some(hasAggregate);
  const lag = rowFunctions(select, aggregated, call !== null, dedup);
  if (call !== null && aggregated && !select.groupBy.some(isWindowColumn)) {
    throw new GatewayError(windowColumnNotReferenced, 'A windowed aggregation must GROUP BY window_start or window_end');
  }
  const emit = emitPolicy(select.emit, aggregated, call !== null && aggregated);
  if (dedup && emit.onUpdate) throw new NeedsStreaming('EMIT ON UPDATE over a streaming dedup()');
  const seek = seekTo(select.settings);
  const start = seek ?? (rewinds(select) ? 'earliest' : 'now');
  const limit = limitOf(select);
  // Keyed and changelog inputs, changelog() and EMIT CHANGELOG: planned apart (streaming-keyed-plan.ts).
  const input = keyedInput(select, stream, ctx);
  if (input !== null || select.emit?.changelog === true) return keyedTailPlan({ statement, select, stream, input, window: call?.name ?? null, dedup, lag, aggregated, start, limit, emit, engineSettings }, ctx);
  // session(): planned apart (streaming-session-plan.ts).
  if (call?.name === 'session') return sessionTailPlan({ statement, select, stream, call, start, limit, emit, aggregated, maxWindows: maxWindows(select.settings), engineSettings }, ctx);
  const alias = select.from?.kind === 'table_ref' ? select.from.alias : null;
  const sn = (): Expr => ({ kind: 'identifier', parts: alias === null ? ['_tp_sn'] : [alias, '_tp_sn'] });
  const plain: Select = { ...select, emit: null, limit: aggregated ? select.limit : null, settings: select.settings.filter((s) => !engineSettings.has(s.name)) };
  // lag/lags: window functions per PARTITION BY key (the only substreams a tail has).
  const lagged = lag ? lagColumns(plain, sn) : null;
  const base: Select = { ...(lagged?.select ?? plain), partitionBy: [] };
  // Checked once (unknown functions, streaming-only ones): the per-range SQL reuses the same rewrite.
  const checked = toClickHouse(bindEmitVersion({ ...statement, query: base, format: null }), ctx);
  const rewritten = checked.statement.query as Select;
  const window = call === null || !aggregated ? null : windowSql(call, checked, select.partitionBy, select.emit?.delay ?? null, ctx);
  if (select.partitionBy.length > 0 && window === null && !lag) throw new NeedsStreaming('PARTITION BY without a tumble/hop window or lag()');
  const inRange = (range: SnRange): Expr => ({
    kind: 'binary', op: 'AND',
    left: { kind: 'binary', op: '>=', left: sn(), right: { kind: 'number', text: String(range.first) } },
    right: { kind: 'binary', op: '<', left: sn(), right: { kind: 'number', text: String(range.next) } },
  });
  const limited = (rowLimit: number | null): Limit | null => (rowLimit === null ? rewritten.limit : { limit: { kind: 'number', text: String(rowLimit) }, offset: null, withTies: false });
  const printed = (q: Select): string => print({ kind: 'select_statement', query: q, format: null }, 'clickhouse');
  const windowTail = call !== null && !aggregated;
  // The query's start: the engine's first read (backfill or first live range) begins there.
  let startSn: bigint | null = null;
  return {
    // h-bounded: the query's SETTINGS max_memory_usage also bounds its state and every store query it runs.
    kind: 'tail', stream, start, limit, format: statement.format, settings: withMemorySetting(checked.settings, select.settings),
    aggregate: aggregated ? { periodMs: emit.periodMs, repeat: emit.repeat, onUpdate: emit.onUpdate } : null,
    window: window === null ? null : { ...window, maxWindows: maxWindows(select.settings), timeoutMs: emit.timeoutMs, final: emit.final },
    // h-bounded: a dedup tail's key set lives in the engine (streaming/dedup.ts).
    dedup: !dedup || aggregated || select.from?.kind !== 'table_function' ? null : { ...dedupBounds(select.from.call), probe: (range) => dedupProbe(rewritten, range) },
    sql: (range, rowLimit, kept) => {
      if (startSn === null && range.next > range.first) startSn = range.first;
      const from = startSn ?? range.first;
      if (lagged !== null) return printed({ ...lagSql(rewritten, lagged.depth, sn, from, range), limit: limited(rowLimit) });
      if (dedup) return printed({ ...dedupKeptSql(rewritten, kept ?? [range]), limit: limited(rowLimit) });
      // The range predicate has no functions, so it joins the already rewritten WHERE as it is.
      if (windowTail) return printed({ ...inWindowSubquery(rewritten, inRange(range)), limit: limited(rowLimit) });
      const where: Expr = rewritten.where === null ? inRange(range) : { kind: 'binary', op: 'AND', left: rewritten.where, right: inRange(range) };
      return printed({ ...rewritten, where, limit: limited(rowLimit) });
    },
    read: (r, rowLimit) => {
      if (window !== null) return window.sql(r, rowLimit);
      const version: WithItem = { kind: 'with_expr', name: '__hadron_emit_version', expr: { kind: 'number', text: String(r.version) } };
      // Over dedup(): the first row per key of all the rows since the start (ON UPDATE is refused).
      if (dedup) return printed({ ...dedupSql(rewritten, r.rows.first, r.rows), with: [...rewritten.with, version], limit: limited(rowLimit) });
      const where: Expr = rewritten.where === null ? inRange(r.rows) : { kind: 'binary', op: 'AND', left: rewritten.where, right: inRange(r.rows) };
      const changed: Expr | null = r.changedSince === null ? null : { kind: 'binary', op: '>=', left: { kind: 'function', name: 'max', params: null, args: [sn()], distinct: false }, right: { kind: 'number', text: String(r.changedSince) } };
      const having = changed === null ? rewritten.having : rewritten.having === null ? changed : { kind: 'binary', op: 'AND', left: rewritten.having, right: changed } as Expr;
      return printed({ ...rewritten, with: [...rewritten.with, version], where, having, limit: limited(rowLimit) });
    },
  };
}

/** The stream read and, for `tumble(s, …)` / `hop(s, …)`, the window call. */
function source(select: Select, ctx: RewriteContext): { stream: StreamEntry; call: WindowCall | SessionCall | null; dedup: boolean } {
  const from = select.from;
  let name: Expr | undefined;
  let call: WindowCall | SessionCall | null = null;
  const dedup = from?.kind === 'table_function' && /^dedup$/i.test(from.call.name);
  if (from?.kind === 'table_ref') name = from.name;
  else if (from?.kind === 'table_function' && dedup) name = dedupSource(from.call);
  else if (from?.kind === 'table_function' && /^(tumble|hop)$/i.test(from.call.name)) {
    name = from.call.args[0];
    call = windowCall(from.call);
  } else if (from?.kind === 'table_function' && /^session$/i.test(from.call.name)) {
    name = from.call.args[0];
    call = sessionCall(from.call);
  }
  else if (from?.kind === 'table_function' && /^changelog$/i.test(from.call.name)) name = from.call.args[0];
  else throw new NeedsStreaming('A streaming query over joins, subqueries or table functions');
  if (name?.kind !== 'identifier') throw new NeedsStreaming('A streaming window over a subquery or a table function');
  const parts = name.parts;
  const stream = ctx.catalog.stream(parts.length > 1 ? (parts[0] as string) : ctx.database, parts[parts.length - 1] as string);
  if (stream === undefined) throw new NeedsStreaming('A streaming query over something that is not a stream');
  return { stream, call, dedup };
}

/** Whether the tail's items call lag/lags; 48 where lag/lags/dedup() cannot run yet (see streaming-functions.ts). */
function rowFunctions(select: Select, aggregated: boolean, windowed: boolean, dedup: boolean): boolean {
  const lag = select.columns.some(hasLag);
  // h-bounded: each form named (Proton documents lag/lags for row-by-row streaming reads only).
  if (lag && windowed) throw new NeedsStreaming('lag/lags in a streaming tumble/hop window (lag(v) FROM tumble(s, …))');
  if (lag && aggregated) throw new NeedsStreaming('lag/lags in a streaming aggregation (lag(v) beside or inside count(), sum(…), GROUP BY)');
  if (dedup && windowed) throw new NeedsStreaming('dedup() under a streaming tumble/hop window (tumble(dedup(s, k), …))');
  if (lag && dedup) throw new NeedsStreaming('lag/lags over a streaming dedup()');
  return lag;
}

const isWindowColumn = (e: Expr): boolean => e.kind === 'identifier' && /^window_(start|end)$/.test(e.parts.at(-1) ?? '');

/** A window tail (`SELECT * FROM tumble(s, 5s)`): the range predicate goes into the window subquery. */
function inWindowSubquery(rewritten: Select, range: Expr): Select {
  const from = rewritten.from;
  if (from?.kind !== 'table_subquery' || from.query.kind !== 'select') return rewritten;
  const q = from.query;
  return { ...rewritten, from: { ...from, query: { ...q, where: q.where === null ? range : { kind: 'binary', op: 'AND', left: q.where, right: range } } } };
}

/** h-bounded: `settings` with the query's own `SETTINGS max_memory_usage = n`, if it has one (streaming/memory.ts). */
function withMemorySetting(settings: ReadonlyMap<string, string>, written: readonly Setting[]): ReadonlyMap<string, string> {
  const s = written.find((x) => x.name === 'max_memory_usage');
  if (s === undefined || s.value.kind !== 'number') return settings;
  return new Map([...settings, ['max_memory_usage', s.value.text]]);
}

function maxWindows(settings: readonly Setting[]): number {
  const s = settings.find((x) => x.name === 'max_windows');
  if (s === undefined) return defaultMaxWindows;
  if (s.value.kind !== 'number' || !/^\d+$/.test(s.value.text)) throw new GatewayError(Code.BAD_ARGUMENTS, 'max_windows takes a whole number');
  return Number(s.value.text);
}

export function hasAggregate(e: Expr): boolean {
  let found = false;
  visitAll(e, (n) => {
    if (n.kind === 'subquery') return;
    if (n.kind === 'function') {
      const f = n as Extract<Expr, { kind: 'function' }>;
      const entry = protonFunction(f.name);
      if (entry !== undefined && entry.kind !== 'unsupported' && 'aggregate' in entry && entry.aggregate && (f as { over?: unknown }).over == null) found = true;
    }
  });
  return found;
}

/** A `_tp_time` / `_tp_sn` predicate or `earliest_ts()` rewinds the stream (§2.7). */
export function rewinds(select: Select): boolean {
  let found = false;
  if (select.where !== null) {
    visitAll(select.where, (n) => {
      if (n.kind === 'identifier') {
        const last = (n as Extract<Expr, { kind: 'identifier' }>).parts.at(-1);
        if (last === '_tp_time' || last === '_tp_sn') found = true;
      }
      if (n.kind === 'function' && /^earliest_(ts|timestamp)$/i.test((n as Extract<Expr, { kind: 'function' }>).name)) found = true;
    });
  }
  return found;
}

/** `SETTINGS seek_to='earliest' | 'latest'`. */
export function seekTo(settings: readonly Setting[]): 'earliest' | 'now' | null {
  const s = settings.find((x) => x.name === 'seek_to');
  if (s === undefined) return null;
  if (s.value.kind !== 'string' || !['earliest', 'latest'].includes(s.value.value)) {
    throw new NeedsStreaming(`seek_to=${print(s.value, 'proton')} (only 'earliest' and 'latest' so far)`);
  }
  return s.value.value === 'earliest' ? 'earliest' : 'now';
}

export function limitOf(select: Select): number | null {
  const l = select.limit?.limit;
  if (l == null) return null;
  if (l.kind !== 'number' || !/^\d+$/.test(l.text)) throw new GatewayError(Code.BAD_ARGUMENTS, 'A streaming LIMIT takes a number');
  return Number(l.text);
}

