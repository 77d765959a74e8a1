// Type names → DataType: either spelling, ClickHouse's grammar, argument checks and error codes.
import { GatewayError, type Dialect } from './errors.ts';
import {
  compareBytes, dispatch, fail, familyOf, printType, quoteString, TypeErrorCode, WITH_DICTIONARY,
  type ByKind, type DataType, type EnumValue, type Family, type GeoShape, type IntBits, type IntervalUnit,
  type NamedType, type OpaqueArgument, type TypeKind,
} from './types.ts';

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

// ---------------------------------------------------------------------------------------------
// Building: syntax tree → DataType, with ClickHouse's argument checks and messages.

export type Builder = (node: TypeSyntax, family: Family) => DataType;

export const argsOf = (node: TypeSyntax): readonly Arg[] => node.args ?? [];

/** An integer literal's value, or undefined (floats, strings, …). */
export function integerOf(literal: Literal | undefined): bigint | undefined {
  if (literal?.t !== 'number') return undefined;
  const negative = literal.text.startsWith('-');
  const digits = negative ? literal.text.slice(1) : literal.text;
  if (!/^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.test(digits)) return undefined;
  const value = BigInt(digits);
  return negative ? -value : value;
}
export const unsignedOf = (arg: Arg | undefined): number | undefined => {
  const value = integerOf(arg?.t === 'literal' ? arg.value : undefined);
  return value !== undefined && value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
};
export const stringOf = (arg: Arg | undefined): string | undefined =>
  arg?.t === 'literal' && arg.value.t === 'string' ? arg.value.value : undefined;

export function literalText(literal: Literal): string {
  switch (literal.t) {
    case 'string': return quoteString(literal.value);
    case 'null': return 'NULL';
    case 'bool': return String(literal.value);
    case 'number': return integerOf(literal)?.toString() ?? String(Number(literal.text));
    case 'array': return `[${literal.items.map(literalText).join(', ')}]`;
  }
}

export const simple = (type: DataType): Builder => (node, family) => {
  if (argsOf(node).length > 0) fail('DATA_TYPE_CANNOT_HAVE_ARGUMENTS', `Data type ${family} cannot have arguments`);
  return type;
};

export const integer = (signed: boolean, bits: IntBits): Builder => (node, family) => {
  if (argsOf(node).length > 1) {
    fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', `${family} data type family must not have more than one argument - display width`);
  }
  return { kind: 'int', signed, bits };
};

export const float = (bits: 32 | 64): Builder => (node, family) => {
  if (argsOf(node).length > 2) {
    fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', `${family} data type family must not have more than two arguments - total number of digits and number of digits following the decimal point`);
  }
  return { kind: 'float', bits };
};

export const typeArgs = (node: TypeSyntax): DataType[] =>
  argsOf(node).map((arg) => (arg.t === 'type' ? build(arg.type) : fail('UNEXPECTED_AST_STRUCTURE', `Unexpected argument of data type ${node.name}`)));

export function oneType(node: TypeSyntax, message: string): DataType {
  const args = argsOf(node);
  if (args.length !== 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', message);
  return typeArgs(node)[0] as DataType;
}

export function decimal(precision: number, scale: number): DataType {
  if (precision < 1 || precision > 76) fail('ARGUMENT_OUT_OF_BOUND', `Wrong precision: it must be between 1 and 76, got ${precision}`);
  if (scale < 0 || scale > precision) fail('ARGUMENT_OUT_OF_BOUND', 'Negative scales and scales larger than precision are not supported');
  return { kind: 'decimal', precision, scale };
}

export const buildDecimal: Builder = (node) => {
  const args = argsOf(node);
  if (args.length > 2) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'Decimal data type family must have precision and optional scale arguments');
  const [p, s] = [unsignedOf(args[0]), unsignedOf(args[1])];
  if (args.length > 0 && p === undefined) fail('ILLEGAL_TYPE_OF_ARGUMENT', 'Decimal argument precision is invalid');
  if (args.length > 1 && s === undefined) fail('ILLEGAL_TYPE_OF_ARGUMENT', 'Decimal argument scale is invalid');
  return decimal(p ?? 10, s ?? 0);
};

export const fixedDecimal = (precision: number): Builder => (node) => {
  const args = argsOf(node);
  if (args.length !== 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'Decimal32 | Decimal64 | Decimal128 | Decimal256 data type family must have exactly one arguments: scale');
  const scale = unsignedOf(args[0]) ?? fail('ILLEGAL_TYPE_OF_ARGUMENT', 'Decimal data type family must have a two numbers as its arguments');
  return decimal(precision, scale);
};

export const buildString: Builder = (node) => {
  const args = argsOf(node);
  if (args.length > 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', "String data type family mustn't have more than one argument - size in characters");
  if (args.length === 1 && unsignedOf(args[0]) === undefined) fail('UNEXPECTED_AST_STRUCTURE', 'String data type family may have only a number (positive integer) as its argument');
  return { kind: 'string' };
};

export const buildFixedString: Builder = (node) => {
  const args = argsOf(node);
  if (args.length !== 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'FixedString data type family must have exactly one argument - size in bytes');
  const length = unsignedOf(args[0]);
  if (length === undefined || length === 0) fail('UNEXPECTED_AST_STRUCTURE', 'FixedString data type family must have a number (positive integer) as its argument');
  if ((length as number) > 0xffffff) fail('ARGUMENT_OUT_OF_BOUND', 'FixedString size is too large');
  return { kind: 'fixedString', length: length as number };
};

export function scaleOf(arg: Arg | undefined, family: string, max: number, code: 'ARGUMENT_OUT_OF_BOUND' | 'BAD_ARGUMENTS'): number {
  const scale = unsignedOf(arg);
  if (scale === undefined) {
    const got = arg?.t === 'literal' ? (arg.value.t === 'number' ? 'Int64' : 'String') : 'AST';
    return fail('ILLEGAL_TYPE_OF_ARGUMENT', `Parameter #0 'scale' for ${family} has wrong type: ${got}, expected UInt64 literal`);
  }
  if (scale > max) {
    fail(code, code === 'BAD_ARGUMENTS'
      ? `DataTypeTime64 scale ${scale} is too large, maximum is ${max}`
      : `Scale ${scale} is too large for ${family}. Maximum is up to nanoseconds (9)`);
  }
  return scale;
}

export const dateTime64 = (scale: number, timeZone: string | null): DataType => ({ kind: 'dateTime64', scale, timeZone });

/** DateTime, DateTime('tz'), and ClickHouse's/Proton's `DateTime(p[, 'tz'])` = DateTime64 when p > 0. */
export const buildDateTime: Builder = (node) => {
  const args = argsOf(node);
  if (args.length === 0) return { kind: 'dateTime', timeZone: null };
  const scale = unsignedOf(args[0]);
  const timeZone = stringOf(args[scale === undefined ? 0 : 1]) ?? null;
  if (scale === undefined && timeZone === null) {
    fail('ILLEGAL_TYPE_OF_ARGUMENT', "Parameter #0 'scale' for DateTime has wrong type, expected UInt64 literal");
  }
  if (scale !== undefined && scale > 0) return dateTime64(scaleOf(args[0], 'DateTime64', 9, 'ARGUMENT_OUT_OF_BOUND'), timeZone);
  return { kind: 'dateTime', timeZone };
};

export const buildDateTime32: Builder = (node) => {
  const args = argsOf(node);
  if (args.length === 0) return { kind: 'dateTime', timeZone: null };
  if (args.length !== 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'DateTime32 data type can optionally have only one argument - time zone name');
  const timeZone = stringOf(args[0]) ?? fail('ILLEGAL_TYPE_OF_ARGUMENT', "Parameter #0 'timezone' for DateTime32 has wrong type, expected String literal");
  return { kind: 'dateTime', timeZone };
};

export const buildDateTime64: Builder = (node) => {
  const args = argsOf(node);
  if (args.length === 0) return dateTime64(3, null);
  if (args.length > 2) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'DateTime64 data type can optionally have two argument - scale and time zone name');
  return dateTime64(scaleOf(args[0], 'DateTime64', 9, 'ARGUMENT_OUT_OF_BOUND'), stringOf(args[1]) ?? null);
};

export const buildTime = (defaultScale: number | null): Builder => (node, family) => {
  const args = argsOf(node);
  if (args.some((arg) => stringOf(arg) !== undefined)) fail('ILLEGAL_TYPE_OF_ARGUMENT', `Specifying timezone for ${family} type is not allowed`);
  if (args.length > 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', `${family} data type can optionally have only one argument - scale`);
  if (args.length === 0) return defaultScale === null ? { kind: 'time' } : { kind: 'time64', scale: defaultScale };
  const scale = scaleOf(args[0], family, 9, 'BAD_ARGUMENTS');
  return defaultScale === null && scale === 0 ? { kind: 'time' } : { kind: 'time64', scale };
};

/**
 * Enum elements `'name' = n` or `'name'`. As in ClickHouse's autoAssignNumberForEnum, all, none or
 * all but one may lack a number; the k-th unnumbered one gets base + k, base being the first
 * element's number if it has one, else 0.
 */
export function enumValues(node: TypeSyntax): EnumValue[] {
  const args = argsOf(node);
  if (args.length === 0) fail('EMPTY_DATA_PASSED', 'Enum data type cannot be empty');
  const shape = "Elements of Enum data type must be of form: 'name' = number or 'name', where name is string literal and number is an integer";
  const unnumbered = args.filter((arg) => arg.t !== 'equals').length;
  if (unnumbered !== 0 && unnumbered !== args.length && unnumbered !== args.length - 1) fail('UNEXPECTED_AST_STRUCTURE', `All elements of Enum data type${shape.slice('Elements of Enum data type'.length)}`);
  const first = args[0];
  const base = first?.t === 'equals' ? integerOf(first.operands[1]) ?? 0n : 0n;
  let assigned = 0n;
  return args.map((arg) => {
    const [nameLiteral, valueLiteral] = arg.t === 'equals' ? arg.operands : arg.t === 'literal' ? [arg.value] : [];
    const value = arg.t === 'equals' ? integerOf(valueLiteral) : base + ++assigned;
    if ((arg.t === 'equals' && arg.operands.length !== 2) || nameLiteral?.t !== 'string' || value === undefined) {
      return fail('UNEXPECTED_AST_STRUCTURE', shape);
    }
    if (value > 32767n || value < -32768n) fail('ARGUMENT_OUT_OF_BOUND', `Value ${value} for element '${nameLiteral.value}' exceeds range of Enum16`);
    return { name: nameLiteral.value, value: Number(value) };
  });
}

export const buildEnum = (bits: 8 | 16 | null): Builder => (node) => {
  const values = enumValues(node);
  const fits8 = values.every(({ value }) => value >= -128 && value <= 127);
  const width = bits ?? (fits8 ? 8 : 16);
  const outside = width === 8 ? values.find(({ value }) => value < -128 || value > 127) : undefined;
  if (outside) fail('ARGUMENT_OUT_OF_BOUND', `Value ${outside.value} for element '${outside.name}' exceeds range of Enum8`);
  const byName = new Map<string, number>();
  const byValue = new Map<number, string>();
  for (const { name, value } of values) {
    const other = byName.get(name);
    if (other !== undefined) fail('SYNTAX_ERROR', `Duplicate names in enum: '${name}' = ${other} and ${value}`);
    const otherName = byValue.get(value);
    if (otherName !== undefined) fail('SYNTAX_ERROR', `Duplicate values in enum: '${name}' = ${value} and '${otherName}'`);
    byName.set(name, value);
    byValue.set(value, name);
  }
  return { kind: 'enum', bits: width, values: [...values].sort((a, b) => a.value - b.value) };
};

/** ClickHouse's canBeInsideNullable, for the families modelled here. */
export const canBeInsideNullable: ByKind<boolean> = {
  int: () => true, float: () => true, bfloat16: () => true, decimal: () => true, bool: () => true, string: () => true,
  fixedString: () => true, uuid: () => true, date: () => true, date32: () => true, dateTime: () => true,
  dateTime64: () => true, time: () => true, time64: () => true, ipv4: () => true, ipv6: () => true, enum: () => true,
  nothing: () => true, interval: () => true, tuple: () => true, json: () => true, opaque: () => true,
  geo: (t) => t.shape === 'Point',
  simpleAggregateFunction: (t) => t.arguments.length === 1 && dispatch(t.arguments[0] as DataType, canBeInsideNullable),
  nullable: () => false, lowCardinality: () => false, array: () => false, map: () => false, nested: () => false,
  variant: () => false, dynamic: () => false, aggregateFunction: () => false,
};

/** What LowCardinality may wrap: numbers, strings, Date/Date32/DateTime, UUID, IPs, Bool, Interval, Time. */
export const lowCardinalityKinds: ReadonlySet<TypeKind> = new Set<TypeKind>([
  'int', 'float', 'bfloat16', 'bool', 'string', 'fixedString', 'uuid', 'date', 'date32', 'dateTime', 'time', 'ipv4', 'ipv6', 'interval',
]);

export const buildNullable: Builder = (node) => {
  const inner = oneType(node, 'Nullable data type family must have exactly one argument - nested type');
  if (!dispatch(inner, canBeInsideNullable)) {
    fail('ILLEGAL_TYPE_OF_ARGUMENT', `Nested type ${printType(inner, 'clickhouse')} cannot be inside Nullable type`);
  }
  return { kind: 'nullable', inner };
};

export const buildLowCardinality: Builder = (node) => {
  const inner = oneType(node, 'LowCardinality data type family must have single argument - type of elements');
  const base = inner.kind === 'nullable' ? inner.inner : inner;
  if (!lowCardinalityKinds.has(base.kind)) {
    fail('ILLEGAL_TYPE_OF_ARGUMENT', `DataTypeLowCardinality is supported only for numbers, strings, Date or DateTime, but got ${printType(inner, 'clickhouse')}`);
  }
  return { kind: 'lowCardinality', inner };
};

export const buildMap: Builder = (node) => {
  const args = typeArgs(node);
  if (args.length !== 2) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'Map data type family must have two arguments: key and value types');
  const [key, value] = args as [DataType, DataType];
  if (key.kind === 'nullable' || (key.kind === 'lowCardinality' && key.inner.kind === 'nullable')) {
    fail('BAD_ARGUMENTS', `Map cannot have a key of type ${printType(key, 'clickhouse')}`);
  }
  return { kind: 'map', key, value };
};

export function uniqueNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === 'null') fail('BAD_ARGUMENTS', "Tuple element name 'null' is reserved because it would conflict with the subcolumn name used for Nullable null maps if such a tuple is wrapped in Nullable. Please use a different name");
    if (seen.has(name)) fail('DUPLICATE_COLUMN', `Names of tuple elements must be unique. Duplicate name: ${name}`);
    seen.add(name);
  }
}

export function namedField(arg: Arg): NamedType {
  if (arg.t !== 'pair') return fail('SYNTAX_ERROR', 'Syntax error (data type): expected a name and type pair');
  return { name: arg.name, type: build(arg.type) };
}

export const buildTuple: Builder = (node) => {
  const args = argsOf(node);
  const named = args.filter((arg) => arg.t === 'pair').length;
  if (named > 0 && named < args.length) fail('BAD_ARGUMENTS', 'Names are specified not for all elements of Tuple type');
  if (named === 0) return { kind: 'tuple', elements: typeArgs(node), names: null };
  const fields = args.map(namedField);
  uniqueNames(fields.map((f) => f.name));
  return { kind: 'tuple', elements: fields.map((f) => f.type), names: fields.map((f) => f.name) };
};

export const buildNested: Builder = (node) => {
  const fields = argsOf(node).map(namedField);
  if (fields.length === 0) fail('EMPTY_DATA_PASSED', 'Nested cannot be empty');
  uniqueNames(fields.map((f) => f.name));
  return { kind: 'nested', fields };
};

export const buildVariant: Builder = (node) => {
  const byName = new Map<string, DataType>();
  for (const type of typeArgs(node)) {
    if (type.kind === 'nullable' || (type.kind === 'lowCardinality' && type.inner.kind === 'nullable')) {
      fail('BAD_ARGUMENTS', 'Nullable/LowCardinality(Nullable) types are not allowed inside Variant type');
    }
    if (type.kind === 'variant') fail('BAD_ARGUMENTS', 'Nested Variant types are not allowed');
    if (type.kind === 'dynamic') fail('BAD_ARGUMENTS', 'Dynamic type is not allowed inside Variant type');
    if (type.kind !== 'nothing') byName.set(printType(type, 'clickhouse'), type);
  }
  if (byName.size === 0) fail('BAD_ARGUMENTS', 'Variant type should have at least one nested type');
  return { kind: 'variant', variants: [...byName].sort(([a], [b]) => compareBytes(a, b)).map(([, type]) => type) };
};


export const DEFAULT_MAX_DYNAMIC_TYPES = 32;
export const DEFAULT_MAX_DYNAMIC_PATHS = 1024;
export const MAX_DYNAMIC_TYPES_LIMIT = 254;

export const buildDynamic: Builder = (node) => {
  const args = argsOf(node);
  if (args.length === 0) return { kind: 'dynamic', maxTypes: null };
  if (args.length > 1) fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', "Dynamic data type can have only one optional argument - the maximum number of dynamic types in a form 'Dynamic(max_types=N)");
  const arg = args[0] as Arg;
  if (arg.t !== 'setting' || arg.name !== 'max_types') {
    return fail('UNEXPECTED_AST_STRUCTURE', "Dynamic data type argument should be in a form 'max_types=N'");
  }
  const maxTypes = integerOf(arg.value);
  if (maxTypes === undefined || maxTypes < 0n || maxTypes > BigInt(MAX_DYNAMIC_TYPES_LIMIT)) {
    fail('UNEXPECTED_AST_STRUCTURE', `'max_types' argument for Dynamic type should be a positive integer between 0 and ${MAX_DYNAMIC_TYPES_LIMIT}`);
  }
  return { kind: 'dynamic', maxTypes: Number(maxTypes) === DEFAULT_MAX_DYNAMIC_TYPES ? null : Number(maxTypes) };
};

export function jsonSetting(name: string, value: Literal): [key: 'maxDynamicTypes' | 'maxDynamicPaths', value: number | null] {
  const n = integerOf(value);
  if (name === 'max_dynamic_types') {
    if (n === undefined || n < 0n || n > BigInt(MAX_DYNAMIC_TYPES_LIMIT)) {
      fail('UNEXPECTED_AST_STRUCTURE', `'max_dynamic_types' parameter for JSON type should be a positive integer between 0 and ${MAX_DYNAMIC_TYPES_LIMIT}. Got ${literalText(value)}`);
    }
    return ['maxDynamicTypes', Number(n) === DEFAULT_MAX_DYNAMIC_TYPES ? null : Number(n)];
  }
  if (name === 'max_dynamic_paths') {
    if (n === undefined || n < 0n) fail('UNEXPECTED_AST_STRUCTURE', `'max_dynamic_paths' parameter for JSON type should be a positive integer. Got ${literalText(value)}`);
    return ['maxDynamicPaths', Number(n) === DEFAULT_MAX_DYNAMIC_PATHS ? null : Number(n)];
  }
  return fail('UNEXPECTED_AST_STRUCTURE', `Unexpected parameter in JSON type arguments: ${name}. Expected 'max_dynamic_types' or \`max_dynamic_paths\``);
}

export const buildJson: Builder = (node) => {
  const limits = { maxDynamicTypes: null as number | null, maxDynamicPaths: null as number | null };
  const typedPaths: NamedType[] = [];
  const skipPaths: string[] = [];
  const skipRegexps: string[] = [];
  for (const arg of argsOf(node)) {
    if (arg.t === 'setting') {
      const [key, value] = jsonSetting(arg.name, arg.value);
      limits[key] = value;
    } else if (arg.t === 'pair') {
      if (typedPaths.some((p) => p.name === arg.name)) fail('BAD_ARGUMENTS', `Found duplicated path with type: ${arg.name}`);
      typedPaths.push({ name: arg.name, type: build(arg.type) });
    } else if (arg.t === 'skip') skipPaths.push(arg.path);
    else if (arg.t === 'skipRegexp') skipRegexps.push(arg.pattern);
  }
  const byName = (a: NamedType, b: NamedType): number => compareBytes(a.name, b.name);
  return {
    kind: 'json', ...limits, typedPaths: typedPaths.sort(byName), skipPaths: skipPaths.sort(compareBytes), skipRegexps: skipRegexps.sort(compareBytes),
  };
};

/** Aggregate functions whose state is versioned, default version 1 (AggregateFunctionSumMap), unless given a Map. */
export const versionedAggregates = new Set(['sumMap', 'minMap', 'maxMap', 'sumMapWithOverflow', 'sumMapFiltered', 'sumMapFilteredWithOverflow']);
/** Combinators that keep the nested function's state version, stripped from the end of a name. */
export const combinators = /(?:If|Array|ForEach|Distinct|OrNull|OrDefault|Resample)$/;

export function defaultVersion(name: string, args: readonly DataType[]): number {
  let base = name;
  while (!versionedAggregates.has(base) && combinators.test(base)) base = base.replace(combinators, '');
  return versionedAggregates.has(base) && args[0]?.kind !== 'map' ? 1 : 0;
}

export const buildAggregate = (simpleFunction: boolean): Builder => (node, family) => {
  const args = [...argsOf(node)];
  const version = !simpleFunction && args[0]?.t === 'literal' ? unsignedOf(args.shift()) : undefined;
  const head = args.shift();
  if (head === undefined || (simpleFunction && args.length === 0)) {
    fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', `Data type ${family} requires parameters: ${simpleFunction ? '' : 'version(optionally), '}name of aggregate function and list of data types for arguments`);
  }
  if (head?.t !== 'function') {
    return fail('BAD_ARGUMENTS', `Unexpected AST element passed as aggregate function name for data type ${family}. Must be identifier or function.`);
  }
  const rest = { ...node, args };
  const common = { function: head.name, parameters: (head.parameters ?? []).map(literalText), arguments: typeArgs(rest) };
  if (simpleFunction) return { kind: 'simpleAggregateFunction', ...common };
  return { kind: 'aggregateFunction', version: version ?? defaultVersion(head.name, common.arguments), ...common };
};

/** Object('schema') is accepted for older servers (ClickHouse 26.7 no longer knows it); QBit(T, n) is kept as text. */
export const buildOpaque = (family: 'Object' | 'QBit'): Builder => (node) => ({
  kind: 'opaque',
  family,
  arguments: (family === 'Object' && (node.args?.length !== 1 || stringOf(node.args[0]) === undefined)
    ? fail('NUMBER_OF_ARGUMENTS_DOESNT_MATCH', 'Object data type family must have one argument - name of schema')
    : node.args)?.map((arg): OpaqueArgument => {
    if (arg.t === 'type') return { type: build(arg.type) };
    if (arg.t === 'literal') return { literal: literalText(arg.value) };
    return fail('UNEXPECTED_AST_STRUCTURE', `Unexpected argument of data type ${family}`);
  }) ?? null,
});

export const interval = (unit: IntervalUnit): Builder => simple({ kind: 'interval', unit });
export const geo = (shape: GeoShape): Builder => simple({ kind: 'geo', shape });

export const builders: Readonly<Record<Family, Builder>> = {
  Int8: integer(true, 8), Int16: integer(true, 16), Int32: integer(true, 32), Int64: integer(true, 64),
  Int128: integer(true, 128), Int256: integer(true, 256),
  UInt8: integer(false, 8), UInt16: integer(false, 16), UInt32: integer(false, 32), UInt64: integer(false, 64),
  UInt128: integer(false, 128), UInt256: integer(false, 256),
  Float32: float(32), Float64: float(64), BFloat16: simple({ kind: 'bfloat16' }),
  Decimal: buildDecimal, Decimal32: fixedDecimal(9), Decimal64: fixedDecimal(18), Decimal128: fixedDecimal(38), Decimal256: fixedDecimal(76),
  Bool: simple({ kind: 'bool' }), String: buildString, FixedString: buildFixedString, UUID: simple({ kind: 'uuid' }),
  Date: simple({ kind: 'date' }), Date32: simple({ kind: 'date32' }),
  DateTime: buildDateTime, DateTime32: buildDateTime32, DateTime64: buildDateTime64,
  Time: buildTime(null), Time64: buildTime(3), IPv4: simple({ kind: 'ipv4' }), IPv6: simple({ kind: 'ipv6' }),
  Enum: buildEnum(null), Enum8: buildEnum(8), Enum16: buildEnum(16),
  Nullable: buildNullable, LowCardinality: buildLowCardinality,
  Array: (node) => ({ kind: 'array', element: oneType(node, 'Array data type family must have exactly one argument - type of elements') }),
  Map: buildMap, Tuple: buildTuple, Nested: buildNested, Nothing: simple({ kind: 'nothing' }),
  IntervalNanosecond: interval('Nanosecond'), IntervalMicrosecond: interval('Microsecond'), IntervalMillisecond: interval('Millisecond'),
  IntervalSecond: interval('Second'), IntervalMinute: interval('Minute'), IntervalHour: interval('Hour'), IntervalDay: interval('Day'),
  IntervalWeek: interval('Week'), IntervalMonth: interval('Month'), IntervalQuarter: interval('Quarter'), IntervalYear: interval('Year'),
  Point: geo('Point'), Ring: geo('Ring'), LineString: geo('LineString'), MultiLineString: geo('MultiLineString'),
  Polygon: geo('Polygon'), MultiPolygon: geo('MultiPolygon'), Geometry: geo('Geometry'),
  JSON: buildJson, Dynamic: buildDynamic, Variant: buildVariant,
  AggregateFunction: buildAggregate(false), SimpleAggregateFunction: buildAggregate(true),
  Object: buildOpaque('Object'), QBit: buildOpaque('QBit'),
};

export function build(node: TypeSyntax): DataType {
  const family = familyOf(node.name);
  if (family !== undefined) return builders[family](node, family);
  if (node.name.endsWith(WITH_DICTIONARY) && node.name.length > WITH_DICTIONARY.length) {
    const inner = { name: node.name.slice(0, -WITH_DICTIONARY.length), args: node.args };
    return buildLowCardinality({ name: 'LowCardinality', args: [{ t: 'type', type: inner }] }, 'LowCardinality');
  }
  return fail('UNKNOWN_TYPE', `Unknown data type family: ${node.name}`);
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
