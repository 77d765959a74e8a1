// Streaming joins, run for the executor (execute.ts): a planned join (rewrite/streaming-join-plan.ts)
// driven by the join engine (streaming/join.ts), each step's rows computed by the store and written
// to the client — or into a stream (`INSERT INTO s SELECT … JOIN …`) — as they come.
import type { ExecContext, ResultSink, StoreColumn } from './execute.ts';
import { EmitTarget } from './execute-stream.ts';
import type { Backend, StoreContext, Summary } from './history/backend.ts';
import type { InsertInto } from './rewrite/plan.ts';
import { identifier } from './rewrite/printer.ts';
import type { PipelinePlan, Runnable, Stage } from './rewrite/streaming-pipeline.ts';
import { runUnionQuery } from './execute-union.ts';
import type { JoinPlan } from './rewrite/streaming-join-plan.ts';
import type { TailPlan } from './rewrite/streaming-plan.ts';
import { runJoin } from './streaming/join.ts';
import { realClock } from './streaming/tail.ts';
import type { StreamLog } from './streaming/log.ts';

export type JoinDeps = {
  readonly backend: Backend;
  readonly log: StreamLog;
  describe(target: string, store: StoreContext): Promise<StoreColumn[]>;
};

/** Runs a streaming join until its LIMIT, KILL QUERY or the client going away. */
export async function runJoinQuery(plan: JoinPlan, deps: JoinDeps, ctx: ExecContext, store: StoreContext, sink: ResultSink, into?: InsertInto, started?: () => void): Promise<Summary> {
  const format = ctx.outputFormat ?? plan.format ?? ctx.defaultFormat;
  const target = new EmitTarget(deps.backend, sink, format, into);
  const settings = plan.settings.size === 0 ? store : { ...store, settings: new Map([...store.settings, ...plan.settings]) };
  const empty = { first: 0n, next: 0n };
  // Described before anything is sent, so a query the store cannot run fails up front with its code.
  const columns = await deps.describe(`(${plan.leftSql(empty, empty, 0)})`, settings);
  if (into === undefined) {
    sink.start(format);
    if (sink.structure) await sink.structure(columns);
    else await sink.flush?.();
  }
  const rows = await runJoin(plan, {
    log: deps.log,
    clock: realClock,
    position: async (key) => {
      const position = await deps.backend.sequences.position(key);
      if (key === plan.left.key) started?.();
      return position;
    },
    emit: (sql) => target.emit(sql, settings),
  }, store.signal);
  return target.summary(rows);
}

/**
 * A pipeline (rewrite/streaming-pipeline.ts): the query's own stream is created, the consumer (the
 * outer query) starts reading it, then the source (the inner query) fills it; whichever ends first
 * (LIMIT, KILL, the client gone, an error) ends the other, and the stream is dropped.
 */
export async function runPipeline(p: PipelinePlan, deps: JoinDeps, ctx: ExecContext, store: StoreContext, sink: ResultSink, tail: TailRunner): Promise<Summary> {
  const quiet = { ...store, signal: new AbortController().signal };
  const created: Stage[] = [];
  try {
    for (const s of p.stages) {
      await deps.backend.command(s.create, store);
      created.push(s);
    }
    return await runStages(p, deps, ctx, store, sink, tail);
  } finally {
    for (const s of created) {
      deps.backend.forgetSequence(`${identifier(s.stream.database)}.${identifier(s.stream.name)}`);
      await deps.backend.command(s.drop, quiet).catch(() => undefined);
    }
  }
}

/** The consumer first; once it reads, every source; the first to end (or fail) ends the rest. */
async function runStages(p: PipelinePlan, deps: JoinDeps, ctx: ExecContext, store: StoreContext, sink: ResultSink, tail: TailRunner): Promise<Summary> {
  const controller = new AbortController();
  const inner: StoreContext = { ...store, signal: AbortSignal.any([store.signal, controller.signal]) };
  let started = (): void => {};
  const reading = new Promise<void>((resolve) => {
    started = resolve;
  });
  const run = (r: Runnable, s: StoreContext, ready?: () => void, target?: InsertInto): Promise<Summary> => (r.kind === 'tail'
    ? tail(r.tail, s, ready, target)
    : r.kind === 'union' ? runUnionQuery(r.union, deps, ctx, s, sink, target, ready) : runJoinQuery(r.join, deps, ctx, s, sink, target, ready));
  let failure: unknown = null;
  const consumer = run(p.consumer, inner, started).finally(() => controller.abort());
  const into = (s: Stage): InsertInto => ({ stream: s.stream, columns: s.stream.columns.filter((c) => c.name !== '_tp_sn').map((c) => c.name) });
  const sources = Promise.race([reading, consumer.then(() => undefined)])
    .then(() => (inner.signal.aborted ? [] : Promise.all(p.stages.map((s) => run(s.source, inner, undefined, into(s))))))
    // Sources that ended (their LIMIT) end the query once the consumer had time to read their last rows.
    .then(async () => {
      if (!inner.signal.aborted) await realClock.sleep(drainMs(p.consumer), inner.signal);
      controller.abort();
    })
    .catch((err: unknown) => {
      failure = err;
      controller.abort();
    });
  const [summary] = await Promise.all([consumer, sources]);
  if (failure !== null && !store.signal.aborted) throw failure;
  return summary;
}

/** How long a consumer gets to read the last rows of a source that ended: one emit period and a little. */
function drainMs(consumer: Runnable): number {
  const period = consumer.kind === 'tail' ? (consumer.tail.aggregate?.periodMs ?? 0) : consumer.kind === 'join' ? (consumer.join.aggregate?.periodMs ?? 0) : 0;
  return period + 500;
}

/** Runs a planned tail (the executor's StreamingRuns.tail): `started` once it reads, into a stream when `into` is given. */
export type TailRunner = (tail: TailPlan, store: StoreContext, started?: () => void, into?: InsertInto) => Promise<Summary>;
