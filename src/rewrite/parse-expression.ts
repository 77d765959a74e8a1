// The Pratt expression parser for Proton SQL (the cursor and shared tables are in parse-cursor.ts), with ClickHouse's precedence ladder
// (low → high): lambda `->` 1, ternary `?:` 2, OR 3, AND 4, NOT 5, BETWEEN 6, IS [NOT] NULL 8,
// comparison / LIKE / IN 9, `||` 10, `+ -` 11, `* / % DIV MOD` 12, unary minus 13,
// postfix `::` `[]` `.n` `:path` 14. A loop continues while an operator binds tighter than `min`.
import type { BinaryOp, DataType, Expr, FunctionCall, IntervalUnit, Query, TypeArg } from './ast.ts';
import { keyword, tokenValue, type Token } from './lexer.ts';
import { aliasDenied, binaryPrecedence, Cursor, intervalUnits, numberPattern, precedence, reservedWords, unitByShorthand } from './parse-cursor.ts';

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
      return { kind: 'binary', op, left, right: parseExpr(c, binaryPrecedence[op]) };
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
  if (precedence.isNull > min && c.acceptKw('IS')) {
    const not = c.acceptKw('NOT');
    c.expectKw('NULL');
    return { kind: 'is_null', expr: left, not };
  }
  return null;
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
    if (c.peek(1).raw === '(' && c.peek(1).kind === 'punct') return parseFunction(c);
    if (word === 'NULL') return c.next() && { kind: 'null' };
    if (word === 'TRUE' || word === 'FALSE') return c.next() && { kind: 'bool', value: word === 'TRUE' };
    if (word === 'INF' || word === 'NAN') return { kind: 'number', text: c.next().raw.toLowerCase() };
    if (reservedWords.has(word)) c.fail(['expression']);
  }
  if (t.kind === 'quoted_id' && c.peek(1).raw === '(' && c.peek(1).kind === 'punct') return parseFunction(c);
  if (t.kind === 'word' || t.kind === 'quoted_id') return parseCompound(c);
  c.fail(['expression']);
}

function parsePunctPrefix(c: Cursor, t: Token): Expr {
  if (t.raw === '*') {
    c.next();
    return { kind: 'star', qualifier: [], except: parseExcept(c) };
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

// case := CASE [expr] (WHEN expr THEN expr)+ [ELSE expr] END
function parseCase(c: Cursor): Expr {
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
    return { kind: 'function', name, params: null, args, distinct: false };
  });
}

// interval := INTERVAL expr unit | INTERVAL 'n unit'
function parseInterval(c: Cursor): Expr {
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

// function := name '(' [DISTINCT] [list] ')' ['(' [DISTINCT] [list] ')']
export function parseFunction(c: Cursor): FunctionCall {
  const name = tokenValue(c.next());
  const first = parseArguments(c);
  if (!c.isPunct('(')) return { kind: 'function', name, params: null, args: first.args, distinct: first.distinct };
  if (first.distinct) c.fail();
  const second = parseArguments(c);
  return { kind: 'function', name, params: first.args, args: second.args, distinct: second.distinct };
}

function parseArguments(c: Cursor): { args: Expr[]; distinct: boolean } {
  c.expectPunct('(');
  return c.withJsonColon(true, () => {
    const distinct = c.acceptKw('DISTINCT');
    const args = c.isKw('SELECT') || c.isKw('WITH') ? [{ kind: 'subquery', query: c.subquery(c) } as const] : parseElementList(c, ')');
    c.expectPunct(')');
    if (c.isKw('OVER')) c.fail(['not window functions (OVER is not supported yet)']);
    return { args, distinct };
  });
}

// compound := name ('.' name)* ['.' '*' [except]]
function parseCompound(c: Cursor): Expr {
  const parts = [c.name()];
  while (c.isPunct('.') && c.peek(1).kind !== 'number') {
    c.next();
    if (c.acceptPunct('*')) return { kind: 'star', qualifier: parts, except: parseExcept(c) };
    parts.push(c.name());
  }
  return { kind: 'identifier', parts };
}

// except := [EXCEPT ('(' name (',' name)* ')' | name)]
function parseExcept(c: Cursor): string[] {
  if (!c.acceptKw('EXCEPT')) return [];
  if (!c.acceptPunct('(')) return [c.name()];
  const names = [c.name()];
  while (c.acceptPunct(',')) names.push(c.name());
  c.expectPunct(')');
  return names;
}

// type := name ['(' type_arg (',' type_arg)* ')']
// type_arg := string ['=' number] | number | name type | type
export function parseType(c: Cursor): DataType {
  const name = c.name('type');
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
