// The changelog of a stream (proton-semantics §1.12 `changelog`, §1.2): per key, the first row is a
// +1 row; a later row is a -1 row repeating the key's previous row, then a +1 row of the new one.
// `changelog(append_stream, key1 [, key2 …] [, version_col] [, drop_late_rows])` follows the given
// keys from the query's start; `changelog(versioned_kv_stream [, drop_late_rows])` (and a versioned_kv
// stream read with `_tp_delta`) follows its PRIMARY KEY over the whole stream, late versions always
// dropped (the store's rule: the highest version wins, the last inserted among equals).
//
// The rows are computed by the store over the stored rows with window functions, so they depend only
// on `_tp_sn` order — never on how ranges were batched. Each -1 row takes the `_tp_sn` of the row that
// supersedes it and sorts before it, so the rows of any `_tp_sn` range are a subquery like a stream.
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import { emptySelect, type BinaryOp, type Expr, type FunctionCall, type OrderItem, type Select, type WindowSpec } from './ast.ts';
import { primaryKey, rowsSelect, snBetween, type SnBounds } from './keyed-snapshot.ts';
import { rewriteExpression, type RewriteContext } from './to-clickhouse.ts';

/** What a `changelog(…)` call (or a versioned_kv stream read with `_tp_delta`) follows. */
export type ChangelogSource = {
  readonly stream: StreamEntry;
  /** The key, as ClickHouse expressions over the stream's columns. */
  readonly key: readonly Expr[];
  /** Rows ordered by this before `_tp_sn`, with `dropLate`: a row below its key's highest version is ignored. */
  readonly version: Expr | null;
  readonly dropLate: boolean;
  /** versioned_kv: the changelog starts at the stream's beginning (its snapshot); append: at the query's start. */
  readonly keyed: boolean;
};

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (n: bigint | number): Expr => ({ kind: 'number', text: String(n) });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const fn = (name: string, args: Expr[], over?: WindowSpec): Expr => ({ kind: 'function', name, params: null, args, distinct: false, ...(over === undefined ? {} : { over }) });
const asc = (e: Expr): OrderItem => ({ kind: 'order_item', expr: e, direction: null, nulls: null });
const sn = id('_tp_sn');
const version = '__hadron_version';
const nextSn = '__hadron_next_sn';

/**
 * The parts of `changelog(s, k1 [, k2 …] [, version_col] [, drop_late_rows])` over an append stream or
 * `changelog(kv [, drop_late_rows])` over a versioned_kv one. `drop_late_rows` is a trailing `true` /
 * `false` (or 1 / 0); over an append stream the name just before it is the version column when two or
 * more names precede it (without `drop_late_rows` every name is a key: the version only matters to it).
 */
export function changelogSource(call: FunctionCall, ctx: RewriteContext): ChangelogSource {
  const [first, ...rest] = call.args;
  if (first?.kind !== 'identifier') throw new GatewayError(Code.BAD_ARGUMENTS, 'The first argument of changelog() must be a stream');
  const parts = first.parts;
  const stream = ctx.catalog.stream(parts.length > 1 ? (parts[0] as string) : ctx.database, parts[parts.length - 1] as string);
  if (stream === undefined) throw new GatewayError(Code.UNKNOWN_TABLE, `Stream ${parts.join('.')} does not exist (changelog() reads a stream)`);
  const last = rest.at(-1);
  const flag = last === undefined ? null : boolOf(last);
  const names = flag === null ? rest : rest.slice(0, -1);
  const dropLate = flag ?? false;
  if (stream.mode === 'versioned_kv') {
    if (names.length > 0) throw new GatewayError(Code.BAD_ARGUMENTS, 'changelog() over a versioned_kv stream takes only drop_late_rows: it follows the PRIMARY KEY');
    return versionedChangelog(stream, ctx);
  }
  if (stream.mode !== 'append') throw new GatewayError(Code.NOT_IMPLEMENTED, `changelog() reads an append or versioned_kv stream, not a ${stream.mode} one (already a changelog)`);
  if (names.length === 0) throw new GatewayError(Code.BAD_ARGUMENTS, 'changelog() over an append stream needs at least one key column');
  const versioned = dropLate && names.length >= 2;
  const keys = versioned ? names.slice(0, -1) : names;
  return {
    stream, dropLate, keyed: false,
    key: keys.map((k) => rewriteExpression(k, ctx)),
    version: versioned ? rewriteExpression(names.at(-1) as Expr, ctx) : null,
  };
}

function boolOf(e: Expr): boolean | null {
  if (e.kind === 'identifier' && e.parts.length === 1 && /^(true|false)$/i.test(e.parts[0] as string)) return /^true$/i.test(e.parts[0] as string);
  if (e.kind === 'number' && (e.text === '0' || e.text === '1')) return e.text === '1';
  return e.kind === 'bool' ? e.value : null;
}

/** The kept rows among `[history.first, history.next)`: all of them, or (dropLate) those not below their key's highest earlier version. */
function keptRows(c: ChangelogSource, history: SnBounds): Select {
  const rows = rowsSelect(c.stream, history);
  if (!c.dropLate || c.version === null) return rows;
  const before: WindowSpec = {
    kind: 'window_spec', base: null, partitionBy: [...c.key], orderBy: [asc(sn)],
    frame: { unit: 'ROWS', start: { type: 'UNBOUNDED PRECEDING', offset: null }, end: { type: 'PRECEDING', offset: num(1) } },
  };
  const marked: Select = {
    ...rows,
    columns: [...rows.columns, { kind: 'alias', expr: c.version, name: version },
      { kind: 'alias', expr: fn('max', [c.version], before), name: `${version}_max` },
      { kind: 'alias', expr: fn('count', [], before), name: `${version}_n` }],
  };
  const late = bin('AND', bin('>', id(`${version}_n`), num(0)), bin('<', id(version), id(`${version}_max`)));
  return {
    ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [version, `${version}_max`, `${version}_n`] }],
    from: { kind: 'table_subquery', query: marked, alias: null }, where: fn('not', [late]),
  };
}

/**
 * The changelog rows whose `_tp_sn` is in `range` — the +1 rows of the range's kept rows and the -1
 * rows of the rows they supersede — computed over the history `[from, range.next)` (`from`: 0 for a
 * keyed source, the query's start for an append one). Columns: the stream's `*`, `_tp_delta` (Int8),
 * `_tp_sn`; ordered by (`_tp_sn`, `_tp_delta`), so a retraction comes just before its replacement.
 */
export function changelogSelect(c: ChangelogSource, range: SnBounds, from: bigint): Select {
  const kept = keptRows(c, { first: from, next: range.next });
  const following: WindowSpec = {
    kind: 'window_spec', base: null, partitionBy: [...c.key], orderBy: [asc(sn)],
    frame: { unit: 'ROWS', start: { type: 'CURRENT ROW', offset: null }, end: { type: 'FOLLOWING', offset: num(1) } },
  };
  const linked: Select = {
    ...emptySelect,
    columns: [{ kind: 'star', qualifier: [], except: [] }, { kind: 'alias', expr: fn('leadInFrame', [fn('toNullable', [sn])], following), name: nextSn }],
    from: { kind: 'table_subquery', query: kept, alias: null },
  };
  const side = (delta: 1 | -1): Select => ({
    ...emptySelect,
    columns: [
      { kind: 'star', qualifier: [], except: ['_tp_sn', nextSn] },
      { kind: 'alias', expr: fn('toInt8', [num(delta)]), name: '_tp_delta' },
      { kind: 'alias', expr: delta === 1 ? sn : fn('assumeNotNull', [id(nextSn)]), name: '_tp_sn' },
    ],
    from: { kind: 'table_subquery', query: linked, alias: null },
    where: delta === 1 ? snBetween(range) : bin('AND', bin('>=', id(nextSn), num(range.first)), bin('<', id(nextSn), num(range.next))),
  });
  return {
    ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }],
    from: { kind: 'table_subquery', query: { kind: 'set_operation', op: 'UNION', mode: 'ALL', left: side(-1), right: side(1) }, alias: null },
    orderBy: [asc(sn), asc(id('_tp_delta'))],
  };
}

/**
 * The live rows of the changelog at `next` (what an aggregation over it sees): the last kept row of
 * each key among `[from, next)`, with `_tp_sn`.
 */
export function changelogLiveSelect(c: ChangelogSource, from: bigint, next: bigint): Select {
  const kept = keptRows(c, { first: from, next });
  return {
    ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }],
    from: { kind: 'table_subquery', query: kept, alias: null },
    orderBy: [{ kind: 'order_item', expr: sn, direction: 'DESC', nulls: null }],
    limitBy: { limit: num(1), offset: null, by: [...c.key] },
  };
}

/** The changelog a versioned_kv stream read with `_tp_delta` synthesizes (the same as `changelog(kv)`). */
export function versionedChangelog(stream: StreamEntry, ctx: RewriteContext): ChangelogSource {
  return { stream, key: primaryKey(stream, ctx), version: id(stream.versionColumn), dropLate: true, keyed: true };
}
