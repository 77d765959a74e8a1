// The storage model (DESIGN §3, proton-semantics §1.1–§1.3, §1.20): a CREATE STREAM becomes a
// catalog entry and the ClickHouse table that holds it, with the reserved columns Hadron adds.
//
// | mode          | table                                                                 |
// |---------------|-----------------------------------------------------------------------|
// | append        | MergeTree                                                             |
// | changelog     | MergeTree, `_tp_delta Int8 DEFAULT 1`                                  |
// | versioned_kv  | ReplacingMergeTree(version) ORDER BY primary key, read with FINAL     |
// | changelog_kv  | ReplacingMergeTree(version, _is_deleted), `_is_deleted` from `_tp_delta` |
//
// `_tp_sn Int64 MATERIALIZED 0` is filled by Hadron at ingest; MATERIALIZED keeps it (and
// `_is_deleted`) out of `SELECT *` while it stays selectable by name.
import type { ColumnEntry, StreamEntry, StreamMode } from '../catalog.ts';
import { streamModes } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import { translateTypeName } from '../type-parser.ts';
import type { ColumnDef, CreateStream } from './ast-statement.ts';
import type { Expr, Setting } from './ast.ts';
import { print, identifier, string } from './printer.ts';
import { checkRandomSettings } from './random-stream.ts';
import { parseExpression } from './parse-select.ts';
import type { RewriteContext } from './to-clickhouse.ts';
import { rewriteExpression } from './to-clickhouse.ts';

export const TP_TIME = '_tp_time';
export const TP_DELTA = '_tp_delta';
export const TP_SN = '_tp_sn';
export const IS_DELETED = '_is_deleted';
const TP_TIME_TYPE = "datetime64(3, 'UTC')";

/** `_tp_*` names a user may declare, with the type family each must have (§1.1 "Reserved names"). */
const allowedReserved: Readonly<Record<string, RegExp>> = {
  _tp_time: /^datetime64\b/,
  _tp_index_time: /^datetime64\b/,
  _tp_sn: /^int64$/,
  _tp_delta: /^int8$/,
};

const reserved = (name: string, type: string, kind: ColumnEntry['defaultKind'], def: string, codec = ''): ColumnEntry => ({
  name, type, defaultKind: kind, default: def, codec, comment: '', reserved: true,
});

/** Builds the catalog entry of a CREATE STREAM (validated as Proton does). */
export function streamEntry(create: CreateStream, database: string, createSql: string, source: StreamEntry | null): StreamEntry {
  const name = create.name.parts[create.name.parts.length - 1] as string;
  const settings = settingsRecord(create.settings);
  // A mutable stream (Enterprise: a keyed row store) is kept as versioned_kv: latest row per key.
  const mode = create.variant === 'mutable' && settings.mode === undefined ? 'versioned_kv' : modeOf(settings.mode);
  const userColumns = source !== null ? source.columns.filter((c) => !c.reserved) : create.columns.map(columnEntry);
  for (const c of userColumns) checkReserved(c);
  const declaredTime = userColumns.find((c) => c.name === TP_TIME);
  const eventTime = settings.event_time_column === undefined ? null : unquote(settings.event_time_column);
  const columns: ColumnEntry[] = userColumns.filter((c) => c.name !== TP_SN);
  if (declaredTime === undefined) {
    columns.push(reserved(TP_TIME, TP_TIME_TYPE, 'DEFAULT', eventTime ?? "now64(3, 'UTC')", 'DoubleDelta, LZ4'));
  }
  const keyed = mode === 'versioned_kv' || mode === 'changelog_kv';
  if ((mode === 'changelog' || mode === 'changelog_kv') && !columns.some((c) => c.name === TP_DELTA)) columns.push(reserved(TP_DELTA, 'int8', 'DEFAULT', '1'));
  columns.push(reserved(TP_SN, 'int64', 'MATERIALIZED', '0'));
  if (mode === 'changelog_kv') {
    if (columns.some((c) => c.name === IS_DELETED)) throw new GatewayError(Code.ILLEGAL_COLUMN, `Column name ${IS_DELETED} is reserved in changelog_kv streams (Hadron stores deletes in it)`);
    columns.push(reserved(IS_DELETED, 'uint8', 'MATERIALIZED', '_tp_delta = -1'));
  }
  const primaryKey = create.primaryKey === null ? '' : keyText(create.primaryKey);
  if (keyed && primaryKey === '') {
    throw new GatewayError(Code.SYNTAX_ERROR, `Primary key is required for ${mode} stream ${database}.${name}`);
  }
  const versionColumn = keyed ? (settings.version_column === undefined ? TP_TIME : unquote(settings.version_column)) : '';
  if (keyed && create.primaryKey?.some((k) => k.kind === 'identifier' && k.parts.join('.') === versionColumn)) {
    throw new GatewayError(Code.BAD_ARGUMENTS, `The version column ${versionColumn} cannot be part of the primary key`);
  }
  if (create.variant === 'random') checkRandomSettings(settings);
  return {
    kind: 'stream', database, name, mode, variant: create.variant === 'random' ? 'random' : 'stream', columns,
    // An append stream with a PRIMARY KEY and no ORDER BY sorts by the key (the key must prefix the sort order).
    orderBy: create.orderBy === null ? (keyed || primaryKey !== '' ? primaryKey : 'to_start_of_hour(_tp_time)') : keyText(create.orderBy),
    partitionBy: create.partitionBy === null ? 'to_YYYYMMDD(_tp_time)' : print(create.partitionBy, 'proton'),
    primaryKey,
    ttl: create.ttl === null ? '' : create.ttl.map((t) => print(t, 'proton')).join(', '),
    settings, versionColumn, comment: create.comment ?? '', createSql,
  };
}

function keyText(items: readonly Expr[]): string {
  return items.length === 1 ? print(items[0] as Expr, 'proton') : `(${items.map((e) => print(e, 'proton')).join(', ')})`;
}

function modeOf(value: string | undefined): StreamMode {
  const mode = value === undefined ? 'append' : unquote(value);
  if (!(streamModes as readonly string[]).includes(mode)) {
    throw new GatewayError(Code.BAD_ARGUMENTS, `Unknown stream mode '${mode}': expected one of ${streamModes.join(', ')}`);
  }
  return mode as StreamMode;
}

export function columnEntry(c: ColumnDef): ColumnEntry {
  if (c.type === null && c.default === null) throw new GatewayError(Code.SYNTAX_ERROR, `Column ${c.name} needs a type or a default expression`);
  let type = c.type === null ? '' : translateTypeName(print(c.type, 'proton'), 'proton');
  if (c.nullable === true && type !== '' && !type.startsWith('nullable(')) type = `nullable(${type})`;
  return {
    name: c.name, type, defaultKind: c.defaultKind, default: c.default === null ? '' : print(c.default, 'proton'),
    codec: c.codec.map((f) => print(f, 'proton')).join(', '), comment: c.comment ?? '', reserved: false,
  };
}

function checkReserved(c: ColumnEntry): void {
  if (c.name === 'window_start' || c.name === 'window_end') {
    throw new GatewayError(Code.ILLEGAL_COLUMN, `Column name ${c.name} is reserved (window table functions produce it)`);
  }
  if (!c.name.startsWith('_tp_')) return;
  const rule = allowedReserved[c.name];
  if (rule === undefined) throw new GatewayError(Code.ILLEGAL_COLUMN, `Column names starting with _tp_ are reserved: ${c.name}`);
  if (!rule.test(c.type)) throw new GatewayError(Code.ILLEGAL_COLUMN, `Reserved column ${c.name} cannot have type ${c.type || '(none)'}`);
}

function settingsRecord(settings: readonly Setting[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of settings) out[s.name] = print(s.value, 'proton');
  return out;
}

/** A setting value written as a SQL literal (`'versioned_kv'`) → its text. */
export function unquote(literal: string): string {
  const e = parseExpression(literal);
  if (e.kind === 'string') return e.value;
  if (e.kind === 'identifier') return e.parts.join('.');
  return literal;
}

/**
 * A random stream's backing table holds only what its generator wrote for the queries of the last
 * hour (merged away at most every 10 minutes), so it never grows without bound.
 */
const randomTtl = `${TP_TIME} + INTERVAL 1 HOUR`;

/** The store table of a stream (of a random stream: the table its generator fills while it is read). */
export function createTableSql(s: StreamEntry, ctx: RewriteContext, ifNotExists: boolean): string {
  const expr = (text: string): string => print(rewriteExpression(parseExpression(text), ctx), 'clickhouse');
  const columns = s.columns.map((c) => columnSql(c, expr, ctx));
  columns.push(`INDEX _tp_time_index ${identifier(TP_TIME)} TYPE minmax GRANULARITY 2`);
  // Streaming reads select `_tp_sn` ranges (the rows of one write): the index skips every other part.
  columns.push('INDEX _tp_sn_index _tp_sn TYPE minmax GRANULARITY 1');
  // Keyed streams keep every version (a plain MergeTree sorted by the key): streaming reads as of a
  // position and ASOF joins need superseded versions that a ReplacingMergeTree merge would drop, and
  // its FINAL only collapses within one partition (one day). Reads pick the latest per key
  // (rewrite/keyed-snapshot.ts).
  const engine = 'MergeTree';
  const parts = [
    `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${identifier(s.database)}.${identifier(s.name)} (${columns.join(', ')})`,
    `ENGINE = ${engine}`,
    `PARTITION BY ${expr(s.partitionBy)}`,
    `ORDER BY ${expr(s.orderBy)}`,
  ];
  if (s.primaryKey !== '' && s.primaryKey !== s.orderBy) parts.push(`PRIMARY KEY ${expr(s.primaryKey)}`);
  const ttl = s.ttl === '' && s.variant === 'random' ? randomTtl : s.ttl;
  if (ttl !== '') parts.push(`TTL ${exprList(ttl).map((t) => print(rewriteExpression(t, ctx), 'clickhouse')).join(', ')}`);
  parts.push(s.variant === 'random' ? 'SETTINGS allow_nullable_key = 1, merge_with_ttl_timeout = 600' : 'SETTINGS allow_nullable_key = 1');
  if (s.comment !== '') parts.push(`COMMENT ${string(s.comment)}`);
  return parts.join(' ');
}

function columnSql(c: ColumnEntry, expr: (text: string) => string, ctx: RewriteContext): string {
  const type = c.type === '' ? '' : ` ${translateTypeName(c.type, 'clickhouse')}`;
  const def = c.defaultKind === null ? '' : ` ${c.defaultKind}${c.default === '' ? '' : ` ${expr(c.default)}`}`;
  const codec = c.codec === '' ? '' : ` CODEC(${exprList(c.codec).map((x) => print(rewriteExpression(x, ctx), 'clickhouse')).join(', ')})`;
  const comment = c.comment === '' ? '' : ` COMMENT ${string(c.comment)}`;
  // ClickHouse's column grammar: name type [DEFAULT|MATERIALIZED|ALIAS|EPHEMERAL expr] [COMMENT 'c'] [CODEC(…)].
  return `${identifier(c.name)}${type}${def}${comment}${codec}`;
}

/** A comma-separated expression list kept as Proton text (`ZSTD(1), LZ4`) → its items. */
function exprList(text: string): readonly Expr[] {
  const e = parseExpression(`__list(${text})`);
  return e.kind === 'function' ? e.args : [e];
}

/**
 * Columns an INSERT without a column list covers: every physical column a user may write, as the
 * store's own column-less INSERT (EPHEMERAL columns are written only when named).
 */
export function insertableColumns(s: StreamEntry): string[] {
  return s.columns.filter((c) => c.defaultKind === null || c.defaultKind === 'DEFAULT').map((c) => c.name);
}

/** `name Type, …` of the given columns in ClickHouse types (for stores that need an input structure). */
export function structureOf(s: StreamEntry, names: readonly string[]): string {
  return names.map((n) => {
    const c = s.columns.find((x) => x.name === n);
    if (c === undefined) throw new GatewayError(16, `No such column ${n} in stream ${s.database}.${s.name}`);
    return `${identifier(n)} ${translateTypeName(c.type, 'clickhouse')}`;
  }).join(', ');
}
