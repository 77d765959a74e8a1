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
  | 'IN' | 'NOT IN' | 'GLOBAL IN' | 'GLOBAL NOT IN' | 'IS DISTINCT FROM'
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
/**
 * `*`, `t.*`, with column transformers `* EXCEPT (a) REPLACE (x + 1 AS x) APPLY(f)`: a leading EXCEPT is
 * `except`, the transformers after it are `transformers` in order (absent when there are none).
 */
export type Star = {
  readonly kind: 'star';
  readonly qualifier: readonly string[];
  readonly except: readonly string[];
  readonly transformers?: readonly StarTransformer[];
};
/** `[t.]COLUMNS('regexp')` or `COLUMNS(a, b)`, with the same transformers as `*`. */
export type Columns = {
  readonly kind: 'columns';
  readonly qualifier: readonly string[];
  readonly regexp: string | null;
  readonly names: readonly string[];
  readonly transformers: readonly StarTransformer[];
};
/** `EXCEPT (a, b)` ≡ `EXCEPT a` for one name. */
export type StarExcept = { readonly kind: 'star_except'; readonly names: readonly string[] };
/** `REPLACE (expr AS name, ...)`. */
export type StarReplace = { readonly kind: 'star_replace'; readonly items: readonly Alias[] };
/** `APPLY(f)` ≡ `APPLY f`; `fn` is a name, a lambda or a parametric call `quantile(0.9)`. */
export type StarApply = { readonly kind: 'star_apply'; readonly fn: Expr };
export type StarTransformer = StarExcept | StarReplace | StarApply;
/** Proton JSON path `col:a.b` → segments ['a', 'b'] (string extraction). */
export type JsonPath = { readonly kind: 'json_path'; readonly object: Expr; readonly path: readonly string[] };
/** `a[k]`. */
export type Subscript = { readonly kind: 'subscript'; readonly object: Expr; readonly index: Expr };
/** Tuple element by position on a non-identifier expression or after a name: `t.1`, `f(x).2`. */
export type Element = { readonly kind: 'element'; readonly object: Expr; readonly index: number };
/** `x::T`, `CAST(x AS T)`. (`CAST(x, 'T')` stays an ordinary function call.) */
export type Cast = { readonly kind: 'cast'; readonly expr: Expr; readonly type: DataType };
/**
 * `f(args)`, parametric `f(params)(args)` (params non-null), `f(DISTINCT args)`, then optionally
 * `FILTER (WHERE cond)`, `RESPECT NULLS` / `IGNORE NULLS` and `OVER window`.
 * `name` keeps its spelling; function names are case-sensitive except where the store says not.
 * `SUBSTRING(s FROM a FOR b)` and `POSITION(a IN b)` are ordinary calls (`substring(s, a, b)`, `position(b, a)`).
 */
export type FunctionCall = {
  readonly kind: 'function';
  readonly name: string;
  readonly params: readonly Expr[] | null;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** The three below are absent (or null) when not written; the parser leaves them out. */
  readonly filter?: Expr | null;
  readonly nulls?: 'RESPECT' | 'IGNORE' | null;
  readonly over?: WindowSpec | null;
};
/** A frame bound; `offset` is set for `n PRECEDING` / `n FOLLOWING` only. */
export type FrameBound = {
  readonly type: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING';
  readonly offset: Expr | null;
};
/** `ROWS|RANGE|GROUPS BETWEEN start AND end`; `ROWS start` ≡ `ROWS BETWEEN start AND CURRENT ROW`. */
export type Frame = { readonly unit: 'ROWS' | 'RANGE' | 'GROUPS'; readonly start: FrameBound; readonly end: FrameBound };
/**
 * `OVER w` (base 'w', nothing else) ≡ `OVER (w)`; `OVER ([w] [PARTITION BY …] [ORDER BY …] [frame])`.
 * Also the body of `WINDOW w AS (…)`.
 */
export type WindowSpec = {
  readonly kind: 'window_spec';
  readonly base: string | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame: Frame | null;
};
/** `EXTRACT(unit FROM expr)`. (`extract(s, 'regexp')` is an ordinary call.) */
export type Extract = { readonly kind: 'extract'; readonly unit: IntervalUnit; readonly expr: Expr };
/** `TRIM([BOTH | LEADING | TRAILING] chars FROM expr)`; no side written = BOTH. (`trim(s)` is an ordinary call.) */
export type Trim = { readonly kind: 'trim'; readonly side: 'BOTH' | 'LEADING' | 'TRAILING'; readonly chars: Expr; readonly expr: Expr };
/** `DATE '2024-01-01'`, `TIMESTAMP '2024-01-01 00:00:00'`. */
export type TypedLiteral = { readonly kind: 'typed_literal'; readonly type: 'DATE' | 'TIMESTAMP'; readonly value: string };
/** `ANY (SELECT …)` / `ALL (SELECT …)` on the right of a comparison. */
export type Quantified = { readonly kind: 'quantified'; readonly quantifier: 'ANY' | 'ALL'; readonly query: Query };
/** `x -> body`, `(x, y) -> body`. */
export type Lambda = { readonly kind: 'lambda'; readonly params: readonly string[]; readonly body: Expr };
export type Unary = { readonly kind: 'unary'; readonly op: UnaryOp; readonly operand: Expr };
export type Binary = { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr };
/** `x IS [NOT] NULL`. (`IS TRUE` ≡ `<=> true`, `IS NOT TRUE` ≡ `IS DISTINCT FROM true`, `IS NOT DISTINCT FROM` ≡ `<=>`.) */
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
  | Identifier | Param | Star | Columns | JsonPath | Subscript | Element | Cast | FunctionCall | Lambda
  | Unary | Binary | IsNull | Between | Case | Ternary | SubqueryExpr | Alias | Extract | Trim | TypedLiteral | Quantified;

/** A data type as written: `Nullable(Int8)`, `DateTime64(3, 'UTC')`, `Tuple(a Int8, b String)`, `Enum8('a' = 1)`. */
export type DataType = { readonly kind: 'type'; readonly name: string; readonly args: readonly TypeArg[] };
/** A named tuple field `a Int8`. */
export type NamedType = { readonly kind: 'named_type'; readonly name: string; readonly type: DataType };
/** An enum entry `'a' = 1`. */
export type EnumEntry = { readonly kind: 'enum_entry'; readonly name: string; readonly value: NumberLit };
export type TypeArg = DataType | NamedType | EnumEntry | NumberLit | StringLit;

/** `FROM name [AS alias] [FINAL] [SAMPLE ratio [OFFSET offset]]` — a table or stream, possibly `db.name`. */
export type TableRef = {
  readonly kind: 'table_ref';
  readonly name: Identifier;
  readonly alias: string | null;
  /** Absent (or false/null) when not written; the parser leaves them out. */
  readonly final?: boolean;
  readonly sample?: { readonly ratio: Expr; readonly offset: Expr | null } | null;
};
/** `FROM f(args) [AS alias]` — table functions, Proton's `table(s)`, `tumble(s, 5s)`, `dedup(...)`. */
export type TableFunction = { readonly kind: 'table_function'; readonly call: FunctionCall; readonly alias: string | null };
/** `FROM (SELECT ...) [AS alias]`. */
export type TableSubquery = { readonly kind: 'table_subquery'; readonly query: Query; readonly alias: string | null };

export type JoinKind = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'PASTE';
/** `null` = not written (ClickHouse's default strictness). LATEST is Proton's (its parser reads it as ANY; kept for the planner). */
export type JoinStrictness = 'ALL' | 'ANY' | 'ASOF' | 'SEMI' | 'ANTI' | 'LATEST' | null;
/**
 * `left [GLOBAL] [kind] [strictness] JOIN right ON expr | USING (cols)` (strictness may also come first);
 * a comma join is `CROSS` with `comma: true`. `kind` is INNER when only `JOIN` was written.
 */
export type Join = {
  readonly kind: 'join';
  readonly joinKind: JoinKind;
  readonly strictness: JoinStrictness;
  readonly global: boolean;
  readonly comma: boolean;
  readonly left: TableExpr;
  readonly right: TableExpr;
  readonly on: Expr | null;
  readonly using: readonly string[] | null;
};
export type TableExpr = TableRef | TableFunction | TableSubquery | Join;
/** `[LEFT] ARRAY JOIN expr [AS name], ...` after the FROM tables. */
export type ArrayJoin = { readonly isLeft: boolean; readonly items: readonly Expr[] };

/** `WITH FILL [FROM x] [TO y] [STEP z]`. */
export type Fill = { readonly from: Expr | null; readonly to: Expr | null; readonly step: Expr | null };
export type OrderItem = {
  readonly kind: 'order_item';
  readonly expr: Expr;
  readonly direction: 'ASC' | 'DESC' | null;
  readonly nulls: 'FIRST' | 'LAST' | null;
  /** `COLLATE 'locale'` and `WITH FILL`; absent (or null) when not written; the parser leaves them out. */
  readonly collate?: string | null;
  readonly fill?: Fill | null;
};
/** `INTERPOLATE (name [AS expr], ...)`. */
export type InterpolateItem = { readonly name: string; readonly expr: Expr | null };
/** `WINDOW name AS (spec)`. */
export type NamedWindow = { readonly name: string; readonly spec: WindowSpec };
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
  /** 3.x `AFTER KEY EXPIRE [IDENTIFIED BY e] WITH [ONLY] MAXSPAN i` and `AFTER SESSION CLOSE [IDENTIFIED BY e] WITH MAXSPAN i`. */
  readonly afterKeyExpire: boolean;
  readonly afterSessionClose: boolean;
  readonly identifiedBy: Expr | null;
  readonly maxSpan: Expr | null;
  readonly onlyMaxSpan: boolean;
};

/**
 * `GROUP BY a, b WITH ROLLUP` ≡ `GROUP BY ROLLUP(a, b)` (mode ROLLUP, likewise CUBE); `GROUP BY ALL`
 * (mode ALL, no items); `GROUP BY GROUPING SETS ((a, b), (a), ())` (mode GROUPING SETS, `sets`).
 */
export type GroupByMode = 'ROLLUP' | 'CUBE' | 'ALL' | 'GROUPING SETS' | null;
/**
 * `LIMIT n [OFFSET m] [WITH TIES]` ≡ `LIMIT m, n` ≡ `OFFSET m ROWS FETCH FIRST n ROWS ONLY|WITH TIES`;
 * `SELECT TOP n` ≡ `LIMIT n`; `OFFSET m` alone has no limit.
 */
export type Limit = { readonly limit: Expr | null; readonly offset: Expr | null; readonly withTies: boolean };

export type Select = {
  readonly kind: 'select';
  readonly with: readonly WithItem[];
  readonly distinct: boolean;
  /** `SELECT DISTINCT ON (a, b)`. */
  readonly distinctOn: readonly Expr[];
  readonly columns: readonly Expr[];
  readonly from: TableExpr | null;
  readonly arrayJoin: readonly ArrayJoin[];
  readonly prewhere: Expr | null;
  readonly where: Expr | null;
  /** Proton substreams `PARTITION BY k` and `SHUFFLE BY k`. */
  readonly partitionBy: readonly Expr[];
  readonly shuffleBy: readonly Expr[];
  readonly groupBy: readonly Expr[];
  readonly groupByMode: GroupByMode;
  readonly groupingSets: readonly (readonly Expr[])[];
  readonly withTotals: boolean;
  readonly having: Expr | null;
  readonly window: readonly NamedWindow[];
  readonly qualify: Expr | null;
  readonly emit: Emit | null;
  readonly orderBy: readonly OrderItem[];
  /** `INTERPOLATE` after ORDER BY … WITH FILL; `[]` = `INTERPOLATE` without a list (all columns). */
  readonly interpolate: readonly InterpolateItem[] | null;
  readonly limitBy: { readonly limit: Expr; readonly offset: Expr | null; readonly by: readonly Expr[] } | null;
  readonly limit: Limit | null;
  readonly settings: readonly Setting[];
};

/**
 * `a UNION ALL b`, `INTERSECT`, `EXCEPT`; a plain operator is ALL (Proton's union_default_mode,
 * ClickHouse's intersect/except_default_mode). INTERSECT binds tighter than UNION and EXCEPT.
 */
export type SetOperation = {
  readonly kind: 'set_operation';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly mode: 'ALL' | 'DISTINCT';
  readonly left: Query;
  readonly right: Query;
};

export type Query = Select | SetOperation;

/** A whole statement: a query with an optional trailing `FORMAT name`. */
export type SelectStatement = { readonly kind: 'select_statement'; readonly query: Query; readonly format: string | null };

export type Node =
  | Expr | StarTransformer | WindowSpec | DataType | NamedType | EnumEntry | TableRef | TableFunction | TableSubquery
  | Join | OrderItem | Setting | WithItem | Emit | Select | SetOperation | SelectStatement;

export type Kind = Node['kind'];

/** An EMIT clause with nothing set (`EMIT STREAM`). */
export const emptyEmit: Emit = {
  kind: 'emit', changelog: false, afterWindowClose: false, delay: null, periodic: null, repeat: false,
  onUpdate: false, perEvent: false, timeout: null, last: null, lastOnProctime: false, afterKeyExpire: false,
  afterSessionClose: false, identifiedBy: null, maxSpan: null, onlyMaxSpan: false,
};

/** A SELECT with every clause empty. */
export const emptySelect: Select = {
  kind: 'select', with: [], distinct: false, distinctOn: [], columns: [], from: null, arrayJoin: [], prewhere: null, where: null,
  partitionBy: [], shuffleBy: [], groupBy: [], groupByMode: null, groupingSets: [], withTotals: false, having: null,
  window: [], qualify: null, emit: null, orderBy: [], interpolate: null, limitBy: null, limit: null, settings: [],
};

/** A plain call `name(args)` or `name(params)(args)`. */
export function call(name: string, args: readonly Expr[], params: readonly Expr[] | null = null): FunctionCall {
  return { kind: 'function', name, params, args, distinct: false };
}
