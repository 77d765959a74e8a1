// The analyser: one parsed statement + the catalog → what the executor does. Historical queries
// become ClickHouse SQL; Proton DDL becomes store commands plus catalog changes; catalog questions
// are answered from the catalog; ClickHouse statements Hadron has no business with pass through.
import type { CatalogEntry, EntryKind, StreamEntry, ViewEntry } from '../catalog.ts';
import { hiddenDatabases } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import type { Alter, ColumnDef, CreateStream, CreateView, Drop, Statement } from './ast-statement.ts';
import { Cursor } from './parse-cursor.ts';
import { parseStatement } from './parse-select.ts';
import { parseType } from './parse-expression.ts';
import type { DataType, Expr, Query, Select, SelectStatement } from './ast.ts';
import { describeColumns, describeRows, findRelation, rowsQuery, showStreams, type Column, type Row } from './introspect.ts';
import { identifier, print, string } from './printer.ts';
import { printStatement } from './print-statement.ts';
import { columnEntry, createTableSql, insertableColumns, streamEntry, structureOf, unquote } from './storage.ts';
import { randomAsTable, type RandomSource } from './random-stream.ts';
import type { JoinPlan } from './streaming-join-plan.ts';
import type { PipelinePlan } from './streaming-pipeline.ts';
import type { TailPlan } from './streaming-plan.ts';
import type { UnionPlan } from './streaming-union-plan.ts';
import { streamingPlan } from './plan-streaming.ts';
import { clickHouseType, NeedsStreaming, rewriteExpression, toClickHouse, type RewriteContext } from './to-clickhouse.ts';
import { transform } from './transform.ts';

export type PlanContext = RewriteContext & {
  /** Session and request settings (query_mode, include_internal_streams, …). */
  readonly settings: ReadonlyMap<string, string>;
  /** The listener's default: 'table' on the snapshot ports. */
  readonly queryMode: 'table' | 'streaming';
};

/** Where a streaming INSERT … SELECT writes its emits. */
export type InsertInto = { readonly stream: StreamEntry; readonly columns: readonly string[] };

export type CatalogChange = { put: readonly CatalogEntry[]; remove: readonly { kind: EntryKind; database: string; name: string }[] };

export type Plan =
  /** A row-returning query in ClickHouse SQL (no FORMAT clause: `format` says which, null = the default). */
  | { readonly kind: 'query'; readonly sql: string; readonly format: string | null; readonly settings: ReadonlyMap<string, string>; readonly whole?: true }
  /** Store commands run in order, then the catalog change is persisted. */
  | { readonly kind: 'ddl'; readonly steps: readonly string[]; readonly change: CatalogChange }
  /** INSERT … SELECT into a stream: rows numbered by the store layer. */
  | { readonly kind: 'insert_select'; readonly stream: StreamEntry; readonly columns: readonly string[]; readonly select: string; readonly settings: ReadonlyMap<string, string> }
  /** A streaming query the engine runs (streaming/tail.ts); over a random stream, with its generator (streaming/random.ts). */
  | { readonly kind: 'tail'; readonly tail: TailPlan; readonly random?: RandomSource; readonly into?: InsertInto }
  /** A streaming join the engine runs (streaming/join.ts). */
  | { readonly kind: 'join'; readonly join: JoinPlan; readonly into?: InsertInto }
  /** A streaming query over a streaming query (an aggregation over a join, over a window, …): the inner one fills the query's own stream, the outer one reads it (streaming-pipeline.ts). */
  | PipelinePlan
  /** A streaming UNION ALL: its branches run side by side into one result (streaming-union-plan.ts). */
  | UnionPlan
  /** CREATE STREAM … AS SELECT: the store describes the query's columns, then `then(columns)` plans the CREATE. */
  | { readonly kind: 'describe_then'; readonly sql: string; readonly then: (columns: readonly { name: string; type: string }[]) => Plan }
  /** Run the statement text as the client wrote it. */
  | { readonly kind: 'passthrough' };

const noChange: CatalogChange = { put: [], remove: [] };
const passthrough: Plan = { kind: 'passthrough' };

/** Plans one statement. `text` is the statement as written (for SHOW CREATE). */
export function plan(s: Statement, ctx: PlanContext, text: string): Plan {
  switch (s.kind) {
    case 'select_statement': return selectPlan(s, ctx);
    case 'create_stream': return createStream(s, ctx, text);
    case 'create_view': return createView(s, ctx, text);
    case 'create_function': return createFunction(s, ctx, text);
    case 'create_format_schema':
      return ddl([], { put: [{ kind: 'format_schema', database: '', name: s.name, type: s.type, body: s.body, createSql: text }], remove: [] });
    case 'drop': return drop(s, ctx);
    case 'alter': return alter(s, ctx);
    case 'rename': return rename(s, ctx);
    case 'show': return show(s, ctx);
    case 'describe': return describe(s, ctx);
    case 'exists': return exists(s, ctx);
    case 'insert': {
      if (s.source.kind !== 'select') return passthrough;
      const found = insertTarget(s.table, s.columns, ctx);
      if (found === null) return passthrough;
      // Without a column list the SELECT fills the insertable columns by position; a narrower SELECT
      // (Proton users rarely write `_tp_time`) leaves the trailing ones to their defaults.
      const width = s.columns === null ? selectWidth(s.source.query) : null;
      const target = width === null || width >= found.columns.length ? found : { ...found, columns: found.columns.slice(0, width) };
      // On the streaming ports an INSERT … SELECT from a stream is a streaming pipeline that runs
      // until it is killed (§1.1); every emit is inserted.
      const streamed = selectPlan({ kind: 'select_statement', query: s.source.query, format: null }, ctx);
      if ((streamed.kind === 'tail' && streamed.random === undefined) || streamed.kind === 'join' || streamed.kind === 'union') return { ...streamed, into: { stream: target.stream, columns: target.columns } };
      // INSERT … SELECT is bounded: a random stream in it is read as table(r), one generated block.
      const select = toClickHouse(randomAsTable({ kind: 'select_statement', query: s.source.query, format: null }, ctx.catalog, ctx.database), ctx);
      return { kind: 'insert_select', stream: target.stream, columns: target.columns, select: print(select.statement, 'clickhouse'), settings: select.settings };
    }
    case 'truncate': case 'optimize': case 'delete':
      return command(s, ctx);
    case 'explain': {
      if (s.statement.kind !== 'select_statement') return passthrough;
      const inner = toClickHouse(s.statement, ctx).statement;
      // The store runs EXPLAIN only as a whole statement, not as a result stream.
      return { kind: 'query', sql: printStatement({ ...s, statement: inner, format: null }, 'clickhouse'), format: s.format, settings: new Map(), whole: true };
    }
    default:
      return passthrough;
  }
}

function ddl(steps: readonly string[], change: CatalogChange): Plan {
  return { kind: 'ddl', steps, change };
}

const lastPart = (parts: readonly string[]): string => parts[parts.length - 1] as string;
const dbOf = (parts: readonly string[], ctx: PlanContext): string => (parts.length > 1 ? (parts[0] as string) : ctx.database);
const tableName = (database: string, name: string): string => `${identifier(database)}.${identifier(name)}`;

function selectPlan(statement: SelectStatement, ctx: PlanContext): Plan {
  const mode = queryModeOf(statement) ?? ctx.settings.get('query_mode') ?? ctx.queryMode;
  const s = mode === 'streaming' ? statement : randomAsTable(statement, ctx.catalog, ctx.database);
  let r: ReturnType<typeof toClickHouse>;
  try {
    r = toClickHouse(s, ctx);
  } catch (err) {
    // EMIT and other streaming-only forms: the engine's, when the query streams.
    if (err instanceof NeedsStreaming && mode === 'streaming') return streamingPlan(s, ctx, selectPlan);
    throw err;
  }
  if (mode === 'streaming' && r.bareStreams.length > 0) return streamingPlan(s, ctx, selectPlan);
  // A view over a streaming query is itself streaming (§1.5): the planner composes it with the
  // stream under it (or refuses it with 48); over table(…) it is bounded.
  if (mode === 'streaming' && r.bareViews.some((v) => streamingView(v, ctx))) return streamingPlan(s, ctx, selectPlan);
  return { kind: 'query', sql: print({ ...r.statement, format: null }, 'clickhouse'), format: s.format, settings: r.settings };
}

function streamingView(v: ViewEntry, ctx: PlanContext): boolean {
  try {
    const inner = toClickHouse(parseStatement(v.query), { ...ctx, database: v.database });
    return inner.bareStreams.length > 0 || inner.bareViews.some((w) => w !== v && streamingView(w, ctx));
  } catch (err) {
    if (err instanceof NeedsStreaming) return true;
    throw err;
  }
}

/** `SETTINGS query_mode = '…'` written in the query (its last SELECT's settings). */
function queryModeOf(s: SelectStatement): string | null {
  let q: Query = s.query;
  while (q.kind !== 'select') q = (q as { right: Query }).right;
  const v = q.settings.find((x) => x.name === 'query_mode')?.value;
  return v?.kind === 'string' ? v.value : null;
}

/** Rows the catalog answers, as a query the store formats. */
function rowsPlan(columns: readonly Column[], rows: readonly Row[], format: string | null): Plan {
  return { kind: 'query', sql: print(rowsQuery(columns, rows), 'clickhouse'), format, settings: new Map() };
}

function createStream(s: CreateStream, ctx: PlanContext, text: string): Plan {
  const database = dbOf(s.name.parts, ctx);
  const name = lastPart(s.name.parts);
  const existing = ctx.catalog.relation(database, name);
  if (existing !== undefined && !s.orReplace) {
    if (s.ifNotExists) return ddl([], noChange);
    throw new GatewayError(Code.TABLE_ALREADY_EXISTS, `Stream ${database}.${name} already exists`);
  }
  if (s.variant === 'external' || s.variant === 'external_table') {
    const settings: Record<string, string> = {};
    for (const x of s.settings) settings[x.name] = print(x.value, 'proton');
    const entry: CatalogEntry = {
      kind: 'external', database, name, object: s.variant === 'external' ? 'stream' : 'table',
      columns: s.columns.map(columnEntry), settings, createSql: text,
    };
    return ddl([], { put: [entry], remove: [] });
  }
  let source: StreamEntry | null = null;
  if (s.asSource !== null) {
    const found = findRelation(ctx.catalog, s.asSource.parts, ctx.database);
    if (found?.kind !== 'stream') throw new GatewayError(Code.UNKNOWN_TABLE, `Stream ${s.asSource.parts.join('.')} does not exist`);
    source = found;
  }
  if (s.asSelect !== null) {
    // Proton copies the column list only (no data): the store names the query's columns and types.
    const select = toClickHouse({ kind: 'select_statement', query: s.asSelect, format: null }, ctx);
    return {
      kind: 'describe_then',
      sql: `DESCRIBE TABLE (${print(select.statement.query, 'clickhouse')})`,
      then: (described) => createStream({ ...s, asSelect: null, columns: described.map(describedColumn) }, ctx, text),
    };
  }
  const entry = streamEntry(s, database, text, source);
  const steps = [...(existing !== undefined ? [`DROP TABLE IF EXISTS ${tableName(database, name)}`] : []), createTableSql(entry, ctx, s.ifNotExists)];
  return ddl(steps, { put: [entry], remove: [] });
}

function describedColumn(c: { name: string; type: string }): ColumnDef {
  return {
    kind: 'column_def', name: c.name, type: parseType(new Cursor(c.type)), nullable: null, defaultKind: null, default: null, codec: [], ttl: null, comment: null,
  };
}

function createView(s: CreateView, ctx: PlanContext, text: string): Plan {
  if (s.materialized) throw new NeedsStreaming('CREATE MATERIALIZED VIEW (a background streaming query)');
  const database = dbOf(s.name.parts, ctx);
  const name = lastPart(s.name.parts);
  if (ctx.catalog.relation(database, name) !== undefined && !s.orReplace) {
    if (s.ifNotExists) return ddl([], noChange);
    throw new GatewayError(Code.TABLE_ALREADY_EXISTS, `View ${database}.${name} already exists`);
  }
  const r = toClickHouse({ kind: 'select_statement', query: s.query, format: null }, ctx);
  const entry: ViewEntry = { kind: 'view', database, name, materialized: false, into: '', query: print(s.query, 'proton'), columns: [], createSql: text };
  const create = `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}VIEW ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${tableName(database, name)} AS ${print(r.statement.query, 'clickhouse')}`;
  const settings = [...r.settings].map(([k, v]) => `${k} = ${v}`);
  return ddl([settings.length > 0 ? `${create} SETTINGS ${settings.join(', ')}` : create], { put: [entry], remove: [] });
}

function createFunction(s: Extract<Statement, { kind: 'create_function' }>, ctx: PlanContext, text: string): Plan {
  const entry: CatalogEntry = {
    kind: 'function', database: '', name: s.name, language: s.lambda !== null ? 'sql' : s.remote ? 'remote' : 'javascript', aggregate: s.aggregate, createSql: text,
  };
  if (s.lambda === null) return ddl([], { put: [entry], remove: [] });
  const lambda = rewriteExpression(s.lambda, ctx);
  const sql = `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}FUNCTION ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${identifier(s.name)} AS ${print(lambda, 'clickhouse')}`;
  return ddl([sql], { put: [entry], remove: [] });
}

function drop(s: Drop, ctx: PlanContext): Plan {
  const name = lastPart(s.name.parts);
  switch (s.object) {
    case 'DATABASE': {
      const remove = ctx.catalog.relationsIn(name).map((r) => ({ kind: r.kind, database: r.database, name: r.name }));
      return ddl([`DROP DATABASE ${s.ifExists ? 'IF EXISTS ' : ''}${identifier(name)}`], { put: [], remove });
    }
    case 'FUNCTION': {
      const f = ctx.catalog.function(name);
      if (f === undefined || f.language === 'sql') {
        return ddl([`DROP FUNCTION ${s.ifExists ? 'IF EXISTS ' : ''}${identifier(name)}`], { put: [], remove: f === undefined ? [] : [{ kind: 'function', database: '', name }] });
      }
      return ddl([], { put: [], remove: [{ kind: 'function', database: '', name }] });
    }
    case 'FORMAT SCHEMA': {
      if (ctx.catalog.formatSchema(name) === undefined && !s.ifExists) throw new GatewayError(2003, `Format schema ${name} does not exist`);
      return ddl([], { put: [], remove: [{ kind: 'format_schema', database: '', name }] });
    }
    case 'DICTIONARY': return passthrough;
    default: break;
  }
  const database = dbOf(s.name.parts, ctx);
  const relation = ctx.catalog.relation(database, name);
  const remove = relation === undefined ? [] : [{ kind: relation.kind, database, name }];
  if (relation?.kind === 'external') return ddl([], { put: [], remove });
  // A random stream created before random streams had a backing table has none.
  const random = relation?.kind === 'stream' && relation.variant === 'random';
  const what = relation?.kind === 'view' ? 'VIEW' : 'TABLE';
  return ddl([`DROP ${what} ${s.ifExists || random ? 'IF EXISTS ' : ''}${tableName(database, name)}${s.sync ? ' SYNC' : ''}`], { put: [], remove });
}

function alter(s: Alter, ctx: PlanContext): Plan {
  const database = dbOf(s.name.parts, ctx);
  const name = lastPart(s.name.parts);
  const stream = ctx.catalog.stream(database, name);
  if (stream === undefined) return command(s, ctx);
  let columns = [...stream.columns];
  const settings = { ...stream.settings };
  let ttl = stream.ttl;
  const storeCommands = s.commands.filter((c) => {
    switch (c.kind) {
      case 'add_column': {
        const entry = columnEntry(c.column);
        const at = c.position === null ? columns.findIndex((x) => x.reserved) : 'first' in c.position ? 0 : columns.findIndex((x) => x.name === (c.position as { after: string }).after) + 1;
        columns.splice(at < 0 ? columns.length : at, 0, entry);
        return true;
      }
      case 'drop_column': columns = columns.filter((x) => x.name !== c.name); return true;
      case 'rename_column': columns = columns.map((x) => (x.name === c.from ? { ...x, name: c.to } : x)); return true;
      case 'modify_column': columns = columns.map((x) => (x.name === c.column.name ? columnEntry(c.column) : x)); return true;
      case 'modify_ttl': ttl = c.ttl.map((t) => print(t, 'proton')).join(', '); return true;
      case 'remove_ttl': ttl = ''; return true;
      // Stream settings (logstore_*, flush_threshold_*) are Proton's: kept in the catalog only.
      case 'modify_setting': for (const x of c.settings) settings[x.name] = print(x.value, 'proton'); return false;
      case 'reset_setting': for (const n of c.names) delete settings[n]; return false;
      default: return true;
    }
  });
  // A column added at the end goes before the reserved columns, as Proton lists them.
  const positioned = storeCommands.map((c) => {
    if (c.kind !== 'add_column' || c.position !== null) return c;
    const lastUser = [...stream.columns].reverse().find((x) => !x.reserved);
    return lastUser === undefined ? { ...c, position: { first: true } as const } : { ...c, position: { after: lastUser.name } };
  });
  const entry: StreamEntry = { ...stream, columns, settings, ttl };
  const steps = positioned.length === 0 ? [] : [storeSql({ ...s, object: 'TABLE', commands: positioned }, ctx)];
  return ddl(steps, { put: [entry], remove: [] });
}

function rename(s: Extract<Statement, { kind: 'rename' }>, ctx: PlanContext): Plan {
  if (s.object === 'DATABASE' || s.object === 'DICTIONARY') return passthrough;
  const put: CatalogEntry[] = [];
  const remove: { kind: EntryKind; database: string; name: string }[] = [];
  for (const { from, to } of s.pairs) {
    const r = findRelation(ctx.catalog, from.parts, ctx.database);
    if (r === undefined) continue;
    remove.push({ kind: r.kind, database: r.database, name: r.name });
    put.push({ ...r, database: dbOf(to.parts, ctx), name: lastPart(to.parts) });
  }
  return ddl([storeSql({ ...s, object: 'TABLE' }, ctx)], { put, remove });
}

/** A statement with its expressions in ClickHouse spelling, printed for the store. */
function storeSql(s: Statement, ctx: PlanContext): string {
  const exprs = transform(s, (n) => {
    if (n.kind === 'type') return clickHouseType(n as DataType);
    return isExprRoot(n) ? rewriteExpression(n as Expr, ctx) : n;
  }, (n) => !isExprRoot(n) && n.kind !== 'type');
  return printStatement(exprs, 'clickhouse');
}

const exprRoots = new Set(['function', 'cast', 'binary', 'unary', 'between', 'case', 'ternary', 'is_null']);
const isExprRoot = (n: { kind: string }): boolean => exprRoots.has(n.kind);

function command(s: Statement, ctx: PlanContext): Plan {
  return { kind: 'ddl', steps: [storeSql(s, ctx)], change: noChange };
}

function show(s: Extract<Statement, { kind: 'show' }>, ctx: PlanContext): Plan {
  switch (s.what) {
    case 'STREAMS': case 'VIEWS': case 'EXTERNAL STREAMS': {
      const include = ctx.settings.get('include_internal_streams') === '1';
      const rows = showStreams(ctx.catalog, s.from ?? ctx.database, s.like, include).filter((r) => {
        const rel = ctx.catalog.relation(s.from ?? ctx.database, String(r[0]));
        return s.what === 'STREAMS' || (s.what === 'VIEWS' ? rel?.kind === 'view' : rel?.kind === 'external' && rel.object === 'stream');
      });
      return rowsPlan([['name', 'String']], rows, s.format);
    }
    case 'DATABASES': {
      const hidden = [...hiddenDatabases].map(string).join(', ');
      const like = s.like === null ? '' : ` AND name ${s.like.not ? 'NOT ' : ''}${s.like.ilike ? 'ILIKE' : 'LIKE'} ${string(s.like.pattern)}`;
      return { kind: 'query', sql: `SELECT name FROM system.databases WHERE name NOT IN (${hidden})${like} ORDER BY name`, format: s.format, settings: new Map() };
    }
    case 'CREATE': {
      if (s.name === null) return passthrough;
      const object = s.object?.toUpperCase() ?? null;
      if (object === 'FORMAT SCHEMA') {
        const f = ctx.catalog.formatSchema(lastPart(s.name.parts));
        if (f === undefined) throw new GatewayError(2003, `Format schema ${s.name.parts.join('.')} does not exist`);
        return rowsPlan([['statement', 'String']], [[f.createSql]], s.format);
      }
      const r = findRelation(ctx.catalog, s.name.parts, ctx.database);
      if (r === undefined) return passthrough;
      return rowsPlan([['statement', 'String']], [[r.createSql]], s.format);
    }
    case 'FORMAT SCHEMAS':
      return rowsPlan([['name', 'String'], ['type', 'String']], ctx.catalog.allFormatSchemas().map((f) => [f.name, f.type]), s.format);
    default:
      return passthrough;
  }
}

function describe(s: Extract<Statement, { kind: 'describe' }>, ctx: PlanContext): Plan {
  const t = s.target;
  let parts: readonly string[] | null = null;
  if (t.kind === 'table_ref') parts = t.name.parts;
  if (t.kind === 'table_function' && t.call.name.toLowerCase() === 'table' && t.call.args[0]?.kind === 'identifier') parts = t.call.args[0].parts;
  const r = parts === null ? undefined : findRelation(ctx.catalog, parts, ctx.database);
  if (r === undefined) return passthrough;
  return rowsPlan(describeColumns, describeRows(r, ctx.dialect), s.format);
}

function exists(s: Extract<Statement, { kind: 'exists' }>, ctx: PlanContext): Plan {
  const object = s.object?.toUpperCase() ?? null;
  if (object === 'DATABASE' || object === 'DICTIONARY') return passthrough;
  const r = findRelation(ctx.catalog, s.name.parts, ctx.database);
  if (r !== undefined) return rowsPlan([['result', 'UInt8']], [[1]], s.format);
  // Streams and views live in the catalog only; other objects are the store's to answer.
  return object === 'STREAM' || object === 'VIEW' ? rowsPlan([['result', 'UInt8']], [[0]], s.format) : passthrough;
}

/** How many columns a query returns, when its first SELECT says so without a `*` or COLUMNS(). */
function selectWidth(q: Query): number | null {
  let first: Query = q;
  while (first.kind !== 'select') first = (first as { left: Query }).left;
  const items = first.columns.map((c) => (c.kind === 'alias' ? c.expr : c));
  return items.some((c) => c.kind === 'star' || c.kind === 'columns') ? null : items.length;
}

/** The stream an INSERT writes, with its column list (explicit, or every insertable column). */
export function insertTarget(table: Expr, columns: readonly string[] | null, ctx: PlanContext): { stream: StreamEntry; columns: string[] } | null {
  if (table.kind !== 'identifier') return null;
  const stream = ctx.catalog.stream(dbOf(table.parts, ctx), lastPart(table.parts));
  if (stream === undefined) return null;
  if (stream.variant === 'random') throw new GatewayError(Code.NOT_IMPLEMENTED, `Random stream ${stream.name} generates its own rows; it cannot be inserted into`);
  const names = columns === null ? insertableColumns(stream) : [...columns];
  structureOf(stream, names);
  return { stream, columns: names };
}

export { structureOf, unquote };
