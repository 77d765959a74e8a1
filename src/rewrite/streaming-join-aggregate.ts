// Aggregations over a streaming join of an append stream (proton-semantics §1.13 with §1.10/§1.11):
// the join's rows go into a stream of the query's own (`_hadron.join_…`, created when the query starts
// and dropped when it ends), numbered and published like any stream, and the aggregation is an
// ordinary streaming aggregation over that stream — so every emit policy, window and setting of a
// streaming aggregation works over a join. (An enrichment join's result depends on when each left
// row arrived, so it cannot be recomputed from the two streams later: it has to be kept.)
import type { Expr, Select, SelectStatement, Setting } from './ast.ts';
import { joinPlan } from './streaming-join-plan.ts';
import { ownStream, pipeline, type PipelinePlan } from './streaming-pipeline.ts';
import { tailPlan } from './streaming-plan.ts';
import type { RewriteContext } from './to-clickhouse.ts';
import { transform } from './transform.ts';


/** Settings the join reads; the rest belong to the aggregation. */
const joinSettings = new Set(['keep_versions', 'seek_to', 'join_max_buffered_bytes']);

/** The join part of an aggregation over a join: its rows (`*`), filtered by the WHERE. */
export function joinRows(statement: SelectStatement): SelectStatement {
  const s = statement.query as Select;
  const rows: Select = {
    ...s, columns: [{ kind: 'star', qualifier: [], except: [] }], distinct: false, distinctOn: [], groupBy: [], groupingSets: [], withTotals: false,
    having: null, window: [], qualify: null, emit: null, orderBy: [], interpolate: null, limitBy: null, limit: null, partitionBy: [], shuffleBy: [],
    settings: s.settings.filter((x) => joinSettings.has(x.name)),
  };
  return { ...statement, query: rows, format: null };
}

/**
 * Plans the aggregation once the store described the join's rows (`columns`, ClickHouse names and
 * types: the left side's columns, then the right side's, a duplicate name prefixed `alias.`).
 */
export function joinPipeline(statement: SelectStatement, columns: readonly { name: string; type: string }[], ctx: RewriteContext, id: string): PipelinePlan {
  const s = statement.query as Select;
  const join = joinPlan(joinRows(statement), ctx);
  const stream = ownStream(`join_${id}`, columns);
  const names = new Set(columns.map((c) => c.name));
  const aliases = new Set([joinAlias(join.left.stream.name, s, 'left'), joinAlias(join.right.stream?.name ?? null, s, 'right')].filter((a): a is string => a !== null));
  // `a.x` reads column `x` of the joined rows, or `a.x` when the right side's x was renamed so.
  const column = (e: Expr): Expr => transform(e, (n) => {
    if (n.kind !== 'identifier') return n;
    const parts = (n as Extract<Expr, { kind: 'identifier' }>).parts;
    if (parts.length < 2 || !aliases.has(parts[parts.length - 2] as string)) return n;
    const qualified = `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    return { kind: 'identifier', parts: [names.has(qualified) ? qualified : (parts[parts.length - 1] as string)] };
  }, (n) => n.kind !== 'subquery');
  const outer: Select = {
    ...s,
    columns: s.columns.map(column), where: null, prewhere: null,
    from: { kind: 'table_ref', name: { kind: 'identifier', parts: [stream.database, stream.name] }, alias: null },
    groupBy: s.groupBy.map(column), partitionBy: s.partitionBy.map(column), having: s.having === null ? null : column(s.having),
    orderBy: s.orderBy.map((o) => ({ ...o, expr: column(o.expr) })),
    limitBy: s.limitBy === null ? null : { ...s.limitBy, by: s.limitBy.by.map(column) },
    settings: s.settings.filter((x: Setting) => !joinSettings.has(x.name)),
  };
  const tail = tailPlan({ ...statement, query: outer }, { ...ctx, catalog: ctx.catalog.overlay([stream]) });
  return pipeline(stream, columns, { kind: 'join', join }, { kind: 'tail', tail });
}

/** The alias a side of the written join goes by (its alias, else its stream's name). */
function joinAlias(name: string | null, s: Select, side: 'left' | 'right'): string | null {
  const from = s.from;
  if (from?.kind !== 'join') return null;
  const t = side === 'left' ? from.left : from.right;
  return t.kind === 'join' ? null : (t.alias ?? name);
}
