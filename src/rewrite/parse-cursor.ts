// The token cursor of the Proton SQL parsers, with the tables both parsers and the printer share:
// operator precedence, reserved words (never implicit aliases), interval units and shorthands.
import { GatewayError } from '../errors.ts';
import type { BinaryOp, IntervalUnit, Query } from './ast.ts';
import { Lexer, LexError, keyword, tokenValue, type Token } from './lexer.ts';

export const precedence = {
  alias: 0, lambda: 1, ternary: 2, or: 3, and: 4, not: 5, between: 6, isNull: 8, compare: 9, concat: 10,
  additive: 11, multiplicative: 12, unaryMinus: 13, postfix: 14, atom: 15,
} as const;

export const binaryPrecedence: Readonly<Record<BinaryOp, number>> = {
  OR: 3, AND: 4,
  '=': 9, '!=': 9, '<': 9, '>': 9, '<=': 9, '>=': 9, '<=>': 9,
  'IS DISTINCT FROM': 8, LIKE: 9, 'NOT LIKE': 9, ILIKE: 9, 'NOT ILIKE': 9, REGEXP: 9, IN: 9, 'NOT IN': 9, 'GLOBAL IN': 9, 'GLOBAL NOT IN': 9,
  '||': 10, '+': 11, '-': 11, '*': 12, '/': 12, '%': 12, DIV: 12, MOD: 12,
};

/** Words that start an expression form of their own or end one; never a bare column name. */
export const reservedWords = new Set([
  'FROM', 'WHERE', 'PREWHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'SETTINGS', 'FORMAT', 'UNION', 'EMIT', 'SELECT',
  'AND', 'OR', 'THEN', 'ELSE', 'WHEN', 'END', 'JOIN', 'ON', 'USING', 'AS', 'BETWEEN', 'LIKE', 'ILIKE', 'IS', 'IN',
]);
/** Words that can follow an expression, so they are never read as an implicit alias. */
export const aliasDenied = new Set([
  ...reservedWords, 'OFFSET', 'EXCEPT', 'INTERSECT', 'PARTITION', 'SHUFFLE', 'WINDOW', 'QUALIFY', 'INNER', 'LEFT',
  'RIGHT', 'FULL', 'CROSS', 'OUTER', 'ASOF', 'ANY', 'ALL', 'LATEST', 'SEMI', 'ANTI', 'GLOBAL', 'LOCAL', 'ARRAY', 'NOT',
  'REGEXP', 'ASC', 'DESC', 'ASCENDING', 'DESCENDING', 'NULLS', 'COLLATE', 'WITH', 'BY', 'FINAL', 'SAMPLE', 'OVER',
  'INTO', 'DIV', 'MOD', 'FILTER', 'DISTINCT', 'NATURAL', 'PASTE', 'INTERPOLATE', 'FETCH', 'APPLY', 'RESPECT', 'IGNORE',
  'PREWHERE', 'TOP',
]);
/** Words with a meaning in expression position (`NULL`, `CASE`, …). */
export const expressionWords = new Set(['NULL', 'TRUE', 'FALSE', 'CASE', 'CAST', 'INTERVAL', 'NOT', 'INF', 'NAN', 'EXISTS']);

/** True when `name` must be backquoted to read back as the same identifier. */
export function needsQuoting(name: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return true;
  const upper = name.toUpperCase();
  return aliasDenied.has(upper) || expressionWords.has(upper);
}

export const intervalUnits: readonly IntervalUnit[] = [
  'NANOSECOND', 'MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR',
];
/** Proton's interval shorthand suffixes (case matters: `m` minute, `M` month). */
export const intervalShorthand: Readonly<Record<IntervalUnit, string>> = {
  NANOSECOND: 'ns', MICROSECOND: 'us', MILLISECOND: 'ms', SECOND: 's', MINUTE: 'm', HOUR: 'h', DAY: 'd', WEEK: 'w',
  MONTH: 'M', QUARTER: 'q', YEAR: 'y',
};
export const unitByShorthand = new Map(intervalUnits.map((u) => [intervalShorthand[u], u]));
export const numberPattern = /^(?:0x[0-9a-f]+|0b[01]+|(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)$/i;

/** ClickHouse's names for punctuation in "Expected one of" lists. */
const punctNames: Readonly<Record<string, string>> = {
  ',': 'Comma', '(': 'opening round bracket', ')': 'closing round bracket', '[': 'opening square bracket',
  ']': 'closing square bracket', '}': 'closing curly bracket', ':': 'colon', '=': 'equals sign', '.': 'dot',
};

/** Parser options of the entry points. */
export type ParseOptions = {
  /**
   * Accept `expr name` / `table name` without AS where the word is not a keyword (ClickHouse; JDBC sends
   * `select currentUser() user`). Default false: Proton requires AS, so `SELECT 1 x` is a syntax error.
   */
  readonly implicitAliases?: boolean;
};

/** Text whose UTF-8 bytes read as latin1 are the text itself. */
const asciiOnly = /^[\x00-\x7f]*$/;

/** A cursor over the whole token list; records what was expected at the current token for errors. */
export class Cursor {
  readonly tokens: Token[];
  readonly source: string;
  readonly implicitAliases: boolean;
  i = 0;
  /** False while parsing a ternary's middle branch or a map key: `:` is punctuation there. */
  jsonColon = true;
  /** Set by the SELECT parser, so expressions can hold subqueries without an import cycle. */
  subquery: (c: Cursor) => Query = () => this.fail(['SELECT subquery']);
  /** keyword() of each token, computed once: the grammar asks for the same token's word many times. */
  private readonly keywords: string[] = [];
  /** Alternatives noted at `expectedAt`, with repeats (removed when an error is built). */
  private expected: string[] = [];
  private expectedAt = -1;

  constructor(sql: string, options: ParseOptions = {}) {
    this.implicitAliases = options.implicitAliases ?? false;
    this.source = asciiOnly.test(sql) ? sql : Buffer.from(sql, 'utf8').toString('latin1');
    const lexer = new Lexer(this.source);
    this.tokens = [];
    try {
      for (;;) {
        const t = lexer.next();
        this.tokens.push(t);
        this.keywords.push(keyword(t));
        if (t.kind === 'end') break;
      }
    } catch (err) {
      if (!(err instanceof LexError)) throw err;
      throw this.syntaxError(err.position, this.source.slice(err.position), err.message);
    }
  }

  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)] as Token;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }
  /** Upper-cased keyword of the token k ahead ('' when not a word). */
  kw(k = 0): string {
    return this.keywords[Math.min(this.i + k, this.keywords.length - 1)] as string;
  }
  isKw(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      if (this.kw(k) !== words[k]) {
        if (k === 0) this.expect(words[0] as string);
        return false;
      }
    }
    return true;
  }
  acceptKw(...words: string[]): boolean {
    if (!this.isKw(...words)) return false;
    this.i += words.length;
    return true;
  }
  expectKw(...words: string[]): void {
    if (!this.acceptKw(...words)) this.fail();
  }
  isPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.raw === p) return true;
    this.expect(punctNames[p] ?? `'${p}'`);
    return false;
  }
  acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }
  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.fail();
  }
  /** Notes an alternative the grammar would accept at the current token. */
  expect(what: string): void {
    if (this.expectedAt !== this.i) {
      this.expectedAt = this.i;
      this.expected = [];
    }
    this.expected.push(what);
  }
  /** Throws the ClickHouse-worded syntax error at the current token. */
  fail(extra: string[] = []): never {
    for (const e of extra) this.expect(e);
    const t = this.peek();
    const expected = [...new Set(this.expectedAt === this.i ? this.expected : extra)];
    const what = t.kind === 'end' ? null : t.raw;
    throw this.syntaxError(t.start, what, expected.length > 0 ? `Expected one of: ${expected.join(', ')}` : '');
  }
  /**
   * ClickHouse's wording: `Syntax error: failed at position N (token) [(line L, col C)]: rest. tail`,
   * with the token's raw text (`what`, latin1 view; null = end of query), line and column only for
   * multi-line queries, byte positions 1-based.
   */
  syntaxError(offset: number, what: string | null, tail: string): GatewayError {
    const utf8 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
    const rest = utf8(this.source.slice(offset, offset + 160));
    const where = what === null ? '(end of query)' : `(${utf8(what)})`;
    const lineStart = this.source.lastIndexOf('\n', offset - 1) + 1;
    const line = this.source.includes('\n') ? ` (line ${this.source.slice(0, lineStart).split('\n').length}, col ${offset - lineStart + 1})` : '';
    return new GatewayError(62, `Syntax error: failed at position ${offset + 1} ${where}${line}: ${rest}.${tail ? ` ${tail}` : ''}`);
  }
  /** Runs `f` with the JSON-path colon enabled or disabled, restoring the previous state. */
  withJsonColon<T>(enabled: boolean, f: () => T): T {
    const saved = this.jsonColon;
    this.jsonColon = enabled;
    try {
      return f();
    } finally {
      this.jsonColon = saved;
    }
  }
  /** name := word | quoted_id */
  name(what = 'identifier'): string {
    const t = this.peek();
    if (t.kind === 'word' || t.kind === 'quoted_id') {
      this.i++;
      return tokenValue(t);
    }
    this.fail([what]);
  }
  /** True when implicit aliases are on and the current token can be one (a quoted name or a non-keyword word). */
  atImplicitAlias(): boolean {
    if (!this.implicitAliases) return false;
    const t = this.peek();
    return t.kind === 'quoted_id' || (t.kind === 'word' && !aliasDenied.has(keyword(t)));
  }
}

