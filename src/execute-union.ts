// Streaming UNION ALL, run for the executor (execute.ts): the branches planned by
// rewrite/streaming-union-plan.ts run side by side — each tail or aggregation on the tail engine
// (streaming/tail.ts), each join on the join engine (streaming/join.ts), each bounded branch as one
// query at the start — and their emits are written one at a time (an emit is never interleaved with
// another), as one result: every emit is read through the union's header (the first branch's names,
// the branches' common types). The query ends at its LIMIT (over all branches), on KILL or when the
// client goes; an error in one branch ends every branch and the query with that error.
import type { ExecContext, ResultSink, StoreColumn } from './execute.ts';
import { EmitTarget, jsonRows } from './execute-stream.ts';
import type { JoinDeps } from './execute-join.ts';
import type { StoreContext, Summary } from './history/backend.ts';
import type { InsertInto } from './rewrite/plan.ts';
import { identifier, string } from './rewrite/printer.ts';
import type { UnionBranch, UnionPlan } from './rewrite/streaming-union-plan.ts';
import { runJoin } from './streaming/join.ts';
import type { StreamLog } from './streaming/log.ts';
import { memoryLimit } from './streaming/memory.ts';
import { realClock, runTail, type Clock } from './streaming/tail.ts';

/** What a union run needs of the rest of Hadron (the executor's store, or a test's). */
export interface UnionPort {
  readonly log: StreamLog;
  readonly clock: Clock;
  /** A stream's next `_tp_sn`, read in its turn. */
  position(key: string): Promise<bigint>;
  /** Runs one SQL query for the engine itself (a probe) with a branch's settings; its rows as JSON objects. */
  rows(sql: string, settings: ReadonlyMap<string, string>): Promise<readonly Record<string, unknown>[]>;
  /** Runs one emit's SQL with a branch's settings, writing its rows; resolves with how many. Never called concurrently. */
  emit(sql: string, settings: ReadonlyMap<string, string>): Promise<number>;
}

/** The store table of a tail branch's stream, as the log and the sequence numbering name it. */
export const tailKey = (b: Extract<UnionBranch, { kind: 'tail' }>): string => `${identifier(b.tail.stream.database)}.${identifier(b.tail.stream.name)}`;

/**
 * Runs every branch until the union's LIMIT, `signal` or an error; resolves with the rows emitted.
 * `header`: the union's columns (the store's DESCRIBE of `plan.header`); `settings`: the query's.
 */
export async function runUnion(plan: UnionPlan, header: readonly StoreColumn[], settings: ReadonlyMap<string, string>, port: UnionPort, signal: AbortSignal): Promise<number> {
  const controller = new AbortController();
  const inner = AbortSignal.any([signal, controller.signal]);
  const typed = `SELECT ${header.map((c) => `defaultValueOfTypeName(${string(c.type)}) AS ${identifier(c.name)}`).join(', ')} LIMIT 0`;
  let total = 0;
  let turn: Promise<unknown> = Promise.resolve();
  // One emit at a time, in the order asked; each read as the union's columns, cut at the LIMIT.
  const emit = (sql: string, branch: ReadonlyMap<string, string>): Promise<number> => {
    const run = turn.then(async () => {
      if (inner.aborted) return 0;
      const remaining = plan.limit === null ? '' : ` LIMIT ${plan.limit - total}`;
      const n = await port.emit(`SELECT * FROM (SELECT * FROM (${typed}) UNION ALL SELECT * FROM (${sql}))${remaining}`, branch);
      total += n;
      if (plan.limit !== null && total >= plan.limit) controller.abort();
      return n;
    });
    turn = run.catch(() => undefined);
    return run;
  };
  let failure: { error: unknown } | null = null;
  const branches = plan.branches.map((b) => runBranch(b, settings, port, emit, inner).catch((error: unknown) => {
    failure ??= { error };
    controller.abort();
  }));
  await Promise.all(branches);
  if (failure !== null && !signal.aborted) throw (failure as { error: unknown }).error;
  return total;
}

type Emit = (sql: string, settings: ReadonlyMap<string, string>) => Promise<number>;

function runBranch(b: UnionBranch, query: ReadonlyMap<string, string>, port: UnionPort, emit: Emit, signal: AbortSignal): Promise<number> {
  switch (b.kind) {
    case 'bounded': {
      const settings = new Map([...query, ...b.settings]);
      return emit(b.sql, settings);
    }
    case 'tail': {
      const settings = new Map([...query, ...b.tail.settings]);
      return runTail({ ...b.tail, key: tailKey(b), maxStateBytes: memoryLimit(settings) }, {
        log: port.log, clock: port.clock, position: (k) => port.position(k),
        rows: (sql) => port.rows(sql, settings),
        emit: (sql) => emit(sql, settings),
      }, signal);
    }
    case 'join': {
      const settings = new Map([...query, ...b.join.settings]);
      return runJoin(b.join, { log: port.log, clock: port.clock, position: (k) => port.position(k), emit: (sql) => emit(sql, settings) }, signal);
    }
  }
}

/**
 * Runs a streaming union for the executor: the header is described first (ClickHouse's 258 for
 * branches of different widths, before anything is sent), then every emit is written to the client
 * — header rows of `…WithNames` formats with the first only — or inserted into `into`.
 * `started`: called once every streaming branch has read its streams' positions.
 */
export async function runUnionQuery(plan: UnionPlan, deps: JoinDeps, ctx: ExecContext, store: StoreContext, sink: ResultSink, into?: InsertInto, started?: () => void): Promise<Summary> {
  const format = ctx.outputFormat ?? plan.format ?? ctx.defaultFormat;
  const target = new EmitTarget(deps.backend, sink, format, into);
  const limit = memoryLimit(store.settings);
  const base = store.settings.has('max_memory_usage') ? store.settings : new Map([...store.settings, ['max_memory_usage', String(limit ?? 0)]]);
  const header = await deps.describe(`(${plan.header})`, { ...store, settings: base });
  if (into === undefined) {
    sink.start(format);
    if (sink.structure) await sink.structure(header);
    else await sink.flush?.();
  }
  const context = (settings: ReadonlyMap<string, string>): StoreContext => ({ ...store, settings });
  let positions = plan.branches.reduce((n, b) => n + (b.kind === 'tail' ? 1 : b.kind === 'join' ? (b.join.right.key === null ? 1 : 2) : 0), 0);
  if (positions === 0) started?.();
  const rows = await runUnion(plan, header, base, {
    log: deps.log,
    clock: realClock,
    position: async (key) => {
      const at = await deps.backend.sequences.position(key);
      if (--positions === 0) started?.();
      return at;
    },
    rows: (sql, settings) => jsonRows(deps.backend, sql, context(settings)),
    emit: (sql, settings) => target.emit(sql, context(settings)),
  }, store.signal);
  return target.summary(rows);
}
