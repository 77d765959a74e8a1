// Catalog questions answered in Proton's spelling and column layout (SHOW STREAMS, SHOW CREATE,
// DESCRIBE, EXISTS): rows built from the catalog and served by the store as a literal table, so every
// output format works exactly as for any other query.
import type { Catalog, ColumnEntry, Relation } from '../catalog.ts';
import { bookkeeping } from '../catalog.ts';
import { Code, GatewayError } from '../errors.ts';
import type { Expr, Query, Select } from './ast.ts';
import { emptySelect } from './ast.ts';

export type Column = readonly [name: string, clickhouseType: string];
export type Row = readonly (string | number)[];

/** A SELECT over literal rows: `SELECT * FROM format(JSONCompactEachRow, 'structure', 'rows')`. */
export function rowsQuery(columns: readonly Column[], rows: readonly Row[]): Query {
  const structure = columns.map(([n, t]) => `${quoteName(n)} ${t}`).join(', ');
  const data = rows.map((r) => JSON.stringify(r)).join('\n');
  // format() cannot read zero rows; the Null table function gives the empty result with the same columns.
  const call: Expr = rows.length === 0
    ? { kind: 'function', name: 'null', params: null, distinct: false, args: [{ kind: 'string', value: structure }] }
    : {
      kind: 'function', name: 'format', params: null, distinct: false,
      args: [{ kind: 'identifier', parts: ['JSONCompactEachRow'] }, { kind: 'string', value: structure }, { kind: 'string', value: data }],
    };
  const select: Select = { ...emptySelect, columns: [{ kind: 'star', qualifier: [], except: [] }], from: { kind: 'table_function', call: call as Extract<Expr, { kind: 'function' }>, alias: null } };
  return select;
}

const quoteName = (n: string): string => `\`${n.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

/** DESCRIBE's layout (ClickHouse's and Proton's): Proton type names, bookkeeping columns hidden. */
export const describeColumns: readonly Column[] = [
  ['name', 'String'], ['type', 'String'], ['default_type', 'String'], ['default_expression', 'String'],
  ['comment', 'String'], ['codec_expression', 'String'], ['ttl_expression', 'String'],
];

export function describeRows(relation: Relation): Row[] {
  return relation.columns
    .filter((c: ColumnEntry) => !bookkeeping.has(c.name))
    .map((c) => [c.name, c.type, c.defaultKind ?? '', c.default, c.comment, c.codec === '' ? '' : `CODEC(${c.codec})`, '']);
}

/** SHOW STREAMS [FROM db] [[NOT] [I]LIKE p]: stream, view and external names, `.inner.*` hidden. */
export function showStreams(catalog: Catalog, database: string, like: { not: boolean; ilike: boolean; pattern: string } | null, includeInternal: boolean): Row[] {
  const match = like === null ? () => true : likeMatcher(like.pattern, like.ilike);
  return catalog.relationsIn(database)
    .filter((r) => includeInternal || !r.name.startsWith('.inner.'))
    .filter((r) => match(r.name) !== like?.not)
    .map((r) => r.name)
    .sort()
    .map((n) => [n]);
}

/** SQL LIKE: `%` any run, `_` one character, `\` escapes. */
export function likeMatcher(pattern: string, caseInsensitive: boolean): (s: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i] as string);
    else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += escapeRe(ch);
  }
  const compiled = new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u');
  return (s) => compiled.test(s);
}

const escapeRe = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The relation a DESCRIBE / SHOW CREATE / EXISTS names, or undefined when the catalog has none. */
export function findRelation(catalog: Catalog, parts: readonly string[], database: string): Relation | undefined {
  const name = parts[parts.length - 1];
  if (name === undefined) throw new GatewayError(Code.SYNTAX_ERROR, 'A stream name is required');
  return catalog.relation(parts.length > 1 ? (parts[0] as string) : database, name);
}
