// Streaming SELECT over one append stream (proton-semantics §1.9, §1.10, §2.1, §2.3, §2.7): a tail
// (filter/projection, optional LIMIT) or a global aggregation re-emitted periodically. The engine
// (streaming/tail.ts) reads the rows of each published `_tp_sn` range from the store with the SQL
// this module prints for that range, so every function that works historically works here too.
// Forms that need windows, watermarks, joins or retraction are refused with NeedsStreaming (48)
// until the engine grows them.
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import type { Emit, Expr, Limit, Select, SelectStatement, Setting } from './ast.ts';
import { protonFunction } from './function-lookup.ts';
import { print } from './printer.ts';
import { NeedsStreaming, toClickHouse, type RewriteContext } from './to-clickhouse.ts';
import { visitAll } from './transform.ts';

export type SnRange = { readonly first: bigint; readonly next: bigint };

export type TailPlan = {
  readonly kind: 'tail';
  readonly stream: StreamEntry;
  /** Where reading starts: the stream's beginning (a rewind) or the rows appended after the query starts. */
  readonly start: 'earliest' | 'now';
  /** Rows after which the query ends (LIMIT n), or null. */
  readonly limit: number | null;
  /** Global aggregation: the full result over every row since the start, every `periodMs` if rows came. */
  readonly aggregate: { readonly periodMs: number } | null;
  /** ClickHouse SQL over the stream's rows in `range`, LIMIT `limit` when given. */
  sql(range: SnRange, limit: number | null): string;
  readonly format: string | null;
  readonly settings: ReadonlyMap<string, string>;
};

/** Proton's default emit for a global aggregation: every 2 s, only when new rows arrived (§2.3). */
const defaultPeriodMs = 2000;

const msPerUnit: Readonly<Record<string, number>> = {
  NANOSECOND: 1e-6, MICROSECOND: 1e-3, MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000,
};

/** Plans a streaming SELECT; throws NeedsStreaming for the forms the engine does not run yet. */
export function tailPlan(statement: SelectStatement, ctx: RewriteContext): TailPlan {
  const select = statement.query;
  if (select.kind !== 'select') throw new NeedsStreaming('A streaming UNION / INTERSECT / EXCEPT');
  if (select.from?.kind !== 'table_ref') throw new NeedsStreaming('A streaming query over joins, subqueries or table functions');
  const parts = select.from.name.parts;
  const stream = ctx.catalog.stream(parts.length > 1 ? (parts[0] as string) : ctx.database, parts[parts.length - 1] as string);
  if (stream === undefined) throw new NeedsStreaming('A streaming query over something that is not a stream');
  if (stream.mode !== 'append') throw new NeedsStreaming(`A streaming read of a ${stream.mode} stream (snapshot replay and retraction)`);
  const aggregated = select.groupBy.length > 0 || select.columns.some(hasAggregate);
  const periodMs = emitPeriod(select.emit, aggregated);
  const seek = seekTo(select.settings);
  const start = seek ?? (rewinds(select) ? 'earliest' : 'now');
  const limit = limitOf(select);
  const base: Select = { ...select, emit: null, limit: aggregated ? select.limit : null, settings: select.settings.filter((s) => s.name !== 'seek_to') };
  // Checked once (unknown functions, streaming-only ones): the per-range SQL reuses the same rewrite.
  const checked = toClickHouse({ ...statement, query: base, format: null }, ctx);
  const alias = select.from.alias;
  const sn = (): Expr => ({ kind: 'identifier', parts: alias === null ? ['_tp_sn'] : [alias, '_tp_sn'] });
  return {
    kind: 'tail', stream, start, limit, aggregate: aggregated ? { periodMs } : null, format: statement.format, settings: checked.settings,
    sql: (range, rowLimit) => {
      const inRange: Expr = {
        kind: 'binary', op: 'AND',
        left: { kind: 'binary', op: '>=', left: sn(), right: { kind: 'number', text: String(range.first) } },
        right: { kind: 'binary', op: '<', left: sn(), right: { kind: 'number', text: String(range.next) } },
      };
      const rewritten = checked.statement.query as Select;
      // The range predicate has no functions, so it joins the already rewritten WHERE as it is.
      const where: Expr = rewritten.where === null ? inRange : { kind: 'binary', op: 'AND', left: rewritten.where, right: inRange };
      const limited: Limit | null = rowLimit === null ? rewritten.limit : { limit: { kind: 'number', text: String(rowLimit) }, offset: null, withTies: false };
      return print({ kind: 'select_statement', query: { ...rewritten, where, limit: limited }, format: null }, 'clickhouse');
    },
  };
}

function hasAggregate(e: Expr): boolean {
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

/** EMIT PERIODIC p for a global aggregation; every other emit policy is the engine's later work. */
function emitPeriod(emit: Emit | null, aggregated: boolean): number {
  if (emit === null) return defaultPeriodMs;
  const { periodic, ...rest } = emit;
  const others = Object.entries(rest).filter(([k, v]) => k !== 'kind' && v !== null && v !== false && !(Array.isArray(v) && v.length === 0));
  if (others.length > 0 || periodic === null) throw new NeedsStreaming(`EMIT ${others.map(([k]) => k).join(', ') || 'STREAM'}`);
  if (!aggregated) throw new GatewayError(Code.INCORRECT_QUERY, 'EMIT PERIODIC needs an aggregation: a tail query emits every row as it arrives');
  if (periodic.kind !== 'interval' || periodic.value.kind !== 'number' || msPerUnit[periodic.unit] === undefined) {
    throw new GatewayError(Code.BAD_ARGUMENTS, 'EMIT PERIODIC takes an interval literal of up to days (e.g. 1s)');
  }
  return Math.max(1, Number(periodic.value.text) * (msPerUnit[periodic.unit] as number));
}

/** A `_tp_time` / `_tp_sn` predicate or `earliest_ts()` rewinds the stream (§2.7). */
function rewinds(select: Select): boolean {
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
function seekTo(settings: readonly Setting[]): 'earliest' | 'now' | null {
  const s = settings.find((x) => x.name === 'seek_to');
  if (s === undefined) return null;
  if (s.value.kind !== 'string' || !['earliest', 'latest'].includes(s.value.value)) {
    throw new NeedsStreaming(`seek_to=${print(s.value, 'proton')} (only 'earliest' and 'latest' so far)`);
  }
  return s.value.value === 'earliest' ? 'earliest' : 'now';
}

function limitOf(select: Select): number | null {
  const l = select.limit?.limit;
  if (l == null) return null;
  if (l.kind !== 'number' || !/^\d+$/.test(l.text)) throw new GatewayError(Code.BAD_ARGUMENTS, 'A streaming LIMIT takes a number');
  return Number(l.text);
}
