// The one AST for Proton SQL (a superset of ClickHouse's): immutable nodes discriminated by `kind`.
// Dialect-neutral: equivalent spellings parse to the same tree (`5s` ≡ `INTERVAL 5 SECOND`,
// `x::T` ≡ `CAST(x AS T)`, `AFTER WATERMARK` ≡ `AFTER WINDOW CLOSE`, `==` ≡ `=`), and the printer
// chooses a spelling per dialect. ClickHouse SQL is the same tree after rewrite passes.

export type IntervalUnit =
  | 'NANOSECOND' | 'MICROSECOND' | 'MILLISECOND' | 'SECOND' | 'MINUTE' | 'HOUR'
  | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

export type BinaryOp =
  | 'OR' | 'AND'
  | '=' | '!=' | '<' | '>' | '<=' | '>=' | '<=>'
  | 'LIKE' | 'NOT LIKE' | 'ILIKE' | 'NOT ILIKE' | 'REGEXP'
  | 'IN' | 'NOT IN' | 'GLOBAL IN' | 'GLOBAL NOT IN'
  | '||' | '+' | '-' | '*' | '/' | '%' | 'DIV' | 'MOD';

export type UnaryOp = 'NOT' | '-';

/** Number literal, kept as written (`1`, `0x1F`, `1.5e3`, `inf`, `nan`) so no precision is lost. */
export type NumberLit = { readonly kind: 'number'; readonly text: string };
/** String literal; `value` is the decoded text (UTF-8, escapes resolved). */
export type StringLit = { readonly kind: 'string'; readonly value: string };
export type NullLit = { readonly kind: 'null' };
export type BoolLit = { readonly kind: 'bool'; readonly value: boolean };
export type ArrayLit = { readonly kind: 'array'; readonly items: readonly Expr[] };
/** `(a, b)` — two or more items, or `(a,)`; one parenthesised item is just that item. */
export type TupleLit = { readonly kind: 'tuple'; readonly items: readonly Expr[] };
/** Proton's `{k: v, ...}` map literal (ClickHouse: `map(k, v, ...)`). */
export type MapLit = { readonly kind: 'map'; readonly entries: readonly { readonly key: Expr; readonly value: Expr }[] };
/** `INTERVAL <value> <unit>` and Proton's shorthand `5s`, `500ms`, `1M` (month). */
export type Interval = { readonly kind: 'interval'; readonly value: Expr; readonly unit: IntervalUnit };
/** A possibly qualified name `a`, `db.t.c`; each part is the unquoted name. */
export type Identifier = { readonly kind: 'identifier'; readonly parts: readonly string[] };
/** Query parameter `{name:Type}`; `type` is the type text as written. */
export type Param = { readonly kind: 'param'; readonly name: string; readonly type: string };
/** `*`, `t.*`, optionally `* EXCEPT (a, b)`. */
export type Star = { readonly kind: 'star'; readonly qualifier: readonly string[]; readonly except: readonly string[] };
/** Proton JSON path `col:a.b` → segments ['a', 'b'] (string extraction). */
export type JsonPath = { readonly kind: 'json_path'; readonly object: Expr; readonly path: readonly string[] };
/** `a[k]`. */
export type Subscript = { readonly kind: 'subscript'; readonly object: Expr; readonly index: Expr };
/** Tuple element by position on a non-identifier expression or after a name: `t.1`, `f(x).2`. */
export type Element = { readonly kind: 'element'; readonly object: Expr; readonly index: number };
/** `x::T`, `CAST(x AS T)`. (`CAST(x, 'T')` stays an ordinary function call.) */
export type Cast = { readonly kind: 'cast'; readonly expr: Expr; readonly type: DataType };
/**
 * `f(args)`, parametric `f(params)(args)` (params non-null), `f(DISTINCT args)`.
 * `name` keeps its spelling; function names are case-sensitive except where the store says not.
 */
export type FunctionCall = {
  readonly kind: 'function';
  readonly name: string;
  readonly params: readonly Expr[] | null;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
};
/** `x -> body`, `(x, y) -> body`. */
export type Lambda = { readonly kind: 'lambda'; readonly params: readonly string[]; readonly body: Expr };
export type Unary = { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Expr };
export type Binary = { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr };
/** `x IS [NOT] NULL`. */
export type IsNull = { readonly kind: 'is_null'; readonly expr: Expr; readonly not: boolean };
/** `x [NOT] BETWEEN low AND high`. */
export type Between = { readonly kind: 'between'; readonly expr: Expr; readonly not: boolean; readonly low: Expr; readonly high: Expr };
/** `CASE [operand] WHEN w THEN t ... [ELSE e] END`. */
export type Case = {
  readonly kind: 'case';
  readonly operand: Expr | null;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else: Expr | null;
};
/** `cond ? a : b`. */
export type Ternary = { readonly kind: 'ternary'; readonly cond: Expr; readonly then: Expr; readonly else: Expr };
/** `(SELECT ...)` used as an expression (scalar subquery, `IN (SELECT ...)`). */
export type SubqueryExpr = { readonly kind: 'subquery'; readonly query: Query };
/** `expr AS name` (or an implicit alias where Hadron allows it). */
export type Alias = { readonly kind: 'alias'; readonly expr: Expr; readonly name: string };

export type Expr =
  | NumberLit | StringLit | NullLit | BoolLit | ArrayLit | TupleLit | MapLit | Interval
  | Identifier | Param | Star | JsonPath | Subscript | Element | Cast | FunctionCall | Lambda
  | Unary | Binary | IsNull | Between | Case | Ternary | SubqueryExpr | Alias;

/** A data type as written: `Nullable(Int8)`, `DateTime64(3, 'UTC')`, `Tuple(a Int8, b String)`, `Enum8('a' = 1)`. */
export type DataType = { readonly kind: 'type'; readonly name: string; readonly args: readonly TypeArg[] };
/** A named tuple field `a Int8`. */
export type NamedType = { readonly kind: 'named_type'; readonly name: string; readonly type: DataType };
/** An enum entry `'a' = 1`. */
export type EnumEntry = { readonly kind: 'enum_entry'; readonly name: string; readonly value: NumberLit };
export type TypeArg = DataType | NamedType | EnumEntry | NumberLit | StringLit;

/** `FROM name [AS alias]` — a table or stream, possibly `db.name`. */
export type TableRef = { readonly kind: 'table_ref'; readonly name: Identifier; readonly alias: string | null };
/** `FROM f(args) [AS alias]` — table functions, Proton's `table(s)`, `tumble(s, 5s)`, `dedup(...)`. */
export type TableFunction = { readonly kind: 'table_function'; readonly call: FunctionCall; readonly alias: string | null };
/** `FROM (SELECT ...) [AS alias]`. */
export type TableSubquery = { readonly kind: 'table_subquery'; readonly query: Query; readonly alias: string | null };

export type JoinKind = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
/** `null` = not written (ClickHouse's default strictness). LATEST is Proton's. */
export type JoinStrictness = 'ALL' | 'ANY' | 'ASOF' | 'LATEST' | null;
/**
 * `left [GLOBAL] [kind] [strictness] JOIN right ON expr | USING (cols)`; a comma join is
 * `CROSS` with `comma: true`. `kind` is INNER when only `JOIN` was written.
 */
export type Join = {
  readonly kind: 'join';
  readonly joinKind: JoinKind;
  readonly strictness: JoinStrictness;
  readonly comma: boolean;
  readonly left: TableExpr;
  readonly right: TableExpr;
  readonly on: Expr | null;
  readonly using: readonly string[] | null;
};
export type TableExpr = TableRef | TableFunction | TableSubquery | Join;

export type OrderItem = {
  readonly kind: 'order_item';
  readonly expr: Expr;
  readonly direction: 'ASC' | 'DESC' | null;
  readonly nulls: 'FIRST' | 'LAST' | null;
};
export type Setting = { readonly kind: 'setting'; readonly name: string; readonly value: Expr };
/** `WITH name AS (SELECT ...)` (CTE) or `WITH expr AS name` (ClickHouse expression alias). */
export type WithItem =
  | { readonly kind: 'cte'; readonly name: string; readonly query: Query }
  | { readonly kind: 'with_expr'; readonly name: string; readonly expr: Expr };

/**
 * Proton's EMIT clause, normalised over both grammars (§1.10): `AFTER WATERMARK` ≡ `AFTER WINDOW
 * CLOSE` (afterWindowClose), `PERIODIC p ON UPDATE` ≡ `ON UPDATE WITH BATCH p` (periodic + onUpdate),
 * `[AND] TIMEOUT t`, `WITH DELAY d`. `EMIT STREAM` alone is all-defaults (the keyword is optional).
 */
export type Emit = {
  readonly kind: 'emit';
  readonly changelog: boolean;
  readonly afterWindowClose: boolean;
  readonly delay: Expr | null;
  readonly periodic: Expr | null;
  readonly repeat: boolean;
  readonly onUpdate: boolean;
  readonly perEvent: boolean;
  readonly timeout: Expr | null;
  readonly last: Expr | null;
  /** `AND LAST x ON PROCTIME` (1.6). */
  readonly lastOnProctime: boolean;
};

export type Select = {
  readonly kind: 'select';
  readonly with: readonly WithItem[];
  readonly distinct: boolean;
  readonly columns: readonly Expr[];
  readonly from: TableExpr | null;
  readonly where: Expr | null;
  /** Proton substreams `PARTITION BY k` and `SHUFFLE BY k`. */
  readonly partitionBy: readonly Expr[];
  readonly shuffleBy: readonly Expr[];
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly emit: Emit | null;
  readonly orderBy: readonly OrderItem[];
  readonly limitBy: { readonly limit: Expr; readonly offset: Expr | null; readonly by: readonly Expr[] } | null;
  readonly limit: { readonly limit: Expr; readonly offset: Expr | null } | null;
  readonly settings: readonly Setting[];
};

/** `a UNION ALL b`; plain `UNION` is ALL (Proton's union_default_mode). */
export type Union = { readonly kind: 'union'; readonly mode: 'ALL' | 'DISTINCT'; readonly left: Query; readonly right: Query };

export type Query = Select | Union;

/** A whole statement: a query with an optional trailing `FORMAT name`. */
export type SelectStatement = { readonly kind: 'select_statement'; readonly query: Query; readonly format: string | null };

export type Node =
  | Expr | DataType | NamedType | EnumEntry | TableRef | TableFunction | TableSubquery | Join
  | OrderItem | Setting | WithItem | Emit | Select | Union | SelectStatement;

export type Kind = Node['kind'];

/** An EMIT clause with nothing set (`EMIT STREAM`). */
export const emptyEmit: Emit = {
  kind: 'emit', changelog: false, afterWindowClose: false, delay: null, periodic: null, repeat: false,
  onUpdate: false, perEvent: false, timeout: null, last: null, lastOnProctime: false,
};

/** A SELECT with every clause empty. */
export const emptySelect: Select = {
  kind: 'select', with: [], distinct: false, columns: [], from: null, where: null, partitionBy: [], shuffleBy: [],
  groupBy: [], having: null, emit: null, orderBy: [], limitBy: null, limit: null, settings: [],
};
