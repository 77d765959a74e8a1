// Streaming queries over streaming queries (proton-semantics §1.10 "Subqueries / CTE": global over
// window, windows and joins over subqueries; §1.13 aggregations over joins). A source that is itself a
// streaming query the engine runs — an aggregation, a window, a join — and does not compose into the
// outer query (streaming-compose.ts) runs as its own stage: its emits go into a stream of the query's
// own (`_hadron.<name>`, created when the query starts, dropped when it ends), numbered and published
// like any stream, and the outer query reads that stream. Each stage is a tail or a join as the
// engine runs them; the outer query sees exactly the rows the inner one emitted, in emit order.
import type { ColumnEntry, StreamEntry } from '../catalog.ts';
import { emptySelect, type Expr, type Query, type Select, type SelectStatement, type TableExpr, type WithItem } from './ast.ts';
import { parseStatement } from './parse-select.ts';
import { identifier } from './printer.ts';
import { composes } from './streaming-compose.ts';
import type { JoinPlan } from './streaming-join-plan.ts';
import type { TailPlan } from './streaming-plan.ts';
import type { UnionPlan } from './streaming-union-plan.ts';
import { toClickHouse, type RewriteContext } from './to-clickhouse.ts';
import { transform } from './transform.ts';

/** A stage the engine runs: a tail (filter, aggregation, window), a join, or (as a source) a UNION ALL of those. */
export type Runnable = { readonly kind: 'tail'; readonly tail: TailPlan } | { readonly kind: 'join'; readonly join: JoinPlan } | { readonly kind: 'union'; readonly union: UnionPlan };

/** A stage: a query's own stream and the inner query that fills it. */
export type Stage = {
  readonly stream: StreamEntry;
  readonly create: string;
  readonly drop: string;
  /** The inner query, written into `stream`. */
  readonly source: Runnable;
};

export type PipelinePlan = {
  readonly kind: 'pipeline';
  /** The sources (one per FROM source that runs as a stage: e.g. both sides of a join). */
  readonly stages: readonly Stage[];
  /** The outer query, reading the stages' streams from their beginning. */
  readonly consumer: Runnable;
};

/** The SQL of a stage's emits over no rows: the store describes its columns from it. */
export function emitSql(r: Runnable): string {
  const none = { first: 0n, next: 0n };
  if (r.kind === 'union') return r.union.header;
  if (r.kind === 'join') return r.join.leftSql(none, none, 0);
  const t = r.tail;
  // An aggregation's emit (a window's: over its probe-bound subquery) differs from its per-range tail SQL.
  return t.aggregate !== null && t.session == null ? t.read({ windows: null, rows: none, late: [], changedSince: null, version: 0 }, 0) : t.sql(none, 0);
}

/** The pipeline of `source` into the query's own stream `stream`, read by `consumer` from its beginning. */
export function pipeline(stream: StreamEntry, columns: readonly { name: string; type: string }[], source: Runnable, consumer: Runnable): PipelinePlan {
  return { kind: 'pipeline', stages: [stage(stream, columns, source)], consumer: fromStart(consumer) };
}

/** A pipeline with one more stage before the others (a second FROM source run as a stage). */
export function withStage(p: PipelinePlan, stream: StreamEntry, columns: readonly { name: string; type: string }[], source: Runnable): PipelinePlan {
  return { ...p, stages: [stage(stream, columns, source), ...p.stages] };
}

function stage(stream: StreamEntry, columns: readonly { name: string; type: string }[], source: Runnable): Stage {
  const table = `${identifier(stream.database)}.${identifier(stream.name)}`;
  const defs = columns.map((c) => `${identifier(c.name)} ${c.type}`);
  return {
    stream, source,
    create: `CREATE TABLE ${table} (${[...defs, '_tp_sn Int64 MATERIALIZED 0'].join(', ')}) ENGINE = MergeTree ORDER BY tuple()`,
    drop: `DROP TABLE IF EXISTS ${table}`,
  };
}

function fromStart(consumer: Runnable): Runnable {
  if (consumer.kind === 'tail') return { kind: 'tail', tail: { ...consumer.tail, start: 'earliest' } };
  if (consumer.kind === 'join') return { kind: 'join', join: { ...consumer.join, start: 'earliest' } };
  return consumer;
}

/** The catalog entry of a query's own stream (an append stream of the described columns). */
export function ownStream(name: string, columns: readonly { name: string; type: string }[]): StreamEntry {
  const entries = columns.map((c): ColumnEntry => ({ name: c.name, type: c.type, defaultKind: null, default: '', codec: '', comment: '', reserved: c.name === '_tp_time' }));
  const sn: ColumnEntry = { name: '_tp_sn', type: 'int64', defaultKind: 'MATERIALIZED', default: '0', codec: '', comment: '', reserved: true };
  return {
    kind: 'stream', database: '_hadron', name, mode: 'append', variant: 'stream', columns: [...entries, sn], orderBy: '', partitionBy: '', primaryKey: '', ttl: '',
    settings: {}, versionColumn: '', comment: '', createSql: '',
  };
}

/** A source of the outer query that runs as its own stage, and the outer query reading `stream` in its place. */
export type Separable = { readonly inner: SelectStatement; outer(stream: StreamEntry): SelectStatement };

/**
 * The first FROM source of the query (the FROM itself, a window's source, or a join side; a subquery
 * or a CTE) that is a streaming query not composing into the outer one; null when there is none.
 */
export function separableSource(statement: SelectStatement, ctx: RewriteContext): Separable | null {
  const select = statement.query as Select;
  const ref = (stream: StreamEntry): Extract<Expr, { kind: 'identifier' }> => ({ kind: 'identifier', parts: [stream.database, stream.name] });
  const cte = (name: string): Extract<WithItem, { kind: 'cte' }> | undefined => select.with.find((w): w is Extract<WithItem, { kind: 'cte' }> => w.kind === 'cte' && w.name === name);
  // A join side is a stream or a stage: a subquery, CTE or view there runs as a stage even when it
  // only filters and projects (the join engine reads streams, not queries).
  let joinSide = false;
  const separate = (q: Query): boolean => streamingQuery(q, ctx) && (joinSide || !composes(q, ctx));
  const at = (t: TableExpr, put: (t: TableExpr, drop: WithItem | null) => Select): { inner: Query; replace: (s: StreamEntry) => Select } | null => {
    if (t.kind === 'table_subquery' && separate(t.query)) return { inner: t.query, replace: (s) => put({ kind: 'table_ref', name: ref(s), alias: t.alias }, null) };
    if (t.kind === 'table_ref' && t.name.parts.length === 1) {
      const c = cte(t.name.parts[0] as string);
      if (c !== undefined && separate(c.query)) return { inner: c.query, replace: (s) => put({ kind: 'table_ref', name: ref(s), alias: t.alias ?? c.name }, c) };
    }
    // A view of the query's database whose query is a streaming aggregation, window or join.
    const view = t.kind === 'table_ref' && t.name.parts.length === 1 ? ctx.catalog.relation(ctx.database, t.name.parts[0] as string) : undefined;
    if (view?.kind === 'view' && view.database === ctx.database) {
      const q = parseStatement(view.query).query;
      if (separate(q)) return { inner: q, replace: (s) => put({ kind: 'table_ref', name: ref(s), alias: (t as Extract<TableExpr, { kind: 'table_ref' }>).alias ?? view.name }, null) };
    }
    if (t.kind === 'table_function' && /^(tumble|hop|session)$/i.test(t.call.name)) {
      const arg = t.call.args[0];
      const c = arg?.kind === 'identifier' && arg.parts.length === 1 ? cte(arg.parts[0] as string) : undefined;
      const inner = arg?.kind === 'subquery' ? arg.query : c?.query;
      if (inner !== undefined && separate(inner)) {
        return { inner, replace: (s) => put({ ...t, call: { ...t.call, args: [ref(s), ...t.call.args.slice(1)] }, alias: t.alias ?? c?.name ?? null }, c ?? null) };
      }
    }
    return null;
  };
  const withFrom = (from: TableExpr, drop: WithItem | null): Select => ({ ...select, from, with: drop === null ? select.with : select.with.filter((w) => w !== drop) });
  const from = select.from;
  if (from === null) return null;
  if (from.kind === 'join' && from.left.kind === 'join') return nestedJoin(statement, from);
  joinSide = from.kind === 'join';
  const found = from.kind === 'join'
    ? at(from.left, (t, drop) => withFrom({ ...from, left: t }, drop)) ?? at(from.right, (t, drop) => withFrom({ ...from, right: t }, drop))
    : at(from, withFrom);
  if (found === null) return null;
  return {
    inner: { kind: 'select_statement', query: found.inner, format: null },
    outer: (stream) => ({ ...statement, query: found.replace(stream) }),
  };
}

/**
 * `(a JOIN b) JOIN c`: the inner join runs as a stage (its rows, `*`), the outer join reads it as its
 * left side; names qualified by `a` or `b` become the stage's columns (a duplicate right column is
 * `b.x` there, as ClickHouse names it).
 */
function nestedJoin(statement: SelectStatement, from: Extract<TableExpr, { kind: 'join' }>): Separable {
  const inner: Select = { ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }], from: from.left };
  const aliases = new Set(sideAliases(from.left));
  const stageAlias = '__hadron_left';
  return {
    inner: { kind: 'select_statement', query: inner, format: null },
    outer: (stream) => {
      const names = new Set(stream.columns.map((c) => c.name));
      const rename = <T extends Expr | Select>(e: T): T => transform(e, (n) => {
        if (n.kind !== 'identifier') return n;
        const parts = (n as Extract<Expr, { kind: 'identifier' }>).parts;
        const q = parts[parts.length - 2];
        if (parts.length < 2 || q === undefined || !aliases.has(q)) return n;
        const col = parts[parts.length - 1] as string;
        return { kind: 'identifier', parts: [stageAlias, names.has(`${q}.${col}`) ? `${q}.${col}` : col] };
      });
      const select = statement.query as Select;
      const left: TableExpr = { kind: 'table_ref', name: { kind: 'identifier', parts: [stream.database, stream.name] }, alias: stageAlias };
      const outer = rename({ ...select, from: null });
      return { ...statement, query: { ...outer, from: { ...from, left, on: from.on === null ? null : rename(from.on) } } };
    },
  };
}

/** The aliases (or table names) of a join tree's sides. */
function sideAliases(t: TableExpr): string[] {
  if (t.kind === 'join') return [...sideAliases(t.left), ...sideAliases(t.right)];
  if (t.alias !== null) return [t.alias];
  return t.kind === 'table_ref' ? [t.name.parts[t.name.parts.length - 1] as string] : [];
}

/** Whether a query reads a stream bare (it streams on a streaming port). */
function streamingQuery(q: Query, ctx: RewriteContext): boolean {
  try {
    const r = toClickHouse({ kind: 'select_statement', query: q, format: null }, ctx);
    return r.bareStreams.length > 0 || r.bareViews.length > 0;
  } catch {
    return true;
  }
}
