// CREATE STREAM / TABLE / VIEW / DATABASE statements and the pieces ALTER shares with them: column
// definitions, table elements and storage clauses. (UDFs and format schemas: parse-create-function.ts.)
import type { Expr, FunctionCall, Identifier, Query } from './ast.ts';
import type {
  ColumnDef, ConstraintDef, CreateDatabase, CreateStream, CreateTable, CreateView, IndexDef, ProjectionDef, Statement,
  StorageClauses, ViewStorage,
} from './ast-statement.ts';
import { emptyStorage } from './ast-statement.ts';
import {
  list, parseCluster, parseIfNotExists, parseQualifiedName, parseSetting, parseSettingsClause, parseString,
} from './parse-clause.ts';
import { parseCreateFormatSchema, parseCreateFunction } from './parse-create-function.ts';
import type { Cursor } from './parse-cursor.ts';
import { parseExpr, parseFunction, parseType } from './parse-expression.ts';
import { parseQuery } from './parse-select.ts';

/** Stream variants by their leading word(s) before STREAM / TABLE. */
const streamVariants: ReadonlyArray<readonly [readonly string[], CreateStream['variant']]> = [
  [['STREAM'], 'stream'], [['RANDOM', 'STREAM'], 'random'], [['EXTERNAL', 'STREAM'], 'external'],
  [['MUTABLE', 'STREAM'], 'mutable'], [['EXTERNAL', 'TABLE'], 'external_table'],
];

// create := CREATE [OR REPLACE] (stream | table | view | database | function | format_schema)
// Returns null for a CREATE of a kind this parser does not know (USER, ROLE, DICTIONARY, …).
export function parseCreate(c: Cursor): Statement | null {
  c.expectKw('CREATE');
  const orReplace = c.acceptKw('OR', 'REPLACE');
  for (const [words, variant] of streamVariants) {
    if (c.acceptKw(...words)) return parseCreateStream(c, variant, orReplace);
  }
  if (c.isKw('TABLE') || c.isKw('TEMPORARY', 'TABLE')) return parseCreateTable(c, orReplace);
  if (c.isKw('VIEW') || c.isKw('MATERIALIZED', 'VIEW')) return parseCreateView(c, orReplace);
  if (c.acceptKw('DATABASE')) return parseCreateDatabase(c);
  if (c.isKw('FUNCTION') || c.isKw('AGGREGATE', 'FUNCTION') || c.isKw('REMOTE', 'FUNCTION')) return parseCreateFunction(c, orReplace);
  if (c.acceptKw('FORMAT', 'SCHEMA')) return parseCreateFormatSchema(c, orReplace);
  return null;
}

type Elements = {
  columns: ColumnDef[];
  indexes: IndexDef[];
  projections: ProjectionDef[];
  constraints: ConstraintDef[];
  primaryKey: Expr[] | null;
};

// stream := [IF NOT EXISTS] name ['(' elements ')'] [AS name] storage [COMMENT s] [AS query]
function parseCreateStream(c: Cursor, variant: CreateStream['variant'], orReplace: boolean): CreateStream {
  const ifNotExists = parseIfNotExists(c);
  const name = parseQualifiedName(c, 'stream name');
  const elements = c.isPunct('(') ? parseElements(c, false) : emptyElements();
  let asSource: Identifier | null = null;
  let asSelect: Query | null = null;
  if (c.isKw('AS') && !atQuery(c, 1)) {
    c.next();
    asSource = parseQualifiedName(c, 'stream name');
  }
  const storage = parseStorage(c, elements.primaryKey, false).clauses;
  let comment = parseComment(c);
  if (asSource === null && c.acceptKw('AS')) asSelect = parseQuery(c);
  comment ??= parseComment(c);
  return {
    kind: 'create_stream', variant, orReplace, ifNotExists, name, columns: elements.columns, indexes: elements.indexes,
    asSource, asSelect, ...storage, comment,
  };
}

// table := [TEMPORARY] TABLE [IF NOT EXISTS] name [ON CLUSTER c] ['(' elements ')'] [AS (name | function)]
//          storage [COMMENT s] [AS query] [COMMENT s]
function parseCreateTable(c: Cursor, orReplace: boolean): CreateTable {
  const temporary = c.acceptKw('TEMPORARY');
  c.expectKw('TABLE');
  const ifNotExists = parseIfNotExists(c);
  const name = parseQualifiedName(c, 'table name');
  const cluster = parseCluster(c);
  const elements = c.isPunct('(') ? parseElements(c, true) : emptyElements();
  let asSource: Identifier | FunctionCall | null = null;
  let asSelect: Query | null = null;
  if (c.isKw('AS') && !atQuery(c, 1)) {
    c.next();
    asSource = c.peek(1).raw === '(' && c.peek(1).kind === 'punct' ? parseFunction(c) : parseQualifiedName(c, 'table name');
  }
  const { engine, clauses } = parseStorage(c, elements.primaryKey, true);
  let comment = parseComment(c);
  if (asSource === null && c.acceptKw('AS')) asSelect = parseQuery(c);
  comment ??= parseComment(c);
  return {
    kind: 'create_table', orReplace, temporary, ifNotExists, name, cluster, columns: elements.columns,
    indexes: elements.indexes, projections: elements.projections, constraints: elements.constraints, asSource, engine,
    asSelect, ...clauses, comment,
  };
}

// view := [MATERIALIZED] VIEW [IF NOT EXISTS] name [ON CLUSTER c] [(INTO | TO) name] ['(' column_def, … ')']
//         [ENGINE ['='] engine storage] [POPULATE] [SETTINGS …] [COMMENT s] AS query [COMMENT s]
function parseCreateView(c: Cursor, orReplace: boolean): CreateView {
  const materialized = c.acceptKw('MATERIALIZED');
  c.expectKw('VIEW');
  const ifNotExists = parseIfNotExists(c);
  const name = parseQualifiedName(c, 'view name');
  const cluster = parseCluster(c);
  const into = c.acceptKw('INTO') || c.acceptKw('TO') ? parseQualifiedName(c, 'target name') : null;
  const columns = c.isPunct('(') ? parseElements(c, false).columns : [];
  let storage: ViewStorage | null = null;
  if (c.isKw('ENGINE')) {
    const parsed = parseStorage(c, null, true);
    if (parsed.engine !== null) storage = { engine: parsed.engine, ...parsed.clauses };
  }
  const populate = c.acceptKw('POPULATE');
  const settings = parseSettingsClause(c);
  let comment = parseComment(c);
  c.expectKw('AS');
  const query = parseQuery(c);
  comment ??= parseComment(c);
  return { kind: 'create_view', materialized, orReplace, ifNotExists, name, cluster, into, columns, storage, populate, query, settings, comment };
}

// database := DATABASE [IF NOT EXISTS] name [ON CLUSTER c] [ENGINE ['='] engine] [SETTINGS …] [COMMENT s]
function parseCreateDatabase(c: Cursor): CreateDatabase {
  const ifNotExists = parseIfNotExists(c);
  const name = c.name('database name');
  const cluster = parseCluster(c);
  const engine = c.acceptKw('ENGINE') ? parseEngine(c) : null;
  const settings = parseSettingsClause(c);
  return { kind: 'create_database', ifNotExists, name, cluster, engine, settings, comment: parseComment(c) };
}

function atQuery(c: Cursor, k: number): boolean {
  const t = c.peek(k);
  return (t.kind === 'punct' && t.raw === '(') || c.kw(k) === 'SELECT' || c.kw(k) === 'WITH';
}

function parseComment(c: Cursor): string | null {
  return c.acceptKw('COMMENT') ? parseString(c, 'comment') : null;
}

function emptyElements(): Elements {
  return { columns: [], indexes: [], projections: [], constraints: [], primaryKey: null };
}

// elements := '(' element (',' element)* ')'
// element := INDEX index_def | PROJECTION name '(' query ')' | CONSTRAINT name (CHECK | ASSUME) expr
//          | PRIMARY KEY key | column_def          (PROJECTION and CONSTRAINT only in tables)
function parseElements(c: Cursor, table: boolean): Elements {
  const out = emptyElements();
  c.expectPunct('(');
  do {
    if (c.acceptKw('INDEX')) out.indexes.push(parseIndexDef(c));
    else if (c.isKw('PRIMARY', 'KEY')) {
      c.i += 2;
      out.primaryKey = parseKey(c);
    } else if (table && c.acceptKw('PROJECTION')) {
      const name = c.name('projection name');
      c.expectPunct('(');
      out.projections.push({ kind: 'projection_def', name, query: parseQuery(c) });
      c.expectPunct(')');
    } else if (table && c.acceptKw('CONSTRAINT')) {
      const name = c.name('constraint name');
      const check = c.acceptKw('ASSUME') ? 'ASSUME' : (c.expectKw('CHECK'), 'CHECK');
      out.constraints.push({ kind: 'constraint_def', name, check, expr: parseExpr(c) });
    } else out.columns.push(parseColumnDef(c));
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  return out;
}

// index_def := name expr TYPE (name | function) [GRANULARITY number]
export function parseIndexDef(c: Cursor): IndexDef {
  const name = c.name('index name');
  const expr = parseExpr(c);
  c.expectKw('TYPE');
  const type = parseEngine(c);
  let granularity: IndexDef['granularity'] = null;
  if (c.acceptKw('GRANULARITY')) {
    const n = c.peek();
    if (n.kind !== 'number') c.fail(['number']);
    granularity = { kind: 'number', text: c.next().raw };
  }
  return { kind: 'index_def', name, expr, type, granularity };
}

/** Words that end a column's type and start one of its modifiers. */
const columnModifiers = new Set(['DEFAULT', 'MATERIALIZED', 'ALIAS', 'EPHEMERAL', 'NULL', 'NOT', 'COMMENT', 'CODEC', 'TTL', 'PRIMARY']);
const defaultKinds = ['DEFAULT', 'MATERIALIZED', 'ALIAS', 'EPHEMERAL'] as const;

// column_def := name [type] [NULL | NOT NULL] [(DEFAULT | MATERIALIZED | ALIAS) expr | EPHEMERAL [expr]]
//               {COMMENT string | CODEC '(' codec (',' codec)* ')' | TTL expr}     (each at most once)
export function parseColumnDef(c: Cursor): ColumnDef {
  const name = c.name('column name');
  const t = c.peek();
  const type = (t.kind === 'word' && !columnModifiers.has(c.kw())) || t.kind === 'quoted_id' ? parseType(c) : null;
  const nullable = c.acceptKw('NOT', 'NULL') ? false : c.acceptKw('NULL') ? true : null;
  const defaultKind = defaultKinds.find((k) => c.acceptKw(k)) ?? null;
  const bare = defaultKind === 'EPHEMERAL' && (c.isPunct(',') || c.isPunct(')') || c.peek().kind === 'end' || ['COMMENT', 'CODEC', 'TTL'].includes(c.kw()));
  const value = defaultKind !== null && !bare ? parseExpr(c) : null;
  let column: ColumnDef = { kind: 'column_def', name, type, nullable, defaultKind, default: value, codec: [], ttl: null, comment: null };
  for (;;) {
    if (column.comment === null && c.acceptKw('COMMENT')) column = { ...column, comment: parseString(c, 'comment') };
    else if (column.codec.length === 0 && c.acceptKw('CODEC')) {
      c.expectPunct('(');
      column = { ...column, codec: list(c, parseEngine) };
      c.expectPunct(')');
    } else if (column.ttl === null && c.acceptKw('TTL')) column = { ...column, ttl: parseExpr(c) };
    else return column;
  }
}

// engine := name | function        (ENGINE = MergeTree, CODEC(LZ4), TYPE minmax; bare names are identifiers)
export function parseEngine(c: Cursor): FunctionCall | Identifier {
  c.acceptPunct('=');
  if (c.peek(1).raw === '(' && c.peek(1).kind === 'punct') return parseFunction(c);
  return { kind: 'identifier', parts: [c.name('engine name')] };
}

// key := expr           (a tuple is its items: `(a, b)` → [a, b], `tuple()` → [])
export function parseKey(c: Cursor): Expr[] {
  const e = parseExpr(c);
  if (e.kind === 'tuple') return [...e.items];
  if (e.kind === 'function' && e.name.toLowerCase() === 'tuple' && e.args.length === 0 && e.params === null) return [];
  return [e];
}

// storage := {ENGINE ['='] engine | PARTITION BY expr | PRIMARY KEY key | ORDER BY key | SAMPLE BY expr
//            | TTL expr (',' expr)* | SETTINGS setting (',' setting)*}      (any order, each at most once;
//            ENGINE only in tables and views)
function parseStorage(c: Cursor, primaryKey: Expr[] | null, withEngine: boolean): { engine: FunctionCall | Identifier | null; clauses: StorageClauses } {
  let engine: FunctionCall | Identifier | null = null;
  let s: StorageClauses = { ...emptyStorage, primaryKey };
  for (;;) {
    if (withEngine && engine === null && c.acceptKw('ENGINE')) engine = parseEngine(c);
    else if (s.partitionBy === null && c.acceptKw('PARTITION', 'BY')) s = { ...s, partitionBy: parseExpr(c) };
    else if (s.primaryKey === null && c.acceptKw('PRIMARY', 'KEY')) s = { ...s, primaryKey: parseKey(c) };
    else if (s.orderBy === null && c.acceptKw('ORDER', 'BY')) s = { ...s, orderBy: parseKey(c) };
    else if (s.sampleBy === null && c.acceptKw('SAMPLE', 'BY')) s = { ...s, sampleBy: parseExpr(c) };
    else if (s.ttl === null && c.acceptKw('TTL')) s = { ...s, ttl: list(c, (x) => parseExpr(x)) };
    else if (s.settings.length === 0 && c.acceptKw('SETTINGS')) s = { ...s, settings: list(c, parseSetting) };
    else return { engine, clauses: s };
  }
}
