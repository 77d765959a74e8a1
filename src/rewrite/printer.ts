// Prints the AST as SQL text in either dialect. Proton output reparses to the same tree; ClickHouse
// output is what the store runs. The dialects differ only through the `spellings` table below.
// Nodes with no ClickHouse spelling (EMIT, PARTITION BY, SHUFFLE BY) must be removed by rewrite
// passes first; printing them for ClickHouse is a LOGICAL_ERROR.
import { GatewayError, type Dialect } from '../errors.ts';
import { multiWord } from '../type-parser.ts';
import type { DataType, Emit, Expr, FunctionCall, Interval, JsonPath, Kind, MapLit, Node, StarTransformer, TypeArg } from './ast.ts';
import { binaryPrecedence, intervalShorthand, needsQuoting, precedence } from './parse-cursor.ts';
import { alias, printEmit, printJoin, printOrderItem, printSelect, printSetOperation, printTableRef, printWindowSpec } from './print-query.ts';

export type Print = (e: Expr, min?: number) => string;
/** What the query half of the printer (print-query.ts) needs from the printer. */
export type QueryPrinter = { readonly p: Print; readonly spelling: Spelling; node(n: Node): string };

/** Per-dialect spellings of the nodes the dialects write differently. */
export type Spelling = {
  interval: (node: Interval, p: Print) => string;
  map: (node: MapLit, p: Print) => string;
  jsonPath: (node: JsonPath, p: Print) => string;
  emit: (node: Emit, p: Print) => string;
  substreams: (clause: 'PARTITION BY' | 'SHUFFLE BY', items: string) => string;
};

const longInterval = (node: Interval, p: Print) => `INTERVAL ${p(node.value, precedence.postfix)} ${node.unit}`;
const noClickHouseSpelling = (what: string): never => {
  throw new GatewayError(49, `${what} has no ClickHouse spelling; a rewrite pass must remove it before printing`);
};

const spellings: Record<Dialect, Spelling> = {
  proton: {
    interval: (node, p) =>
      node.value.kind === 'number' && /^\d+$/.test(node.value.text) ? `${node.value.text}${intervalShorthand[node.unit]}` : longInterval(node, p),
    map: (node, p) => `{${node.entries.map((e) => `${p(e.key, e.key.kind === 'identifier' ? precedence.atom + 1 : 0)}: ${p(e.value)}`).join(', ')}}`,
    jsonPath: (node, p) => `${p(node.object, precedence.postfix)}:${node.path.map(identifier).join('.')}`,
    emit: printEmit,
    substreams: (clause, items) => `${clause} ${items}`,
  },
  clickhouse: {
    interval: longInterval,
    map: (node, p) => `map(${node.entries.flatMap((e) => [p(e.key), p(e.value)]).join(', ')})`,
    jsonPath: (node, p) => `JSON_VALUE(${p(node.object)}, ${string(`$.${node.path.map((s) => (needsQuoting(s) ? quote(s) : s)).join('.')}`)})`,
    emit: () => noClickHouseSpelling('EMIT'),
    substreams: (clause) => noClickHouseSpelling(clause),
  },
};

/** Prints a statement, query or expression. */
export function print(node: Node, dialect: Dialect): string {
  return new Printer(dialect).node(node);
}

const printedOnce = new WeakMap<Node, Partial<Record<Dialect, string>>>();

/**
 * Marks a shared, constant lambda (a module-level tree every query reuses, such as to_type_name's
 * renaming rules) so its text is printed once per dialect. Only lambdas are looked up.
 */
export function printOnce<T extends Extract<Node, { kind: 'lambda' }>>(lambda: T): T {
  printedOnce.set(lambda, {});
  return lambda;
}

/** A string literal that reads back as exactly `value`. */
export function string(value: string): string {
  return `'${escape(value, "'")}'`;
}

/** An identifier, backquoted when needed. */
export function identifier(name: string): string {
  return needsQuoting(name) ? quote(name) : name;
}

function quote(name: string): string {
  return `\`${escape(name, '`')}\``;
}

const controlEscapes: Readonly<Record<string, string>> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
const needsEscape: Readonly<Record<string, RegExp>> = { "'": /[\\'\x00-\x1f\x7f]/g, '`': /[\\`\x00-\x1f\x7f]/g };
const escapeChar = (ch: string): string =>
  controlEscapes[ch] ?? (ch < ' ' || ch === '\x7f' ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\${ch}`);

/** Backslash-escapes the quote, backslashes and control characters (one regular-expression pass). */
function escape(text: string, quoteChar: string): string {
  const pattern = needsEscape[quoteChar] as RegExp;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escapeChar) : text;
}

/** Binding strength of a printed expression (parenthesised when below what its position needs). */
function strength(e: Expr): number {
  switch (e.kind) {
    case 'alias': return precedence.alias;
    case 'lambda': return precedence.lambda;
    case 'ternary': return precedence.ternary;
    case 'unary': return e.op === 'NOT' ? precedence.not : precedence.unaryMinus;
    case 'binary': return binaryPrecedence[e.op];
    case 'between': return precedence.between;
    case 'is_null': return precedence.isNull;
    case 'number': return e.text.startsWith('-') ? precedence.unaryMinus : precedence.atom;
    case 'subscript': case 'element': case 'json_path': return precedence.postfix;
    default: return precedence.atom;
  }
}

type Handlers = { [K in Kind]: (node: Extract<Node, { kind: K }>) => string };

class Printer {
  readonly spelling: Spelling;
  readonly handlers: Handlers;
  readonly p: Print = (e, min = 0) => {
    const text = this.node(e);
    return strength(e) < min ? `(${text})` : text;
  };

  constructor(dialect: Dialect) {
    this.spelling = spellings[dialect];
    const p = this.p;
    const list = (items: readonly Expr[]) => items.map((e) => p(e)).join(', ');
    this.handlers = {
      number: (n) => n.text,
      string: (n) => string(n.value),
      null: () => 'NULL',
      bool: (n) => (n.value ? 'true' : 'false'),
      array: (n) => `[${list(n.items)}]`,
      tuple: (n) => (n.items.length === 1 ? `(${list(n.items)},)` : `(${list(n.items)})`),
      map: (n) => this.spelling.map(n, p),
      interval: (n) => this.spelling.interval(n, p),
      identifier: (n) => n.parts.map(identifier).join('.'),
      param: (n) => `{${n.name}:${n.type}}`,
      star: (n) => {
        const except = n.except.length > 0 ? ` EXCEPT (${n.except.map(identifier).join(', ')})` : '';
        return `${qualified(n.qualifier)}*${except}${this.transformers(n.transformers ?? [])}`;
      },
      columns: (n) => {
        const inner = n.regexp !== null ? string(n.regexp) : n.names.map(identifier).join(', ');
        return `${qualified(n.qualifier)}COLUMNS(${inner})${this.transformers(n.transformers)}`;
      },
      star_except: (n) => `EXCEPT (${n.names.map(identifier).join(', ')})`,
      star_replace: (n) => `REPLACE (${list(n.items)})`,
      star_apply: (n) => `APPLY(${p(n.fn)})`,
      json_path: (n) => this.spelling.jsonPath(n, p),
      subscript: (n) => `${p(n.object, precedence.postfix)}[${p(n.index)}]`,
      element: (n) => `${n.object.kind === 'number' ? `(${n.object.text})` : p(n.object, precedence.postfix)}.${n.index}`,
      cast: (n) => `CAST(${p(n.expr)} AS ${this.node(n.type)})`,
      function: (n) => this.call(n),
      window_spec: (n) => printWindowSpec(n, this),
      extract: (n) => `EXTRACT(${n.unit} FROM ${p(n.expr)})`,
      trim: (n) => `trim(${n.side} ${p(n.chars)} FROM ${p(n.expr)})`,
      typed_literal: (n) => `${n.type} ${string(n.value)}`,
      quantified: (n) => `${n.quantifier} (${this.node(n.query)})`,
      lambda: (n) => {
        const memo = printedOnce.get(n);
        const cached = memo?.[dialect];
        if (cached !== undefined) return cached;
        const text = `${n.params.length === 1 ? identifier(n.params[0] as string) : `(${n.params.map(identifier).join(', ')})`} -> ${p(n.body)}`;
        if (memo !== undefined) memo[dialect] = text;
        return text;
      },
      unary: (n) => {
        if (n.op === 'NOT') return `NOT ${p(n.operand, precedence.not)}`;
        const o = n.operand;
        const wrap = o.kind === 'number' || (o.kind === 'unary' && o.op === '-');
        return `-${wrap ? `(${this.node(o)})` : p(o, precedence.unaryMinus)}`;
      },
      binary: (n) => {
        const prec = binaryPrecedence[n.op];
        return `${p(n.left, prec)} ${n.op} ${p(n.right, prec + 1)}`;
      },
      is_null: (n) => `${p(n.expr, precedence.isNull)} IS ${n.not ? 'NOT ' : ''}NULL`,
      between: (n) =>
        `${p(n.expr, precedence.between)} ${n.not ? 'NOT ' : ''}BETWEEN ${p(n.low, precedence.between + 1)} AND ${p(n.high, precedence.between + 1)}`,
      case: (n) =>
        `CASE ${n.operand === null ? '' : `${p(n.operand)} `}${n.whens.map((w) => `WHEN ${p(w.when)} THEN ${p(w.then)}`).join(' ')}${n.else === null ? '' : ` ELSE ${p(n.else)}`} END`,
      // ClickHouse cannot read a bare ternary in the else branch (`a ? b : c ? d : e`), so it is bracketed.
      ternary: (n) => `${p(n.cond, precedence.ternary + 1)} ? ${p(n.then, precedence.ternary)} : ${p(n.else, precedence.ternary + 1)}`,
      subquery: (n) => `(${this.node(n.query)})`,
      alias: (n) => `${p(n.expr, precedence.lambda)} AS ${identifier(n.name)}`,
      type: (n) => this.type(n),
      named_type: (n) => `${identifier(n.name)} ${this.type(n.type)}`,
      enum_entry: (n) => `${string(n.name)} = ${n.value.text}`,
      table_ref: (n) => printTableRef(n, this),
      table_function: (n) => `${this.node(n.call)}${alias(n.alias)}`,
      table_subquery: (n) => `(${this.node(n.query)})${alias(n.alias)}`,
      join: (n) => printJoin(n, this),
      order_item: (n) => printOrderItem(n, p),
      setting: (n) => `${identifier(n.name)} = ${p(n.value)}`,
      cte: (n) => `${identifier(n.name)} AS (${this.node(n.query)})`,
      with_expr: (n) => `${p(n.expr, precedence.lambda)} AS ${identifier(n.name)}`,
      emit: (n) => this.spelling.emit(n, p),
      select: (n) => printSelect(n, this),
      set_operation: (n) => printSetOperation(n, this),
      select_statement: (n) => `${this.node(n.query)}${n.format === null ? '' : ` FORMAT ${identifier(n.format)}`}`,
    };
  }

  node(n: Node): string {
    return (this.handlers[n.kind] as (x: Node) => string)(n);
  }

  type(t: DataType): string {
    const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.name) || isMultiWord(t.name) ? t.name : quote(t.name);
    return t.args.length === 0 ? name : `${name}(${t.args.map((a: TypeArg) => this.node(a)).join(', ')})`;
  }

  call(n: FunctionCall): string {
    const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(n.name) && !['NOT', 'CASE', 'INTERVAL'].includes(n.name.toUpperCase()) ? n.name : quote(n.name);
    const list = (items: readonly Expr[]) => items.map((e) => this.p(e)).join(', ');
    const params = n.params === null ? '' : `(${list(n.params)})`;
    const filter = n.filter ? ` FILTER (WHERE ${this.p(n.filter)})` : '';
    const nulls = n.nulls ? ` ${n.nulls} NULLS` : '';
    const over = !n.over ? '' : isBareName(n.over) ? ` OVER ${identifier(n.over.base as string)}` : ` OVER (${this.node(n.over)})`;
    return `${name}${params}(${n.distinct ? 'DISTINCT ' : ''}${list(n.args)})${filter}${nulls}${over}`;
  }

  transformers(items: readonly StarTransformer[]): string {
    return items.map((t) => ` ${this.node(t)}`).join('');
  }
}

function qualified(parts: readonly string[]): string {
  return parts.map((q) => `${identifier(q)}.`).join('');
}

function isBareName(w: NonNullable<FunctionCall['over']>): boolean {
  return w.base !== null && w.partitionBy.length === 0 && w.orderBy.length === 0 && w.frame === null;
}

/** `DOUBLE PRECISION`, `CHAR VARYING`, … (src/type-parser.ts `multiWord`): printed as written. */
function isMultiWord(name: string): boolean {
  const [first, ...rest] = name.toUpperCase().split(' ');
  return rest.length > 0 && (multiWord[first as string] ?? []).some((run) => run.join(' ') === rest.join(' '));
}
