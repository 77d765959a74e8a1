// Streaming reads of views, CTEs and FROM subqueries (proton-semantics §1.5, §1.10 "Subqueries /
// CTE"): a source that filters and projects one stream is composed into the query over that stream,
// so the engine reads the stream itself (its `_tp_sn` ranges) and the store evaluates the composed
// query. Other sources are left for the caller (a join, an aggregation in a subquery: 48 or a
// pipeline elsewhere).
import type { ViewEntry } from '../catalog.ts';
import type { Expr, Query, Select, TableExpr, WithItem } from './ast.ts';
import { parseStatement } from './parse-select.ts';
import { hasAggregate } from './streaming-plan.ts';
import { NeedsStreaming, type RewriteContext } from './to-clickhouse.ts';
import { transform, visitAll } from './transform.ts';

/** How deep views over views are composed before the planner gives up (a cycle, or absurd nesting). */
const maxViewDepth = 8;

/**
 * A streaming read of a view, a CTE or a FROM subquery reads the stream under it (§1.5). `FROM v`,
 * `tumble(v, …)` and `hop(v, …)` over a source that filters and projects one stream (`SELECT items
 * FROM s [WHERE p]`, no aggregate, window, LIMIT, ORDER BY, join or subquery) becomes the same query
 * over `s`: `p` joins the WHERE, the source's column names are replaced by the expressions they name,
 * `*` by its items. Sources over sources compose in turn. Views that do not compose are refused with
 * 48; other reads are returned as they are.
 */
export function composeSources(select: Select, ctx: RewriteContext, depth: number): Select {
  const from = select.from;
  const windowed = from?.kind === 'table_function' && /^(tumble|hop)$/i.test(from.call.name) ? from : null;
  const found = source(select, windowed, ctx, depth);
  if (found === null) return select;
  const alias = from?.kind === 'table_ref' || from?.kind === 'table_subquery' ? from.alias : (windowed?.alias ?? null);
  const names = new Set([...found.names, ...(alias === null ? [] : [alias])]);
  const outer = substituteViewColumns({ ...select, with: found.with }, found.view, names);
  const stream: Expr = { kind: 'identifier', parts: found.view.stream };
  const view = found.view;
  const where = view.where === null ? outer.where : outer.where === null ? view.where : { kind: 'binary', op: 'AND', left: outer.where, right: view.where } as Expr;
  const composed: TableExpr = windowed === null
    ? { kind: 'table_ref', name: stream as Extract<Expr, { kind: 'identifier' }>, alias }
    : { ...windowed, call: { ...windowed.call, args: [stream, ...windowed.call.args.slice(1)] } };
  return { ...outer, from: composed, where };
}

/** The view, CTE or subquery the query reads, composed down to its stream; null when it reads none of them. */
function source(select: Select, windowed: Extract<TableExpr, { kind: 'table_function' }> | null, ctx: RewriteContext, depth: number): { view: ViewSource; names: string[]; with: readonly WithItem[] } | null {
  const from = select.from;
  const arg = windowed?.call.args[0];
  const inner: Query | null = from?.kind === 'table_subquery' ? from.query : arg?.kind === 'subquery' ? arg.query : null;
  if (inner !== null) return { view: composedSource(inner, ctx, depth, 'a subquery'), names: [], with: select.with };
  const ref = from?.kind === 'table_ref' ? from.name : arg;
  if (ref?.kind !== 'identifier') return null;
  const parts = ref.parts;
  const name = parts[parts.length - 1] as string;
  if (depth >= maxViewDepth) throw new NeedsStreaming(`A streaming read of views nested more than ${maxViewDepth} deep`);
  const cte = parts.length === 1 ? select.with.find((w): w is Extract<WithItem, { kind: 'cte' }> => w.kind === 'cte' && w.name === name) : undefined;
  if (cte !== undefined) {
    // The CTE is read once, by this FROM: composed in, it is no longer needed.
    return { view: composedSource(cte.query, ctx, depth, `CTE ${name}`), names: [name], with: select.with.filter((w) => w !== cte) };
  }
  const relation = ctx.catalog.relation(parts.length > 1 ? (parts[0] as string) : ctx.database, name);
  if (relation?.kind !== 'view') return null;
  return { view: viewSource(relation, ctx, depth), names: [relation.name], with: select.with };
}

type ViewSource = {
  /** The stream read, qualified by the view's database. */
  readonly stream: readonly string[];
  /** The view's items by output name (bare and `*` items are kept for a `*` read). */
  readonly items: readonly Expr[];
  readonly columns: ReadonlyMap<string, Expr>;
  readonly where: Expr | null;
};

/** Whether a source query composes into a query over it (a filter/projection over one stream, or over such sources). */
export function composes(q: Query, ctx: RewriteContext): boolean {
  try {
    composedSource(q, ctx, 0, 'a source');
    return true;
  } catch (err) {
    if (err instanceof NeedsStreaming) return false;
    throw err;
  }
}

/** The view's query, composed down to the stream it filters and projects, or 48. */
function viewSource(v: ViewEntry, ctx: RewriteContext, depth: number): ViewSource {
  return composedSource(parseStatement(v.query).query, { ...ctx, database: v.database }, depth, `view ${v.database}.${v.name}`, v.database);
}

/** A source's query (a view's, a CTE's, a subquery's), composed down to the stream it filters and projects, or 48. */
function composedSource(parsed: Query, ctx: RewriteContext, depth: number, what: string, database = ctx.database): ViewSource {
  const refuse = (): never => {
    throw new NeedsStreaming(`A streaming read of ${what} (only a filter/projection over one stream composes)`);
  };
  if (parsed.kind !== 'select') return refuse();
  const q = composeSources(parsed, ctx, depth + 1);
  const plain = q.with.length === 0 && !q.distinct && q.distinctOn.length === 0 && q.arrayJoin.length === 0 && q.prewhere === null
    && q.partitionBy.length === 0 && q.shuffleBy.length === 0 && q.groupBy.length === 0 && q.groupingSets.length === 0 && q.having === null
    && q.window.length === 0 && q.qualify === null && q.emit === null && q.orderBy.length === 0 && q.limitBy === null && q.limit === null
    && q.settings.length === 0 && !q.columns.some((c) => hasAggregate(c) || hasOver(c) || c.kind === 'columns');
  if (!plain || q.from?.kind !== 'table_ref') return refuse();
  const from = q.from;
  const own = new Set([from.name.parts[from.name.parts.length - 1] as string, ...(from.alias === null ? [] : [from.alias])]);
  const bare = <T extends Expr>(e: T): T => transform(e, (n) => {
    const id = n as Extract<Expr, { kind: 'identifier' }>;
    return n.kind === 'identifier' && id.parts.length === 2 && own.has(id.parts[0] as string) ? { kind: 'identifier', parts: [id.parts[1] as string] } : n;
  });
  const aliases = new Map<string, Expr>();
  for (const item of q.columns) if (item.kind === 'alias') aliases.set(item.name, bare(item.expr));
  // The view's aliases may name each other and appear in its WHERE (ClickHouse's alias scoping): expanded.
  const expand = (e: Expr, seen: ReadonlySet<string>): Expr => transform(e, (n) => {
    const name = n.kind === 'identifier' && (n as Extract<Expr, { kind: 'identifier' }>).parts.length === 1 ? (n as Extract<Expr, { kind: 'identifier' }>).parts[0] as string : null;
    const target = name === null || seen.has(name) ? undefined : aliases.get(name);
    return target === undefined ? n : expand(target, new Set([...seen, name as string]));
  }, (n) => n.kind !== 'subquery' && n.kind !== 'lambda');
  const items = q.columns.map((item) => (item.kind === 'alias' ? { ...item, expr: expand(aliases.get(item.name) as Expr, new Set([item.name])) } : bare(item)));
  const columns = new Map<string, Expr>();
  for (const item of items) {
    if (item.kind === 'alias') columns.set(item.name, item.expr);
    else if (item.kind === 'identifier') columns.set(item.parts[item.parts.length - 1] as string, item);
  }
  const stream = from.name.parts.length > 1 ? from.name.parts : [database, ...from.name.parts];
  return { stream, items, columns, where: q.where === null ? null : expand(bare(q.where), new Set()) };
}

/** The outer query with the view's column names (bare or qualified by the view's name or alias) replaced by their expressions. */
function substituteViewColumns(select: Select, view: ViewSource, names: ReadonlySet<string>): Select {
  const column = (id: Extract<Expr, { kind: 'identifier' }>): string | null => {
    if (id.parts.length === 1) return id.parts[0] as string;
    return id.parts.length === 2 && names.has(id.parts[0] as string) ? (id.parts[1] as string) : null;
  };
  const replace = (e: Expr): Expr => transform(e, (n) => {
    if (n.kind !== 'identifier') return n;
    const name = column(n as Extract<Expr, { kind: 'identifier' }>);
    if (name === null) return n;
    return view.columns.get(name) ?? ((n as Extract<Expr, { kind: 'identifier' }>).parts.length === 1 ? n : { kind: 'identifier', parts: [name] });
  }, (n) => n.kind !== 'subquery' && n.kind !== 'lambda');
  const items = select.columns.flatMap((c): Expr[] => {
    if (c.kind === 'star' && (c.qualifier.length === 0 || names.has(c.qualifier.join('.')))) {
      if (c.except.length > 0 || (c.transformers?.length ?? 0) > 0) throw new NeedsStreaming('A streaming read of a view with * EXCEPT / REPLACE / APPLY');
      return [...view.items];
    }
    const name = c.kind === 'identifier' ? column(c) : null;
    const e = replace(c);
    // A column read by name keeps its name when it stands for an expression.
    return name !== null && e !== c && !(e.kind === 'identifier' && e.parts.at(-1) === name) ? [{ kind: 'alias', expr: e, name }] : [e];
  });
  const exprs = <T extends Expr>(xs: readonly T[]): Expr[] => xs.map(replace);
  return {
    ...select, columns: items,
    where: select.where === null ? null : replace(select.where),
    prewhere: select.prewhere === null ? null : replace(select.prewhere),
    having: select.having === null ? null : replace(select.having),
    groupBy: exprs(select.groupBy), partitionBy: exprs(select.partitionBy),
    orderBy: select.orderBy.map((o) => ({ ...o, expr: replace(o.expr) })),
  };
}

function hasOver(e: Expr): boolean {
  let found = false;
  visitAll(e, (n) => {
    if (n.kind === 'function' && (n as { over?: unknown }).over != null) found = true;
  });
  return found;
}
