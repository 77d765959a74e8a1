// ALTER STREAM / TABLE / VIEW and its commands.
import type { Alter, AlterCommand, ColumnPosition } from './ast-statement.ts';
import {
  list, parseCluster, parseIfExists, parseIfNotExists, parseOptionalPartition, parsePartitionBody, parseNameList, parseQualifiedName,
  parseSettingList, parseSettingsClause, parseString,
} from './parse-clause.ts';
import { parseColumnDef, parseIndexDef, parseKey } from './parse-create.ts';
import type { Cursor } from './parse-cursor.ts';
import { parseExpr } from './parse-expression.ts';
import { parseQuery } from './parse-select.ts';

// alter := ALTER (STREAM | TABLE | VIEW) name [ON CLUSTER c] command (',' command)* [SETTINGS …]
export function parseAlter(c: Cursor): Alter | null {
  c.expectKw('ALTER');
  const object = c.acceptKw('STREAM') ? 'STREAM' : c.acceptKw('TABLE') ? 'TABLE' : c.acceptKw('VIEW') ? 'VIEW' : null;
  if (object === null) return null;
  const name = parseQualifiedName(c, 'stream name');
  const cluster = parseCluster(c);
  const commands = list(c, parseCommand);
  return { kind: 'alter', object, name, cluster, commands, settings: parseSettingsClause(c) };
}

type CommandParser = (c: Cursor) => AlterCommand;
const names = (c: Cursor): string[] => parseNameList(c, 'setting name');

/** Commands by their leading words; longer phrases first where they share a prefix. */
const commands: ReadonlyArray<readonly [readonly string[], CommandParser]> = [
  [['ADD', 'COLUMN'], (c) => {
    const ifNotExists = parseIfNotExists(c);
    return { kind: 'add_column', ifNotExists, column: parseColumnDef(c), position: parsePosition(c) };
  }],
  [['ADD', 'INDEX'], (c) => {
    const ifNotExists = parseIfNotExists(c);
    return { kind: 'add_index', ifNotExists, index: parseIndexDef(c), position: parsePosition(c) };
  }],
  [['DROP', 'COLUMN'], (c) => ({ kind: 'drop_column', ifExists: parseIfExists(c), name: c.name('column name') })],
  [['DROP', 'INDEX'], (c) => indexCommand(c, 'drop_index')],
  [['CLEAR', 'INDEX'], (c) => indexCommand(c, 'clear_index')],
  [['MATERIALIZE', 'INDEX'], (c) => indexCommand(c, 'materialize_index')],
  [['DROP', 'PARTITION'], (c) => ({ kind: 'drop_partition', partition: parsePartitionBody(c) })],
  [['DETACH', 'PARTITION'], (c) => ({ kind: 'detach_partition', partition: parsePartitionBody(c) })],
  [['ATTACH', 'PARTITION'], (c) => ({ kind: 'attach_partition', partition: parsePartitionBody(c) })],
  [['MODIFY', 'COLUMN'], (c) => {
    const ifExists = parseIfExists(c);
    return { kind: 'modify_column', ifExists, column: parseColumnDef(c), position: parsePosition(c) };
  }],
  [['MODIFY', 'TTL'], (c) => ({ kind: 'modify_ttl', ttl: list(c, (x) => parseExpr(x)) })],
  [['MODIFY', 'SETTING'], (c) => ({ kind: 'modify_setting', settings: parseSettingList(c) })],
  [['MODIFY', 'QUERY', 'SETTING'], (c) => ({ kind: 'modify_query_setting', settings: parseSettingList(c) })],
  [['MODIFY', 'QUERY'], (c) => ({ kind: 'modify_query', query: parseQuery(c) })],
  [['MODIFY', 'ORDER', 'BY'], (c) => ({ kind: 'modify_order_by', orderBy: parseKey(c) })],
  [['MODIFY', 'COMMENT'], (c) => ({ kind: 'modify_comment', comment: parseString(c, 'comment') })],
  [['RESET', 'SETTING'], (c) => ({ kind: 'reset_setting', names: names(c) })],
  [['RESET', 'QUERY', 'SETTING'], (c) => ({ kind: 'reset_query_setting', names: names(c) })],
  [['RENAME', 'COLUMN'], (c) => {
    const ifExists = parseIfExists(c);
    const from = c.name('column name');
    c.expectKw('TO');
    return { kind: 'rename_column', ifExists, from, to: c.name('column name') };
  }],
  [['COMMENT', 'COLUMN'], (c) => {
    const ifExists = parseIfExists(c);
    return { kind: 'comment_column', ifExists, name: c.name('column name'), comment: parseString(c, 'comment') };
  }],
  [['CLEAR', 'COLUMN'], (c) => {
    const ifExists = parseIfExists(c);
    return { kind: 'clear_column', ifExists, name: c.name('column name'), partition: parseOptionalPartition(c) };
  }],
  [['MATERIALIZE', 'COLUMN'], (c) => ({ kind: 'materialize_column', name: c.name('column name'), partition: parseOptionalPartition(c) })],
  [['MATERIALIZE', 'TTL'], (c) => ({ kind: 'materialize_ttl', partition: parseOptionalPartition(c) })],
  [['REMOVE', 'TTL'], () => ({ kind: 'remove_ttl' })],
  [['DELETE', 'WHERE'], (c) => ({ kind: 'delete', where: parseExpr(c) })],
  [['UPDATE'], (c) => {
    const assignments = parseSettingList(c);
    c.expectKw('WHERE');
    return { kind: 'update', assignments, where: parseExpr(c) };
  }],
];

// command := see the `commands` table; each entry's parser reads what follows its words
function parseCommand(c: Cursor): AlterCommand {
  let best: (typeof commands)[number] | null = null;
  for (const entry of commands) {
    if (c.isKw(...entry[0]) && (best === null || entry[0].length > best[0].length)) best = entry;
  }
  if (best === null) c.fail();
  c.i += best[0].length;
  return best[1](c);
}

function indexCommand(c: Cursor, kind: 'drop_index' | 'clear_index' | 'materialize_index'): AlterCommand {
  const ifExists = parseIfExists(c);
  const name = c.name('index name');
  if (kind === 'drop_index') return { kind, ifExists, name, partition: null };
  return { kind, ifExists, name, partition: parseOptionalPartition(c) };
}

// position := [FIRST | AFTER name]
function parsePosition(c: Cursor): ColumnPosition {
  if (c.acceptKw('FIRST')) return { first: true };
  return c.acceptKw('AFTER') ? { after: c.name('column name') } : null;
}
