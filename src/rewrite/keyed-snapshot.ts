// The rows of a stream "as of" a `_tp_sn` position, as ClickHouse subqueries (proton-semantics §1.2,
// §1.13): what a streaming query sees of a stream at a point of its arrival order. Streaming joins
// read their sides through these (the right side current at a left row's arrival), keyed streams'
// snapshots are replayed from them, retractive aggregations are recomputed over them.
//
// Why not ReplacingMergeTree and FINAL: FINAL collapses versions before WHERE filters, so "the latest
// version among rows with `_tp_sn < p`" cannot be had from it; background merges drop superseded
// versions a reader behind the stream still needs (ASOF keep_versions, a join's right side as of a
// left write); and FINAL collapses only within a partition (a day). Keyed streams are therefore
// plain MergeTrees sorted by their key, every version kept, and read through these subqueries:
// versions ordered by (version column, `_tp_sn`) — Proton's rule, the highest version wins, the last
// inserted among equals — and picked with LIMIT n BY the key. Historical reads of a keyed stream are
// `snapshotSelect` over all its rows (to-clickhouse.ts).
import type { StreamEntry } from '../catalog.ts';
import { emptySelect, type BinaryOp, type Expr, type Select } from './ast.ts';
import { parseExpr } from './parse-expression.ts';
import { Cursor } from './parse-cursor.ts';
import { rewriteExpression, type RewriteContext } from './to-clickhouse.ts';

export type SnBounds = { readonly first: bigint; readonly next: bigint };

const id = (...parts: string[]): Expr => ({ kind: 'identifier', parts });
const num = (n: bigint | number): Expr => ({ kind: 'number', text: String(n) });
const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const star: Expr = { kind: 'star', qualifier: [], except: [] };
const sn = id('_tp_sn');

/** Past every `_tp_sn`: `{ first: 0n, next: maxSn }` is all of a stream's rows. */
export const maxSn = 2n ** 63n - 1n;

/** `first <= _tp_sn AND _tp_sn < next` (each bound left out when it bounds nothing), or null. */
export function snBetween(range: SnBounds): Expr | null {
  const upper = range.next >= maxSn ? null : bin('<', sn, num(range.next));
  const lower = range.first <= 0n ? null : bin('>=', sn, num(range.first));
  return lower === null ? upper : upper === null ? lower : bin('AND', lower, upper);
}

/** `SELECT * EXCEPT (_tp_sn) FROM (q)`: `_tp_sn` is read to pick rows, but stays hidden as in the stream. */
export function withoutSn(q: Select): Select {
  return { ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: ['_tp_sn'] }], from: { kind: 'table_subquery', query: q, alias: null } };
}

/** Every stored row of `stream` in `range`, with its `_tp_sn` (hidden from `*`, so named) unless `withSn` is false. */
export function rowsSelect(stream: StreamEntry, range: SnBounds, withSn = true, filter: Expr | null = null): Select {
  const bounds = snBetween(range);
  const where = filter === null ? bounds : bounds === null ? filter : bin('AND', filter, bounds);
  return { ...emptySelect, columns: withSn ? [star, sn] : [star], from: table(stream), where };
}

/**
 * The live rows of `stream` among those in `range`: for versioned_kv the last `versions` versions per
 * primary key (1: the current row), for changelog_kv the current row of each key not deleted by its
 * last change; append and changelog streams: every row (a changelog's retractions are rows too).
 * `withSn`: the rows carry `_tp_sn` (for a reader that orders or picks by it). `keyFilter`: a
 * predicate over the primary key only (it may go before the versions are picked, and lets the store
 * use the key's index).
 */
export function snapshotSelect(stream: StreamEntry, range: SnBounds, ctx: RewriteContext, versions = 1, withSn = true, keyFilter: Expr | null = null): Select {
  const rows = rowsSelect(stream, range, withSn, keyFilter);
  if (stream.mode !== 'versioned_kv' && stream.mode !== 'changelog_kv') return rows;
  const key = primaryKey(stream, ctx);
  const latest: Select = {
    ...rows,
    orderBy: [
      { kind: 'order_item', expr: id(stream.versionColumn), direction: 'DESC', nulls: null },
      { kind: 'order_item', expr: sn, direction: 'DESC', nulls: null },
    ],
    limitBy: { limit: num(versions), offset: null, by: key },
  };
  if (stream.mode === 'versioned_kv') return latest;
  return { ...emptySelect, columns: [star], from: { kind: 'table_subquery', query: latest, alias: null }, where: bin('>', id('_tp_delta'), num(0)) };
}

/** The stream's PRIMARY KEY as ClickHouse expressions (a column, an expression, or a tuple's items). */
export function primaryKey(stream: StreamEntry, ctx: RewriteContext): Expr[] {
  const parsed = parseExpr(new Cursor(stream.primaryKey));
  const items = parsed.kind === 'tuple' ? parsed.items : [parsed];
  return items.map((e) => rewriteExpression(e, ctx));
}

function table(stream: StreamEntry): Select['from'] {
  return { kind: 'table_ref', name: { kind: 'identifier', parts: [stream.database, stream.name] }, alias: null };
}
