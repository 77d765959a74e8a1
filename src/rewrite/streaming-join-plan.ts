// Streaming joins (proton-semantics §1.13): which cell of Proton's support matrix a join is, and the
// store SQL of each step the engine (streaming/join.ts) runs. The engine follows both streams in
// publish order; a left write joins the right side as it was at that moment (the right rows
// published before it: a `_tp_sn` position of the right stream), and in a bidirectional join a right
// write joins the left rows seen so far. Each step is the query as written with its two sides
// replaced by subqueries over those rows (rewrite/keyed-snapshot.ts), so every function, ON form and
// join strictness the store knows works, and LEFT JOIN fills type defaults as Proton does.
import type { StreamEntry } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import { emptySelect, type Expr, type Join, type Select, type SelectStatement, type TableExpr } from './ast.ts';
import { rowsSelect, snapshotSelect, withoutSn, type SnBounds } from './keyed-snapshot.ts';
import { identifier, print } from './printer.ts';
import { joinOn, type SideNames } from './streaming-join-on.ts';
import { hasAggregate, limitOf, rewinds, seekTo } from './streaming-plan.ts';
import { NeedsStreaming, toClickHouse, type RewriteContext } from './to-clickhouse.ts';

/**
 * How the right side is read at a left write: `buffer` the right rows since the start (append ⨝
 * append, both directions); `latest` the newest right row per join key (LATEST); `versions` the last
 * keep_versions rows per key (ASOF); `snapshot` the current row per primary key (versioned_kv,
 * changelog_kv); `frozen` a table(stream) snapshot taken when the query starts; `static` a table the
 * store reads as it is.
 */
export type JoinRole = 'buffer' | 'latest' | 'versions' | 'snapshot' | 'frozen' | 'static';

export type JoinPlan = {
  readonly kind: 'join';
  /** The left stream and its store table (the log's key). */
  readonly left: { readonly stream: StreamEntry; readonly key: string };
  readonly right: { readonly stream: StreamEntry | null; readonly key: string | null; readonly role: JoinRole };
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
  readonly format: string | null;
  readonly settings: ReadonlyMap<string, string>;
};

const defaultKeepVersions = 3;
const defaultMaxBufferedBytes = 524_288_000;
const leftPlaceholder = '__hadron_join_left';
const rightPlaceholder = '__hadron_join_right';

type Side =
  | { readonly kind: 'stream'; readonly stream: StreamEntry; readonly alias: string; readonly frozen: boolean }
  | { readonly kind: 'static'; readonly table: TableExpr; readonly alias: string | null };

const modeName: Readonly<Record<StreamEntry['mode'], string>> = {
  append: 'Append stream', versioned_kv: 'VersionedKV stream', changelog_kv: 'ChangelogKV stream', changelog: 'Changelog stream',
};

/** Plans a streaming join of two relations (at least the left one a stream); 48 for the cells Proton does not support. */
export function joinPlan(statement: SelectStatement, ctx: RewriteContext): JoinPlan {
  const select = statement.query as Select;
  const join = select.from as Join;
  if (join.left.kind === 'join' || join.right.kind === 'join') throw new NeedsStreaming('A streaming join of more than two relations');
  if (select.groupBy.length > 0 || select.columns.some(hasAggregate)) throw new NeedsStreaming('An aggregation over a streaming join');
  if (select.emit !== null) throw new GatewayError(Code.INCORRECT_QUERY, 'A streaming join without aggregation emits each joined row as it comes: it takes no EMIT clause');
  const left = side(join.left, ctx);
  const right = side(join.right, ctx);
  if (left.kind !== 'stream' || left.frozen) throw new NeedsStreaming('A streaming join whose left side is not a stream');
  const role = roleOf(join, left.stream, right);
  const names = (s: Side): SideNames => ({ alias: s.alias ?? '', columns: new Set(s.kind === 'stream' ? s.stream.columns.map((c) => c.name) : []) });
  const on = joinOn(join.on, names(left), names(right));
  if (on.range && role !== 'buffer') throw new NeedsStreaming('A range join of a right side that is not an append stream');
  if ((role === 'latest' || role === 'versions') && on.rightKeys.length === 0 && right.kind === 'stream' && right.stream.mode === 'append') {
    throw new GatewayError(Code.INCORRECT_QUERY, `A streaming ${join.strictness} JOIN needs an equality of a left and a right column in ON`);
  }
  const placeholder = (name: string, s: Side): TableExpr => (s.kind === 'static' ? s.table : { kind: 'table_ref', name: { kind: 'identifier', parts: [name] }, alias: s.alias });
  const template: Select = { ...select, emit: null, limit: null, from: { ...join, left: placeholder(leftPlaceholder, left), right: placeholder(rightPlaceholder, right), on: on.on } };
  const rewritten = toClickHouse({ ...statement, query: template, format: null }, ctx);
  const query = rewritten.statement.query as Select;
  const proton = rewritten.protonSettings;
  const keep = wholeSetting(proton.get('keep_versions'), 'keep_versions') ?? defaultKeepVersions;
  const rightStream = right.kind === 'stream' ? right.stream : null;
  const rightView = (rows: SnBounds): Select => {
    if (rightStream === null) throw new Error('a static right side has no rows to read');
    return withoutSn(viewOf(role, rightStream, rows, on.rightKeys, keep, ctx));
  };
  const sql = (l: Select, r: Select | null, kind: Join['joinKind'], limit: number | null): string => {
    const from = query.from as Join;
    const sub = (q: Select, alias: string): TableExpr => ({ kind: 'table_subquery', query: q, alias });
    const next: Select = {
      ...query,
      from: { ...from, joinKind: kind, left: sub(l, left.alias), right: r === null ? from.right : sub(r, right.alias as string) },
      limit: limit === null ? null : { limit: { kind: 'number', text: String(limit) }, offset: null, withTies: false },
    };
    return print({ kind: 'select_statement', query: next, format: null }, 'clickhouse');
  };
  const seek = seekTo(select.settings);
  return {
    kind: 'join',
    left: { stream: left.stream, key: storeKey(left.stream) },
    right: { stream: rightStream, key: rightStream === null ? null : storeKey(rightStream), role },
    start: seek ?? (rewinds(select) ? 'earliest' : 'now'),
    limit: limitOf(select),
    bidirectional: role === 'buffer',
    maxBufferedBytes: wholeSetting(proton.get('join_max_buffered_bytes'), 'join_max_buffered_bytes') ?? defaultMaxBufferedBytes,
    rowBytes: rowBytes(left.stream) + (rightStream === null ? 0 : rowBytes(rightStream)),
    leftSql: (rows, r, limit) => sql(withoutSn(rowsSelect(left.stream, rows)), role === 'static' ? null : rightView(r), join.joinKind, limit),
    rightSql: (l, rows, limit) => sql(withoutSn(rowsSelect(left.stream, l)), rightView(rows), 'INNER', limit),
    format: statement.format,
    settings: rewritten.settings,
  };
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
    if (relation?.kind === 'view') throw new NeedsStreaming('A streaming join of a view');
    return { kind: 'static', table: t, alias: t.alias ?? (t.name.parts.at(-1) as string) };
  }
  if (t.kind === 'table_function' && /^table$/i.test(t.call.name)) {
    const s = stream(t.call.args[0]);
    if (s !== undefined && s.variant !== 'random') return { kind: 'stream', stream: s, alias: t.alias ?? s.name, frozen: true };
    return { kind: 'static', table: t, alias: t.alias };
  }
  if (t.kind === 'table_function' && /^(changelog|dedup|tumble|hop|session)$/i.test(t.call.name)) {
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
  if (join.using !== null) throw new NeedsStreaming('A streaming join with USING (write ON)');
  if (right.kind === 'static' || right.frozen) {
    if (left.mode !== 'append') throw new NeedsStreaming(`A streaming join of a ${left.mode} stream with a table`);
    return right.kind === 'static' ? 'static' : 'frozen';
  }
  const r = right.stream;
  if (left.mode !== 'append') {
    if (r.mode === 'append') unsupported(modeName[r.mode]);
    throw new NeedsStreaming(`A streaming ${modeName[left.mode]} JOIN ${modeName[r.mode]} (a changelog of retractions)`);
  }
  if (strict === 'ASOF') return r.mode === 'append' || r.mode === 'versioned_kv' ? 'versions' : unsupported(modeName[r.mode]);
  if (strict === 'LATEST') return r.mode === 'append' || r.mode === 'versioned_kv' ? 'latest' : unsupported(modeName[r.mode]);
  if (strict !== 'ALL') return unsupported(modeName[r.mode]);
  if (r.mode === 'append') return 'buffer';
  if (r.mode === 'changelog') throw new NeedsStreaming('A streaming join with a changelog stream on the right');
  return 'snapshot';
}

/** The right rows a left write sees, by role. */
function viewOf(role: JoinRole, stream: StreamEntry, rows: SnBounds, keys: readonly Expr[], keep: number, ctx: RewriteContext): Select {
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
    case 'snapshot':
    case 'frozen': return snapshotSelect(stream, { first: 0n, next: rows.next }, ctx);
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
