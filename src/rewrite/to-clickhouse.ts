// Proton → ClickHouse rewrite of a historical (bounded) query: the same tree after passes, printed
// with the ClickHouse dialect. Passes: function names (the generated table), expression rewrites of
// Proton-only functions (templates parsed to trees, never glued as text), type names in casts,
// `table(s)` → the stream's table, windows over history → GROUP BY-able subqueries, `dedup()` →
// LIMIT 1 BY, keyed streams read latest-per-key (FINAL), hidden-column rules, Proton-owned query
// settings removed. Anything that needs the streaming engine is refused with NeedsStreaming.
import type { Catalog, StreamEntry, ViewEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import { isProtonQuerySetting } from '../settings.ts';
import { translateTypeName } from '../type-parser.ts';
import type { DataType, Expr, FunctionCall, Interval, Query, Select, SelectStatement, Setting, StarApply, TableExpr, WithItem } from './ast.ts';
import { applyTemplate } from './function-rules.ts';
import { protonFunction } from './function-lookup.ts';
import { Cursor } from './parse-cursor.ts';
import { parseType } from './parse-expression.ts';
import { parseExpression } from './parse-select.ts';
import { print } from './printer.ts';
import { rewriteTable } from './to-clickhouse-from.ts';
import { transform, visitAll } from './transform.ts';
import { protonTypeNameSql } from './type-name-sql.ts';

/**
 * A form only a streaming query has (refused in table mode), or one the streaming engine does not run
 * yet (refused by the streaming planner): both are 48 NOT_IMPLEMENTED.
 */
export class NeedsStreaming extends GatewayError {
  constructor(what: string) {
    super(Code.NOT_IMPLEMENTED, `${what} is not supported here: streaming forms run on the streaming ports (3218, 8463) or with query_mode='streaming', and only those listed in docs/streaming.md; read history with table(...) or query_mode='table'`);
  }
}

export type RewriteContext = {
  readonly catalog: Catalog;
  /** The session's current database. */
  readonly database: string;
  /** Client dialect: Proton clients get Proton names from to_type_name() and Proton column names. */
  readonly dialect: 'proton' | 'clickhouse';
  /** Tables Hadron answers itself (`system.processes`), as queries over literal data. */
  readonly virtualTables: ReadonlyMap<string, () => Query>;
};

export type Rewritten = {
  readonly statement: SelectStatement;
  /** Streams the query reads. */
  readonly streams: readonly StreamEntry[];
  /** Streams read bare (not through table()): in streaming mode these need the streaming engine. */
  readonly bareStreams: readonly StreamEntry[];
  /** Views read bare (not through table()): streaming when their query is. */
  readonly bareViews: readonly ViewEntry[];
  /** Store settings the rewrite needs (e.g. `final` for keyed streams). */
  readonly settings: ReadonlyMap<string, string>;
  /** Proton-owned settings written in the query (query_mode, seek_to, …), removed from the SQL. */
  readonly protonSettings: ReadonlyMap<string, Expr>;
};

/** Rewrites a bounded SELECT statement to its ClickHouse tree. */
export function toClickHouse(statement: SelectStatement, ctx: RewriteContext): Rewritten {
  const settings = new Map<string, string>();
  const state: State = { ctx, streams: [], bareStreams: [], bareViews: [], protonSettings: new Map(), ctes: new Set(), storeSettings: settings };
  const query = rewriteQuery(statement.query, state, true);
  return { statement: query === statement.query ? statement : { ...statement, query }, streams: state.streams, bareStreams: state.bareStreams, bareViews: state.bareViews, settings, protonSettings: state.protonSettings };
}

/** `ctes`: names of the CTEs in scope, which shadow streams of the same name. */
/** The rewrite's state (to-clickhouse-from.ts reads it too). */
export type State = {
  ctx: RewriteContext; streams: StreamEntry[]; bareStreams: StreamEntry[]; bareViews: ViewEntry[]; protonSettings: Map<string, Expr>; ctes: ReadonlySet<string>;
  /** The SELECT being rewritten names `_tp_sn`: a keyed stream's snapshot subquery carries it. */
  sn?: boolean;
  /** Store settings the rewritten query needs (shared by every level of the query). */
  storeSettings: Map<string, string>;
};

export function rewriteQuery(q: Query, state: State, top: boolean): Query {
  if (q.kind !== 'select') {
    const left = rewriteQuery(q.left, state, top);
    const right = rewriteQuery(q.right, state, top);
    return left === q.left && right === q.right ? q : { ...q, left, right };
  }
  return rewriteSelect(q, state, top);
}

export function rewriteSelect(s: Select, outer: State, top: boolean): Select {
  let state = outer;
  const withs = s.with.map((w) => {
    if (w.kind !== 'cte') return rewriteWithExpr(w, state);
    const query = rewriteQuery(w.query, state, false);
    state = { ...state, ctes: new Set([...state.ctes, w.name]) };
    return query === w.query ? w : { ...w, query };
  });
  if (s.emit !== null) throw new NeedsStreaming('An EMIT clause');
  if (s.partitionBy.length > 0 || s.shuffleBy.length > 0) throw new NeedsStreaming('PARTITION BY / SHUFFLE BY substreams');
  const settings = s.settings.filter((x: Setting) => {
    if (!isProtonQuerySetting(x.name)) return true;
    state.protonSettings.set(x.name, x.value);
    return false;
  });
  const from = s.from === null ? null : rewriteTable(s.from, { ...state, sn: namesSn(s) });
  const columns = s.columns.map((c) => namedColumn(c, rewriteExpr(c, state), state.ctx.dialect, top));
  // Every other clause (WHERE, GROUP BY, ORDER BY, PREWHERE, ARRAY JOIN, window specs, …) gets the expression pass structurally.
  const body = transform({ ...s, with: [], columns: [], from: null, settings: settings.length === s.settings.length ? s.settings : settings }, expressionPass(state), enterExpressions);
  const next: Select = { ...body, with: withs, columns, from };
  return sameSelect(s, next) ? s : next;
}

function rewriteWithExpr(w: Extract<WithItem, { kind: 'with_expr' }>, state: State): WithItem {
  const expr = rewriteExpr(w.expr, state);
  return expr === w.expr ? w : { ...w, expr };
}


/** Whether a SELECT names `_tp_sn` (hidden from `*`, readable by name). */
function namesSn(s: Select): boolean {
  let found = false;
  const clauses: Select = { ...s, from: null };
  visitAll(clauses, (n) => {
    if (n.kind === 'identifier' && (n as Extract<Expr, { kind: 'identifier' }>).parts.at(-1) === '_tp_sn') found = true;
  });
  return found;
}

function sameSelect(a: Select, b: Select): boolean {
  for (const key of Object.keys(a) as (keyof Select)[]) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i])) continue;
    return false;
  }
  return true;
}

/**
 * Proton names an unaliased result column by its Proton text (`raw:a.b`, `to_string(x)`); the store
 * would name it by the ClickHouse text, so such columns get the Proton text as alias.
 */
function namedColumn(original: Expr, rewritten: Expr, dialect: 'proton' | 'clickhouse', top: boolean): Expr {
  if (!top || dialect !== 'proton') return rewritten;
  if (original.kind === 'alias' || original.kind === 'identifier' || original.kind === 'star' || original.kind === 'columns') return rewritten;
  const proton = print(original, 'proton');
  return proton === print(rewritten, 'clickhouse') ? rewritten : { kind: 'alias', expr: rewritten, name: proton };
}

/** One expression (a DEFAULT, a key, a TTL) in ClickHouse's spelling. */
export function rewriteExpression(e: Expr, ctx: RewriteContext): Expr {
  return rewriteExpr(e, { ctx, streams: [], bareStreams: [], bareViews: [], protonSettings: new Map(), ctes: new Set(), storeSettings: new Map() });
}

/** The expression pass: functions, casts, subqueries. */
export function rewriteExpr(e: Expr, state: State): Expr {
  return transform(e, expressionPass(state), enterExpressions);
}

const enterExpressions = (n: { kind: string }): boolean => n.kind !== 'subquery';

function expressionPass(state: State) {
  return <N extends { kind: string }>(n: N): N | Expr | StarApply => {
    const node = n as unknown as Expr | StarApply;
    switch (node.kind) {
      case 'star_apply': return applied(node);
      case 'function': return rewriteCall(node, state);
      case 'cast': {
        const type = clickHouseType(node.type);
        return type === node.type ? n : { ...node, type };
      }
      case 'param': {
        const type = translateTypeName(node.type, 'clickhouse');
        return type === node.type ? n : { ...node, type };
      }
      case 'subquery': {
        const query = rewriteQuery(node.query, state, false);
        return query === node.query ? n : { ...node, query };
      }
      default: return n;
    }
  };
}

/** `* APPLY(to_string)`: a function given by name is renamed like a call. */
function applied(a: StarApply): StarApply {
  const name = a.fn.kind === 'identifier' && a.fn.parts.length === 1 ? (a.fn.parts[0] as string) : null;
  const entry = name === null ? undefined : protonFunction(name);
  return entry?.kind === 'function' && entry.clickhouse !== name ? { ...a, fn: { kind: 'identifier', parts: [entry.clickhouse] } } : a;
}

/** A Proton type tree in ClickHouse spelling (unknown types: 50 UNKNOWN_TYPE from the type module). */
export function clickHouseType(t: DataType): DataType {
  const proton = print(t, 'proton');
  const clickhouse = translateTypeName(proton, 'clickhouse');
  return clickhouse === proton ? t : parseType(new Cursor(clickhouse));
}

/** ClickHouse functions that take a type name as a string, and which argument it is (-1: the last). */
const typeArguments: Readonly<Record<string, number>> = {
  CAST: 1, _CAST: 1, accurateCast: 1, accurateCastOrNull: 1, accurateCastOrDefault: 1, reinterpret: 1,
  defaultValueOfTypeName: 0, JSONExtract: -1, JSONExtractKeysAndValues: -1,
};

function rewriteCall(f: FunctionCall, state: State): Expr {
  const udf = state.ctx.catalog.function(f.name);
  if (udf !== undefined && udf.language !== 'sql') {
    throw new GatewayError(Code.NOT_IMPLEMENTED, `${udf.language === 'javascript' ? 'JavaScript' : 'Remote'} function ${f.name} is kept in the catalog, but Hadron does not run ${udf.language} UDFs yet`);
  }
  const entry = protonFunction(f.name);
  if (entry === undefined) return typeArgument(f);
  switch (entry.kind) {
    case 'function': {
      let call: FunctionCall = f.name === entry.clickhouse ? f : { ...f, name: entry.clickhouse };
      if (entry.parameters !== undefined && call.params === null && call.args.length > entry.parameters) {
        const params = call.args.slice(entry.parameters);
        call = { ...call, params: parameterRules[call.name]?.(params) ?? params, args: call.args.slice(0, entry.parameters) };
      }
      if (call.name === 'toTypeName' && state.ctx.dialect === 'proton') return protonTypeNameSql(call.args[0] ?? { kind: 'null' });
      return typeArgument(call);
    }
    case 'expression': return shapeRules[f.name.toLowerCase()]?.(f) ?? expandTemplate(f, entry.template);
    case 'streaming': {
      const name = f.name.toLowerCase();
      if (seekMarkers.has(name)) return earliest;
      const order = arrivalOrder[name];
      if (order !== undefined && f.args.length === 1 && f.params === null) return arrivalAggregate(f, order, state);
      throw new NeedsStreaming(`Function ${f.name} (${entry.reason})`);
    }
    case 'unsupported':
      throw new GatewayError(Code.NOT_IMPLEMENTED, `Function ${f.name} is not supported by Hadron: ${entry.reason}`);
  }
}

const isTrue = (e: Expr | undefined): boolean => (e?.kind === 'bool' && e.value) || (e?.kind === 'number' && e.text === '1');
const isFalse = (e: Expr | undefined): boolean => (e?.kind === 'bool' && !e.value) || (e?.kind === 'number' && e.text === '0');

/**
 * Trailing Proton parameters ClickHouse spells differently, by ClickHouse function. `top_k(x, k,
 * with_count, load_factor)`: ClickHouse has no with_count flag (`topK(2, true)` would read true as
 * the load factor) but a 'counts' mode after the load factor: `topK(k, load_factor or 3, 'counts')`.
 */
const parameterRules: Readonly<Record<string, (params: readonly Expr[]) => readonly Expr[] | undefined>> = {
  topK: ([k, withCount, loadFactor, ...rest]) => {
    if (k === undefined || withCount === undefined || rest.length > 0) return undefined;
    if (isFalse(withCount)) return loadFactor === undefined ? [k] : [k, loadFactor];
    if (isTrue(withCount)) return [k, loadFactor ?? { kind: 'number', text: '3' }, { kind: 'string', value: 'counts' }];
    return undefined;
  },
};

/**
 * Expression rewrites whose ClickHouse form depends on the arguments' shape, tried before the template:
 * `map_cast([k…], [v…])` (two arrays) is `mapFromArrays`, not a one-entry map keyed by an array.
 */
const shapeRules: Readonly<Record<string, (f: FunctionCall) => Expr | undefined>> = {
  map_cast: (f) => (f.args.length === 2 && f.args.every((a) => a.kind === 'array') ? { ...f, name: 'mapFromArrays' } : undefined),
  random_in_type: randomInType,
};

/**
 * `random_in_type('int8')`: random bits of the type (a string: printable ASCII); `random_in_type('int8', 10)`:
 * uniform in [0, 10). The type is a Proton name, translated here since the template cannot.
 */
function randomInType(f: FunctionCall): Expr | undefined {
  const [t, bound, ...rest] = f.args;
  if (t?.kind !== 'string' || rest.length > 0) return undefined;
  const type: Expr = { kind: 'string', value: translateTypeName(t.value, 'clickhouse') };
  const fn = (name: string, ...args: Expr[]): Expr => ({ kind: 'function', name, params: null, args, distinct: false });
  if (bound !== undefined) return fn('CAST', { kind: 'binary', op: '*', left: fn('randCanonical'), right: bound }, type);
  if (type.value === 'String') return fn('randomPrintableASCII', { kind: 'number', text: '8' });
  return fn('reinterpret', fn('randomString', fn('byteSize', fn('defaultValueOfTypeName', type))), type);
}

/**
 * `latest(x)` / `earliest(x)`: the value of the last / first row in arrival order. Over a stream that
 * order is `_tp_sn` (argMax / argMin, exact also when the store reads in parallel, and the same for a
 * streaming emit computed over stored rows); over other sources the store's anyLast / any.
 */
const arrivalOrder: Readonly<Record<string, 'last' | 'first'>> = { latest: 'last', earliest: 'first' };

function arrivalAggregate(f: FunctionCall, order: 'last' | 'first', state: State): Expr {
  const x = f.args[0] as Expr;
  if (state.streams.length === 0) return { ...f, name: order === 'last' ? 'anyLast' : 'any' };
  return { ...f, name: order === 'last' ? 'argMax' : 'argMin', args: [x, { kind: 'identifier', parts: ['_tp_sn'] }] };
}

/** `CAST(x, 'nullable(string)')`, `json_extract(j, 'a', 'array(int32)')`: a type given as a string is translated too. */
function typeArgument(f: FunctionCall): FunctionCall {
  const at = typeArguments[f.name];
  if (at === undefined || f.args.length < (at < 0 ? 2 : at + 1)) return f;
  const i = at < 0 ? f.args.length - 1 : at;
  const t = f.args[i];
  if (t?.kind !== 'string') return f;
  const value = translateTypeName(t.value, 'clickhouse');
  return value === t.value ? f : { ...f, args: f.args.map((a, k) => (k === i ? { kind: 'string', value } : a)) };
}

/** `earliest_ts()` / `earliest_timestamp()`: before every stored event time. */
const seekMarkers: ReadonlySet<string> = new Set(['earliest_ts', 'earliest_timestamp']);
const earliest: Expr = {
  kind: 'function', name: 'toDateTime64', params: null, distinct: false,
  args: [{ kind: 'string', value: '1900-01-01 00:00:00' }, { kind: 'number', text: '3' }, { kind: 'string', value: 'UTC' }],
};

const placeholder = (i: number): string => `__hadron_arg_${i}`;
const templates = new Map<string, Expr>();

/** Expands an expression rewrite: the template is printed over placeholders, parsed once, then the arguments are substituted as trees. */
function expandTemplate(f: FunctionCall, template: string): Expr {
  const key = `${template}\u0000${f.args.length}`;
  let tree = templates.get(key);
  if (tree === undefined) {
    const sql = applyTemplate(template, f.args.map((_, i) => placeholder(i)));
    if (sql === undefined) {
      throw new GatewayError(Code.NUMBER_OF_ARGUMENTS_DOESNT_MATCH, `Number of arguments for function ${f.name} doesn't match: passed ${f.args.length}`);
    }
    tree = parseExpression(sql);
    templates.set(key, tree);
  }
  return transform(tree, (n) => {
    if (n.kind !== 'identifier') return n;
    const parts = (n as Extract<Expr, { kind: 'identifier' }>).parts;
    const m = parts.length === 1 ? /^__hadron_arg_(\d+)$/.exec(parts[0] as string) : null;
    return m === null ? n : (f.args[Number(m[1])] as Expr);
  });
}

// ---- table expressions ----

