// The DDL endpoints of Proton's REST API (protocols.md §5.5): stream descriptions read from the
// catalog, and CREATE / ALTER / DROP STREAM and CREATE / DROP DATABASE built from JSON and run through
// the executor. Names are always quoted (sql-literal.ts); types and expressions (`default`,
// `order_by_expression`, `ttl_expression`, …) are SQL by the API's contract and go in as written, in
// the Proton dialect, checked by Hadron's parser like any statement.
import { bookkeeping, hiddenDatabases, type ColumnEntry, type StreamEntry } from '../../catalog.ts';
import { Code, GatewayError } from '../../errors.ts';
import { quoteIdentifier, quoteString } from '../../sql-literal.ts';
import { queryRows, readJsonBody, runSql, sendJson, type RestCall, type Route } from './rest-call.ts';

export const ddlRoutes: readonly Route[] = [
  { method: 'GET', path: /^\/v1\/ddl\/streams(?:\/([^/]+))?(?:\/([^/]+))?$/, run: listStreams },
  { method: 'POST', path: /^\/v1\/ddl\/streams$/, run: createStream },
  { method: 'PATCH', path: /^\/v1\/ddl\/streams\/([^/]+)$/, run: alterStream },
  { method: 'DELETE', path: /^\/v1\/ddl\/streams\/([^/]+)$/, run: dropStream },
  { method: 'GET', path: /^\/v1\/ddl\/databases(?:\/([^/]+))?$/, run: listDatabases },
  { method: 'POST', path: /^\/v1\/ddl\/databases$/, run: createDatabase },
  { method: 'DELETE', path: /^\/v1\/ddl\/databases\/([^/]+)$/, run: dropDatabase },
];

/** `GET /v1/ddl/streams[/{database}[/{stream}]]`: the streams of a database (default: the request's). */
async function listStreams(call: RestCall, params: readonly string[]): Promise<void> {
  const database = params[0] || call.database;
  const name = params[1] || null;
  if (!(await databases(call)).includes(database)) throw new GatewayError(Code.UNKNOWN_DATABASE, `Database ${database} does not exist`);
  const catalog = call.deps.executor.catalog;
  const streams = catalog.relationsIn(database).filter((r): r is StreamEntry => r.kind === 'stream' && (name === null || r.name === name));
  if (name !== null && streams.length === 0) throw new GatewayError(Code.UNKNOWN_TABLE, `Stream ${database}.${name} doesn't exist`);
  streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  sendJson(call, 200, { data: streams.map(describeStream) });
}

function describeStream(s: StreamEntry): Record<string, unknown> {
  return {
    name: s.name,
    database: s.database,
    engine: s.variant === 'random' ? 'Random' : 'Stream',
    mode: s.mode,
    order_by_expression: s.orderBy,
    partition_by_expression: s.partitionBy,
    primary_key: s.primaryKey,
    ttl: s.ttl,
    settings: s.settings,
    comment: s.comment,
    columns: s.columns.filter((c) => !bookkeeping.has(c.name)).map(describeColumn),
  };
}

function describeColumn(c: ColumnEntry): Record<string, unknown> {
  const nullable = /^nullable\((.*)\)$/i.exec(c.type);
  const out: Record<string, unknown> = { name: c.name, type: nullable?.[1] ?? c.type, nullable: nullable !== null, default: c.defaultKind === 'DEFAULT' ? c.default : '' };
  if (c.defaultKind === 'ALIAS') out.alias = c.default;
  if (c.defaultKind === 'MATERIALIZED') out.materialized = c.default;
  if (c.codec !== '') out.codec = c.codec;
  if (c.comment !== '') out.comment = c.comment;
  if (c.reserved) out.reserved = true;
  return out;
}

/** `POST /v1/ddl/streams`: `{"name","columns":[…],…}` → CREATE STREAM in the request's database. */
async function createStream(call: RestCall): Promise<void> {
  const body = await readJsonBody(call);
  await runSql(call, createStreamSql(call.database, body));
  sendJson(call, 200, {});
}

/** Proton's stream JSON as CREATE STREAM text. Required: `name`, non-empty `columns`. */
export function createStreamSql(database: string, body: Record<string, unknown>): string {
  const name = text(body, 'name', true);
  const columns = body.columns;
  if (!Array.isArray(columns) || columns.length === 0) throw new GatewayError(Code.INCORRECT_DATA, "Invalid Request, 'columns' must be a non-empty array");
  const elements = columns.map((c: unknown) => columnSql(c));
  const clauses: string[] = [];
  const primaryKey = text(body, 'primary_key');
  const orderBy = text(body, 'order_by_expression');
  const partitionBy = text(body, 'partition_by_expression');
  const ttl = text(body, 'ttl_expression');
  if (partitionBy !== '') clauses.push(`PARTITION BY ${sqlFragment(partitionBy, 'partition_by_expression')}`);
  if (primaryKey !== '') clauses.push(`PRIMARY KEY ${sqlFragment(primaryKey, 'primary_key')}`);
  if (orderBy !== '') clauses.push(`ORDER BY ${sqlFragment(orderBy, 'order_by_expression')}`);
  if (ttl !== '') clauses.push(`TTL ${sqlFragment(ttl, 'ttl_expression')}`);
  const settings: string[] = [];
  const mode = text(body, 'mode');
  if (mode !== '') settings.push(`mode = ${quoteString(mode)}`);
  const eventTime = text(body, 'event_time_column');
  if (eventTime !== '') settings.push(`event_time_column = ${quoteString(eventTime)}`);
  for (const key of ['shards', 'replication_factor']) {
    if (body[key] === undefined) continue;
    const n = body[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, '${key}' must be a positive integer`);
    settings.push(`${key} = ${n}`);
  }
  if (settings.length > 0) clauses.push(`SETTINGS ${settings.join(', ')}`);
  return [`CREATE STREAM ${quoteIdentifier(database)}.${quoteIdentifier(name)} (${elements.join(', ')})`, ...clauses].join(' ');
}

/** One column object: name, type, nullable, default | alias, comment, compression_codec, ttl_expression, skipping_index_expression. */
function columnSql(column: unknown): string {
  if (typeof column !== 'object' || column === null || Array.isArray(column)) throw new GatewayError(Code.INCORRECT_DATA, 'Invalid Request, every column must be an object');
  const c = column as Record<string, unknown>;
  const type = sqlFragment(text(c, 'type', true), 'type');
  const parts = [quoteIdentifier(text(c, 'name', true)), c.nullable === true ? `nullable(${type})` : type];
  const def = c.default;
  if (def !== undefined && def !== null && def !== '') parts.push(`DEFAULT ${defaultSql(def, type)}`);
  else if (text(c, 'alias') !== '') parts.push(`ALIAS ${sqlFragment(text(c, 'alias'), 'alias')}`);
  if (text(c, 'comment') !== '') parts.push(`COMMENT ${quoteString(text(c, 'comment'))}`);
  if (text(c, 'compression_codec') !== '') parts.push(`CODEC(${sqlFragment(text(c, 'compression_codec'), 'compression_codec')})`);
  if (text(c, 'ttl_expression') !== '') parts.push(`TTL ${sqlFragment(text(c, 'ttl_expression'), 'ttl_expression')}`);
  const index = text(c, 'skipping_index_expression');
  return index === '' ? parts.join(' ') : `${parts.join(' ')}, ${sqlFragment(index, 'skipping_index_expression')}`;
}

/** A default: numbers and booleans as literals; text is an expression, except for string columns (Proton quotes it). */
function defaultSql(value: unknown, type: string): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new GatewayError(Code.INCORRECT_DATA, "Invalid Request, a column 'default' must be a string or a number");
  return /^string$/i.test(type) && !/^'.*'$/s.test(value) ? quoteString(value) : sqlFragment(value, 'default');
}

/** `PATCH /v1/ddl/streams/{stream}`: `{"ttl_expression":"…","settings":{k: v}}` → ALTER STREAM. */
async function alterStream(call: RestCall, params: readonly string[]): Promise<void> {
  const body = await readJsonBody(call);
  const target = `${quoteIdentifier(call.database)}.${quoteIdentifier(params[0] ?? '')}`;
  const commands: string[] = [];
  const ttl = text(body, 'ttl_expression');
  if (ttl !== '') commands.push(`MODIFY TTL ${sqlFragment(ttl, 'ttl_expression')}`);
  const settings = body.settings;
  if (settings !== undefined) {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new GatewayError(Code.INCORRECT_DATA, "Invalid Request, 'settings' must be an object");
    const list = Object.entries(settings as Record<string, unknown>).map(([k, v]) => `${settingName(k)} = ${settingValue(k, v)}`);
    if (list.length > 0) commands.push(`MODIFY SETTING ${list.join(', ')}`);
  }
  if (commands.length === 0) throw new GatewayError(Code.INCORRECT_DATA, "Invalid Request, nothing to change: give 'ttl_expression' or 'settings'");
  for (const command of commands) await runSql(call, `ALTER STREAM ${target} ${command}`);
  sendJson(call, 200, {});
}

/** `DELETE /v1/ddl/streams/{stream}`. */
async function dropStream(call: RestCall, params: readonly string[]): Promise<void> {
  await runSql(call, `DROP STREAM ${quoteIdentifier(call.database)}.${quoteIdentifier(params[0] ?? '')}`);
  sendJson(call, 200, {});
}

/** `GET /v1/ddl/databases[/{db}]`: `{"databases":[…]}`; one that does not exist is 81. */
async function listDatabases(call: RestCall, params: readonly string[]): Promise<void> {
  const all = await databases(call);
  const name = params[0];
  if (name !== undefined && name !== '' && !all.includes(name)) throw new GatewayError(Code.UNKNOWN_DATABASE, `Database ${name} does not exist`);
  sendJson(call, 200, { databases: name === undefined || name === '' ? all : [name] });
}

/** `POST /v1/ddl/databases` `{"name":"db"}`. */
async function createDatabase(call: RestCall): Promise<void> {
  const body = await readJsonBody(call);
  await runSql(call, `CREATE DATABASE ${quoteIdentifier(text(body, 'name', true))}`);
  sendJson(call, 200, {});
}

async function dropDatabase(call: RestCall, params: readonly string[]): Promise<void> {
  await runSql(call, `DROP DATABASE ${quoteIdentifier(params[0] ?? '')}`);
  sendJson(call, 200, {});
}

/** Databases a Proton user sees, by name. */
async function databases(call: RestCall): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(call, 'SELECT name FROM system.databases ORDER BY name');
  return rows.map((r) => r.name).filter((n) => !hiddenDatabases.has(n));
}

/** A string member ('' when absent); `required` makes absence or '' a 117. */
function text(body: Record<string, unknown>, key: string, required = false): string {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, '${key}' is required`);
    return '';
  }
  if (typeof v !== 'string') throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, '${key}' must be a string`);
  if (required && v === '') throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, '${key}' is empty`);
  return v;
}

/** SQL text the API takes as SQL (types, expressions): one fragment, so no statement separator or comment. */
function sqlFragment(sql: string, what: string): string {
  if (/;|--|\/\*/.test(sql.replace(/'(?:[^'\\]|\\.)*'/g, "''"))) throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, '${what}' must be a single SQL expression`);
  return sql;
}

function settingName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, bad setting name '${name}'`);
  return name;
}

function settingValue(name: string, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return quoteString(value);
  throw new GatewayError(Code.INCORRECT_DATA, `Invalid Request, setting '${name}' must be a string, a number or a boolean`);
}
