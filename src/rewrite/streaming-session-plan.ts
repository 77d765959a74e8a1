// Streaming session-window aggregations (proton-semantics §1.11 Session row, §2.13, §4 D41): the SQL
// the engine's session machine (streaming/session.ts) needs. `session(s, …)` is read as a subquery
// over the stream; a probe per arriving `_tp_sn` range lists its rows (key, event time, `_tp_sn`,
// start/end predicate values) in `_tp_sn` order, and the emit of a closed session is the rewritten
// query over that subquery restricted to the session's key, its `_tp_sn` span minus the late rows in
// it, with window_start / window_end set to the session's bounds.
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import type { BinaryOp, Expr, FunctionCall, Interval, Select, SelectStatement } from './ast.ts';
import { emptySelect } from './ast.ts';
import { print } from './printer.ts';
import type { TailPlan } from './streaming-plan.ts';
import { bindEmitVersion, intervalMs, type EmitPolicy, type SnRange } from './streaming-window-plan.ts';
import { NeedsStreaming, rewriteExpression, toClickHouse, type RewriteContext } from './to-clickhouse.ts';

/** The parts of `session(s, [time_expr,] idle [, max_len] [, start_pred, end_pred | [start_pred, end_pred] | (start_pred, end_pred)])`. */
export type SessionCall = {
  readonly name: 'session';
  readonly time: Expr;
  readonly idle: Interval;
  readonly maxLength: Interval | null;
  readonly start: Expr | null;
  readonly end: Expr | null;
  readonly startInclusive: boolean;
  readonly endInclusive: boolean;
};

/** A closed session to emit (streaming/session.ts decides it): `[start, end)` ms, rows `first ≤ _tp_sn ≤ last` of `key` but `skipped`. */
export type SessionRead = {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly first: bigint;
  readonly last: bigint;
  readonly skipped: readonly bigint[];
};

/** The session machine's parameters (streaming/session.ts `SessionSpec`) and the SQL it runs. */
export type SessionSql = {
  readonly idleMs: number;
  readonly maxLengthMs: number;
  readonly delayMs: number;
  readonly startInclusive: boolean;
  readonly endInclusive: boolean;
  readonly timeoutMs: number | null;
  readonly maxSessions: number;
  /** SQL returning, in `_tp_sn` order, one JSON row `{k: string, t: ms, sn, sp: 0|1, ep: 0|1}` per row of `range` the query's WHERE keeps. */
  probe(range: SnRange): string;
  /** SQL of one emit: the aggregation over the rows of `session`, `emit_version()` = `version`. */
  read(session: SessionRead, version: number, limit: number | null): string;
};

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (n: bigint | number): Expr => ({ kind: 'number', text: String(n) });
const str = (value: string): Expr => ({ kind: 'string', value });
const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const and = (items: readonly (Expr | null)[]): Expr | null => items.reduce<Expr | null>((a, b) => (b === null ? a : a === null ? b : bin('AND', a, b)), null);
const ms = (e: Expr): Expr => fn('toUnixTimestamp64Milli', fn('toDateTime64', e, num(3)));
const printed = (q: Select): string => print({ kind: 'select_statement', query: q, format: null }, 'clickhouse');

// session(s, [time_expr,] idle [, max_len] [, start_pred, end_pred])
// session(s, [time_expr,] idle [, max_len], [start_pred, end_pred])   -- both boundary rows included
// session(s, [time_expr,] idle [, max_len], (start_pred, end_pred))   -- both boundary rows excluded
// Two bare predicates include both boundary rows. The mixed brackets `[s, e)` / `(s, e]` do not
// parse yet (the expression parser reads `[`…`]` as an array and `(`…`)` as a tuple).
export function sessionCall(call: FunctionCall): SessionCall {
  const args = call.args.slice(1);
  const at = args.findIndex((a) => a.kind === 'interval');
  const idle = args[at];
  if (at < 0 || at > 1 || idle?.kind !== 'interval') throw usage();
  const time = at === 1 ? (args[0] as Expr) : id('_tp_time');
  const next = args[at + 1];
  const maxLength = next?.kind === 'interval' ? next : null;
  const rest = args.slice(at + 1 + (maxLength === null ? 0 : 1));
  if (rest.length === 0) return { name: 'session', time, idle, maxLength, start: null, end: null, startInclusive: true, endInclusive: true };
  const only = rest[0];
  const pair = rest.length === 2 ? rest : rest.length === 1 && (only?.kind === 'array' || only?.kind === 'tuple') ? only.items : [];
  const [start, end] = pair;
  if (pair.length !== 2 || start === undefined || end === undefined) throw usage();
  const inclusive = only?.kind !== 'tuple' || rest.length === 2;
  return { name: 'session', time, idle, maxLength, start, end, startInclusive: inclusive, endInclusive: inclusive };
}

function usage(): GatewayError {
  return new GatewayError(Code.BAD_ARGUMENTS, 'session(stream, [time_column,] idle_interval, [max_length_interval,] [start_condition, end_condition]) takes interval literals (e.g. 5s)');
}

/** What the streaming planner (streaming-plan.ts) has decided before it hands a session query over. */
export type SessionInput = {
  readonly statement: SelectStatement;
  readonly select: Select;
  readonly stream: StreamEntry;
  readonly call: SessionCall;
  readonly start: 'earliest' | 'now';
  readonly limit: number | null;
  readonly emit: EmitPolicy;
  readonly aggregated: boolean;
  readonly maxWindows: number;
  /** Settings the engine reads, which the store must not see. */
  readonly engineSettings: ReadonlySet<string>;
};

const noSession: SessionRead = { key: '', start: 0, end: 0, first: 0n, last: -1n, skipped: [] };

/** Plans a streaming `session(...)` aggregation: the window is the session machine, emits are its closed sessions. */
export function sessionTailPlan(input: SessionInput, ctx: RewriteContext): TailPlan {
  const { statement, select, call, emit } = input;
  if (!input.aggregated) throw new NeedsStreaming('A streaming session() tail (session windows without an aggregation)');
  if (emit.periodMs !== null || emit.onUpdate) throw new NeedsStreaming('EMIT PERIODIC / ON UPDATE over session windows (open sessions)');
  const from = select.from;
  const streamName = from?.kind === 'table_function' ? from.call.args[0] : undefined;
  if (streamName?.kind !== 'identifier') throw new NeedsStreaming('A streaming session window over a subquery or a table function');
  // The window table function is read as `(SELECT * FROM s)`; its columns are set per probe and emit.
  const source: Select = { ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'table_ref', name: streamName, alias: null } };
  const plain: Select = {
    ...select, emit: null, partitionBy: [], settings: select.settings.filter((s) => !input.engineSettings.has(s.name)),
    from: { kind: 'table_subquery', query: source, alias: from?.kind === 'table_function' ? from.alias : null },
  };
  const checked = toClickHouse(bindEmitVersion({ ...statement, query: plain, format: null }), ctx);
  const sql = sessionSql(call, checked.statement.query as Select, select.partitionBy, select.emit?.delay ?? null, ctx);
  const failed = (): never => {
    throw new GatewayError(Code.LOGICAL_ERROR, 'A streaming session aggregation emits closed sessions only');
  };
  // Built apart from the return so that fields other plans add to TailPlan (null here) need no change.
  const plan = {
    kind: 'tail' as const, stream: input.stream, start: input.start, limit: input.limit, format: statement.format, settings: checked.settings,
    aggregate: { periodMs: null, repeat: false, onUpdate: false }, window: null, dedup: null,
    session: { ...sql, timeoutMs: emit.timeoutMs, maxSessions: input.maxWindows },
    // The SQL of an emit over no rows: what the store describes for a native header or a pipeline stage.
    sql: () => sql.read(noSession, 0, 0), read: failed,
  };
  return plan;
}

/** The probe and emit SQL over the rewritten query, whose FROM is the `(SELECT * FROM s)` subquery. */
function sessionSql(call: SessionCall, rewritten: Select, partitionBy: readonly Expr[], delay: Expr | null, ctx: RewriteContext): Omit<SessionSql, 'timeoutMs' | 'maxSessions'> {
  const sub = rewritten.from;
  if (sub?.kind !== 'table_subquery' || sub.query.kind !== 'select') throw new GatewayError(Code.LOGICAL_ERROR, 'A streaming session query lost its source subquery');
  const inner = sub.query;
  const idleMs = intervalMs(call.idle, 'session() idle interval');
  const maxLengthMs = call.maxLength === null ? 5 * idleMs : intervalMs(call.maxLength, 'session() max length');
  const delayMs = delay === null ? 0 : intervalMs(delay, 'WITH DELAY');
  const time = rewriteExpression(call.time, ctx);
  const keys = partitionBy.map((e) => rewriteExpression(e, ctx));
  const key: Expr = keys.length === 0 ? str('') : fn('toString', fn('cityHash64', ...keys));
  const predicate = (e: Expr | null, otherwise: number): Expr => (e === null ? num(otherwise) : fn('if', rewriteExpression(e, ctx), num(1), num(0)));
  const sn = id('_tp_sn');
  // `_tp_sn` is a MATERIALIZED column, visible only in the subquery: restrictions go there.
  const exposed = (start: Expr, end: Expr, where: Expr | null, extra: readonly Expr[]): Select => ({
    ...inner,
    columns: [...inner.columns, { kind: 'alias', expr: start, name: 'window_start' }, { kind: 'alias', expr: end, name: 'window_end' }, ...extra],
    where: and([inner.where, where]),
  });
  const over = (q: Select, source: Select): Select => ({ ...q, from: { ...sub, query: source } });
  const bound = (at: number): Expr => fn('CAST', fn('fromUnixTimestamp64Milli', fn('toInt64', num(at)), str('UTC')), fn('toTypeName', time));
  return {
    idleMs, maxLengthMs, delayMs, startInclusive: call.startInclusive, endInclusive: call.endInclusive,
    probe: (range) => {
      const rows = exposed(time, time, and([bin('>=', sn, num(range.first)), bin('<', sn, num(range.next))]), [
        { kind: 'alias', expr: key, name: '__hadron_key' }, { kind: 'alias', expr: sn, name: '__hadron_sn' }, { kind: 'alias', expr: ms(time), name: '__hadron_time' },
        { kind: 'alias', expr: predicate(call.start, 1), name: '__hadron_sp' }, { kind: 'alias', expr: predicate(call.end, 0), name: '__hadron_ep' },
      ]);
      return printed({
        ...over({ ...emptySelect, where: rewritten.where }, rows),
        columns: [
          { kind: 'alias', expr: id('__hadron_key'), name: 'k' }, { kind: 'alias', expr: id('__hadron_time'), name: 't' },
          { kind: 'alias', expr: id('__hadron_sn'), name: 'sn' }, { kind: 'alias', expr: id('__hadron_sp'), name: 'sp' }, { kind: 'alias', expr: id('__hadron_ep'), name: 'ep' },
        ],
        orderBy: [{ kind: 'order_item', expr: id('sn'), direction: null, nulls: null }],
      });
    },
    read: (s, version, limit) => {
      const skipped = s.skipped.length === 0 ? null : fn('not', fn('has', { kind: 'array', items: s.skipped.map(num) }, sn));
      const rows = and([keys.length === 0 ? null : bin('=', key, str(s.key)), bin('>=', sn, num(s.first)), bin('<=', sn, num(s.last)), skipped]);
      return printed({
        ...over(rewritten, exposed(bound(s.start), bound(s.end), rows, [])),
        with: [...rewritten.with, { kind: 'with_expr', name: '__hadron_emit_version', expr: num(version) }],
        limit: limit === null ? rewritten.limit : { limit: num(limit), offset: null, withTies: false },
      });
    },
  };
}
