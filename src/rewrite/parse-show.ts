// Statements that read the catalog: SHOW, DESCRIBE, EXISTS.
import type { TableExpr } from './ast.ts';
import type { Describe, Exists, Show, ShowWhat } from './ast-statement.ts';
import { parseFormatClause, parseQualifiedName, parseSettingsClause, parseString } from './parse-clause.ts';
import type { Cursor } from './parse-cursor.ts';
import { parseExpr, parseFunction } from './parse-expression.ts';
import { parseQuery } from './parse-select.ts';

/** SHOW lists by their words; longer phrases first where they share a prefix. */
const showLists: ReadonlyArray<readonly [readonly string[], ShowWhat]> = [
  [['STREAMS'], 'STREAMS'], [['TABLES'], 'TABLES'], [['DATABASES'], 'DATABASES'], [['DICTIONARIES'], 'DICTIONARIES'],
  [['VIEWS'], 'VIEWS'], [['EXTERNAL', 'STREAMS'], 'EXTERNAL STREAMS'], [['FUNCTIONS'], 'FUNCTIONS'],
  [['FORMAT', 'SCHEMAS'], 'FORMAT SCHEMAS'], [['SETTINGS'], 'SETTINGS'], [['CHANGED', 'SETTINGS'], 'CHANGED SETTINGS'],
  [['ENGINES'], 'ENGINES'], [['PROCESSLIST'], 'PROCESSLIST'], [['COLUMNS'], 'COLUMNS'], [['FIELDS'], 'COLUMNS'],
];

/** Object words of SHOW CREATE and EXISTS, longest first. */
export const objectPhrases: readonly (readonly string[])[] = [
  ['EXTERNAL', 'STREAM'], ['EXTERNAL', 'TABLE'], ['MATERIALIZED', 'VIEW'], ['FORMAT', 'SCHEMA'], ['TEMPORARY', 'TABLE'],
  ['STREAM'], ['TABLE'], ['VIEW'], ['DATABASE'], ['DICTIONARY'], ['FUNCTION'],
];

function parseObjectPhrase(c: Cursor): string | null {
  const phrase = objectPhrases.find((words) => c.acceptKw(...words));
  return phrase === undefined ? null : phrase.join(' ');
}

const emptyShow: Show = {
  kind: 'show', what: 'STREAMS', object: null, name: null, from: null, like: null, where: null, limit: null, full: false,
  settings: [], format: null,
};

// show := SHOW CREATE [object] name tail
//       | SHOW [FULL] list [(FROM | IN) name] [(FROM | IN) db] [[NOT] (LIKE | ILIKE) string | WHERE expr] [LIMIT expr] tail
// list := STREAMS | TABLES | DATABASES | DICTIONARIES | VIEWS | EXTERNAL STREAMS | FUNCTIONS | FORMAT SCHEMAS
//       | SETTINGS | CHANGED SETTINGS | ENGINES | PROCESSLIST | (COLUMNS | FIELDS) (FROM | IN) name
// tail := [FORMAT name] [SETTINGS …]   (either order)
// Returns null for a SHOW this parser does not know (GRANTS, USERS, …).
export function parseShow(c: Cursor): Show | null {
  c.expectKw('SHOW');
  if (c.acceptKw('CREATE')) {
    const object = parseObjectPhrase(c);
    return { ...emptyShow, what: 'CREATE', object, name: parseQualifiedName(c, 'name'), ...parseTail(c) };
  }
  const full = c.acceptKw('FULL');
  let best: (typeof showLists)[number] | undefined;
  for (const entry of showLists) if (c.isKw(...entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  if (best === undefined) return null;
  c.i += best[0].length;
  let show: Show = { ...emptyShow, what: best[1], full };
  if (show.what === 'COLUMNS') {
    if (!c.acceptKw('FROM')) c.expectKw('IN');
    show = { ...show, name: parseQualifiedName(c, 'table name') };
  }
  if (c.acceptKw('FROM') || c.acceptKw('IN')) show = { ...show, from: c.name('database name') };
  const not = c.acceptKw('NOT');
  if (c.isKw('LIKE') || c.isKw('ILIKE')) {
    const ilike = c.next().raw.toUpperCase() === 'ILIKE';
    show = { ...show, like: { not, ilike, pattern: parseString(c, 'pattern') } };
  } else if (not) c.fail(['LIKE', 'ILIKE']);
  else if (c.acceptKw('WHERE')) show = { ...show, where: parseExpr(c) };
  if (c.acceptKw('LIMIT')) show = { ...show, limit: parseExpr(c) };
  return { ...show, ...parseTail(c) };
}

// tail := [FORMAT name] [SETTINGS …] | [SETTINGS …] [FORMAT name]
export function parseTail(c: Cursor): { format: string | null; settings: Show['settings'] } {
  if (c.isKw('SETTINGS')) {
    const settings = parseSettingsClause(c);
    return { settings, format: parseFormatClause(c) };
  }
  const format = parseFormatClause(c);
  return { format, settings: parseSettingsClause(c) };
}

// describe := (DESCRIBE | DESC) [TABLE | STREAM] target tail
// target := '(' query ')' | function | name ['.' name]
// (`DESCRIBE table(s)` is Proton's table() function, not the TABLE keyword.)
export function parseDescribe(c: Cursor): Describe {
  if (!c.acceptKw('DESCRIBE')) c.expectKw('DESC');
  const tableFunction = c.isKw('TABLE') && c.peek(1).kind === 'punct' && c.peek(1).raw === '(' && !['SELECT', 'WITH', '('].includes(c.kw(2) || c.peek(2).raw);
  if (!tableFunction && !c.acceptKw('TABLE')) c.acceptKw('STREAM');
  let target: TableExpr;
  if (c.acceptPunct('(')) {
    target = { kind: 'table_subquery', query: parseQuery(c), alias: null };
    c.expectPunct(')');
  } else if (c.peek(1).raw === '(' && c.peek(1).kind === 'punct') {
    target = { kind: 'table_function', call: parseFunction(c), alias: null };
  } else {
    target = { kind: 'table_ref', name: parseQualifiedName(c, 'table, table function or subquery'), alias: null, final: false, sample: null };
  }
  return { kind: 'describe', target, ...parseTail(c) };
}

// exists := EXISTS [object] name [FORMAT name]
export function parseExists(c: Cursor): Exists {
  c.expectKw('EXISTS');
  const object = parseObjectPhrase(c);
  const name = parseQualifiedName(c, 'name');
  return { kind: 'exists', object, name, format: parseFormatClause(c) };
}
