// Statement nodes of Proton SQL (every statement but SELECT, whose nodes are in ast.ts): immutable,
// discriminated by `kind`, dialect-neutral. Equivalent spellings parse to one tree (`DESC` ≡
// `DESCRIBE`, `TO` ≡ `INTO` for MV targets, `ORDER BY (k)` ≡ `ORDER BY k`); where Proton and
// ClickHouse name the same thing differently (`STREAM` / `TABLE`) the node keeps what was written and
// the printer chooses the spelling per dialect.
//
// Choices documented here:
// - `CREATE EXTERNAL TABLE` is a CreateStream with variant 'external_table' (same grammar: optional
//   columns, SETTINGS). `CREATE MUTABLE STREAM` is variant 'mutable'.
// - Storage `ORDER BY` / `PRIMARY KEY` hold the tuple's items: `(a, b)` → [a, b], `tuple()` → [].
// - `INSERT … VALUES` / `FORMAT f` keep only the byte offset where the inline data starts.
import type {
  DataType, Expr, FunctionCall, Identifier, Lambda, NumberLit, Query, SelectStatement, Setting, TableExpr,
} from './ast.ts';

/** `name [type] [NULL | NOT NULL] [DEFAULT|MATERIALIZED|ALIAS|EPHEMERAL [expr]] [COMMENT 's'] [CODEC(…)] [TTL expr]`. */
export type ColumnDef = {
  readonly kind: 'column_def';
  readonly name: string;
  readonly type: DataType | null;
  /** `NULL` → true, `NOT NULL` → false, not written → null. */
  readonly nullable: boolean | null;
  readonly defaultKind: 'DEFAULT' | 'MATERIALIZED' | 'ALIAS' | 'EPHEMERAL' | null;
  /** Null with defaultKind EPHEMERAL means `EPHEMERAL` without an expression. */
  readonly default: Expr | null;
  /** `CODEC(ZSTD(1), LZ4)`; a bare codec name is an identifier. */
  readonly codec: readonly (FunctionCall | Identifier)[];
  readonly ttl: Expr | null;
  readonly comment: string | null;
};

/** `INDEX name expr TYPE t [GRANULARITY n]`. */
export type IndexDef = {
  readonly kind: 'index_def';
  readonly name: string;
  readonly expr: Expr;
  readonly type: FunctionCall | Identifier;
  readonly granularity: NumberLit | null;
};
/** `PROJECTION name (SELECT …)`. */
export type ProjectionDef = { readonly kind: 'projection_def'; readonly name: string; readonly query: Query };
/** `CONSTRAINT name CHECK|ASSUME expr`. */
export type ConstraintDef = { readonly kind: 'constraint_def'; readonly name: string; readonly check: 'CHECK' | 'ASSUME'; readonly expr: Expr };

/** Storage clauses of streams and tables; each is null (or empty) when not written. */
export type StorageClauses = {
  readonly partitionBy: Expr | null;
  readonly primaryKey: readonly Expr[] | null;
  readonly orderBy: readonly Expr[] | null;
  readonly sampleBy: Expr | null;
  readonly ttl: readonly Expr[] | null;
  readonly settings: readonly Setting[];
};

/** `CREATE [OR REPLACE] [RANDOM|EXTERNAL|MUTABLE] STREAM`, `CREATE EXTERNAL TABLE`. */
export type CreateStream = StorageClauses & {
  readonly kind: 'create_stream';
  readonly variant: 'stream' | 'random' | 'external' | 'mutable' | 'external_table';
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  /** parts [db?, name]. */
  readonly name: Identifier;
  readonly columns: readonly ColumnDef[];
  readonly indexes: readonly IndexDef[];
  /** `CREATE STREAM s2 AS s1`. */
  readonly asSource: Identifier | null;
  readonly asSelect: Query | null;
  readonly comment: string | null;
};

/** ClickHouse's `CREATE [OR REPLACE] [TEMPORARY] TABLE`, kept so ClickHouse users' DDL still runs. */
export type CreateTable = StorageClauses & {
  readonly kind: 'create_table';
  readonly orReplace: boolean;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly name: Identifier;
  readonly cluster: string | null;
  readonly columns: readonly ColumnDef[];
  readonly indexes: readonly IndexDef[];
  readonly projections: readonly ProjectionDef[];
  readonly constraints: readonly ConstraintDef[];
  /** `AS other_table` or `AS table_function(…)`. */
  readonly asSource: Identifier | FunctionCall | null;
  /** `ENGINE = MergeTree` (an identifier) or `ENGINE = MergeTree()` (a call). */
  readonly engine: FunctionCall | Identifier | null;
  readonly asSelect: Query | null;
  readonly comment: string | null;
};

/** A ClickHouse MV's own storage: `ENGINE = F(…) [ORDER BY …] …`. */
export type ViewStorage = StorageClauses & { readonly engine: FunctionCall | Identifier };

/** `CREATE [OR REPLACE] [MATERIALIZED] VIEW [IF NOT EXISTS] name [INTO|TO t] [(cols)] [ENGINE …] [POPULATE] AS query`. */
export type CreateView = {
  readonly kind: 'create_view';
  readonly materialized: boolean;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: Identifier;
  readonly cluster: string | null;
  /** `INTO target` (Proton) ≡ `TO target` (ClickHouse). */
  readonly into: Identifier | null;
  readonly columns: readonly ColumnDef[];
  readonly storage: ViewStorage | null;
  readonly populate: boolean;
  readonly query: Query;
  /** SETTINGS written before AS (the query's own SETTINGS stay in the query). */
  readonly settings: readonly Setting[];
  readonly comment: string | null;
};

export type CreateDatabase = {
  readonly kind: 'create_database';
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly cluster: string | null;
  readonly engine: FunctionCall | Identifier | null;
  readonly settings: readonly Setting[];
  readonly comment: string | null;
};

/** A typed UDF parameter `a int32`. */
export type FunctionParam = { readonly kind: 'function_param'; readonly name: string; readonly type: DataType };

/**
 * `CREATE [OR REPLACE] FUNCTION [IF NOT EXISTS] f AS (a, b) -> expr` (SQL: `lambda`),
 * `CREATE [OR REPLACE] [AGGREGATE] FUNCTION f(a t, …) RETURNS t LANGUAGE JAVASCRIPT|PYTHON AS $$…$$` (`source`),
 * `CREATE [OR REPLACE] REMOTE FUNCTION f(a t, …) RETURNS t URL 'u' [AUTH_METHOD 'm' AUTH_HEADER 'h' AUTH_KEY 'k'] [EXECUTION_TIMEOUT n]`.
 */
export type CreateFunction = {
  readonly kind: 'create_function';
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly aggregate: boolean;
  readonly remote: boolean;
  readonly name: string;
  /** null for the SQL lambda form. */
  readonly params: readonly FunctionParam[] | null;
  readonly returns: DataType | null;
  /** Upper-cased: 'JAVASCRIPT', 'PYTHON'; null when not written. */
  readonly language: string | null;
  readonly lambda: Lambda | null;
  readonly source: string | null;
  readonly url: string | null;
  /** Remote UDF options in order: AUTH_METHOD, AUTH_HEADER, AUTH_KEY (strings), EXECUTION_TIMEOUT (number). */
  readonly options: readonly { readonly name: string; readonly value: Expr }[];
};

/** `CREATE [OR REPLACE] FORMAT SCHEMA [IF NOT EXISTS] name AS 'body' TYPE Protobuf|Avro`. */
export type CreateFormatSchema = {
  readonly kind: 'create_format_schema';
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: string;
  readonly body: string;
  readonly type: string;
};

export type DropObject =
  | 'STREAM' | 'TABLE' | 'VIEW' | 'MATERIALIZED VIEW' | 'DATABASE' | 'FUNCTION' | 'FORMAT SCHEMA' | 'DICTIONARY'
  | 'EXTERNAL STREAM' | 'EXTERNAL TABLE';
/** `DROP [TEMPORARY] object [IF EXISTS] name [ON CLUSTER c] [SYNC] [SETTINGS …]`. */
export type Drop = {
  readonly kind: 'drop';
  readonly object: DropObject;
  readonly temporary: boolean;
  readonly ifExists: boolean;
  readonly name: Identifier;
  readonly cluster: string | null;
  readonly sync: boolean;
  readonly settings: readonly Setting[];
};

/** `PARTITION expr`, `PARTITION ID 'id'`, `PARTITION ALL` (both null). */
export type PartitionSpec = { readonly kind: 'partition'; readonly expr: Expr | null; readonly id: string | null };
/** `FIRST` or `AFTER name`; null = at the end. */
export type ColumnPosition = { readonly first: true } | { readonly after: string } | null;

export type AlterCommand =
  | { readonly kind: 'add_column'; readonly ifNotExists: boolean; readonly column: ColumnDef; readonly position: ColumnPosition }
  | { readonly kind: 'drop_column'; readonly ifExists: boolean; readonly name: string }
  | { readonly kind: 'modify_column'; readonly ifExists: boolean; readonly column: ColumnDef; readonly position: ColumnPosition }
  | { readonly kind: 'rename_column'; readonly ifExists: boolean; readonly from: string; readonly to: string }
  | { readonly kind: 'comment_column'; readonly ifExists: boolean; readonly name: string; readonly comment: string }
  | { readonly kind: 'clear_column'; readonly ifExists: boolean; readonly name: string; readonly partition: PartitionSpec | null }
  | { readonly kind: 'materialize_column'; readonly name: string; readonly partition: PartitionSpec | null }
  | { readonly kind: 'modify_ttl'; readonly ttl: readonly Expr[] }
  | { readonly kind: 'remove_ttl' }
  | { readonly kind: 'materialize_ttl'; readonly partition: PartitionSpec | null }
  | { readonly kind: 'modify_setting'; readonly settings: readonly Setting[] }
  | { readonly kind: 'reset_setting'; readonly names: readonly string[] }
  | { readonly kind: 'modify_order_by'; readonly orderBy: readonly Expr[] }
  | { readonly kind: 'modify_comment'; readonly comment: string }
  | { readonly kind: 'drop_partition'; readonly partition: PartitionSpec }
  | { readonly kind: 'detach_partition'; readonly partition: PartitionSpec }
  | { readonly kind: 'attach_partition'; readonly partition: PartitionSpec }
  | { readonly kind: 'modify_query'; readonly query: Query }
  | { readonly kind: 'modify_query_setting'; readonly settings: readonly Setting[] }
  | { readonly kind: 'reset_query_setting'; readonly names: readonly string[] }
  | { readonly kind: 'delete'; readonly where: Expr }
  | { readonly kind: 'update'; readonly assignments: readonly Setting[]; readonly where: Expr }
  | { readonly kind: 'add_index'; readonly ifNotExists: boolean; readonly index: IndexDef; readonly position: ColumnPosition }
  | { readonly kind: 'drop_index'; readonly ifExists: boolean; readonly name: string; readonly partition: null }
  | { readonly kind: 'materialize_index'; readonly ifExists: boolean; readonly name: string; readonly partition: PartitionSpec | null }
  | { readonly kind: 'clear_index'; readonly ifExists: boolean; readonly name: string; readonly partition: PartitionSpec | null };
export type AlterCommandKind = AlterCommand['kind'];

/** `ALTER STREAM|TABLE|VIEW name [ON CLUSTER c] command (',' command)* [SETTINGS …]`. */
export type Alter = {
  readonly kind: 'alter';
  readonly object: 'STREAM' | 'TABLE' | 'VIEW';
  readonly name: Identifier;
  readonly cluster: string | null;
  readonly commands: readonly AlterCommand[];
  readonly settings: readonly Setting[];
};

/** `RENAME STREAM|TABLE|DATABASE|DICTIONARY a TO b [, c TO d] [ON CLUSTER c]`. */
export type Rename = {
  readonly kind: 'rename';
  readonly object: 'STREAM' | 'TABLE' | 'DATABASE' | 'DICTIONARY';
  readonly pairs: readonly { readonly from: Identifier; readonly to: Identifier }[];
  readonly cluster: string | null;
};

/** `TRUNCATE [STREAM|TABLE] [IF EXISTS] name [ON CLUSTER c]`. */
export type Truncate = {
  readonly kind: 'truncate';
  readonly object: 'STREAM' | 'TABLE' | null;
  readonly ifExists: boolean;
  readonly name: Identifier;
  readonly cluster: string | null;
};

/** `DELETE FROM name WHERE expr [SETTINGS …]`. */
export type Delete = { readonly kind: 'delete'; readonly name: Identifier; readonly where: Expr; readonly settings: readonly Setting[] };

export type ShowWhat =
  | 'STREAMS' | 'TABLES' | 'DATABASES' | 'CREATE' | 'PROCESSLIST' | 'SETTINGS' | 'CHANGED SETTINGS' | 'FUNCTIONS'
  | 'DICTIONARIES' | 'FORMAT SCHEMAS' | 'COLUMNS' | 'VIEWS' | 'EXTERNAL STREAMS' | 'ENGINES';

/**
 * `SHOW [FULL] what [FROM|IN db] [[NOT] LIKE|ILIKE 'p' | WHERE expr] [LIMIT n]`,
 * `SHOW CREATE [object] name`, `SHOW COLUMNS FROM t [FROM db]`; then `[FORMAT f] [SETTINGS …]`.
 */
export type Show = {
  readonly kind: 'show';
  readonly what: ShowWhat;
  /** SHOW CREATE's object word (`STREAM`, `TABLE`, `VIEW`, `FORMAT SCHEMA`, …); null = not written. */
  readonly object: string | null;
  /** SHOW CREATE's object or SHOW COLUMNS' table. */
  readonly name: Identifier | null;
  readonly from: string | null;
  readonly like: { readonly not: boolean; readonly ilike: boolean; readonly pattern: string } | null;
  readonly where: Expr | null;
  readonly limit: Expr | null;
  readonly full: boolean;
  readonly settings: readonly Setting[];
  readonly format: string | null;
};

/** `DESCRIBE|DESC [STREAM|TABLE] target [SETTINGS …] [FORMAT f]`. */
export type Describe = { readonly kind: 'describe'; readonly target: TableExpr; readonly settings: readonly Setting[]; readonly format: string | null };

/** `EXISTS [object] name [FORMAT f]`. */
export type Exists = { readonly kind: 'exists'; readonly object: string | null; readonly name: Identifier; readonly format: string | null };

/** `OPTIMIZE STREAM|TABLE name [ON CLUSTER c] [PARTITION p] [FINAL] [DEDUPLICATE]`. */
export type Optimize = {
  readonly kind: 'optimize';
  readonly object: 'STREAM' | 'TABLE';
  readonly name: Identifier;
  readonly cluster: string | null;
  readonly partition: PartitionSpec | null;
  readonly final: boolean;
  readonly deduplicate: boolean;
};

export type Use = { readonly kind: 'use'; readonly database: string };
/** `SET name = value, …` (`SET x = DEFAULT` is the identifier DEFAULT as the value). */
export type SetStatement = { readonly kind: 'set'; readonly settings: readonly Setting[] };
/** `KILL QUERY [ON CLUSTER c] WHERE expr [SYNC|ASYNC|TEST] [FORMAT f]`. */
export type KillQuery = {
  readonly kind: 'kill_query';
  readonly cluster: string | null;
  readonly where: Expr;
  readonly mode: 'SYNC' | 'ASYNC' | 'TEST' | null;
  readonly format: string | null;
};

export type ExplainKind = 'AST' | 'SYNTAX' | 'PLAN' | 'PIPELINE' | 'ESTIMATE' | 'QUERY TREE';
/** `EXPLAIN [kind] [name = value, …] statement [FORMAT f]`; the FORMAT belongs to EXPLAIN, never to `statement`. */
export type Explain = {
  readonly kind: 'explain';
  readonly explainKind: ExplainKind | null;
  readonly options: readonly Setting[];
  readonly statement: Statement;
  readonly format: string | null;
};

/** `SYSTEM words [target] [PERMANENT]`, e.g. ['FLUSH', 'LOGS'], ['STOP', 'MERGES'] db.t, ['PAUSE', 'MATERIALIZED', 'VIEW'] mv. */
export type SystemStatement = {
  readonly kind: 'system';
  readonly words: readonly string[];
  readonly target: Identifier | null;
  readonly permanent: boolean;
};

export type InsertSource =
  /** Inline Values data from byte `dataOffset` (the first token after VALUES). */
  | { readonly kind: 'values'; readonly dataOffset: number }
  /** Inline data in `format` from byte `dataOffset` (after the name and one newline, as ClickHouse reads it). */
  | { readonly kind: 'format'; readonly format: string; readonly dataOffset: number }
  | { readonly kind: 'select'; readonly query: Query };

/** `INSERT INTO [TABLE|STREAM] name | FUNCTION f(…) [(cols)] [SETTINGS …] VALUES … | FORMAT f … | query`. */
export type InsertStatement = {
  readonly kind: 'insert';
  readonly table: Identifier | FunctionCall;
  readonly columns: readonly string[] | null;
  readonly settings: readonly Setting[];
  readonly source: InsertSource;
};

export type Statement =
  | SelectStatement | InsertStatement | CreateStream | CreateTable | CreateView | CreateDatabase | CreateFunction
  | CreateFormatSchema | Drop | Alter | Rename | Truncate | Delete | Show | Describe | Exists | Optimize | Use
  | SetStatement | KillQuery | Explain | SystemStatement;

export type StatementKind = Statement['kind'];

/** Storage clauses with nothing written. */
export const emptyStorage: StorageClauses = { partitionBy: null, primaryKey: null, orderBy: null, sampleBy: null, ttl: null, settings: [] };
