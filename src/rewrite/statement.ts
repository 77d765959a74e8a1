// The interim statement classifier: recognises what the gateway must handle itself (SET, USE,
// KILL QUERY, SHOW PROCESSLIST, system.processes, INSERT targets and data offsets, output FORMAT) and
// leaves every other statement to the store unchanged. The Proton SQL parser replaces it.
import { Lexer, LexError, keyword, tokenValue, type Token } from './lexer.ts';

export type Range = { start: number; end: number };

export type Statement =
  /** Returns rows; `streamable` = plain SELECT/WITH that the store can stream chunk by chunk. */
  | { kind: 'select'; streamable: boolean; format: string | null; processes: Range[] }
  | {
      kind: 'insert';
      /** Source text of the target (`db.t` or `FUNCTION f(...)`) and of the column list, `(a, b)`. */
      target: string;
      columns: string;
      table: { database: string | null; name: string } | null;
      /** FORMAT name, or 'Values' for INSERT ... VALUES; null for INSERT ... SELECT. */
      format: string | null;
      /** Byte offset where inline data starts (after FORMAT name or VALUES); null for SELECT. */
      dataOffset: number | null;
      settings: Array<[string, string]>;
    }
  | { kind: 'set'; settings: Array<[string, string]> }
  | { kind: 'use'; database: string }
  | { kind: 'kill_query'; where: string; mode: 'SYNC' | 'ASYNC' | 'TEST'; format: string | null }
  | { kind: 'show_processlist'; format: string | null }
  /** DDL and everything else; `write` = changes data or schema (refused in readonly mode). */
  | { kind: 'command'; write: boolean; verb: string };

export type Classified = { kind: 'incomplete' } | { kind: 'error'; message: string; position: number } | Statement;

const selectVerbs = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN', 'CHECK']);
const readCommands = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN', 'SET', 'USE', 'CHECK', 'KILL', 'WATCH']);
/** Statements that change data, schema, grants or the server (ClickHouse and Proton verbs). */
const writeCommands = new Set([
  'CREATE', 'ATTACH', 'DETACH', 'DROP', 'UNDROP', 'ALTER', 'RENAME', 'EXCHANGE', 'REPLACE', 'TRUNCATE', 'OPTIMIZE',
  'DELETE', 'UPDATE', 'MOVE', 'SYSTEM', 'GRANT', 'REVOKE', 'BACKUP', 'RESTORE', 'BEGIN', 'START', 'COMMIT', 'ROLLBACK',
  'SUBSCRIBE', 'UNSUBSCRIBE', 'RECOVER',
]);

/**
 * Classifies one statement. `complete` = the text is the whole query; otherwise it is a prefix of a
 * body still arriving and the result may be `incomplete` (need more bytes).
 */
export function classify(text: string, complete: boolean): Classified {
  const lexer = new Lexer(text);
  try {
    const result = classifyTokens(lexer, text, complete);
    // A token cut by the end of a growing prefix may be misread: wait for more bytes.
    return result.kind === 'error' && !complete && lexer.incomplete ? { kind: 'incomplete' } : result;
  } catch (err) {
    if (err instanceof LexError) {
      if (!complete) return { kind: 'incomplete' };
      return { kind: 'error', message: err.message, position: err.position };
    }
    throw err;
  }
}

function classifyTokens(lexer: Lexer, text: string, complete: boolean): Classified {
  const first = lexer.next();
  if (first.kind === 'end') return complete ? { kind: 'error', message: 'Empty query', position: 0 } : { kind: 'incomplete' };
  if (first.kind === 'punct' && first.raw === '(') return scanSelect(lexer, first, text, complete, true);
  const verb = keyword(first);
  if (verb === '' ) return { kind: 'error', message: `Syntax error: failed at position ${first.start + 1} ('${first.raw}')`, position: first.start };
  if (!complete && lexer.incomplete && lexer.pos >= text.length) return { kind: 'incomplete' };
  if (verb === 'INSERT') return classifyInsert(lexer, text, complete);
  if (!complete) return { kind: 'incomplete' };
  if (verb === 'SET') return classifySet(lexer, text);
  if (verb === 'USE') return classifyUse(lexer, text);
  if (verb === 'KILL') return classifyKill(lexer, text);
  if (verb === 'SHOW') {
    const save = lexer.pos;
    const second = lexer.next();
    if (keyword(second) === 'PROCESSLIST') return { kind: 'show_processlist', format: trailingFormat(lexer, text) };
    lexer.pos = save;
  }
  if (selectVerbs.has(verb)) return scanSelect(lexer, first, text, complete, verb === 'SELECT' || verb === 'WITH');
  // An unknown verb is a syntax error, not a write: a readonly request must hear 62, not 164.
  if (!readCommands.has(verb) && !writeCommands.has(verb)) return syntaxError(lexer, 'a statement (SELECT, INSERT, CREATE, ...)', first);
  return { kind: 'command', write: !readCommands.has(verb), verb };
}

/** Walks a row-returning statement: top-level FORMAT, references to system.processes, one statement only. */
function scanSelect(lexer: Lexer, first: Token, text: string, complete: boolean, streamable: boolean): Classified {
  if (!complete) return { kind: 'incomplete' };
  let depth = first.raw === '(' ? 1 : 0;
  let format: string | null = null;
  const processes: Range[] = [];
  let prev: Token = first;
  let prev2: Token | null = null;
  for (;;) {
    const t = lexer.next();
    if (t.kind === 'end') break;
    if (t.kind === 'punct') {
      if (t.raw === '(' || t.raw === '[') depth++;
      else if (t.raw === ')' || t.raw === ']') depth--;
      else if (t.raw === ';') return endOfStatement(lexer, t, { kind: 'select', streamable, format, processes });
    }
    if (depth === 0 && keyword(prev) === 'FORMAT' && (t.kind === 'word' || t.kind === 'quoted_id')) format = tokenValue(t);
    if (keyword(t) === 'PROCESSES' || (t.kind === 'quoted_id' && tokenValue(t) === 'processes')) {
      if (prev.raw === '.' && prev2 && (keyword(prev2) === 'SYSTEM' || (prev2.kind === 'quoted_id' && tokenValue(prev2) === 'system'))) {
        processes.push({ start: prev2.start, end: t.end });
      }
    }
    prev2 = prev;
    prev = t;
  }
  return { kind: 'select', streamable, format, processes };
}

function endOfStatement(lexer: Lexer, semicolon: Token, statement: Statement): Classified {
  const after = lexer.next();
  if (after.kind !== 'end') return { kind: 'error', message: 'Multi-statements are not allowed', position: semicolon.start };
  return statement;
}

function trailingFormat(lexer: Lexer, text: string): string | null {
  let format: string | null = null;
  let prev: Token | null = null;
  for (;;) {
    const t = lexer.next();
    if (t.kind === 'end' || (t.kind === 'punct' && t.raw === ';')) return format;
    if (prev && keyword(prev) === 'FORMAT') format = tokenValue(t);
    prev = t;
  }
}

/**
 * INSERT INTO [TABLE | STREAM] {[db.]table | FUNCTION f(...)} [(cols)] [SETTINGS k = v, ...]
 *   {FORMAT name <data> | VALUES <data> | SELECT ... | WITH ...}
 */
function classifyInsert(lexer: Lexer, text: string, complete: boolean): Classified {
  const need = (): Classified => (complete ? syntaxError(lexer, 'INSERT INTO table') : { kind: 'incomplete' });
  let t = lexer.next();
  if (keyword(t) !== 'INTO') return t.kind === 'end' ? need() : syntaxError(lexer, 'INTO', t);
  t = lexer.next();
  if (keyword(t) === 'TABLE' || keyword(t) === 'STREAM') t = lexer.next();
  if (t.kind === 'end') return need();
  const targetStart = t.start;
  let table: { database: string | null; name: string } | null = null;
  if (keyword(t) === 'FUNCTION') {
    const fn = lexer.next();
    const open = lexer.next();
    if (fn.kind === 'end' || open.kind === 'end') return need();
    if (open.raw !== '(') return syntaxError(lexer, 'opening bracket', open);
    if (!skipBalanced(lexer)) return need();
  } else {
    if (t.kind !== 'word' && t.kind !== 'quoted_id') return syntaxError(lexer, 'table identifier', t);
    const save = lexer.pos;
    const dot = lexer.next();
    if (dot.raw === '.') {
      const name = lexer.next();
      if (name.kind === 'end') return need();
      if (name.kind !== 'word' && name.kind !== 'quoted_id') return syntaxError(lexer, 'table identifier', name);
      table = { database: tokenValue(t), name: tokenValue(name) };
    } else {
      lexer.pos = save;
      table = { database: null, name: tokenValue(t) };
    }
  }
  const target = text.slice(targetStart, lexer.pos);
  let columns = '';
  let settings: Array<[string, string]> = [];
  for (;;) {
    const save = lexer.pos;
    t = lexer.next();
    if (t.kind === 'end') return need();
    if (t.raw === '(' && columns === '') {
      if (!skipBalanced(lexer)) return need();
      columns = text.slice(t.start, lexer.pos);
      continue;
    }
    const kw = keyword(t);
    if (kw === 'SETTINGS') {
      const parsed = parseAssignments(lexer, text, new Set(['FORMAT', 'VALUES', 'SELECT', 'WITH']));
      if (parsed === null) return need();
      settings = parsed;
      continue;
    }
    if (kw === 'FORMAT') {
      const name = lexer.next();
      if (name.kind === 'end' || (lexer.incomplete && !complete)) return need();
      const dataOffset = dataStart(text, name.end);
      if (dataOffset === null && !complete) return { kind: 'incomplete' };
      return { kind: 'insert', target, columns, table, format: tokenValue(name), dataOffset: dataOffset ?? text.length, settings };
    }
    if (kw === 'VALUES') {
      if (lexer.incomplete && !complete) return need();
      return { kind: 'insert', target, columns, table, format: 'Values', dataOffset: t.end, settings };
    }
    if (kw === 'SELECT' || kw === 'WITH' || t.raw === '(') {
      if (!complete) return { kind: 'incomplete' };
      lexer.pos = save;
      return { kind: 'insert', target, columns, table, format: null, dataOffset: null, settings };
    }
    return syntaxError(lexer, 'FORMAT, VALUES or SELECT', t);
  }
}

/** After `FORMAT name`: skip spaces, tabs and form feeds, then one optional \r, then one optional \n. */
function dataStart(text: string, from: number): number | null {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i++;
  if (i < text.length && text[i] === '\r') i++;
  if (i < text.length && text[i] === '\n') return i + 1;
  return i < text.length ? i : null;
}

/** Skips to the bracket closing the one just read; false if the text ends first. */
function skipBalanced(lexer: Lexer): boolean {
  let depth = 1;
  for (;;) {
    const t = lexer.next();
    if (t.kind === 'end') return false;
    if (t.raw === '(' || t.raw === '[') depth++;
    else if (t.raw === ')' || t.raw === ']') {
      depth--;
      if (depth === 0) return true;
    }
  }
}

/** `name = value [, ...]` until a stop keyword or the end; values as text (string literals unquoted). */
function parseAssignments(lexer: Lexer, text: string, stop: ReadonlySet<string>): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  for (;;) {
    const save = lexer.pos;
    const name = lexer.next();
    if (name.kind === 'end') return stop.size === 0 ? out : null;
    if (stop.has(keyword(name)) || name.raw === ';') {
      lexer.pos = save;
      return out;
    }
    if (name.kind !== 'word' && name.kind !== 'quoted_id') throw new LexError(`Syntax error: expected setting name at position ${name.start + 1}`, name.start);
    const eq = lexer.next();
    if (eq.kind === 'end') return null;
    if (eq.raw !== '=') throw new LexError(`Syntax error: expected '=' at position ${eq.start + 1}`, eq.start);
    const value = readValue(lexer, text);
    if (value === null) return null;
    out.push([tokenValue(name), value]);
    const save2 = lexer.pos;
    const comma = lexer.next();
    if (comma.raw !== ',') lexer.pos = save2;
  }
}

/** A setting value: literal (string, number, negative number, word) or a bracketed literal as text. */
function readValue(lexer: Lexer, text: string): string | null {
  const t = lexer.next();
  if (t.kind === 'end') return null;
  if (t.kind === 'string') return tokenValue(t);
  if (t.raw === '-') {
    const n = lexer.next();
    return n.kind === 'end' ? null : `-${n.raw}`;
  }
  if (t.raw === '(' || t.raw === '[') {
    if (!skipBalanced(lexer)) return null;
    return text.slice(t.start, lexer.pos);
  }
  return tokenValue(t);
}

function classifySet(lexer: Lexer, text: string): Classified {
  const settings = parseAssignments(lexer, text, new Set());
  if (settings === null || settings.length === 0) return syntaxError(lexer, 'setting name');
  return { kind: 'set', settings };
}

function classifyUse(lexer: Lexer, text: string): Classified {
  const db = lexer.next();
  if (db.kind !== 'word' && db.kind !== 'quoted_id') return syntaxError(lexer, 'database name', db);
  const rest = lexer.next();
  if (rest.kind !== 'end' && rest.raw !== ';') return syntaxError(lexer, 'end of query', rest);
  return { kind: 'use', database: tokenValue(db) };
}

/** KILL QUERY [ON CLUSTER c] WHERE expr [SYNC | ASYNC | TEST] [FORMAT f] */
function classifyKill(lexer: Lexer, text: string): Classified {
  const what = lexer.next();
  if (keyword(what) !== 'QUERY') return { kind: 'command', write: true, verb: 'KILL' };
  let t = lexer.next();
  if (keyword(t) === 'ON') {
    lexer.next();
    lexer.next();
    t = lexer.next();
  }
  if (keyword(t) !== 'WHERE') return syntaxError(lexer, 'WHERE', t);
  const whereStart = lexer.pos;
  let whereEnd = text.length;
  let mode: 'SYNC' | 'ASYNC' | 'TEST' = 'ASYNC';
  let format: string | null = null;
  let depth = 0;
  for (;;) {
    const tok = lexer.next();
    if (tok.kind === 'end' || tok.raw === ';') {
      whereEnd = Math.min(whereEnd, tok.start);
      break;
    }
    if (tok.raw === '(') depth++;
    if (tok.raw === ')') depth--;
    const kw = keyword(tok);
    if (depth === 0 && (kw === 'SYNC' || kw === 'ASYNC' || kw === 'TEST')) {
      mode = kw;
      whereEnd = Math.min(whereEnd, tok.start);
    } else if (depth === 0 && kw === 'FORMAT') {
      whereEnd = Math.min(whereEnd, tok.start);
      format = tokenValue(lexer.next());
    }
  }
  return { kind: 'kill_query', where: Buffer.from(text.slice(whereStart, whereEnd), 'latin1').toString('utf8').trim(), mode, format };
}

function syntaxError(lexer: Lexer, expected: string, at?: Token): Classified {
  const pos = at ? at.start : lexer.pos;
  const found = at && at.kind !== 'end' ? ` ('${at.raw}')` : ' (end of query)';
  return { kind: 'error', message: `Syntax error: failed at position ${pos + 1}${found}. Expected ${expected}`, position: pos };
}

/** The declared type of every `{name:Type}` placeholder in the statement (the first one per name). */
export function parameterTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  const lexer = new Lexer(text);
  try {
    for (let t = lexer.next(); t.kind !== 'end'; t = lexer.next()) {
      if (t.kind !== 'param') continue;
      const m = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([\s\S]*?)\s*\}$/.exec(t.raw);
      if (m && !types.has(m[1] as string)) types.set(m[1] as string, m[2] as string);
    }
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
  }
  return types;
}
