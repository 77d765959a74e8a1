// Clauses the statement parsers share: qualified names, ON CLUSTER, SETTINGS lists, string
// literals, FORMAT, IF [NOT] EXISTS, PARTITION specs.
import type { Identifier, Setting } from './ast.ts';
import type { PartitionSpec } from './ast-statement.ts';
import { tokenValue } from './lexer.ts';
import type { Cursor } from './parse-cursor.ts';
import { parseExpr } from './parse-expression.ts';

// list := item (',' item)*
export function list<T>(c: Cursor, item: (c: Cursor) => T): T[] {
  const out = [item(c)];
  while (c.acceptPunct(',')) out.push(item(c));
  return out;
}

// qualified_name := name ['.' name]
export function parseQualifiedName(c: Cursor, what = 'identifier'): Identifier {
  const parts = [c.name(what)];
  if (c.acceptPunct('.')) parts.push(c.name(what));
  return { kind: 'identifier', parts };
}

// string := STRING
export function parseString(c: Cursor, what = 'string literal'): string {
  const t = c.peek();
  if (t.kind !== 'string') c.fail([what]);
  c.next();
  return tokenValue(t);
}

// cluster := [ON CLUSTER (name | STRING)]
export function parseCluster(c: Cursor): string | null {
  if (!c.acceptKw('ON', 'CLUSTER')) return null;
  return c.peek().kind === 'string' ? parseString(c) : c.name('cluster name');
}

// setting := name '=' expr
export function parseSetting(c: Cursor): Setting {
  const name = c.name('setting name');
  c.expectPunct('=');
  return { kind: 'setting', name, value: parseExpr(c) };
}

// setting_list := setting (',' setting)*    (a comma continues the list only before `name =`, so an ALTER
//                                            command may follow: `MODIFY SETTING a = 1, RESET SETTING b`)
export function parseSettingList(c: Cursor): Setting[] {
  const out = [parseSetting(c)];
  while (c.isPunct(',') && c.peek(2).kind === 'punct' && c.peek(2).raw === '=') {
    c.next();
    out.push(parseSetting(c));
  }
  return out;
}

// name_list := name (',' name)*    (a comma continues the list only before a name that ends the command)
export function parseNameList(c: Cursor, what: string): string[] {
  const out = [c.name(what)];
  while (c.isPunct(',') && c.peek(2).kind !== 'word' && c.peek(2).kind !== 'quoted_id') {
    c.next();
    out.push(c.name(what));
  }
  return out;
}

// settings_clause := [SETTINGS setting (',' setting)*]
export function parseSettingsClause(c: Cursor): Setting[] {
  return c.acceptKw('SETTINGS') ? list(c, parseSetting) : [];
}

// format_clause := [FORMAT name]
export function parseFormatClause(c: Cursor): string | null {
  return c.acceptKw('FORMAT') ? c.name('format name') : null;
}

// if_not_exists := [IF NOT EXISTS];  if_exists := [IF EXISTS]
export function parseIfNotExists(c: Cursor): boolean {
  return c.acceptKw('IF', 'NOT', 'EXISTS');
}
export function parseIfExists(c: Cursor): boolean {
  return c.acceptKw('IF', 'EXISTS');
}

// partition := PARTITION partition_body
export function parsePartition(c: Cursor): PartitionSpec {
  c.expectKw('PARTITION');
  return parsePartitionBody(c);
}

// partition_body := ALL | ID STRING | expr
export function parsePartitionBody(c: Cursor): PartitionSpec {
  if (c.acceptKw('ALL')) return { kind: 'partition', expr: null, id: null };
  if (c.isKw('ID') && c.peek(1).kind === 'string') {
    c.next();
    return { kind: 'partition', expr: null, id: parseString(c) };
  }
  return { kind: 'partition', expr: parseExpr(c), id: null };
}

// optional_partition := [partition]   (IN PARTITION for ALTER … CLEAR / MATERIALIZE)
export function parseOptionalPartition(c: Cursor): PartitionSpec | null {
  if (c.acceptKw('IN')) return parsePartition(c);
  return c.isKw('PARTITION') ? parsePartition(c) : null;
}
