// Printers of CREATE and ALTER statements, and the clause printers print-statement.ts shares.
import { Code, GatewayError, type Dialect } from '../errors.ts';
import type { Expr, Node, Setting } from './ast.ts';
import type {
  AlterCommand, AlterCommandKind, ColumnDef, ColumnPosition, CreateDatabase, CreateFormatSchema, CreateFunction, CreateStream,
  CreateTable, CreateView, IndexDef, PartitionSpec, StorageClauses,
} from './ast-statement.ts';
import { remoteOptions } from './parse-create-function.ts';
import { identifier, string } from './printer.ts';

/** What a printer handler gets: the dialect, a node printer and the dialect's word table. */
export type PrintContext = {
  readonly dialect: Dialect;
  readonly p: (n: Node) => string;
  /** An object or list word in the dialect (`STREAM` → `TABLE`); throws 49 when it has no spelling there. */
  readonly word: (w: string) => string;
};

export function noClickHouseSpelling(what: string): never {
  throw new GatewayError(Code.LOGICAL_ERROR, `${what} has no ClickHouse spelling; the analyzer must translate it before printing`);
}

export const flag = (on: boolean, text: string): string => (on ? text : '');
export const name = (n: string, x: PrintContext): string => x.p({ kind: 'identifier', parts: [n] });
export const settingsList = (settings: readonly Setting[], x: PrintContext): string => settings.map((s) => x.p(s)).join(', ');
/** ` SETTINGS a = 1, b = 2` or ''. */
export const settingsClause = (settings: readonly Setting[], x: PrintContext): string =>
  settings.length === 0 ? '' : ` SETTINGS ${settingsList(settings, x)}`;
export const cluster = (c: string | null): string => (c === null ? '' : ` ON CLUSTER ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(c) ? c : string(c)}`);
const comment = (c: string | null): string => (c === null ? '' : ` COMMENT ${string(c)}`);
const exprs = (items: readonly Expr[], x: PrintContext): string => items.map((e) => x.p(e)).join(', ');

export function partitionSpec(n: PartitionSpec, x: PrintContext): string {
  if (n.id !== null) return `PARTITION ID ${string(n.id)}`;
  return n.expr === null ? 'PARTITION ALL' : `PARTITION ${x.p(n.expr)}`;
}

/** A storage key: `tuple()`, `k`, `(a, b)`. */
function key(items: readonly Expr[], x: PrintContext): string {
  return items.length === 0 ? 'tuple()' : items.length === 1 ? x.p(items[0] as Expr) : `(${exprs(items, x)})`;
}

function storage(s: StorageClauses, x: PrintContext): string {
  return [
    s.partitionBy === null ? '' : ` PARTITION BY ${x.p(s.partitionBy)}`,
    s.primaryKey === null ? '' : ` PRIMARY KEY ${key(s.primaryKey, x)}`,
    s.orderBy === null ? '' : ` ORDER BY ${key(s.orderBy, x)}`,
    s.sampleBy === null ? '' : ` SAMPLE BY ${x.p(s.sampleBy)}`,
    s.ttl === null ? '' : ` TTL ${exprs(s.ttl, x)}`,
    settingsClause(s.settings, x),
  ].join('');
}

export function columnDef(c: ColumnDef, x: PrintContext): string {
  return [
    identifier(c.name),
    c.type === null ? '' : ` ${x.p(c.type)}`,
    c.nullable === null ? '' : c.nullable ? ' NULL' : ' NOT NULL',
    c.defaultKind === null ? '' : ` ${c.defaultKind}${c.default === null ? '' : ` ${x.p(c.default)}`}`,
    comment(c.comment),
    c.codec.length === 0 ? '' : ` CODEC(${exprs(c.codec, x)})`,
    c.ttl === null ? '' : ` TTL ${x.p(c.ttl)}`,
  ].join('');
}

function indexDef(i: IndexDef, x: PrintContext): string {
  return `${identifier(i.name)} ${x.p(i.expr)} TYPE ${x.p(i.type)}${i.granularity === null ? '' : ` GRANULARITY ${i.granularity.text}`}`;
}

function elements(s: { columns: CreateTable['columns']; indexes: CreateTable['indexes'] } & Partial<Pick<CreateTable, 'projections' | 'constraints'>>, x: PrintContext): string {
  const items = [
    ...s.columns.map((c) => columnDef(c, x)),
    ...s.indexes.map((i) => `INDEX ${indexDef(i, x)}`),
    ...(s.projections ?? []).map((p) => `PROJECTION ${identifier(p.name)} (${x.p(p.query)})`),
    ...(s.constraints ?? []).map((c) => `CONSTRAINT ${identifier(c.name)} ${c.check} ${x.p(c.expr)}`),
  ];
  return items.length === 0 ? '' : ` (${items.join(', ')})`;
}

const streamWords: Readonly<Record<CreateStream['variant'], string>> = {
  stream: 'STREAM', random: 'RANDOM STREAM', external: 'EXTERNAL STREAM', mutable: 'MUTABLE STREAM', external_table: 'EXTERNAL TABLE',
};

function createStream(s: CreateStream, x: PrintContext): string {
  if (x.dialect === 'clickhouse') noClickHouseSpelling(`CREATE ${streamWords[s.variant]}`);
  const as = s.asSource === null ? '' : ` AS ${x.p(s.asSource)}`;
  const query = s.asSelect === null ? '' : ` AS ${x.p(s.asSelect)}`;
  return `CREATE ${flag(s.orReplace, 'OR REPLACE ')}${streamWords[s.variant]} ${flag(s.ifNotExists, 'IF NOT EXISTS ')}${x.p(s.name)}${elements(s, x)}${as}${storage(s, x)}${comment(s.comment)}${query}`;
}

function createTable(s: CreateTable, x: PrintContext): string {
  const as = s.asSource === null ? '' : ` AS ${x.p(s.asSource)}`;
  const engine = s.engine === null ? '' : ` ENGINE = ${x.p(s.engine)}`;
  const query = s.asSelect === null ? '' : ` AS ${x.p(s.asSelect)}`;
  const head = `CREATE ${flag(s.orReplace, 'OR REPLACE ')}${flag(s.temporary, 'TEMPORARY ')}TABLE ${flag(s.ifNotExists, 'IF NOT EXISTS ')}`;
  return `${head}${x.p(s.name)}${cluster(s.cluster)}${elements(s, x)}${as}${engine}${storage(s, x)}${comment(s.comment)}${query}`;
}

function createView(s: CreateView, x: PrintContext): string {
  const into = s.into === null ? '' : ` ${x.dialect === 'clickhouse' ? 'TO' : 'INTO'} ${x.p(s.into)}`;
  const columns = s.columns.length === 0 ? '' : ` (${s.columns.map((c) => columnDef(c, x)).join(', ')})`;
  const engine = s.storage === null ? '' : ` ENGINE = ${x.p(s.storage.engine)}${storage(s.storage, x)}`;
  const head = `CREATE ${flag(s.orReplace, 'OR REPLACE ')}${flag(s.materialized, 'MATERIALIZED ')}VIEW ${flag(s.ifNotExists, 'IF NOT EXISTS ')}`;
  return `${head}${x.p(s.name)}${cluster(s.cluster)}${into}${columns}${engine}${flag(s.populate, ' POPULATE')}${settingsClause(s.settings, x)}${comment(s.comment)} AS ${x.p(s.query)}`;
}

function createDatabase(s: CreateDatabase, x: PrintContext): string {
  const engine = s.engine === null ? '' : ` ENGINE = ${x.p(s.engine)}`;
  return `CREATE DATABASE ${flag(s.ifNotExists, 'IF NOT EXISTS ')}${name(s.name, x)}${cluster(s.cluster)}${engine}${settingsClause(s.settings, x)}${comment(s.comment)}`;
}

function createFunction(s: CreateFunction, x: PrintContext): string {
  const head = `CREATE ${flag(s.orReplace, 'OR REPLACE ')}${flag(s.aggregate, 'AGGREGATE ')}${flag(s.remote, 'REMOTE ')}FUNCTION ${flag(s.ifNotExists, 'IF NOT EXISTS ')}${identifier(s.name)}`;
  if (s.lambda !== null) return `${head} AS ${x.p(s.lambda)}`;
  if (x.dialect === 'clickhouse') noClickHouseSpelling(s.remote ? 'A remote function' : `A ${s.language ?? ''} function`);
  const params = (s.params ?? []).map((a) => `${identifier(a.name)} ${x.p(a.type)}`).join(', ');
  const returns = `${head}(${params}) RETURNS ${s.returns === null ? '' : x.p(s.returns)}`;
  if (s.url !== null) {
    const options = s.options.filter((o) => remoteOptions[o.name] !== undefined).map((o) => ` ${o.name} ${x.p(o.value)}`).join('');
    return `${returns} URL ${string(s.url)}${options}`;
  }
  return `${returns} LANGUAGE ${s.language ?? ''} AS ${heredoc(s.source ?? '')}`;
}

/** `$$body$$` when the body allows it (UDF sources read best unescaped), else a quoted string. */
function heredoc(body: string): string {
  return body.includes('$$') || body.endsWith('$') ? string(body) : `$$${body}$$`;
}

function createFormatSchema(s: CreateFormatSchema, x: PrintContext): string {
  if (x.dialect === 'clickhouse') noClickHouseSpelling('CREATE FORMAT SCHEMA');
  return `CREATE ${flag(s.orReplace, 'OR REPLACE ')}FORMAT SCHEMA ${flag(s.ifNotExists, 'IF NOT EXISTS ')}${identifier(s.name)} AS ${string(s.body)} TYPE ${identifier(s.type)}`;
}

export const createParts = {
  create_stream: createStream, create_table: createTable, create_view: createView, create_database: createDatabase,
  create_function: createFunction, create_format_schema: createFormatSchema,
};

const position = (p: ColumnPosition): string => (p === null ? '' : 'first' in p ? ' FIRST' : ` AFTER ${identifier(p.after)}`);
const inPartition = (p: PartitionSpec | null, x: PrintContext): string => (p === null ? '' : ` IN ${partitionSpec(p, x)}`);
const ifExists = (on: boolean): string => flag(on, 'IF EXISTS ');

type CommandPrinters = { [K in AlterCommandKind]: (c: Extract<AlterCommand, { kind: K }>, x: PrintContext) => string };
const commandPrinters: CommandPrinters = {
  add_column: (c, x) => `ADD COLUMN ${flag(c.ifNotExists, 'IF NOT EXISTS ')}${columnDef(c.column, x)}${position(c.position)}`,
  drop_column: (c) => `DROP COLUMN ${ifExists(c.ifExists)}${identifier(c.name)}`,
  modify_column: (c, x) => `MODIFY COLUMN ${ifExists(c.ifExists)}${columnDef(c.column, x)}${position(c.position)}`,
  rename_column: (c) => `RENAME COLUMN ${ifExists(c.ifExists)}${identifier(c.from)} TO ${identifier(c.to)}`,
  comment_column: (c) => `COMMENT COLUMN ${ifExists(c.ifExists)}${identifier(c.name)} ${string(c.comment)}`,
  clear_column: (c, x) => `CLEAR COLUMN ${ifExists(c.ifExists)}${identifier(c.name)}${inPartition(c.partition, x)}`,
  materialize_column: (c, x) => `MATERIALIZE COLUMN ${identifier(c.name)}${inPartition(c.partition, x)}`,
  modify_ttl: (c, x) => `MODIFY TTL ${exprs(c.ttl, x)}`,
  remove_ttl: () => 'REMOVE TTL',
  materialize_ttl: (c, x) => `MATERIALIZE TTL${inPartition(c.partition, x)}`,
  modify_setting: (c, x) => `MODIFY SETTING ${settingsList(c.settings, x)}`,
  reset_setting: (c) => `RESET SETTING ${c.names.map(identifier).join(', ')}`,
  modify_order_by: (c, x) => `MODIFY ORDER BY ${key(c.orderBy, x)}`,
  modify_comment: (c) => `MODIFY COMMENT ${string(c.comment)}`,
  drop_partition: (c, x) => `DROP ${partitionSpec(c.partition, x)}`,
  detach_partition: (c, x) => `DETACH ${partitionSpec(c.partition, x)}`,
  attach_partition: (c, x) => `ATTACH ${partitionSpec(c.partition, x)}`,
  modify_query: (c, x) => `MODIFY QUERY ${x.p(c.query)}`,
  modify_query_setting: (c, x) => (x.dialect === 'clickhouse' ? noClickHouseSpelling('MODIFY QUERY SETTING') : `MODIFY QUERY SETTING ${settingsList(c.settings, x)}`),
  reset_query_setting: (c, x) => (x.dialect === 'clickhouse' ? noClickHouseSpelling('RESET QUERY SETTING') : `RESET QUERY SETTING ${c.names.map(identifier).join(', ')}`),
  delete: (c, x) => `DELETE WHERE ${x.p(c.where)}`,
  update: (c, x) => `UPDATE ${settingsList(c.assignments, x)} WHERE ${x.p(c.where)}`,
  add_index: (c, x) => `ADD INDEX ${flag(c.ifNotExists, 'IF NOT EXISTS ')}${indexDef(c.index, x)}${position(c.position)}`,
  drop_index: (c) => `DROP INDEX ${ifExists(c.ifExists)}${identifier(c.name)}`,
  materialize_index: (c, x) => `MATERIALIZE INDEX ${ifExists(c.ifExists)}${identifier(c.name)}${inPartition(c.partition, x)}`,
  clear_index: (c, x) => `CLEAR INDEX ${ifExists(c.ifExists)}${identifier(c.name)}${inPartition(c.partition, x)}`,
};

export function alterCommand(c: AlterCommand, x: PrintContext): string {
  return (commandPrinters[c.kind] as (cmd: AlterCommand, ctx: PrintContext) => string)(c, x);
}
