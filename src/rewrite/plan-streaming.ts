// Streaming SELECTs, planned for plan.ts: a UNION of streams, a query with stages (a source that is a
// streaming query of its own), a join (with an aggregation over it as a stage), or a query over one
// stream (tails, aggregations, windows; random streams with their generator).
import { randomBytes } from 'node:crypto';
import type { StreamEntry } from '../catalog.ts';
import type { Select, SelectStatement } from './ast.ts';
import type { Plan, PlanContext } from './plan.ts';
import { identifier, print } from './printer.ts';
import { decorrelated, generatedColumns, randomRate, randomRows, type RandomRate, type RandomSource } from './random-stream.ts';
import { createTableSql } from './storage.ts';
import { joinPipeline, joinRows } from './streaming-join-aggregate.ts';
import { joinPlan } from './streaming-join-plan.ts';
import { emitSql, ownStream, pipeline, separableSource, withStage, type Runnable, type Stage } from './streaming-pipeline.ts';
import { hasAggregate, tailPlan } from './streaming-plan.ts';
import { unionPlan } from './streaming-union-plan.ts';
import { NeedsStreaming, toClickHouse } from './to-clickhouse.ts';

type SelectPlanner = (s: SelectStatement, ctx: PlanContext) => Plan;

const tableName = (database: string, name: string): string => `${identifier(database)}.${identifier(name)}`;

/** Plans a streaming SELECT; `selectPlan` plans a UNION's branches as statements of their own. */
export function streamingPlan(s: SelectStatement, ctx: PlanContext, selectPlan: (s: SelectStatement, ctx: PlanContext) => Plan): Plan {
  // h-union: each branch planned alone as a streaming SELECT.
  if (s.query.kind === 'set_operation') return unionPlan(s, (b) => selectPlan(b, { ...ctx, queryMode: 'streaming', settings: new Map([...ctx.settings, ['query_mode', 'streaming']]) }));
  const separable = s.query.kind === 'select' ? separableSource(s, ctx) : null;
  if (separable !== null) return stagePlan(separable.inner, separable.outer, ctx, selectPlan);
  if (s.query.kind === 'select' && s.query.from?.kind === 'join') return joinStreamingPlan(s, s.query, ctx);
  const tail = tailPlan(s, ctx);
  if (tail.stream.variant !== 'random') return { kind: 'tail', tail };
  const q = s.query as Select;
  const rate = randomRate(tail.stream, q.settings, ctx.settings);
  // A random stream has no past worth reading: every read starts with the rows generated for it; a
  // tail ends after `max_events` rows as the generator does.
  const limit = tail.aggregate !== null || rate.maxEvents === null ? tail.limit : Math.min(tail.limit ?? rate.maxEvents, rate.maxEvents);
  return { kind: 'tail', tail: { ...tail, start: 'now', limit }, random: randomSource(tail.stream, rate, ctx) };
}

/** A streaming source that runs as its own stage: described by the store, then the outer query planned over the stage's stream. */
function stagePlan(inner: SelectStatement, outer: (stream: StreamEntry) => SelectStatement, ctx: PlanContext, selectPlan: SelectPlanner): Plan {
  return sourceStage(streamingPlan(inner, ctx, selectPlan), [], outer, ctx, selectPlan);
}

/**
 * The stage of an inner query's plan: a tail, join or union runs as the stage's source; an inner
 * query that has stages of its own (a window over a window) brings them along, its outer query
 * becoming this stage's source. Each level is described by the store before the next is planned.
 */
function sourceStage(inner: Plan, stages: readonly Stage[], outer: (stream: StreamEntry) => SelectStatement, ctx: PlanContext, selectPlan: SelectPlanner): Plan {
  if (inner.kind === 'describe_then') return { ...inner, then: (c) => sourceStage(inner.then(c), stages, outer, ctx, selectPlan) };
  if (inner.kind === 'pipeline') return sourceStage(asPlan(inner.consumer), [...stages, ...inner.stages], outer, ctx, selectPlan);
  const source = runnable(inner, 'A streaming subquery');
  return {
    kind: 'describe_then', sql: `DESCRIBE TABLE (${emitSql(source)})`,
    then: (columns) => {
      const stream = ownStream(`stage_${randomBytes(6).toString('hex')}`, columns);
      const planned = afterStage(stream, columns, source, streamingPlan(outer(stream), { ...ctx, catalog: ctx.catalog.overlay([stream]) }, selectPlan));
      return stages.length === 0 ? planned : withStages(planned, stages);
    },
  };
}

/** A runnable as the plan it came from. */
function asPlan(r: Runnable): Plan {
  return r.kind === 'tail' ? { kind: 'tail', tail: r.tail } : r.kind === 'join' ? { kind: 'join', join: r.join } : r.union;
}

/** `p` (a pipeline, or a plan still to be described) with the inner query's own stages added. */
function withStages(p: Plan, stages: readonly Stage[]): Plan {
  if (p.kind === 'describe_then') return { ...p, then: (c) => withStages(p.then(c), stages) };
  if (p.kind !== 'pipeline') throw new Error('a stage plan is a pipeline');
  return { ...p, stages: [...stages, ...p.stages] };
}

/** The outer query's plan with a stage before it: the outer query may hold further stages (another join side). */
function afterStage(stream: StreamEntry, columns: readonly { name: string; type: string }[], source: Runnable, consumer: Plan): Plan {
  if (consumer.kind === 'describe_then') return { ...consumer, then: (c) => afterStage(stream, columns, source, consumer.then(c)) };
  if (consumer.kind === 'pipeline') return withStage(consumer, stream, columns, source);
  return pipeline(stream, columns, source, runnable(consumer, 'A streaming query over a streaming subquery'));
}

/** A plan the pipeline can run as a stage (a tail, a join, a union), or 48. */
function runnable(p: Plan, what: string): Runnable {
  if (p.kind === 'tail' && p.random === undefined) return { kind: 'tail', tail: p.tail };
  if (p.kind === 'join') return { kind: 'join', join: p.join };
  if (p.kind === 'union' && p.into === undefined) return { kind: 'union', union: p };
  throw new NeedsStreaming(`${what} over a random stream, or in an INSERT pipeline`);
}

function joinStreamingPlan(s: SelectStatement, q: Select, ctx: PlanContext): Plan {
  if (q.groupBy.length > 0 || q.columns.some(hasAggregate)) {
    const rows = joinPlan(joinRows(s), ctx);
    if (rows.left.stream.mode === 'append') {
      const none = { first: 0n, next: 0n };
      return { kind: 'describe_then', sql: `DESCRIBE TABLE (${rows.leftSql(none, none, 0)})`, then: (columns) => joinPipeline(s, columns, ctx, randomBytes(6).toString('hex')) };
    }
  }
  return { kind: 'join', join: joinPlan(s, ctx) };
}

function randomSource(stream: StreamEntry, rate: RandomRate, ctx: PlanContext): RandomSource {
  const columns = generatedColumns(stream).map((c) => c.name);
  return {
    key: tableName(stream.database, stream.name), rate, ensure: createTableSql(stream, ctx, true), columns: columns.map(identifier),
    select: (rows) => print(decorrelated(toClickHouse({ kind: 'select_statement', query: randomRows(stream, rows), format: null }, ctx).statement.query as Select), 'clickhouse'),
  };
}

