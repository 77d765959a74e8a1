// Type names → DataType: either spelling, ClickHouse's grammar, argument checks and error codes.
import { GatewayError, type Dialect } from './errors.ts';
import {
  fail, familyOf, printType, TypeErrorCode, type DataType, type Family,
} from './types.ts';
import { build } from './type-builder.ts';

// ---------------------------------------------------------------------------------------------
// Lexer: words, `quoted`/"quoted" identifiers, 'strings', numbers and punctuation.

export type TokenType = 'word' | 'quoted' | 'string' | 'number' | '(' | ')' | '[' | ']' | ',' | '=' | '.' | '-' | '+' | 'end';
export interface Token { readonly type: TokenType; readonly value: string; readonly start: number }

export const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
export const NUMBER = /(?:0[xX][0-9a-fA-F]+|0[bB][01]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)(?![A-Za-z0-9_])/y;
export const SPACE = /\s+/y;
/** Backslash escapes as ClickHouse's readQuotedString decodes them; others keep the backslash. */
export const escapes: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', 0: '\0', N: '',
  '\\': '\\', "'": "'", '"': '"', '`': '`', '/': '/',
};

/** A parse failure at a position: what was expected there, or (lexical) the whole complaint. */
class SyntaxFailure {
  readonly pos: number;
  readonly expected: string;
  readonly complaint: string | undefined;
  constructor(pos: number, expected: string, complaint?: string) {
    this.pos = pos;
    this.expected = expected;
    this.complaint = complaint;
  }
}

/** Reads a quoted run starting at text[start] (the quote); doubled quotes and backslash escapes decode. */
export function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start] as string;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = start + 1; i < text.length;) {
    const c = text[i] as string;
    if (c === quote) {
      if (text[i + 1] !== quote) return { value: new TextDecoder().decode(Uint8Array.from(bytes)), end: i + 1 };
      bytes.push(quote.charCodeAt(0));
      i += 2;
    } else if (c === '\\' && i + 1 < text.length) {
      const e = text[i + 1] as string;
      const hex = e === 'x' ? /^[0-9a-fA-F]{2}/.exec(text.slice(i + 2, i + 4)) : null;
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        i += 4;
        continue;
      }
      bytes.push(...encoder.encode(escapes[e] ?? `\\${e}`));
      i += 2;
    } else {
      const cp = text.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
    }
  }
  throw new SyntaxFailure(start, '', `${quote === "'" ? 'Single' : quote === '"' ? 'Double' : 'Back'} quoted string is not closed`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const depth: number[] = [];
  let i = 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(text)?.[0];
  };
  while (i < text.length) {
    const space = at(SPACE);
    if (space) { i += space.length; continue; }
    const c = text[i] as string;
    const word = at(WORD) ?? (/[0-9.]/.test(c) ? at(NUMBER) : undefined);
    if (word !== undefined) {
      tokens.push({ type: /[A-Za-z_]/.test(c) ? 'word' : 'number', value: word, start: i });
      i += word.length;
    } else if (c === '`' || c === '"' || c === "'") {
      const { value, end } = readQuoted(text, i);
      tokens.push({ type: c === "'" ? 'string' : 'quoted', value, start: i });
      i = end;
    } else if ('()[],=.-+'.includes(c)) {
      if (c === '(' || c === '[') depth.push(i);
      if ((c === ')' || c === ']') && text[depth.pop() ?? -1] !== (c === ')' ? '(' : '[')) {
        throw new SyntaxFailure(i, '', `Unmatched parentheses: ${c}`);
      }
      tokens.push({ type: c as TokenType, value: c, start: i });
      i++;
    } else {
      throw new SyntaxFailure(i, '', 'Unrecognized token');
    }
  }
  const open = depth.pop();
  if (open !== undefined) throw new SyntaxFailure(open, '', `Unmatched parentheses: ${text[open]}`);
  tokens.push({ type: 'end', value: '', start: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser: text → a syntax tree of family names and raw arguments. Families are resolved only when
// building, so a syntax error anywhere wins over an unknown family, as in ClickHouse.

export type Literal =
  | { readonly t: 'string'; readonly value: string }
  | { readonly t: 'number'; readonly text: string }
  | { readonly t: 'null' }
  | { readonly t: 'bool'; readonly value: boolean }
  | { readonly t: 'array'; readonly items: readonly Literal[] };
export type Arg =
  | { readonly t: 'type'; readonly type: TypeSyntax }
  | { readonly t: 'pair'; readonly name: string; readonly type: TypeSyntax }
  | { readonly t: 'literal'; readonly value: Literal }
  | { readonly t: 'equals'; readonly operands: readonly Literal[] }
  | { readonly t: 'setting'; readonly name: string; readonly value: Literal }
  | { readonly t: 'skip'; readonly path: string }
  | { readonly t: 'skipRegexp'; readonly pattern: string }
  | { readonly t: 'function'; readonly name: string; readonly parameters: readonly Literal[] | null };
/** args: null without parentheses; `Tuple()` and `Tuple` differ only in that. */
export interface TypeSyntax { readonly name: string; readonly args: readonly Arg[] | null }

export type Grammar = 'generic' | 'tuple' | 'nested' | 'json' | 'dynamic' | 'aggregate' | 'simpleAggregate';
export const grammars: Partial<Record<Family, Grammar>> = {
  Tuple: 'tuple', Nested: 'nested', JSON: 'json', Dynamic: 'dynamic',
  AggregateFunction: 'aggregate', SimpleAggregateFunction: 'simpleAggregate',
};
/** Words a column declaration reads before its type, so never a type name (ParserDataType). */
export const notTypeNames = new Set(['NOT', 'NULL', 'DEFAULT', 'MATERIALIZED', 'EPHEMERAL', 'ALIAS', 'AUTO', 'PRIMARY', 'TTL', 'COMMENT', 'CODEC', 'SETTINGS']);
/** SQL multi-word names: first word → the word runs that may follow it, longest first. */
export const multiWord: Readonly<Record<string, readonly (readonly string[])[]>> = {
  NATIONAL: [['CHARACTER', 'LARGE', 'OBJECT'], ['CHARACTER', 'VARYING'], ['CHAR', 'VARYING'], ['CHARACTER'], ['CHAR']],
  BINARY: [['LARGE', 'OBJECT'], ['VARYING']], CHARACTER: [['LARGE', 'OBJECT'], ['VARYING']],
  CHAR: [['LARGE', 'OBJECT'], ['VARYING']], NCHAR: [['LARGE', 'OBJECT'], ['VARYING']],
  DOUBLE: [['PRECISION']],
};
/** Integer names that take a MySQL display width `(N)` and a SIGNED/UNSIGNED suffix. */
export const integerNames = new Set([
  'INT8', 'INT16', 'INT32', 'INT64', 'INT128', 'INT256', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'UINT128', 'UINT256',
  'TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'INTEGER', 'BIGINT', 'INT1',
]);

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private furthest = new SyntaxFailure(-1, '');

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    this.i++;
    return token;
  }

  /** Throws the furthest failure any alternative reached, so the message points where parsing got stuck. */
  private fail(expected: string): never {
    const pos = this.peek().start;
    if (pos > this.furthest.pos) this.furthest = new SyntaxFailure(pos, expected);
    else if (pos === this.furthest.pos && !this.furthest.expected.split(', ').includes(expected)) {
      this.furthest = new SyntaxFailure(pos, `${this.furthest.expected}, ${expected}`);
    }
    throw this.furthest;
  }

  private expect(type: TokenType, what: string): Token {
    if (this.peek().type !== type) this.fail(what);
    return this.next();
  }

  private isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'word' && token.value.toUpperCase() === word;
  }

  /** Tries one alternative; on failure rewinds and returns undefined. */
  private attempt<T>(parse: () => T): T | undefined {
    const start = this.i;
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof SyntaxFailure)) throw err;
      this.i = start;
      return undefined;
    }
  }

  /** document := type end */
  document(): TypeSyntax {
    const type = this.type();
    this.expect('end', 'end of query');
    return type;
  }

  /**
   * type := name [suffix] ['(' [arg {',' arg} [',']] ')']
   * name := word | quoted word; suffix := SQL words after NATIONAL/CHAR/DOUBLE…, or for integer
   * names [(width)] [SIGNED|UNSIGNED]. The argument grammar depends on the family (see arg()).
   */
  type(): TypeSyntax {
    const token = this.peek();
    if (token.type !== 'word' && token.type !== 'quoted') this.fail('type name');
    if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(token.value) || notTypeNames.has(token.value.toUpperCase())) this.fail('type name');
    this.next();
    const upper = token.value.toUpperCase();
    const suffix = this.suffix(upper);
    const name = suffix.length > 0 ? [upper, ...suffix].join(' ') : token.value;
    if (this.peek().type !== '(') return { name, args: null };
    this.next();
    const family = familyOf(name);
    const grammar = (family && grammars[family]) ?? 'generic';
    const args: Arg[] = [];
    while (this.peek().type !== ')') {
      args.push(this.arg(grammar, args));
      if (this.peek().type !== ',') break;
      this.next();
    }
    this.expect(')', 'closing round bracket');
    return { name, args };
  }

  private suffix(upper: string): string[] {
    for (const run of multiWord[upper] ?? []) {
      if (run.every((word, k) => this.isWord(word, k))) {
        this.i += run.length;
        return [...run];
      }
    }
    if (!integerNames.has(upper)) return [];
    if (this.peek().type === '(') {
      this.next();
      if (this.peek().type === 'number') this.next();
      this.expect(')', 'closing round bracket');
    }
    for (const word of ['SIGNED', 'UNSIGNED']) {
      if (this.isWord(word)) {
        this.next();
        return [word];
      }
    }
    return [];
  }

  private arg(grammar: Grammar, previous: readonly Arg[]): Arg {
    switch (grammar) {
      case 'tuple': return this.attempt(() => this.pair()) ?? { t: 'type', type: this.type() };
      case 'nested': return this.pair();
      case 'json': return this.jsonArg();
      case 'dynamic': return this.setting();
      case 'aggregate':
      case 'simpleAggregate': return this.aggregateArg(grammar === 'aggregate', previous);
      case 'generic': return this.genericArg();
    }
  }

  /** generic := literal {'=' literal} | type */
  private genericArg(): Arg {
    const first = this.attempt(() => this.literal());
    if (first === undefined) return { t: 'type', type: this.type() };
    const operands = [first];
    while (this.peek().type === '=') {
      this.next();
      operands.push(this.literal());
    }
    return operands.length === 1 ? { t: 'literal', value: first } : { t: 'equals', operands };
  }

  /** pair := identifier type */
  private pair(): Arg {
    return { t: 'pair', name: this.identifier(), type: this.type() };
  }

  private identifier(): string {
    const token = this.peek();
    if (token.type !== 'word' && token.type !== 'quoted') this.fail('identifier');
    if (token.value === '') this.fail('identifier');
    return this.next().value;
  }

  private compound(): string {
    const parts = [this.identifier()];
    while (this.peek().type === '.') {
      this.next();
      parts.push(this.identifier());
    }
    return parts.join('.');
  }

  /** json := SKIP REGEXP string | SKIP path | path '=' number | path type */
  private jsonArg(): Arg {
    if (this.isWord('SKIP')) {
      this.next();
      if (this.isWord('REGEXP')) {
        this.next();
        return { t: 'skipRegexp', pattern: this.expect('string', 'string literal').value };
      }
      return { t: 'skip', path: this.compound() };
    }
    const path = this.compound();
    if (this.peek().type === '=') {
      this.next();
      return { t: 'setting', name: path, value: this.number() };
    }
    return { t: 'pair', name: path, type: this.type() };
  }

  /** setting := identifier '=' number */
  private setting(): Arg {
    const name = this.identifier();
    this.expect('=', 'equals operator');
    return { t: 'setting', name, value: this.number() };
  }

  /**
   * aggregate := [version ','] (identifier | identifier '(' [parameter {',' parameter}] ')') {',' type}
   * with version only for AggregateFunction; parameter := literal | '[' [parameter {',' parameter}] ']'
   */
  private aggregateArg(versioned: boolean, previous: readonly Arg[]): Arg {
    if (versioned && previous.length === 0 && this.peek().type === 'number') return { t: 'literal', value: this.number() };
    const functionAt = previous[0]?.t === 'literal' ? 1 : 0;
    if (previous.length > functionAt) return { t: 'type', type: this.type() };
    const name = this.identifier();
    if (this.peek().type !== '(') return { t: 'function', name, parameters: null };
    this.next();
    const parameters = this.parameters(')');
    return { t: 'function', name, parameters };
  }

  /** Parameters up to and including the closing bracket. */
  private parameters(close: ')' | ']'): Literal[] {
    const items: Literal[] = [];
    while (this.peek().type !== close) {
      if (this.peek().type === '[') {
        this.next();
        items.push({ t: 'array', items: this.parameters(']') });
      } else items.push(this.literal());
      if (this.peek().type !== ',') break;
      this.next();
    }
    this.expect(close, close === ')' ? 'closing round bracket' : 'closing square bracket');
    return items;
  }

  /** literal := string | ['-'|'+'] number | NULL | TRUE | FALSE */
  private literal(): Literal {
    const token = this.peek();
    if (token.type === 'string') {
      this.next();
      return { t: 'string', value: token.value };
    }
    if (token.type === 'word') {
      const upper = token.value.toUpperCase();
      if (upper === 'NULL') { this.next(); return { t: 'null' }; }
      if (upper === 'TRUE' || upper === 'FALSE') { this.next(); return { t: 'bool', value: upper === 'TRUE' }; }
    }
    return this.number();
  }

  private number(): Literal {
    const sign = this.peek().type === '-' || this.peek().type === '+' ? this.next().value : '';
    const token = this.expect('number', 'number');
    return { t: 'number', text: sign === '-' ? `-${token.value}` : token.value };
  }
}

export function syntaxError(text: string, failure: SyntaxFailure): GatewayError {
  const pos = Math.max(failure.pos, 0);
  const rest = text.slice(pos);
  const token = rest === '' ? 'end of query' : (/^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_.]*|.)/su.exec(rest)?.[0] ?? rest);
  const complaint = failure.complaint
    ?? (failure.expected.includes(', ') ? `Expected one of: ${failure.expected}` : `Expected ${failure.expected}`);
  return new GatewayError(TypeErrorCode.SYNTAX_ERROR, `Syntax error (data type): failed at position ${pos + 1} (${token}): ${rest}. ${complaint}`);
}

/**
 * type := name [SQL words | (width) [SIGNED|UNSIGNED]] ['(' arguments ')'], arguments per family:
 * literals and `'name' = n` (Enum, Decimal, DateTime…), types (Array, Map, Variant…), `name type`
 * (Tuple, Nested), `max_types=N` (Dynamic), `path type | SKIP path | SKIP REGEXP 're' | setting=N` (JSON),
 * `[version,] fn[(params)], types` (AggregateFunction).
 *
 * Parses a type in either spelling: ClickHouse (`Map(String, Array(UInt8))`, `DateTime64(3, 'UTC')`,
 * SQL aliases such as `BIGINT UNSIGNED`, `DOUBLE PRECISION`, `VARCHAR(255)`) or Proton
 * (`map(string, array(uint8))`, `low_cardinality(nullable(string))`, `int`, `string_with_dictionary`).
 * Case rules are each dialect's own: `UInt64`/`uint64` exact, `DATETIME64`/`Decimal`/`ipv4` any case.
 * Time zones are not validated (the store does that).
 * @throws GatewayError 62 SYNTAX_ERROR for malformed text, 50 UNKNOWN_TYPE `Unknown data type family: x`,
 *   and ClickHouse's own codes for bad arguments (42, 43, 69, 92, 223, 378, 36, 15).
 */
export function parseType(text: string): DataType {
  let syntax: TypeSyntax;
  try {
    syntax = new Parser(tokenize(text)).document();
  } catch (err) {
    throw err instanceof SyntaxFailure ? syntaxError(text, err) : err;
  }
  return build(syntax);
}

/** A type name translated into a dialect's canonical spelling: `translateTypeName('uint64', 'clickhouse')` = 'UInt64'. */
export function translateTypeName(text: string, dialect: Dialect): string {
  return printType(parseType(text), dialect);
}

