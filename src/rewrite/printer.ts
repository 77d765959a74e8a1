// Prints the AST as SQL text in either dialect. Proton output reparses to the same tree; ClickHouse
// output is what the store runs. The dialects differ only through the `spellings` table below.
// Nodes with no ClickHouse spelling (EMIT, PARTITION BY, SHUFFLE BY) must be removed by rewrite
// passes first; printing them for ClickHouse is a LOGICAL_ERROR.
import { GatewayError, type Dialect } from '../errors.ts';
import type {
  DataType, Emit, Expr, Interval, JsonPath, Kind, MapLit, Node, Query, Select, TableExpr, TypeArg, WithItem,
} from './ast.ts';
import { binaryPrecedence, intervalShorthand, needsQuoting, precedence } from './parse-cursor.ts';

type Print = (e: Expr, min?: number) => string;

/** Per-dialect spellings of the nodes the dialects write differently. */
type Spelling = {
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
function escape(text: string, quoteChar: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\' || ch === quoteChar) out += `\\${ch}`;
    else if (controlEscapes[ch] !== undefined) out += controlEscapes[ch];
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
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
      star: (n) =>
        `${n.qualifier.map((q) => `${identifier(q)}.`).join('')}*${n.except.length > 0 ? ` EXCEPT (${n.except.map(identifier).join(', ')})` : ''}`,
      json_path: (n) => this.spelling.jsonPath(n, p),
      subscript: (n) => `${p(n.object, precedence.postfix)}[${p(n.index)}]`,
      element: (n) => `${n.object.kind === 'number' ? `(${n.object.text})` : p(n.object, precedence.postfix)}.${n.index}`,
      cast: (n) => `CAST(${p(n.expr)} AS ${this.node(n.type)})`,
      function: (n) => {
        const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(n.name) && !['NOT', 'CASE', 'INTERVAL'].includes(n.name.toUpperCase()) ? n.name : quote(n.name);
        const params = n.params === null ? '' : `(${list(n.params)})`;
        return `${name}${params}(${n.distinct ? 'DISTINCT ' : ''}${list(n.args)})`;
      },
      lambda: (n) => `${n.params.length === 1 ? identifier(n.params[0] as string) : `(${n.params.map(identifier).join(', ')})`} -> ${p(n.body)}`,
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
      table_ref: (n) => `${this.node(n.name)}${alias(n.alias)}`,
      table_function: (n) => `${this.node(n.call)}${alias(n.alias)}`,
      table_subquery: (n) => `(${this.node(n.query)})${alias(n.alias)}`,
      join: (n) => this.join(n),
      order_item: (n) => `${p(n.expr)}${n.direction === null ? '' : ` ${n.direction}`}${n.nulls === null ? '' : ` NULLS ${n.nulls}`}`,
      setting: (n) => `${identifier(n.name)} = ${p(n.value)}`,
      cte: (n) => `${identifier(n.name)} AS (${this.node(n.query)})`,
      with_expr: (n) => `${p(n.expr, precedence.lambda)} AS ${identifier(n.name)}`,
      emit: (n) => this.spelling.emit(n, p),
      select: (n) => this.select(n),
      union: (n) => `${this.operand(n.left, false)} UNION ${n.mode} ${this.operand(n.right, true)}`,
      select_statement: (n) => `${this.node(n.query)}${n.format === null ? '' : ` FORMAT ${identifier(n.format)}`}`,
    };
  }

  node(n: Node): string {
    return (this.handlers[n.kind] as (x: Node) => string)(n);
  }

  type(t: DataType): string {
    const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.name) ? t.name : quote(t.name);
    return t.args.length === 0 ? name : `${name}(${t.args.map((a: TypeArg) => this.node(a)).join(', ')})`;
  }

  /** A union's right operand is parenthesised only when it is itself a union (unions nest leftwards). */
  operand(q: Query, right: boolean): string {
    return right && q.kind === 'union' ? `(${this.node(q)})` : this.node(q);
  }

  join(n: Extract<TableExpr, { kind: 'join' }>): string {
    const right = n.right.kind === 'join' ? `(${this.node(n.right)})` : this.node(n.right);
    if (n.comma) return `${this.node(n.left)}, ${right}`;
    const words = [n.strictness, n.joinKind, 'JOIN'].filter((w) => w !== null).join(' ');
    const cond = n.on !== null ? ` ON ${this.p(n.on)}` : n.using !== null ? ` USING (${n.using.map(identifier).join(', ')})` : '';
    return `${this.node(n.left)} ${words} ${right}${cond}`;
  }

  select(s: Select): string {
    const p = this.p;
    const exprs = (items: readonly Expr[]) => items.map((e) => p(e)).join(', ');
    const parts: string[] = [];
    if (s.with.length > 0) parts.push(`WITH ${s.with.map((w: WithItem) => this.node(w)).join(', ')}`);
    parts.push(`SELECT ${s.distinct ? 'DISTINCT ' : ''}${exprs(s.columns)}`);
    if (s.from !== null) parts.push(`FROM ${this.node(s.from)}`);
    if (s.where !== null) parts.push(`WHERE ${p(s.where)}`);
    if (s.partitionBy.length > 0) parts.push(this.spelling.substreams('PARTITION BY', exprs(s.partitionBy)));
    if (s.shuffleBy.length > 0) parts.push(this.spelling.substreams('SHUFFLE BY', exprs(s.shuffleBy)));
    if (s.groupBy.length > 0) parts.push(`GROUP BY ${exprs(s.groupBy)}`);
    if (s.having !== null) parts.push(`HAVING ${p(s.having)}`);
    if (s.emit !== null) parts.push(this.node(s.emit));
    if (s.orderBy.length > 0) parts.push(`ORDER BY ${s.orderBy.map((o) => this.node(o)).join(', ')}`);
    if (s.limitBy !== null) parts.push(`LIMIT ${limit(s.limitBy, p)} BY ${exprs(s.limitBy.by)}`);
    if (s.limit !== null) parts.push(`LIMIT ${limit(s.limit, p)}`);
    if (s.settings.length > 0) parts.push(`SETTINGS ${s.settings.map((x) => this.node(x)).join(', ')}`);
    return parts.join(' ');
  }
}

function alias(name: string | null): string {
  return name === null ? '' : ` AS ${identifier(name)}`;
}

function limit(l: { limit: Expr; offset: Expr | null }, p: Print): string {
  return `${p(l.limit)}${l.offset === null ? '' : ` OFFSET ${p(l.offset)}`}`;
}

/** Proton 1.6's EMIT grammar (the source baseline); the parser also reads the 3.x forms. */
function printEmit(e: Emit, p: Print): string {
  const i = (x: Expr) => p(x, precedence.postfix);
  const items: string[] = [];
  if (e.afterWindowClose) items.push(`AFTER WATERMARK${e.delay === null ? '' : ` WITH DELAY ${i(e.delay)}`}`);
  else if (e.delay !== null) items.push(`WITH DELAY ${i(e.delay)}`);
  if (e.periodic !== null) items.push(`PERIODIC ${i(e.periodic)}${e.repeat ? ' REPEAT' : ''}`);
  if (e.onUpdate) items.push('ON UPDATE');
  if (e.perEvent) items.push('PER EVENT');
  if (e.timeout !== null) items.push(`${items.length > 0 ? 'AND ' : ''}TIMEOUT ${i(e.timeout)}`);
  if (e.last !== null) items.push(`${items.length > 0 ? 'AND ' : ''}LAST ${i(e.last)}${e.lastOnProctime ? ' ON PROCTIME' : ''}`);
  return ['EMIT', e.changelog ? 'CHANGELOG' : 'STREAM', ...items].join(' ');
}
