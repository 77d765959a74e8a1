// Streaming tumble/hop aggregations (proton-semantics §1.10, §1.11): the SQL the engine's window
// state machine (streaming/window.ts) needs. Emits are computed by the store: the history rewrite of
// the same query (`tumble(s, …)` → a subquery adding window_start/window_end) restricted to the rows
// that count (a `_tp_sn` range, minus the late rows) and to the windows being emitted. A probe per
// arriving range tells the machine which keys and windows the range's rows fall in.
import { Code, GatewayError } from '../errors.ts';
import type { BinaryOp, Emit, Expr, FunctionCall, Interval, Select, SelectStatement } from './ast.ts';
import { windowArgs } from './history-windows.ts';
import { print } from './printer.ts';
import { NeedsStreaming } from './to-clickhouse.ts';
import type { Rewritten, RewriteContext } from './to-clickhouse.ts';
import { rewriteExpression } from './to-clickhouse.ts';
import { transform } from './transform.ts';

export type SnRange = { readonly first: bigint; readonly next: bigint };
/** A window of one key: `key` is '' without PARTITION BY; times are ms since the epoch. */
export type WindowRef = { readonly key: string; readonly start: number; readonly end: number };
export type LateRule = { readonly key: string; readonly first: bigint; readonly next: bigint; readonly before: number };

/** What one emit reads (streaming/window.ts decides it). */
export type WindowRead = {
  /** The windows to emit, or null for every window (a windowless aggregation). */
  readonly windows: readonly WindowRef[] | null;
  readonly rows: SnRange;
  readonly late: readonly LateRule[];
  /** ON UPDATE: only groups with a row at `_tp_sn ≥ changedSince`. */
  readonly changedSince: bigint | null;
  /** The value of `emit_version()` in this emit. */
  readonly version: number;
};

export type WindowSql = {
  readonly sizeMs: number;
  readonly slideMs: number;
  /**
   * SQL returning one JSON row per key and window the range's rows fall in:
   * `{k: string, ws, we, mx, wm: ms as strings, sn: string}` (wm = floor_to_slide(max − delay)).
   */
  probe(range: SnRange): string;
};

export const msPerUnit: Readonly<Record<string, number>> = {
  MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000,
};

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (n: bigint | number): Expr => ({ kind: 'number', text: String(n) });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const and = (items: readonly (Expr | null)[]): Expr | null => items.reduce<Expr | null>((a, b) => (b === null ? a : a === null ? b : bin('AND', a, b)), null);
const or = (items: readonly Expr[]): Expr | null => items.reduce<Expr | null>((a, b) => (a === null ? b : bin('OR', a, b)), null);
const ms = (e: Expr): Expr => fn('toUnixTimestamp64Milli', fn('toDateTime64', e, num(3)));

/** An interval literal in ms (milliseconds up to days: window arithmetic needs a fixed length). */
export function intervalMs(e: Expr | undefined, what: string): number {
  if (e?.kind !== 'interval' || e.value.kind !== 'number' || msPerUnit[e.unit] === undefined) {
    throw new GatewayError(Code.BAD_ARGUMENTS, `${what} takes an interval literal from milliseconds to days (e.g. 5s)`);
  }
  const v = Number(e.value.text) * (msPerUnit[e.unit] as number);
  if (!(v > 0) || !Number.isInteger(v)) throw new GatewayError(Code.BAD_ARGUMENTS, `${what} must be a positive whole number of milliseconds`);
  return v;
}

/** The parts of `tumble(s, [time,] size [, tz])` / `hop(s, [time,] slide, size [, tz])`. */
export type WindowCall = { readonly name: 'tumble' | 'hop'; readonly time: Expr; readonly slide: Interval; readonly size: Interval; readonly zone: Expr[] };

export function windowCall(call: FunctionCall): WindowCall {
  const name = call.name.toLowerCase() as 'tumble' | 'hop';
  const { time, slide, size, zone } = windowArgs(name, call.args.slice(1));
  if (slide?.kind !== 'interval' || size?.kind !== 'interval') throw new GatewayError(Code.BAD_ARGUMENTS, `${name}() takes interval literals (e.g. 5s)`);
  return { name, time, slide, size, zone };
}

/**
 * The rewritten query's window subquery (`SELECT *, … AS window_start, … AS window_end FROM s`),
 * which the per-emit restrictions go into: `_tp_sn` is a MATERIALIZED column, visible only there.
 */
function inner(select: Select): Select {
  if (select.from?.kind !== 'table_subquery' || select.from.query.kind !== 'select') throw new GatewayError(Code.LOGICAL_ERROR, 'A streaming window query lost its window subquery');
  return select.from.query;
}

function withInner(select: Select, query: Select): Select {
  return { ...select, from: { kind: 'table_subquery', query, alias: select.from?.kind === 'table_subquery' ? select.from.alias : null } };
}

/** Plans the window part of a streaming tumble/hop query over an already rewritten statement. */
export function windowSql(call: WindowCall, checked: Rewritten, partitionBy: readonly Expr[], delay: Expr | null, ctx: RewriteContext): WindowSql & { sql(read: WindowRead, limit: number | null): string } {
  const sizeMs = intervalMs(call.size, `${call.name}() window size`);
  const slideMs = call.name === 'hop' ? intervalMs(call.slide, 'hop() interval') : sizeMs;
  if (sizeMs % slideMs !== 0) throw new GatewayError(Code.BAD_ARGUMENTS, 'hop() needs a window size that is a whole multiple of the hop interval');
  const delayMs = delay === null ? 0 : intervalMs(delay, 'WITH DELAY');
  const time = rewriteExpression(call.time, ctx);
  const keys = partitionBy.map((e) => rewriteExpression(e, ctx));
  const key: Expr = keys.length === 0 ? { kind: 'string', value: '' } : fn('toString', fn('cityHash64', ...keys));
  const select = checked.statement.query as Select;
  const base = inner(select);
  const sn = id('_tp_sn');
  const snIn = (r: SnRange): Expr => bin('AND', bin('>=', sn, num(r.first)), bin('<', sn, num(r.next)));
  const late = (rules: readonly LateRule[]): Expr | null => {
    const any = or(rules.map((r) => and([keys.length === 0 ? null : bin('=', key, { kind: 'string', value: r.key }), snIn(r), bin('<', ms(time), num(r.before))]) as Expr));
    return any === null ? null : fn('not', any);
  };
  const exposed = (where: Expr | null): Select => ({
    ...base,
    columns: [...base.columns, { kind: 'alias', expr: sn, name: '__hadron_sn' }, { kind: 'alias', expr: time, name: '__hadron_time' }, { kind: 'alias', expr: key, name: '__hadron_key' }],
    where,
  });
  const windowId = fn('concat', id('__hadron_key'), { kind: 'string', value: ':' }, fn('toString', ms(id('window_start'))));
  const zone = call.zone;
  const floored = (e: Expr): Expr => ms(fn('toStartOfInterval', delayMs === 0 ? e : bin('-', e, { kind: 'interval', value: num(delayMs), unit: 'MILLISECOND' }), { ...call.slide, value: num(slideMs), unit: 'MILLISECOND' }, ...zone));
  return {
    sizeMs, slideMs,
    probe: (range) => {
      const q: Select = {
        ...withInner({ ...select, columns: [], groupBy: [], having: null, orderBy: [], limit: null, limitBy: null, with: [] }, exposed(snIn(range))),
        columns: [
          { kind: 'alias', expr: id('__hadron_key'), name: 'k' },
          { kind: 'alias', expr: ms(id('window_start')), name: 'ws' },
          { kind: 'alias', expr: ms(id('window_end')), name: 'we' },
          { kind: 'alias', expr: ms(fn('max', id('__hadron_time'))), name: 'mx' },
          { kind: 'alias', expr: floored(fn('max', id('__hadron_time'))), name: 'wm' },
          { kind: 'alias', expr: fn('min', id('__hadron_sn')), name: 'sn' },
        ],
        groupBy: [id('k'), id('ws'), id('we')],
        orderBy: [{ kind: 'order_item', expr: id('ws'), direction: null, nulls: null }],
      };
      return print({ kind: 'select_statement', query: q, format: null }, 'clickhouse');
    },
    sql: (read, limit) => {
      const windows = read.windows === null ? null : fn('has', { kind: 'array', items: read.windows.map((w) => ({ kind: 'string', value: `${w.key}:${w.start}` })) }, windowId);
      const q: Select = {
        ...withInner(select, exposed(and([snIn(read.rows), late(read.late)]))),
        where: and([select.where, windows]),
        having: and([select.having, read.changedSince === null ? null : bin('>=', fn('max', id('__hadron_sn')), num(read.changedSince))]),
        with: [...select.with, { kind: 'with_expr', name: '__hadron_emit_version', expr: num(read.version) }],
        limit: limit === null ? select.limit : { limit: num(limit), offset: null, withTies: false },
      };
      return print({ kind: 'select_statement', query: q, format: null }, 'clickhouse');
    },
  };
}

/** When an aggregation emits (§1.10). */
export type EmitPolicy = {
  /** Windows emit once final (after the watermark passes their end). */
  readonly final: boolean;
  /** Emit every period (null: after each range when `onUpdate`, never otherwise). */
  readonly periodMs: number | null;
  readonly repeat: boolean;
  readonly onUpdate: boolean;
  readonly timeoutMs: number | null;
};

/** Proton's INVALID_EMIT_MODE (named in errors.ts' Proton table). */
const invalidEmitMode = Code.INVALID_EMIT_MODE;
/** Proton's default emit for a global aggregation: every 2 s, only when new rows arrived (§2.3). */
const defaultPeriodMs = 2000;

/**
 * The emit policy of a streaming query, or Proton's error for a combination it refuses: a tail takes
 * no emit policy (80), AFTER WATERMARK / WITH DELAY need a window (80), PERIODIC does not combine
 * with DELAY or TIMEOUT (2523, as 1.6). CHANGELOG takes the aggregation's cadence (streaming-keyed-plan.ts); PER EVENT, LAST and key/session expiry are 48.
 */
export function emitPolicy(emit: Emit | null, aggregated: boolean, windowed: boolean): EmitPolicy {
  const e = emit ?? { changelog: false, afterWindowClose: false, delay: null, periodic: null, repeat: false, onUpdate: false, perEvent: false, timeout: null, last: null, afterKeyExpire: false, afterSessionClose: false };
  const refused = [e.perEvent && 'PER EVENT', e.last !== null && 'LAST', e.afterKeyExpire && 'AFTER KEY EXPIRE', e.afterSessionClose && 'AFTER SESSION CLOSE'].filter((x) => x !== false);
  if (refused.length > 0) throw new NeedsStreaming(`EMIT ${refused.join(', ')}`);
  const policy = e.periodic !== null || e.afterWindowClose || e.onUpdate || e.delay !== null || e.timeout !== null;
  if (!aggregated && policy) throw new GatewayError(Code.INCORRECT_QUERY, 'A streaming tail emits every row as it arrives: it takes no EMIT policy (PERIODIC, AFTER WATERMARK, ON UPDATE, DELAY, TIMEOUT)');
  if (!windowed && (e.afterWindowClose || e.delay !== null)) throw new GatewayError(Code.INCORRECT_QUERY, 'EMIT AFTER WATERMARK / WITH DELAY needs a window (tumble, hop)');
  if (e.periodic !== null && !e.onUpdate && (e.delay !== null || (windowed && e.timeout !== null))) throw new GatewayError(invalidEmitMode, 'EMIT PERIODIC does not combine with WITH DELAY or TIMEOUT');
  const periodMs = e.periodic === null ? null : intervalMs(e.periodic, 'EMIT PERIODIC');
  if (!windowed) return { final: false, periodMs: periodMs ?? (e.onUpdate ? null : defaultPeriodMs), repeat: e.repeat, onUpdate: e.onUpdate, timeoutMs: null };
  const timeoutMs = e.timeout === null ? null : intervalMs(e.timeout, 'EMIT TIMEOUT');
  return { final: !e.onUpdate, periodMs, repeat: e.repeat, onUpdate: e.onUpdate, timeoutMs };
}

/** Replaces `emit_version()` by a name each emit binds (WITH n AS __hadron_emit_version). */
export function bindEmitVersion(s: SelectStatement): SelectStatement {
  return transform(s, (n) => (n.kind === 'function' && /^emit_version$/i.test((n as FunctionCall).name) ? id('__hadron_emit_version') : n));
}
