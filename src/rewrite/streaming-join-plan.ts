// Streaming joins (proton-semantics §1.13): which cell of Proton's support matrix a join is, and the
// store SQL of each step the engine (streaming/join.ts) runs. The engine follows both streams in
// publish order; a left write joins the right side as it was at that moment (the right rows
// published before it: a `_tp_sn` position of the right stream), and in a bidirectional join a right
// write joins the left rows seen so far. Each step is the query as written with its two sides
// replaced by subqueries over those rows (rewrite/keyed-snapshot.ts), so every function, ON form and
// join strictness the store knows works, and LEFT JOIN fills type defaults as Proton does.
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import { emptySelect, type Expr, type Join, type Query, type Select, type SelectStatement, type TableExpr } from './ast.ts';
import { primaryKey, rowsSelect, snapshotSelect, withoutSn, type SnBounds } from './keyed-snapshot.ts';
import { parseStatement } from './parse-select.ts';
import { identifier, print } from './printer.ts';
import { joinOn, type SideNames } from './streaming-join-on.ts';
import { hasAggregate, limitOf, rewinds, seekTo } from './streaming-plan.ts';
import { changelogLiveSelect, changelogSource, type ChangelogSource } from './streaming-changelog.ts';
import { aggregateRelation } from './streaming-keyed-plan.ts';
import { intervalMs } from './streaming-window-plan.ts';
import { NeedsStreaming, rewriteExpression, toClickHouse, type RewriteContext } from './to-clickhouse.ts';

/**
 * How the right side is read at a left write: `buffer` the right rows since the start (append ⨝
 * append, both directions); `latest` the newest right row per join key (LATEST); `versions` the last
 * keep_versions rows per key (ASOF); `snapshot` the current row per primary key (versioned_kv,
 * changelog_kv); `live` the live rows of a `changelog(s, k…)` right side; `frozen` a table(stream) snapshot taken when the query starts; `static` a table the
 * store reads as it is.
 */
export type JoinRole = 'buffer' | 'latest' | 'versions' | 'snapshot' | 'live' | 'frozen' | 'static';

export type JoinPlan = {
  readonly kind: 'join';
  /** The left stream and its store table (the log's key). */
  readonly left: { readonly stream: StreamEntry; readonly key: string };
  /** `subscribed`: its writes move its position; `fromStart`: its rows count from its beginning, not the query's start. */
  readonly right: { readonly stream: StreamEntry | null; readonly key: string | null; readonly role: JoinRole; readonly subscribed: boolean; readonly fromStart: boolean };
  readonly start: 'earliest' | 'now';
  readonly limit: number | null;
  /** Right writes emit too (append ⨝ append). */
  readonly bidirectional: boolean;
  /** `join_max_buffered_bytes` (Proton's default 500 MB) and an estimate of a stored row's bytes, for the buffered rows of a bidirectional join. */
  readonly maxBufferedBytes: number;
  readonly rowBytes: number;
  /** A left write: the left rows of `rows` joined with the right side as of `right`. */
  leftSql(rows: SnBounds, right: SnBounds, limit: number | null): string;
  /** A right write of a bidirectional join: the left rows of `left` joined (INNER) with the right rows of `rows`. */
  rightSql(left: SnBounds, rows: SnBounds, limit: number | null): string;
  /**
   * A keyed left side (kv ⨝ kv, §1.13): the output is a changelog. `sql(before, after, sign)` gives
   * the joined rows as of `after` that were not joined as of `before` (sign 1), or the other way round
   * (sign -1), with `_tp_delta` = sign: the store computes the change a write made to the join.
   */
  readonly changelog: { sql(before: JoinPositions | null, after: JoinPositions, sign: 1 | -1, limit: number | null): string } | null;
  /** An aggregation over a kv ⨝ kv join: recomputed over the join as of the positions every period when a write arrived. */
  readonly aggregate: { readonly periodMs: number; sql(at: JoinPositions, limit: number | null): string } | null;
  readonly format: string | null;
  readonly settings: ReadonlyMap<string, string>;
};

/** Positions of both sides: the join as of the rows before them. */
export type JoinPositions = { readonly left: bigint; readonly right: bigint };

const defaultKeepVersions = 3;
/** Proton's default emit of a global aggregation: every 2 s when rows arrived. */
const defaultPeriodMs = 2000;
const defaultMaxBufferedBytes = 524_288_000;
const leftPlaceholder = '__hadron_join_left';
const rightPlaceholder = '__hadron_join_right';

type Side =
  | { readonly kind: 'stream'; readonly stream: StreamEntry; readonly alias: string; readonly frozen: boolean; readonly changelog?: ChangelogSource }
  | { readonly kind: 'static'; readonly table: TableExpr; readonly alias: string | null };

const modeName: Readonly<Record<StreamEntry['mode'], string>> = {
  append: 'Append stream', versioned_kv: 'VersionedKV stream', changelog_kv: 'ChangelogKV stream', changelog: 'Changelog stream',
};

/** Plans a streaming join of two relations (at least the left one a stream); 48 for the cells Proton does not support. */
export function joinPlan(statement: SelectStatement, ctx: RewriteContext): JoinPlan {
  const select = statement.query as Select;
  const join = select.from as Join;
  if (join.left.kind === 'join' || join.right.kind === 'join') throw new NeedsStreaming('A streaming join of more than two relations');
  const left = side(join.left, ctx);
  const right = side(join.right, ctx);
  if (left.kind !== 'stream' || left.frozen) throw new NeedsStreaming('A streaming join whose left side is not a stream');
  const role = roleOf(join, left.stream, right);
  const keyed = left.stream.mode !== 'append';
  const aggregated = select.groupBy.length > 0 || select.columns.some(hasAggregate);
  if (aggregated && !keyed) throw new NeedsStreaming('An aggregation over a streaming join of an append stream');
  const periodMs = emitPeriod(select, aggregated, keyed);
  const names = (s: Side): SideNames => ({ alias: s.alias ?? '', columns: new Set(s.kind === 'stream' ? s.stream.columns.map((c) => c.name) : []) });
  const written = joinOn(join.on, names(left), names(right));
  // USING (a, b): equality keys named alike on both sides.
  const usingKeys = (join.using ?? []).map((c): Expr => ({ kind: 'identifier', parts: [c] }));
  const on = join.using === null ? written : { ...written, rightKeys: usingKeys, leftKeys: usingKeys };
  if (on.range && role !== 'buffer') throw new NeedsStreaming('A range join of a right side that is not an append stream');
  if ((role === 'latest' || role === 'versions') && on.rightKeys.length === 0 && right.kind === 'stream' && right.stream.mode === 'append') {
    throw new GatewayError(Code.INCORRECT_QUERY, `A streaming ${join.strictness} JOIN needs an equality of a left and a right column in ON`);
  }
  const placeholder = (name: string, s: Side): TableExpr => (s.kind === 'static' ? s.table : { kind: 'table_ref', name: { kind: 'identifier', parts: [name] }, alias: s.alias });
  const columns = keyed && !aggregated ? withDelta(select.columns) : select.columns;
  const template: Select = { ...select, columns, emit: null, limit: null, from: { ...join, left: placeholder(leftPlaceholder, left), right: placeholder(rightPlaceholder, right), on: on.on } };
  const rewritten = toClickHouse({ ...statement, query: template, format: null }, ctx);
  const query = rewritten.statement.query as Select;
  const proton = rewritten.protonSettings;
  const keep = wholeSetting(proton.get('keep_versions'), 'keep_versions') ?? defaultKeepVersions;
  const rightStream = right.kind === 'stream' ? right.stream : null;
  const rightKeys = on.rightKeys.map((e) => rewriteExpression(e, ctx));
  const leftKeys = on.leftKeys.map((e) => rewriteExpression(e, ctx));
  const rightView = (rows: SnBounds): Select => {
    if (rightStream === null) throw new Error('a static right side has no rows to read');
    return withoutSn(viewOf(role, rightStream, rows, rightKeys, keep, ctx, right.kind === 'stream' ? right.changelog : undefined));
  };
  // Key pushdown: one side's rows restricted to the equality keys the other side's rows hold; for a
  // keyed right side joined on its primary key, before the latest versions are picked (the store's
  // primary index reads only those keys).
  const onPrimaryKey = role === 'snapshot' && rightStream !== null && rightStream.mode !== 'changelog' && sameKeys(rightKeys, primaryKey(rightStream, ctx));
  const keyedRightView = (r: SnBounds, rows: SnBounds): Select => (onPrimaryKey && rightStream !== null
    ? withoutSn(snapshotSelect(rightStream, { first: 0n, next: r.next }, ctx, 1, true, keysIn(rightKeys, leftRows(rows), leftKeys)))
    : matching(rightView(r), rightKeys, leftRows(rows), leftKeys));
  const leftRows = (rows: SnBounds): Select => rowsSelect(left.stream, rows);
  const rightRows = (rows: SnBounds): Select => rowsSelect(rightStream as StreamEntry, rows);
  const joined = (l: Select, r: Select | null, kind: Join['joinKind'], limit: number | null): Select => {
    const from = query.from as Join;
    const sub = (q: Select, alias: string): TableExpr => ({ kind: 'table_subquery', query: q, alias });
    return {
      ...query,
      // LATEST: the right side holds one row per key already, and ClickHouse's INNER ANY would also keep one left row per key.
      from: { ...from, joinKind: kind, strictness: role === 'latest' ? null : from.strictness, left: sub(l, left.alias), right: r === null ? from.right : sub(r, right.alias as string) },
      limit: limitClause(limit),
    };
  };
  const sql = (l: Select, r: Select | null, kind: Join['joinKind'], limit: number | null): string => printed(joined(l, r, kind, limit));
  // The join as of both positions: each side's live rows before its position.
  // `only`: the side a write changed, restricted to the keys of that write's rows — the rest of the
  // join is the same before and after it, so the change is computed over those keys alone.
  const asOf = (at: JoinPositions, limit: number | null, only?: Touched): Select => {
    const l = liveRows(left.stream, at.left, ctx);
    const r = role === 'static' ? null : rightView({ first: 0n, next: at.right });
    // (A right write under a LEFT JOIN is not restricted: a left row's default row depends on all its matches.)
    const narrowed = r !== null && only?.side === 'right' && rightStream !== null && join.joinKind === 'INNER' ? touched(r, rightStream, only.rows, ctx) : r;
    return joined(only?.side === 'left' ? touched(l, left.stream, only.rows, ctx) : l, narrowed, join.joinKind, limit);
  };
  const seek = seekTo(select.settings);
  return {
    kind: 'join',
    left: { stream: left.stream, key: storeKey(left.stream) },
    right: {
      stream: rightStream, key: rightStream === null ? null : storeKey(rightStream), role, subscribed: role !== 'frozen' && role !== 'static',
      fromStart: role === 'snapshot' || role === 'frozen' || (role === 'live' && right.kind === 'stream' && right.changelog?.keyed === true),
    },
    start: seek ?? (rewinds(select) ? 'earliest' : 'now'),
    limit: limitOf(select),
    bidirectional: role === 'buffer',
    maxBufferedBytes: wholeSetting(proton.get('join_max_buffered_bytes'), 'join_max_buffered_bytes') ?? defaultMaxBufferedBytes,
    rowBytes: rowBytes(left.stream) + (rightStream === null ? 0 : rowBytes(rightStream)),
    leftSql: (rows, r, limit) => sql(withoutSn(leftRows(rows)), role === 'static' ? null : keyedRightView(r, rows), join.joinKind, limit),
    rightSql: (l, rows, limit) => sql(matching(withoutSn(leftRows(l)), leftKeys, rightRows(rows), rightKeys), rightView(rows), 'INNER', limit),
    changelog: !keyed || aggregated ? null : {
      sql: (before, after, sign, limit) => {
        const only: Touched | undefined = before === null ? undefined
          : before.left !== after.left ? { side: 'left', rows: { first: before.left, next: after.left } } : { side: 'right', rows: { first: before.right, next: after.right } };
        const change: Query = before === null ? asOf(after, null)
          : { kind: 'set_operation', op: 'EXCEPT', mode: 'ALL', left: asOf(sign === 1 ? after : before, null, only), right: asOf(sign === 1 ? before : after, null, only) };
        return printed(signed(change, sign, limit));
      },
    },
    aggregate: aggregated ? { periodMs, sql: (at, limit) => printed(asOf(at, limit)) } : null,
    format: statement.format,
    settings: rewritten.settings,
  };
}

const printed = (q: Query): string => print({ kind: 'select_statement', query: q, format: null }, 'clickhouse');
const limitClause = (limit: number | null): Select['limit'] => (limit === null ? null : { limit: { kind: 'number', text: String(limit) }, offset: null, withTies: false });

/** The items of a changelog join: `_tp_delta` (written or appended) is a placeholder the change queries set to ±1. */
function withDelta(columns: readonly Expr[]): Expr[] {
  const delta: Expr = { kind: 'alias', expr: { kind: 'function', name: 'to_int8', params: null, args: [{ kind: 'number', text: '0' }], distinct: false }, name: '_tp_delta' };
  const isDelta = (c: Expr): boolean => c.kind === 'identifier' && c.parts.length === 1 && c.parts[0] === '_tp_delta';
  return columns.some(isDelta) ? columns.map((c) => (isDelta(c) ? delta : c)) : [...columns, delta];
}

/** `SELECT * REPLACE (toInt8(sign) AS _tp_delta) FROM (q) [LIMIT n]`. */
function signed(q: Query, sign: 1 | -1, limit: number | null): Select {
  const value: Expr = { kind: 'function', name: 'toInt8', params: null, args: [{ kind: 'number', text: String(sign) }], distinct: false };
  const star: Expr = { kind: 'star', qualifier: [], except: [], transformers: [{ kind: 'star_replace', items: [{ kind: 'alias', expr: value, name: '_tp_delta' }] }] };
  return { ...emptySelect, columns: [star], from: { kind: 'table_subquery', query: q, alias: null }, limit: limitClause(limit) };
}

/** The emit period of an aggregation over a kv ⨝ kv join (EMIT PERIODIC p, default 2 s); other EMIT forms are refused. */
function emitPeriod(select: Select, aggregated: boolean, keyed: boolean): number {
  const emit = select.emit;
  if (emit === null) return defaultPeriodMs;
  if (!aggregated && keyed && emit.changelog && emit.periodic === null) return defaultPeriodMs;
  if (!aggregated) throw new GatewayError(Code.INCORRECT_QUERY, 'A streaming join without aggregation emits each joined row as it comes: it takes no EMIT clause (but CHANGELOG on a kv join)');
  if (emit.periodic === null || emit.onUpdate || emit.afterWindowClose || emit.timeout !== null || emit.delay !== null || emit.changelog) {
    throw new NeedsStreaming('This EMIT over a streaming join (EMIT PERIODIC only)');
  }
  return intervalMs(emit.periodic, 'EMIT PERIODIC');
}

/** A side of the join: a stream read live, `table(stream)` (frozen at the start), or anything else the store reads as it is. */
function side(t: TableExpr, ctx: RewriteContext): Side {
  const stream = (name: Expr | undefined): StreamEntry | undefined => {
    if (name?.kind !== 'identifier') return undefined;
    const parts = name.parts;
    return ctx.catalog.stream(parts.length > 1 ? (parts[0] as string) : ctx.database, parts[parts.length - 1] as string);
  };
  if (t.kind === 'table_ref') {
    const s = stream(t.name);
    if (s !== undefined) {
      if (s.variant === 'random') throw new NeedsStreaming('A streaming join of a random stream');
      return { kind: 'stream', stream: s, alias: t.alias ?? s.name, frozen: false };
    }
    const relation = ctx.catalog.relation(t.name.parts.length > 1 ? (t.name.parts[0] as string) : ctx.database, t.name.parts.at(-1) as string);
    // A view over streams runs as a stage before the join is planned (streaming-pipeline.ts); what
    // reaches here is a bounded view (over table(s)), read by the store as it is.
    if (relation?.kind === 'view') {
      const inner = toClickHouse({ kind: 'select_statement', query: parseStatement(relation.query).query, format: null }, { ...ctx, database: relation.database });
      if (inner.bareStreams.length > 0 || inner.bareViews.length > 0) throw new NeedsStreaming(`A streaming join of view ${relation.database}.${relation.name} from another database`);
    }
    return { kind: 'static', table: t, alias: t.alias ?? (t.name.parts.at(-1) as string) };
  }
  if (t.kind === 'table_function' && /^table$/i.test(t.call.name)) {
    const s = stream(t.call.args[0]);
    if (s !== undefined && s.variant !== 'random') return { kind: 'stream', stream: s, alias: t.alias ?? s.name, frozen: true };
    return { kind: 'static', table: t, alias: t.alias };
  }
  if (t.kind === 'table_function' && /^changelog$/i.test(t.call.name)) {
    const c = changelogSource(t.call, ctx);
    return { kind: 'stream', stream: c.stream, alias: t.alias ?? c.stream.name, frozen: false, changelog: c };
  }
  if (t.kind === 'table_function' && /^(dedup|tumble|hop|session)$/i.test(t.call.name)) {
    throw new NeedsStreaming(`A streaming join of ${t.call.name}(…)`);
  }
  if (t.kind === 'table_subquery') {
    const inner = toClickHouse({ kind: 'select_statement', query: t.query, format: null }, ctx);
    if (inner.bareStreams.length > 0 || inner.bareViews.length > 0) throw new NeedsStreaming('A streaming join of a subquery over streams');
  }
  return { kind: 'static', table: t, alias: t.kind === 'join' ? null : t.alias };
}

/** The cell of §1.13's support matrix, or 48 with Proton's wording. */
function roleOf(join: Join, left: StreamEntry, right: Side): JoinRole {
  const strict = join.strictness ?? 'ALL';
  const unsupported = (r: string): never => {
    throw new GatewayError(Code.NOT_IMPLEMENTED, `'${modeName[left.mode]}' ${join.joinKind} ${strict} JOIN '${r}' is not supported`);
  };
  if (join.joinKind !== 'INNER' && join.joinKind !== 'LEFT') unsupported(right.kind === 'stream' && !right.frozen ? modeName[right.stream.mode] : 'Table');
  if (right.kind === 'static' || right.frozen) {
    if (left.mode === 'changelog') throw new NeedsStreaming('A streaming join of a changelog stream with a table');
    return right.kind === 'static' ? 'static' : 'frozen';
  }
  const r = right.stream;
  if (right.changelog !== undefined) {
    if (left.mode !== 'append') throw new NeedsStreaming(`A streaming ${modeName[left.mode]} JOIN changelog(…)`);
    return strict === 'ALL' ? 'live' : unsupported('Changelog stream');
  }
  if (left.mode !== 'append') {
    // kv ⨝ kv: a changelog of the join (the plan's `changelog`), both sides as of their positions.
    if (r.mode === 'append') unsupported(modeName[r.mode]);
    if (strict !== 'ALL') unsupported(modeName[r.mode]);
    return 'snapshot';
  }
  if (strict === 'ASOF') return r.mode === 'append' || r.mode === 'versioned_kv' ? 'versions' : unsupported(modeName[r.mode]);
  if (strict === 'LATEST') return r.mode === 'append' || r.mode === 'versioned_kv' ? 'latest' : unsupported(modeName[r.mode]);
  if (strict !== 'ALL') return unsupported(modeName[r.mode]);
  if (r.mode === 'append') return 'buffer';
  return 'snapshot';
}

/** The side a write changed and its rows. */
type Touched = { readonly side: 'left' | 'right'; readonly rows: SnBounds };

/** A keyed side's relation restricted to the primary keys of `rows` (a changelog-mode side, without keys, whole). */
function touched(relation: Select, stream: StreamEntry, rows: SnBounds, ctx: RewriteContext): Select {
  if (stream.mode !== 'versioned_kv' && stream.mode !== 'changelog_kv') return relation;
  const key = primaryKey(stream, ctx);
  const tuple = (items: readonly Expr[]): Expr => (items.length === 1 ? items[0] as Expr : { kind: 'tuple', items });
  const keys: Select = { ...emptySelect, columns: [tuple(key)], from: { kind: 'table_subquery', query: rowsSelect(stream, rows), alias: null } };
  return {
    ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'table_subquery', query: relation, alias: null },
    where: { kind: 'binary', op: 'IN', left: tuple(key), right: { kind: 'subquery', query: keys } },
  };
}

/** `rel` restricted to the rows whose equality keys `other`'s rows hold (none: `rel` as it is). */
function matching(rel: Select, keys: readonly Expr[], other: Select, otherKeys: readonly Expr[]): Select {
  if (keys.length === 0 || keys.length !== otherKeys.length) return rel;
  return { ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'table_subquery', query: rel, alias: null }, where: keysIn(keys, other, otherKeys) };
}

/** `(keys) IN (SELECT otherKeys FROM other)`. */
function keysIn(keys: readonly Expr[], other: Select, otherKeys: readonly Expr[]): Expr {
  const tuple = (items: readonly Expr[]): Expr => (items.length === 1 ? items[0] as Expr : { kind: 'tuple', items });
  const held: Select = { ...emptySelect, columns: [tuple(otherKeys)], from: { kind: 'table_subquery', query: other, alias: null } };
  return { kind: 'binary', op: 'IN', left: tuple(keys), right: { kind: 'subquery', query: held } };
}

/** Whether two key lists are the same expressions, in any order. */
function sameKeys(a: readonly Expr[], b: readonly Expr[]): boolean {
  const text = (xs: readonly Expr[]): string => xs.map((e) => print(e, 'clickhouse')).sort().join('\u0000');
  return a.length > 0 && a.length === b.length && text(a) === text(b);
}

/** A side's live rows before `next`, without `_tp_sn`: the latest version per key, or a changelog's live multiset. */
function liveRows(stream: StreamEntry, next: bigint, ctx: RewriteContext): Select {
  return stream.mode === 'changelog' ? aggregateRelation({ kind: 'multiset', stream }, 0n, next, ctx) : withoutSn(snapshotSelect(stream, { first: 0n, next }, ctx));
}

/** A changelog stream's live rows (each distinct row Σ `_tp_delta` times), with a `_tp_sn` column for the readers that hide it. */
function liveMultiset(stream: StreamEntry, next: bigint, ctx: RewriteContext): Select {
  const rows = aggregateRelation({ kind: 'multiset', stream }, 0n, next, ctx);
  return { ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }, { kind: 'alias', expr: { kind: 'number', text: '0' }, name: '_tp_sn' }], from: { kind: 'table_subquery', query: rows, alias: null } };
}

/** The right rows a left write sees, by role. */
function viewOf(role: JoinRole, stream: StreamEntry, rows: SnBounds, keys: readonly Expr[], keep: number, ctx: RewriteContext, changelog?: ChangelogSource): Select {
  const newest = (q: Select, n: number): Select => ({
    ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'table_subquery', query: q, alias: null },
    orderBy: [{ kind: 'order_item', expr: { kind: 'identifier', parts: ['_tp_sn'] }, direction: 'DESC', nulls: null }],
    limitBy: { limit: { kind: 'number', text: String(n) }, offset: null, by: keys },
  });
  const keyed = stream.mode === 'versioned_kv' || stream.mode === 'changelog_kv';
  switch (role) {
    case 'buffer': return rowsSelect(stream, rows);
    case 'latest': return newest(keyed ? snapshotSelect(stream, { first: 0n, next: rows.next }, ctx) : rowsSelect(stream, rows), 1);
    case 'versions': return keyed ? snapshotSelect(stream, { first: 0n, next: rows.next }, ctx, keep) : newest(rowsSelect(stream, rows), keep);
    case 'snapshot': return stream.mode === 'changelog' ? liveMultiset(stream, rows.next, ctx) : snapshotSelect(stream, { first: 0n, next: rows.next }, ctx);
    case 'frozen': return snapshotSelect(stream, { first: 0n, next: rows.next }, ctx);
    case 'live': {
      if (changelog === undefined) throw new Error('a live right side is a changelog(…)');
      return changelogLiveSelect(changelog, changelog.keyed ? 0n : rows.first, rows.next);
    }
    case 'static': throw new Error('a static side is read as it is');
  }
}


const storeKey = (s: StreamEntry): string => `${identifier(s.database)}.${identifier(s.name)}`;

function wholeSetting(e: Expr | undefined, name: string): number | null {
  if (e === undefined) return null;
  if (e.kind !== 'number' || !/^\d+$/.test(e.text)) throw new GatewayError(Code.BAD_ARGUMENTS, `${name} takes a whole number`);
  return Number(e.text);
}

/** A rough size of one stored row (fixed-width columns by width, strings as 32 bytes), for join_max_buffered_bytes. */
function rowBytes(s: StreamEntry): number {
  const width = (type: string): number => {
    const m = /^(u?int|float)(\d+)/i.exec(type);
    if (m !== null) return Number(m[2]) / 8;
    if (/^(datetime64|decimal)/i.test(type)) return 8;
    if (/^(date|datetime)\b/i.test(type)) return 4;
    if (/^(bool|uint8|int8)/i.test(type)) return 1;
    return 32;
  };
  return s.columns.reduce((n, c) => n + width(c.type), 0);
}
