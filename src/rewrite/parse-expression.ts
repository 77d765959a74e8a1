// The Pratt expression parser for Proton SQL (the cursor and shared tables are in parse-cursor.ts), with ClickHouse's precedence ladder
// (low → high): lambda `->` 1, ternary `?:` 2, OR 3, AND 4, NOT 5, BETWEEN 6, IS [NOT] NULL 8,
// comparison / LIKE / IN 9, `||` 10, `+ -` 11, `* / % DIV MOD` 12, unary minus 13,
// postfix `::` `[]` `.n` `:path` 14. A loop continues while an operator binds tighter than `min`.
// SQL special forms, star transformers and COLUMNS are in parse-special-form.ts; OVER/FILTER in parse-window.ts.
import { multiWord } from '../type-parser.ts';
import type { BinaryOp, DataType, Expr, FunctionCall, StarTransformer, TypeArg } from './ast.ts';
import { call } from './ast.ts';
import { keyword, tokenValue, type Token } from './lexer.ts';
import { aliasDenied, binaryPrecedence, Cursor, numberPattern, precedence, reservedWords, unitByShorthand } from './parse-cursor.ts';
import { parseCase, parseColumns, parseInterval, parseSpecialForm, parseTransformers, parseTypedLiteral } from './parse-special-form.ts';
import { parseCallSuffix } from './parse-window.ts';

// element := expr [AS name]            (explicit alias only; lists, arguments)
export function parseElement(c: Cursor): Expr {
  const expr = parseExpr(c);
  return c.acceptKw('AS') ? { kind: 'alias', expr, name: c.name('alias') } : expr;
}

// list := element (',' element)*
export function parseElementList(c: Cursor, close: string): Expr[] {
  const items: Expr[] = [];
  if (c.isPunct(close)) return items;
  do items.push(parseElement(c));
  while (c.acceptPunct(','));
  return items;
}

// expr := prefix (infix | postfix)*     (Pratt; only operators binding tighter than `min` are taken)
export function parseExpr(c: Cursor, min = 0): Expr {
  let left = parsePrefix(c);
  for (;;) {
    const next = parseInfix(c, left, min);
    if (next === null) return left;
    left = next;
  }
}

const binaryTokens: Readonly<Record<string, BinaryOp>> = {
  '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '<=>': '<=>',
  '||': '||', '+': '+', '-': '-', '*': '*', '/': '/', '%': '%',
};
const binaryWords: ReadonlyArray<readonly [readonly string[], BinaryOp]> = [
  [['OR'], 'OR'], [['AND'], 'AND'], [['LIKE'], 'LIKE'], [['ILIKE'], 'ILIKE'], [['REGEXP'], 'REGEXP'], [['IN'], 'IN'],
  [['NOT', 'LIKE'], 'NOT LIKE'], [['NOT', 'ILIKE'], 'NOT ILIKE'], [['NOT', 'IN'], 'NOT IN'], [['GLOBAL', 'IN'], 'GLOBAL IN'],
  [['GLOBAL', 'NOT', 'IN'], 'GLOBAL NOT IN'], [['DIV'], 'DIV'], [['MOD'], 'MOD'],
];

/** One infix or postfix step on `left`, or null when the next token does not continue it above `min`. */
function parseInfix(c: Cursor, left: Expr, min: number): Expr | null {
  const t = c.peek();
  if (precedence.postfix > min) {
    const post = parsePostfix(c, left);
    if (post !== null) return post;
  }
  if (t.kind === 'punct') {
    const op = binaryTokens[t.raw];
    if (op !== undefined && binaryPrecedence[op] > min) {
      c.next();
      return { kind: 'binary', op, left, right: parseQuantified(c, op) ?? parseExpr(c, binaryPrecedence[op]) };
    }
    if (t.raw === '?' && precedence.ternary > min) {
      c.next();
      const then = c.withJsonColon(false, () => parseExpr(c));
      c.expectPunct(':');
      return { kind: 'ternary', cond: left, then, else: parseExpr(c, precedence.ternary - 1) };
    }
    return null;
  }
  for (const [words, op] of binaryWords) {
    if (binaryPrecedence[op] > min && c.acceptKw(...words)) {
      return { kind: 'binary', op, left, right: parseExpr(c, binaryPrecedence[op]) };
    }
  }
  if (precedence.between > min && (c.isKw('BETWEEN') || c.isKw('NOT', 'BETWEEN'))) {
    const not = c.acceptKw('NOT');
    c.expectKw('BETWEEN');
    const low = parseExpr(c, precedence.between);
    c.expectKw('AND');
    return { kind: 'between', expr: left, not, low, high: parseExpr(c, precedence.between) };
  }
  if (precedence.isNull > min && c.acceptKw('IS')) return parseIs(c, left);
  return null;
}

// is := IS [NOT] NULL | IS [NOT] TRUE | IS [NOT] FALSE | IS [NOT] DISTINCT FROM expr   (expr binds tighter than IS)
//   (`IS TRUE` ≡ `<=> true`, `IS NOT TRUE` ≡ `IS DISTINCT FROM true`, `IS NOT DISTINCT FROM` ≡ `<=>`)
function parseIs(c: Cursor, left: Expr): Expr {
  const not = c.acceptKw('NOT');
  if (c.acceptKw('NULL')) return { kind: 'is_null', expr: left, not };
  const op: BinaryOp = not ? 'IS DISTINCT FROM' : '<=>';
  const other: BinaryOp = not ? '<=>' : 'IS DISTINCT FROM';
  if (c.acceptKw('TRUE') || c.acceptKw('FALSE')) {
    return { kind: 'binary', op, left, right: { kind: 'bool', value: c.kw(-1) === 'TRUE' } };
  }
  c.expectKw('DISTINCT', 'FROM');
  return { kind: 'binary', op: other, left, right: parseExpr(c, precedence.isNull) };
}

const comparisons = new Set<BinaryOp>(['=', '!=', '<', '>', '<=', '>=']);
// quantified := (ANY | ALL) '(' query ')'       (right of a comparison; `any(x)` stays a call)
function parseQuantified(c: Cursor, op: BinaryOp): Expr | null {
  const word = c.kw();
  if (!comparisons.has(op) || (word !== 'ANY' && word !== 'ALL') || c.peek(1).raw !== '(') return null;
  const inner = c.kw(2);
  if (inner !== 'SELECT' && inner !== 'WITH') return null;
  c.i += 2;
  const query = c.subquery(c);
  c.expectPunct(')');
  return { kind: 'quantified', quantifier: word, query };
}

// postfix := '::' type | '[' expr ']' | '.N' | ':' path (identifier, no space before ':')
function parsePostfix(c: Cursor, left: Expr): Expr | null {
  const t = c.peek();
  if (c.acceptPunct('::')) return { kind: 'cast', expr: left, type: parseType(c) };
  if (c.acceptPunct('[')) {
    const index = parseExpr(c);
    c.expectPunct(']');
    return { kind: 'subscript', object: left, index };
  }
  if (t.kind === 'number' && /^(\.\d+)+$/.test(t.raw)) {
    c.next();
    let out = left;
    for (const n of t.raw.slice(1).split('.')) out = { kind: 'element', object: out, index: Number(n) };
    return out;
  }
  if (c.isPunct('.') && c.peek(1).kind === 'number' && /^\d+$/.test(c.peek(1).raw)) {
    c.next();
    return { kind: 'element', object: left, index: Number(c.next().raw) };
  }
  const before = c.tokens[c.i - 1];
  if (left.kind === 'identifier' && c.jsonColon && t.kind === 'punct' && t.raw === ':' && before?.end === t.start) {
    c.next();
    const path = [c.name('JSON path')];
    while (c.acceptPunct('.')) path.push(c.name('JSON path'));
    return { kind: 'json_path', object: left, path };
  }
  return null;
}

// prefix := literal | interval | param | '*' | '-' expr | NOT expr | CASE … | CAST(…) | lambda
//         | '(' … ')' | '[' … ']' | '{' k: v, … '}' | name '(' … ')' | compound_name ['.' '*']
function parsePrefix(c: Cursor): Expr {
  const t = c.peek();
  const lambda = parseLambda(c);
  if (lambda !== null) return lambda;
  if (t.kind === 'number') return parseNumber(c);
  if (t.kind === 'string') {
    c.next();
    return { kind: 'string', value: tokenValue(t) };
  }
  if (t.kind === 'param') {
    c.next();
    const m = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([\s\S]*?)\s*\}$/.exec(t.raw) as RegExpExecArray;
    return { kind: 'param', name: m[1] as string, type: Buffer.from(m[2] as string, 'latin1').toString('utf8') };
  }
  if (t.kind === 'punct') return parsePunctPrefix(c, t);
  if (t.kind === 'word') {
    const word = keyword(t);
    if (word === 'NOT') {
      c.next();
      return { kind: 'unary', op: 'NOT', operand: parseExpr(c, precedence.not) };
    }
    if (word === 'CASE') return parseCase(c);
    if (word === 'CAST' && c.peek(1).raw === '(') return parseCast(c);
    if (word === 'INTERVAL') return parseInterval(c);
    const literal = parseTypedLiteral(c);
    if (literal !== null) return literal;
    if (word === 'COLUMNS' && c.peek(1).raw === '(') return parseColumns(c, []);
    if (c.peek(1).raw === '(' && c.peek(1).kind === 'punct') return parseFunctionOrForm(c);
    if (word === 'NULL') return c.next() && { kind: 'null' };
    if (word === 'TRUE' || word === 'FALSE') return c.next() && { kind: 'bool', value: word === 'TRUE' };
    if (word === 'INF' || word === 'NAN') return { kind: 'number', text: c.next().raw.toLowerCase() };
    if (reservedWords.has(word)) c.fail(['expression']);
  }
  if (t.kind === 'quoted_id' && c.peek(1).raw === '(' && c.peek(1).kind === 'punct') return parseFunctionOrForm(c);
  if (t.kind === 'word' || t.kind === 'quoted_id') return parseCompound(c);
  c.fail(['expression']);
}

function parsePunctPrefix(c: Cursor, t: Token): Expr {
  if (t.raw === '*') {
    c.next();
    return star([], parseTransformers(c));
  }
  if (t.raw === '-') {
    c.next();
    const n = c.peek();
    if (n.kind === 'number' && numberPattern.test(n.raw)) return { kind: 'number', text: `-${c.next().raw}` };
    return { kind: 'unary', op: '-', operand: parseExpr(c, precedence.unaryMinus) };
  }
  if (t.raw === '(') return parseParen(c);
  if (t.raw === '[') {
    c.next();
    const items = c.withJsonColon(true, () => parseElementList(c, ']'));
    c.expectPunct(']');
    return { kind: 'array', items };
  }
  if (t.raw === '{') return parseMap(c);
  c.fail(['expression']);
}

// number := NUMBER | NUMBER unit_suffix       (`5s`, `500ms`, `1M` → interval)
function parseNumber(c: Cursor): Expr {
  const t = c.peek();
  const short = /^(\d+)([a-zA-Z]+)$/.exec(t.raw);
  const unit = short ? unitByShorthand.get(short[2] as string) : undefined;
  if (short && unit !== undefined && !/^0x/i.test(t.raw)) {
    c.next();
    return { kind: 'interval', value: { kind: 'number', text: short[1] as string }, unit };
  }
  if (!numberPattern.test(t.raw)) c.fail(['number literal']);
  c.next();
  return { kind: 'number', text: t.raw };
}

// lambda := name '->' expr | '(' name (',' name)* ')' '->' expr
function parseLambda(c: Cursor): Expr | null {
  const params: string[] = [];
  let k = 0;
  const isName = (tok: Token) => tok.kind === 'quoted_id' || (tok.kind === 'word' && !aliasDenied.has(keyword(tok)));
  if (isName(c.peek())) {
    params.push(tokenValue(c.peek()));
    k = 1;
  } else if (c.peek().raw === '(' && c.peek().kind === 'punct') {
    k = 1;
    for (;;) {
      if (!isName(c.peek(k))) return null;
      params.push(tokenValue(c.peek(k)));
      k++;
      if (c.peek(k).raw === ')') break;
      if (c.peek(k).raw !== ',') return null;
      k++;
    }
    k++;
  } else {
    return null;
  }
  if (c.peek(k).kind !== 'punct' || c.peek(k).raw !== '->') return null;
  c.i += k + 1;
  return { kind: 'lambda', params, body: c.withJsonColon(true, () => parseExpr(c)) };
}

// paren := '(' query ')' | '(' ')' | '(' element ')' | '(' element ',' [element (',' element)*] ')'
function parseParen(c: Cursor): Expr {
  c.expectPunct('(');
  if (c.isKw('SELECT') || c.isKw('WITH')) {
    const query = c.subquery(c);
    c.expectPunct(')');
    return { kind: 'subquery', query };
  }
  return c.withJsonColon(true, () => {
    const items: Expr[] = [];
    let comma = false;
    while (!c.isPunct(')')) {
      items.push(parseElement(c));
      if (!c.acceptPunct(',')) break;
      comma = true;
    }
    c.expectPunct(')');
    return items.length === 1 && !comma ? (items[0] as Expr) : { kind: 'tuple', items };
  });
}

// map := '{' [expr ':' expr (',' expr ':' expr)*] '}'
function parseMap(c: Cursor): Expr {
  c.expectPunct('{');
  const entries: { key: Expr; value: Expr }[] = [];
  while (!c.isPunct('}')) {
    const key = c.withJsonColon(false, () => parseExpr(c));
    c.expectPunct(':');
    entries.push({ key, value: c.withJsonColon(true, () => parseExpr(c)) });
    if (!c.acceptPunct(',')) break;
  }
  c.expectPunct('}');
  return { kind: 'map', entries };
}

// cast := CAST '(' expr AS type ')' | CAST '(' list ')'   (the second is an ordinary call)
function parseCast(c: Cursor): Expr {
  const name = tokenValue(c.next());
  c.expectPunct('(');
  return c.withJsonColon(true, () => {
    const expr = parseExpr(c);
    if (c.acceptKw('AS')) {
      const type = parseType(c);
      c.expectPunct(')');
      return { kind: 'cast', expr, type };
    }
    const args = [expr];
    while (c.acceptPunct(',')) args.push(parseElement(c));
    c.expectPunct(')');
    return call(name, args);
  });
}

/** A call in expression position: a special form (EXTRACT, TRIM, …) or a function call with its suffix. */
function parseFunctionOrForm(c: Cursor): Expr {
  return parseSpecialForm(c) ?? parseCallSuffix(c, parseFunction(c));
}

// function := name '(' [DISTINCT] [list] ')' ['(' [DISTINCT] [list] ')']    (also table functions; no OVER here)
//   (`POSITION(a IN b)` ≡ `position(b, a)`)
export function parseFunction(c: Cursor): FunctionCall {
  const name = tokenValue(c.next());
  const first = parseArguments(c);
  if (!c.isPunct('(')) {
    const only = first.args[0];
    if (name.toUpperCase() === 'POSITION' && first.args.length === 1 && only?.kind === 'binary' && only.op === 'IN') {
      return call(name, [only.right, only.left]);
    }
    return first.distinct ? { ...call(name, first.args), distinct: true } : call(name, first.args);
  }
  if (first.distinct) c.fail();
  const second = parseArguments(c);
  const fn = call(name, second.args, first.args);
  return second.distinct ? { ...fn, distinct: true } : fn;
}

function parseArguments(c: Cursor): { args: Expr[]; distinct: boolean } {
  c.expectPunct('(');
  return c.withJsonColon(true, () => {
    const distinct = c.acceptKw('DISTINCT');
    const args = c.isKw('SELECT') || c.isKw('WITH') ? [{ kind: 'subquery', query: c.subquery(c) } as const] : parseElementList(c, ')');
    c.expectPunct(')');
    return { args, distinct };
  });
}

// compound := name ('.' name)* ['.' '*' transformers | '.' COLUMNS '(' … ')' transformers]
function parseCompound(c: Cursor): Expr {
  const parts = [c.name()];
  while (c.isPunct('.') && c.peek(1).kind !== 'number') {
    c.next();
    if (c.acceptPunct('*')) return star(parts, parseTransformers(c));
    if (c.kw() === 'COLUMNS' && c.peek(1).raw === '(') return parseColumns(c, parts);
    parts.push(c.name());
  }
  return { kind: 'identifier', parts };
}

/** A star node: a leading EXCEPT is `except`, the rest `transformers` (absent when empty). */
function star(qualifier: string[], transformers: StarTransformer[]): Expr {
  const first = transformers[0];
  const except = first?.kind === 'star_except' ? first.names : [];
  const rest = first?.kind === 'star_except' ? transformers.slice(1) : transformers;
  return rest.length === 0 ? { kind: 'star', qualifier, except } : { kind: 'star', qualifier, except, transformers: rest };
}

// type := name [multi_word_rest] ['(' type_arg (',' type_arg)* ')']     (`DOUBLE PRECISION`, `CHAR VARYING`)
// type_arg := string ['=' number] | number | name type | type
export function parseType(c: Cursor): DataType {
  let name = c.name('type');
  const rest = (multiWord[name.toUpperCase()] ?? []).find((run) => run.every((w, k) => c.kw(k) === w));
  if (rest !== undefined && c.tokens[c.i - 1]?.kind === 'word') {
    name = [name, ...rest.map((_, k) => c.peek(k).raw)].join(' ');
    c.i += rest.length;
  }
  const args: TypeArg[] = [];
  if (c.acceptPunct('(')) {
    do args.push(parseTypeArg(c));
    while (c.acceptPunct(','));
    c.expectPunct(')');
  }
  return { kind: 'type', name, args };
}

function parseTypeArg(c: Cursor): TypeArg {
  const t = c.peek();
  if (t.kind === 'string') {
    c.next();
    if (!c.acceptPunct('=')) return { kind: 'string', value: tokenValue(t) };
    const value = parseExpr(c, precedence.postfix);
    if (value.kind !== 'number') c.fail(['number']);
    return { kind: 'enum_entry', name: tokenValue(t), value };
  }
  if (t.kind === 'number' || t.raw === '-') {
    const value = parseExpr(c, precedence.postfix);
    if (value.kind !== 'number') c.fail(['number']);
    return value;
  }
  const n = c.peek(1);
  if ((t.kind === 'word' || t.kind === 'quoted_id') && (n.kind === 'word' || n.kind === 'quoted_id')) {
    return { kind: 'named_type', name: c.name(), type: parseType(c) };
  }
  return parseType(c);
}
