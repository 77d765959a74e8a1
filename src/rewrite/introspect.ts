// Catalog questions answered in Proton's spelling and column layout (SHOW STREAMS, SHOW CREATE,
// DESCRIBE, EXISTS): rows built from the catalog and served by the store as a literal table, so every
// output format works exactly as for any other query.
import type { Catalog, ColumnEntry, Relation } from '../catalog.ts';
import { bookkeeping, hiddenDatabases } from '../catalog.ts';
import { Code, GatewayError, type Dialect } from '../errors.ts';
import { translateTypeName } from '../type-parser.ts';
import type { Expr, Query, Select } from './ast.ts';
import { emptySelect } from './ast.ts';
import { parseStatement } from './parse-select.ts';
import { string } from './printer.ts';
import { protonTypeText } from './type-name-sql.ts';

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

/** DESCRIBE rows of a catalog relation, type names in the client's dialect. */
export function describeRows(relation: Relation, dialect: Dialect): Row[] {
  return relation.columns
    .filter((c: ColumnEntry) => !bookkeeping.has(c.name))
    .map((c) => [c.name, c.type === '' ? '' : translateTypeName(c.type, dialect), c.defaultKind ?? '', c.default, c.comment, c.codec === '' ? '' : `CODEC(${c.codec})`, '']);
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

/** `(database, name) IN ((…), …)` over catalog relations, or null when there are none. */
function pairsIn(left: string, relations: readonly Relation[]): string | null {
  if (relations.length === 0) return null;
  return `(database, ${left}) IN (${relations.map((r) => `(${string(r.database)}, ${string(r.name)})`).join(', ')})`;
}

const engineNames: readonly [(r: Relation) => boolean, string][] = [
  [(r) => r.kind === 'stream', 'Stream'],
  [(r) => r.kind === 'view' && !r.materialized, 'View'],
  [(r) => r.kind === 'view' && r.materialized, 'MaterializedView'],
  [(r) => r.kind === 'external' && r.object === 'stream', 'ExternalStream'],
  [(r) => r.kind === 'external' && r.object === 'table', 'ExternalTable'],
];

const hiddenList = (): string => [...hiddenDatabases].map(string).join(', ');

/** system.tables as Proton shows it: engines named Stream / View / …, Hadron's metadata hidden. */
export function systemTablesQuery(catalog: Catalog): Query {
  const all = catalog.allRelations();
  const branches = engineNames.flatMap(([test, engine]) => {
    const cond = pairsIn('name', all.filter(test));
    return cond === null ? [] : [`${cond}, ${string(engine)}`];
  });
  const replace = branches.length === 0 ? '' : ` REPLACE (multiIf(${branches.join(', ')}, engine) AS engine)`;
  return parseQueryText(`SELECT *${replace} FROM system.tables WHERE database NOT IN (${hiddenList()})`);
}

/** system.columns as Proton shows it: Proton type names, bookkeeping columns of streams hidden. */
export function systemColumnsQuery(catalog: Catalog): Query {
  const streams = pairsIn('table', catalog.allRelations().filter((r) => r.kind === 'stream'));
  const hide = streams === null ? '' : ` AND NOT (name IN (${[...bookkeeping].map(string).join(', ')}) AND ${streams})`;
  const select = parseQueryText(`SELECT * FROM system.columns WHERE database NOT IN (${hiddenList()})${hide}`);
  if (select.kind !== 'select') return select;
  const star: Expr = {
    kind: 'star', qualifier: [], except: [],
    transformers: [{ kind: 'star_replace', items: [{ kind: 'alias', expr: protonTypeText({ kind: 'identifier', parts: ['type'] }), name: 'type' }] }],
  };
  return { ...select, columns: [star] };
}

function parseQueryText(sql: string): Query {
  const s = parseStatement(sql);
  return s.query;
}
