// INSERT statements. Inline data (after VALUES or FORMAT name) is never parsed or even lexed: the
// statement text is cut where the data starts, and the node keeps the data's byte offset.
import type { FunctionCall, Identifier } from './ast.ts';
import type { InsertSource, InsertStatement } from './ast-statement.ts';
import { Lexer, LexError, keyword } from './lexer.ts';
import { parseQualifiedName, parseSettingsClause } from './parse-clause.ts';
import type { Cursor } from './parse-cursor.ts';
import { parseFunction } from './parse-expression.ts';
import { parseQuery } from './parse-select.ts';

/**
 * Where the statement part of an INSERT ends in `text` (bytes as latin1): after `VALUES` or after
 * `FORMAT name` at bracket depth 0; null when the INSERT has no inline data (INSERT … SELECT) or does
 * not lex (the parser then reports the error).
 */
export function insertStatementEnd(text: string): number | null {
  const lexer = new Lexer(text);
  let depth = 0;
  try {
    for (let t = lexer.next(); t.kind !== 'end'; t = lexer.next()) {
      if (t.kind === 'punct' && (t.raw === '(' || t.raw === '[')) depth++;
      else if (t.kind === 'punct' && (t.raw === ')' || t.raw === ']')) depth--;
      if (depth !== 0) continue;
      const word = keyword(t);
      if (word === 'VALUES') return t.end;
      if (word === 'SELECT' || word === 'WITH') return null;
      if (word === 'FORMAT') {
        const name = lexer.next();
        return name.kind === 'word' || name.kind === 'quoted_id' ? name.end : null;
      }
    }
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
  }
  return null;
}

// insert := INSERT INTO [TABLE | STREAM] (name ['.' name] | FUNCTION function) ['(' column (',' column)* ')']
//           [SETTINGS setting (',' setting)*] (VALUES data | FORMAT name data | query)
// column := name ('.' name)*
// `text` is the whole request text (bytes as latin1), of which the cursor may hold only the statement part.
export function parseInsert(c: Cursor, text: string): InsertStatement {
  c.expectKw('INSERT');
  c.expectKw('INTO');
  if (!c.acceptKw('TABLE')) c.acceptKw('STREAM');
  let table: Identifier | FunctionCall = c.acceptKw('FUNCTION') ? parseFunction(c) : parseQualifiedName(c, 'table identifier');
  let columns: string[] | null = null;
  if (table.kind === 'function' && table.params !== null) {
    // The expression parser read `f(args) (cols)` as a parametric call; table functions take none.
    const cols = table.args;
    if (!cols.every((e) => e.kind === 'identifier')) c.fail(['column list']);
    columns = cols.map((e) => (e.kind === 'identifier' ? e.parts.join('.') : ''));
    table = { ...table, params: null, args: table.params };
  } else if (c.acceptPunct('(')) {
    columns = [];
    do {
      const parts = [c.name('column name')];
      while (c.acceptPunct('.')) parts.push(c.name('column name'));
      columns.push(parts.join('.'));
    } while (c.acceptPunct(','));
    c.expectPunct(')');
  }
  const settings = parseSettingsClause(c);
  return { kind: 'insert', table, columns, settings, source: parseSource(c, text) };
}

function parseSource(c: Cursor, text: string): InsertSource {
  const t = c.peek();
  if (c.acceptKw('VALUES')) {
    const lexer = new Lexer(text, t.end);
    lexer.skipTrivia();
    return { kind: 'values', dataOffset: lexer.pos };
  }
  if (c.acceptKw('FORMAT')) {
    const name = c.peek();
    const format = c.name('format name');
    return { kind: 'format', format, dataOffset: formatDataStart(text, name.end) };
  }
  if (!c.isKw('SELECT') && !c.isKw('WITH') && !c.isPunct('(')) c.fail(['VALUES', 'FORMAT']);
  return { kind: 'select', query: parseQuery(c) };
}

/** After `FORMAT name`, as ClickHouse reads it: spaces, tabs and form feeds, then one optional \r, then one optional \n. */
function formatDataStart(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t' || text[i] === '\f') i++;
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}
