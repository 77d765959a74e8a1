// Streaming joins, run for the executor (execute.ts): a planned join (rewrite/streaming-join-plan.ts)
// driven by the join engine (streaming/join.ts), each step's rows computed by the store and written
// to the client — or into a stream (`INSERT INTO s SELECT … JOIN …`) — as they come.
import type { ExecContext, ResultSink, StoreColumn } from './execute.ts';
import { streamingFormat } from './execute-stream.ts';
import type { Backend, StoreContext, Summary } from './history/backend.ts';
import { emptySummary } from './history/backend.ts';
import type { InsertInto } from './rewrite/plan.ts';
import { identifier } from './rewrite/printer.ts';
import type { JoinPipelinePlan } from './rewrite/streaming-join-aggregate.ts';
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
export async function runJoinQuery(plan: JoinPlan, deps: JoinDeps, ctx: ExecContext, store: StoreContext, sink: ResultSink, into?: InsertInto): Promise<Summary> {
  const format = ctx.outputFormat ?? plan.format ?? ctx.defaultFormat;
  const later = into === undefined ? streamingFormat(format) : format;
  const settings = plan.settings.size === 0 ? store : { ...store, settings: new Map([...store.settings, ...plan.settings]) };
  const empty = { first: 0n, next: 0n };
  if (into === undefined) {
    sink.start(format);
    if (sink.structure) await sink.structure(await deps.describe(`(${plan.leftSql(empty, empty, 0)})`, settings));
    else await sink.flush?.();
  }
  const target = into === undefined ? null : `${identifier(into.stream.database)}.${identifier(into.stream.name)}`;
  let emits = 0;
  let written = 0;
  const rows = await runJoin(plan, {
    log: deps.log,
    clock: realClock,
    position: (key) => deps.backend.sequences.position(key),
    emit: async (sql) => {
      if (target !== null && into !== undefined) {
        const summary = await deps.backend.insertSelect({ table: target, columns: into.columns.map(identifier), key: target }, sql, settings);
        written += summary.writtenRows;
        return 0;
      }
      let n = 0;
      for await (const chunk of deps.backend.query(sql, emits++ === 0 ? format : later, settings, true)) {
        n += chunk.rows;
        await sink.write(chunk.bytes);
      }
      await sink.flush?.();
      return n;
    },
  }, store.signal);
  return { ...emptySummary, resultRows: rows, writtenRows: written };
}

/**
 * An aggregation over a join (rewrite/streaming-join-aggregate.ts): the query's own stream is created,
 * the aggregation starts reading it, then the join fills it; whichever ends first (LIMIT, KILL, the
 * client gone, an error) ends the other, and the stream is dropped.
 */
export async function runJoinPipeline(p: JoinPipelinePlan, deps: JoinDeps, ctx: ExecContext, store: StoreContext, sink: ResultSink, aggregate: TailRunner): Promise<Summary> {
  await deps.backend.command(p.create, store);
  const key = `${identifier(p.stream.database)}.${identifier(p.stream.name)}`;
  const controller = new AbortController();
  const inner: StoreContext = { ...store, signal: AbortSignal.any([store.signal, controller.signal]) };
  let started = (): void => {};
  const reading = new Promise<void>((resolve) => {
    started = resolve;
  });
  let failure: unknown = null;
  const tail = aggregate(p.tail, inner, started).finally(() => controller.abort());
  const join = Promise.race([reading, tail.then(() => undefined)])
    .then(() => (inner.signal.aborted ? emptySummary : runJoinQuery(p.join, deps, ctx, inner, sink, { stream: p.stream, columns: p.stream.columns.filter((c) => c.name !== '_tp_sn').map((c) => c.name) })))
    .catch((err: unknown) => {
      failure = err;
      controller.abort();
    });
  try {
    const [summary] = await Promise.all([tail, join]);
    if (failure !== null && !store.signal.aborted) throw failure;
    return summary;
  } finally {
    deps.backend.forgetSequence(key);
    await deps.backend.command(p.drop, { ...store, signal: new AbortController().signal }).catch(() => undefined);
  }
}

/** Runs a planned streaming aggregation (the executor's StreamingRuns.tail), `started` once it reads. */
export type TailRunner = (tail: TailPlan, store: StoreContext, started: () => void) => Promise<Summary>;
