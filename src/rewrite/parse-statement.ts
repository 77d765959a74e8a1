// The statement parser: one Proton SQL statement → one Statement tree. SELECT / WITH / '(' go to the
// query parser (parse-select.ts); CREATE, ALTER, INSERT and SHOW have files of their own; the short
// statements are here. Statement kinds it does not know (GRANT, CREATE USER, BACKUP, …) raise
// UnknownStatement so the caller can pass them to the store untouched; a syntax error inside a known
// kind is GatewayError 62 with the position and the expected words.
import type { Identifier } from './ast.ts';
import type {
  Delete, Drop, DropObject, Explain, ExplainKind, KillQuery, Optimize, Rename, Statement, SystemStatement, Truncate,
} from './ast-statement.ts';
import { Lexer, LexError, keyword } from './lexer.ts';
import { parseAlter } from './parse-alter.ts';
import {
  list, parseCluster, parseFormatClause, parseIfExists, parsePartition, parseQualifiedName, parseSetting, parseSettingsClause,
} from './parse-clause.ts';
import { parseCreate } from './parse-create.ts';
import { Cursor, type ParseOptions } from './parse-cursor.ts';
import { parseExpr } from './parse-expression.ts';
import { insertStatementEnd, parseInsert } from './parse-insert.ts';
import { parseQuery, parseSelectBody } from './parse-select.ts';
import { parseDescribe, parseExists, parseShow } from './parse-show.ts';

export type { ParseOptions } from './parse-cursor.ts';

/** A statement kind Hadron does not parse; `keyword` is its leading words (`GRANT`, `CREATE USER`). */
export class UnknownStatement extends Error {
  readonly keyword: string;
  constructor(keyword: string) {
    super(`Hadron does not parse ${keyword} statements; they go to the store unchanged`);
    this.name = 'UnknownStatement';
    this.keyword = keyword;
  }
}

/** Verbs whose second word names the kind (`CREATE USER`, `SHOW GRANTS`, `KILL MUTATION`). */
const twoWordVerbs = new Set(['CREATE', 'ATTACH', 'DETACH', 'DROP', 'ALTER', 'SHOW', 'KILL', 'SYSTEM']);

/** The upper-cased leading words of a statement: `SELECT`, `CREATE USER`, `SHOW GRANTS`; '' when none. */
export function statementKeyword(sql: string): string {
  const lexer = new Lexer(Buffer.from(sql, 'utf8').toString('latin1'));
  try {
    const first = lexer.next();
    if (first.kind === 'punct' && first.raw === '(') return 'SELECT';
    const verb = keyword(first);
    if (!twoWordVerbs.has(verb)) return verb;
    let second = keyword(lexer.next());
    if (verb === 'CREATE' && second === 'OR') {
      lexer.next();
      second = keyword(lexer.next());
    }
    return second === '' ? verb : `${verb} ${second}`;
  } catch (err) {
    if (err instanceof LexError) return '';
    throw err;
  }
}

type StatementParser = (c: Cursor, text: string) => Statement | null;

/** Statement parsers by leading keyword; a null result means "a kind of this verb we do not know". */
const parsers: Readonly<Record<string, StatementParser>> = {
  SELECT: parseSelectStatement, WITH: parseSelectStatement, INSERT: parseInsert, CREATE: parseCreate, ALTER: parseAlter,
  DROP: parseDrop, RENAME: parseRename, TRUNCATE: parseTruncate, DELETE: parseDelete, SHOW: parseShow, DESCRIBE: parseDescribe,
  DESC: parseDescribe, EXISTS: parseExists, OPTIMIZE: parseOptimize, USE: parseUse, SET: parseSet, KILL: parseKill,
  EXPLAIN: parseExplain, SYSTEM: parseSystem,
};

/** Parses one statement (an optional trailing ';' allowed). SELECT/WITH/'(' go to parse-select's query parser. */
export function parseSql(sql: string, options: ParseOptions = {}): Statement {
  const text = Buffer.from(sql, 'utf8').toString('latin1');
  const insertEnd = statementKeyword(sql) === 'INSERT' ? insertStatementEnd(text) : null;
  const statementText = insertEnd === null ? sql : Buffer.from(text.slice(0, insertEnd), 'latin1').toString('utf8');
  const c = new Cursor(statementText, options);
  c.subquery = parseQuery;
  const statement = parseBody(c, text, sql);
  c.acceptPunct(';');
  if (c.peek().kind !== 'end') c.fail(['end of query']);
  return statement;
}

function parseBody(c: Cursor, text: string, sql: string): Statement {
  const verb = c.isPunct('(') ? 'SELECT' : c.kw();
  const parser = parsers[verb];
  if (parser === undefined) {
    if (verb === '') c.fail(['SELECT query', 'statement']);
    throw new UnknownStatement(verb);
  }
  const statement = parser(c, text);
  if (statement === null) throw new UnknownStatement(statementKeyword(sql));
  return statement;
}

// select_statement := query [SETTINGS …] [FORMAT name [SETTINGS …]]
function parseSelectStatement(c: Cursor): Statement {
  return parseSelectBody(c);
}

/** DROP objects by their words, longest first. */
const dropObjects: readonly DropObject[] = [
  'EXTERNAL STREAM', 'EXTERNAL TABLE', 'MATERIALIZED VIEW', 'FORMAT SCHEMA', 'STREAM', 'TABLE', 'VIEW', 'DATABASE',
  'FUNCTION', 'DICTIONARY',
];

// drop := DROP [TEMPORARY] object [IF EXISTS] name [ON CLUSTER c] [SYNC] [SETTINGS …]
// object := STREAM | EXTERNAL STREAM | EXTERNAL TABLE | TABLE | [MATERIALIZED] VIEW | DATABASE | FUNCTION
//         | FORMAT SCHEMA | DICTIONARY
function parseDrop(c: Cursor): Drop | null {
  c.expectKw('DROP');
  const temporary = c.acceptKw('TEMPORARY');
  const object = dropObjects.find((o) => c.acceptKw(...o.split(' ')));
  if (object === undefined) {
    if (temporary) c.fail();
    return null;
  }
  const ifExists = parseIfExists(c);
  const name = parseQualifiedName(c, 'name');
  const cluster = parseCluster(c);
  const sync = c.acceptKw('SYNC');
  return { kind: 'drop', object, temporary, ifExists, name, cluster, sync, settings: parseSettingsClause(c) };
}

// rename := RENAME (STREAM | TABLE | DATABASE | DICTIONARY) name TO name (',' name TO name)* [ON CLUSTER c]
function parseRename(c: Cursor): Rename | null {
  c.expectKw('RENAME');
  const object = (['STREAM', 'TABLE', 'DATABASE', 'DICTIONARY'] as const).find((o) => c.acceptKw(o));
  if (object === undefined) return null;
  const pairs = list(c, (x): { from: Identifier; to: Identifier } => {
    const from = parseQualifiedName(x, 'name');
    x.expectKw('TO');
    return { from, to: parseQualifiedName(x, 'name') };
  });
  return { kind: 'rename', object, pairs, cluster: parseCluster(c) };
}

// truncate := TRUNCATE [STREAM | TABLE] [IF EXISTS] name [ON CLUSTER c]
function parseTruncate(c: Cursor): Truncate | null {
  c.expectKw('TRUNCATE');
  if (c.isKw('DATABASE') || c.isKw('ALL') || c.isKw('TEMPORARY')) return null;
  const object = c.acceptKw('STREAM') ? 'STREAM' : c.acceptKw('TABLE') ? 'TABLE' : null;
  const ifExists = parseIfExists(c);
  const name = parseQualifiedName(c, 'table name');
  return { kind: 'truncate', object, ifExists, name, cluster: parseCluster(c) };
}

// delete := DELETE FROM name WHERE expr [SETTINGS …]
function parseDelete(c: Cursor): Delete {
  c.expectKw('DELETE');
  c.expectKw('FROM');
  const name = parseQualifiedName(c, 'stream name');
  c.expectKw('WHERE');
  const where = parseExpr(c);
  return { kind: 'delete', name, where, settings: parseSettingsClause(c) };
}

// optimize := OPTIMIZE (STREAM | TABLE) name [ON CLUSTER c] [PARTITION p] [FINAL] [DEDUPLICATE]
function parseOptimize(c: Cursor): Optimize {
  c.expectKw('OPTIMIZE');
  const object = c.acceptKw('STREAM') ? 'STREAM' : (c.expectKw('TABLE'), 'TABLE');
  const name = parseQualifiedName(c, 'table name');
  const cluster = parseCluster(c);
  const partition = c.isKw('PARTITION') ? parsePartition(c) : null;
  const final = c.acceptKw('FINAL');
  return { kind: 'optimize', object, name, cluster, partition, final, deduplicate: c.acceptKw('DEDUPLICATE') };
}

// use := USE name
function parseUse(c: Cursor): Statement {
  c.expectKw('USE');
  return { kind: 'use', database: c.name('database name') };
}

// set := SET setting (',' setting)*
function parseSet(c: Cursor): Statement {
  c.expectKw('SET');
  return { kind: 'set', settings: list(c, parseSetting) };
}

// kill := KILL QUERY [ON CLUSTER c] WHERE expr [SYNC | ASYNC | TEST] [FORMAT name]
function parseKill(c: Cursor): KillQuery | null {
  c.expectKw('KILL');
  if (!c.acceptKw('QUERY')) return null;
  const cluster = parseCluster(c);
  c.expectKw('WHERE');
  const where = parseExpr(c);
  const mode = (['SYNC', 'ASYNC', 'TEST'] as const).find((m) => c.acceptKw(m)) ?? null;
  return { kind: 'kill_query', cluster, where, mode, format: parseFormatClause(c) };
}

const explainKinds: readonly ExplainKind[] = ['AST', 'SYNTAX', 'PLAN', 'PIPELINE', 'ESTIMATE', 'QUERY TREE'];

// explain := EXPLAIN [AST | SYNTAX | PLAN | PIPELINE | ESTIMATE | QUERY TREE] [setting (',' setting)*] statement [FORMAT name]
function parseExplain(c: Cursor, text: string): Explain {
  c.expectKw('EXPLAIN');
  const explainKind = explainKinds.find((k) => c.acceptKw(...k.split(' '))) ?? null;
  const options = c.peek().kind === 'word' && c.peek(1).raw === '=' ? list(c, parseSetting) : [];
  const inner = parseBody(c, text, Buffer.from(c.source.slice(c.peek().start), 'latin1').toString('utf8'));
  if (inner.kind === 'select_statement' && inner.format !== null) {
    return { kind: 'explain', explainKind, options, statement: { ...inner, format: null }, format: inner.format };
  }
  return { kind: 'explain', explainKind, options, statement: inner, format: parseFormatClause(c) };
}

type Target = 'none' | 'optional' | 'required';
/** SYSTEM commands: words, whether a target name follows, and whether `PERMANENT` may end it. */
export const systemCommands: ReadonlyArray<readonly [readonly string[], Target, boolean]> = [
  [['FLUSH', 'LOGS'], 'none', false], [['FLUSH', 'DISTRIBUTED'], 'required', false],
  [['STOP', 'MERGES'], 'optional', false], [['START', 'MERGES'], 'optional', false],
  [['STOP', 'TTL', 'MERGES'], 'optional', false], [['START', 'TTL', 'MERGES'], 'optional', false],
  [['STOP', 'MOVES'], 'optional', false], [['START', 'MOVES'], 'optional', false],
  [['STOP', 'MAINTAIN'], 'optional', false], [['START', 'MAINTAIN'], 'optional', false],
  [['PAUSE', 'MATERIALIZED', 'VIEW'], 'required', true], [['RESUME', 'MATERIALIZED', 'VIEW'], 'required', false],
  [['UNPAUSE', 'MATERIALIZED', 'VIEW'], 'required', false], [['RECOVER', 'MATERIALIZED', 'VIEW'], 'required', false],
  [['RELOAD', 'DICTIONARY'], 'required', false], [['RELOAD', 'DICTIONARIES'], 'none', false],
  [['RELOAD', 'CONFIG'], 'none', false], [['RELOAD', 'FUNCTIONS'], 'none', false],
  [['DROP', 'DNS', 'CACHE'], 'none', false], [['DROP', 'MARK', 'CACHE'], 'none', false],
  [['DROP', 'UNCOMPRESSED', 'CACHE'], 'none', false], [['DROP', 'QUERY', 'CACHE'], 'none', false],
  [['DROP', 'FORMAT', 'SCHEMA', 'CACHE'], 'none', false], [['SYNC', 'REPLICA'], 'required', false],
];

// system := SYSTEM words [name ['.' name]] [PERMANENT]     (words and target per `systemCommands`)
function parseSystem(c: Cursor): SystemStatement | null {
  c.expectKw('SYSTEM');
  let best: (typeof systemCommands)[number] | undefined;
  for (const entry of systemCommands) if (c.isKw(...entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  if (best === undefined) return null;
  const [words, target, permanent] = best;
  c.i += words.length;
  const t = c.peek();
  const hasTarget = target === 'required' || (target === 'optional' && (t.kind === 'word' || t.kind === 'quoted_id'));
  const name = hasTarget ? parseQualifiedName(c, 'name') : null;
  return { kind: 'system', words, target: name, permanent: permanent && c.acceptKw('PERMANENT') };
}
