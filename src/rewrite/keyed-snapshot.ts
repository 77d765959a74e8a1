// The rows of a stream "as of" a `_tp_sn` position, as ClickHouse subqueries (proton-semantics §1.2,
// §1.13): what a streaming query sees of a stream at a point of its arrival order. Streaming joins
// read their sides through these (the right side current at a left row's arrival), keyed streams'
// snapshots are replayed from them, retractive aggregations are recomputed over them.
//
// Why not FINAL: a keyed stream is a ReplacingMergeTree, read historically with FINAL, but FINAL
// collapses versions before WHERE filters, so "the latest version among rows with `_tp_sn < p`"
// cannot be had from it. Versions are ordered here by (version column, `_tp_sn`) — the store's rule
// (highest version wins, the last inserted among equals) — and picked with LIMIT n BY the key.
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

/** `first <= _tp_sn AND _tp_sn < next` (the lower bound left out at 0). */
export function snBetween(range: SnBounds): Expr {
  const upper = bin('<', sn, num(range.next));
  return range.first <= 0n ? upper : bin('AND', bin('>=', sn, num(range.first)), upper);
}

/** Every stored row of `stream` in `range`, with its `_tp_sn` (hidden from `*`, so named). */
export function rowsSelect(stream: StreamEntry, range: SnBounds): Select {
  return { ...emptySelect, columns: [star, sn], from: table(stream), where: snBetween(range) };
}

/**
 * The live rows of `stream` among those in `range`: for versioned_kv the last `versions` versions per
 * primary key (1: the current row), for changelog_kv the current row of each key not deleted by its
 * last change; append and changelog streams: every row (a changelog's retractions are rows too).
 */
export function snapshotSelect(stream: StreamEntry, range: SnBounds, ctx: RewriteContext, versions = 1): Select {
  const rows = rowsSelect(stream, range);
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
