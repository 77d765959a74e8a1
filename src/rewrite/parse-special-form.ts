// SQL special forms: CASE, INTERVAL, the ones that look like calls but are not comma lists (EXTRACT,
// SUBSTRING … FROM, TRIM),
// typed literals (`DATE '…'`, `x'41'`), COLUMNS matchers and star transformers. Each parser returns null
// when the text is an ordinary call after all, leaving the cursor where it was.
import type { Alias, Expr, IntervalUnit, StarTransformer } from './ast.ts';
import { call } from './ast.ts';
import { keyword, tokenValue } from './lexer.ts';
import { Cursor, intervalUnits, precedence } from './parse-cursor.ts';
import { parseElement, parseExpr } from './parse-expression.ts';

type FormParser = (c: Cursor, name: string) => Expr | null;

/** Special forms by upper-cased function name; each starts after `name (`. */
const forms: Readonly<Record<string, FormParser>> = {
  EXTRACT: parseExtract,
  SUBSTRING: parseSubstring,
  TRIM: parseTrim,
};

// special_form := EXTRACT '(' unit FROM expr ')' | SUBSTRING '(' expr FROM expr [FOR expr] ')'
//               | TRIM '(' [BOTH | LEADING | TRAILING] expr FROM expr ')'
export function parseSpecialForm(c: Cursor): Expr | null {
  const form = forms[c.kw()];
  if (form === undefined || c.peek(1).raw !== '(') return null;
  const start = c.i;
  const name = tokenValue(c.peek());
  c.i += 2;
  const out = c.withJsonColon(true, () => form(c, name));
  if (out === null) {
    c.i = start;
    return null;
  }
  c.expectPunct(')');
  return out;
}

function parseExtract(c: Cursor): Expr | null {
  const unit = intervalUnits.find((u) => u === c.kw());
  if (unit === undefined || c.kw(1) !== 'FROM') return null;
  c.i += 2;
  return { kind: 'extract', unit, expr: parseExpr(c) };
}

function parseSubstring(c: Cursor, name: string): Expr | null {
  const s = parseExpr(c);
  if (!c.acceptKw('FROM')) return null;
  const args = [s, parseExpr(c)];
  if (c.acceptKw('FOR')) args.push(parseExpr(c));
  return call(name, args);
}

const trimSides = ['BOTH', 'LEADING', 'TRAILING'] as const;
function parseTrim(c: Cursor): Expr | null {
  const side = trimSides.find((x) => x === c.kw()) ?? null;
  if (side !== null) c.next();
  const chars = parseExpr(c);
  if (!c.acceptKw('FROM')) {
    if (side !== null) c.fail();
    return null;
  }
  return { kind: 'trim', side: side ?? 'BOTH', chars, expr: parseExpr(c) };
}

// case := CASE [expr] (WHEN expr THEN expr)+ [ELSE expr] END
export function parseCase(c: Cursor): Expr {
  c.expectKw('CASE');
  const operand = c.isKw('WHEN') ? null : parseExpr(c);
  const whens: { when: Expr; then: Expr }[] = [];
  while (c.acceptKw('WHEN')) {
    const when = parseExpr(c);
    c.expectKw('THEN');
    whens.push({ when, then: parseExpr(c) });
  }
  if (whens.length === 0) c.fail();
  const otherwise = c.acceptKw('ELSE') ? parseExpr(c) : null;
  c.expectKw('END');
  return { kind: 'case', operand, whens, else: otherwise };
}

// interval := INTERVAL expr unit | INTERVAL 'n unit'
export function parseInterval(c: Cursor): Expr {
  c.expectKw('INTERVAL');
  const t = c.peek();
  const text = t.kind === 'string' ? /^\s*(-?\d+)\s+([A-Za-z]+)\s*$/.exec(tokenValue(t)) : null;
  if (text) {
    c.next();
    const unit = intervalUnit((text[2] as string).toUpperCase());
    if (unit === null) c.fail(['interval unit']);
    return { kind: 'interval', value: { kind: 'number', text: text[1] as string }, unit };
  }
  const value = parseExpr(c, precedence.unaryMinus);
  const unit = intervalUnit(c.kw());
  if (unit === null) c.fail(['interval unit (SECOND, MINUTE, …)']);
  c.next();
  return { kind: 'interval', value, unit };
}

function intervalUnit(word: string): IntervalUnit | null {
  const singular = word.endsWith('S') ? word.slice(0, -1) : word;
  return intervalUnits.find((u) => u === word || u === singular) ?? null;
}

// typed_literal := (DATE | TIMESTAMP) string | x'hex' | b'bits'    (x/b written right before the quote)
export function parseTypedLiteral(c: Cursor): Expr | null {
  const t = c.peek();
  const n = c.peek(1);
  if (n.kind !== 'string') return null;
  const word = keyword(t);
  if (word === 'DATE' || word === 'TIMESTAMP') {
    c.i += 2;
    return { kind: 'typed_literal', type: word, value: tokenValue(n) };
  }
  if ((word !== 'X' && word !== 'B') || t.end !== n.start) return null;
  const digits = tokenValue(n);
  const ok = word === 'X' ? /^[0-9a-fA-F]*$/.test(digits) : /^[01]*$/.test(digits);
  if (!ok) c.fail([word === 'X' ? 'hexadecimal digits' : 'binary digits']);
  c.i += 2;
  return { kind: 'string', value: decodeDigits(digits, word === 'X' ? 2 : 8) };
}

/** Bytes written as hex (2 digits a byte) or bits (8 a byte), left-padded to whole bytes, read as UTF-8. */
function decodeDigits(digits: string, width: number): string {
  const padded = digits.padStart(Math.ceil(digits.length / width) * width, '0');
  const bytes: number[] = [];
  for (let i = 0; i < padded.length; i += width) bytes.push(parseInt(padded.slice(i, i + width), width === 2 ? 16 : 2));
  return Buffer.from(bytes).toString('utf8');
}

// columns := COLUMNS '(' (string | name (',' name)*) ')' transformers
export function parseColumns(c: Cursor, qualifier: readonly string[]): Expr {
  c.next();
  c.expectPunct('(');
  let regexp: string | null = null;
  const names: string[] = [];
  if (c.peek().kind === 'string') {
    regexp = tokenValue(c.next());
  } else {
    names.push(c.name('column name or regular expression'));
    while (c.acceptPunct(',')) names.push(c.name());
  }
  c.expectPunct(')');
  return { kind: 'columns', qualifier, regexp, names, transformers: parseTransformers(c) };
}

// transformers := (EXCEPT names | REPLACE replacements | APPLY fn)*
// names := '(' name (',' name)* ')' | name;  replacements := '(' expr AS name, … ')' | expr AS name
// fn := '(' expr ')' | name          (EXCEPT before SELECT is the set operator, not a transformer)
export function parseTransformers(c: Cursor): StarTransformer[] {
  const out: StarTransformer[] = [];
  for (;;) {
    if (c.isKw('EXCEPT') && !startsQuery(c, 1)) {
      c.next();
      out.push({ kind: 'star_except', names: parenthesised(c, () => c.name()) });
    } else if (c.acceptKw('REPLACE')) {
      out.push({ kind: 'star_replace', items: parenthesised(c, () => parseReplacement(c)) });
    } else if (c.acceptKw('APPLY')) {
      const fn: Expr = c.acceptPunct('(') ? parseApplied(c) : { kind: 'identifier', parts: [c.name('function name')] };
      out.push({ kind: 'star_apply', fn });
    } else {
      return out;
    }
  }
}

function parseApplied(c: Cursor): Expr {
  const fn = parseExpr(c);
  c.expectPunct(')');
  return fn;
}

function parseReplacement(c: Cursor): Alias {
  const item = parseElement(c);
  if (item.kind !== 'alias') c.fail(['AS']);
  return item;
}

function parenthesised<T>(c: Cursor, item: () => T): T[] {
  if (!c.acceptPunct('(')) return [item()];
  const items = [item()];
  while (c.acceptPunct(',')) items.push(item());
  c.expectPunct(')');
  return items;
}

/** True when the token k ahead starts a query (`SELECT`, `WITH`, `(SELECT`). */
function startsQuery(c: Cursor, k: number): boolean {
  if (c.kw(k) === 'ALL' || c.kw(k) === 'DISTINCT') k++;
  const w = c.kw(k);
  if (w === 'SELECT' || w === 'WITH') return true;
  return c.peek(k).raw === '(' && (c.kw(k + 1) === 'SELECT' || c.kw(k + 1) === 'WITH');
}
