// Native column layouts (reference/protocols.md §2.2, §2.3): a ClickHouse type name → the shape of
// its column bytes, so the block walker can find column boundaries without decoding values.
import { GatewayError } from './errors.ts';

export const NOT_IMPLEMENTED = 48;
export const UNKNOWN_TYPE = 50;
export const INCORRECT_DATA = 117;
const MAX_FIXED_STRING = 0xffffff;

export function incorrect(message: string): GatewayError {
  return new GatewayError(INCORRECT_DATA, message);
}

// ---- type names → byte layouts (§2.2, §2.3) ----------------------------------------------------

/**
 * How a column's bytes are laid out, all that the walker needs from its type. Fixed-width shapes are
 * folded: Nullable(UInt8) is fixed 2 (null map + value per row), Tuple(UInt8, Int32) is fixed 5.
 */
export type NativeLayout =
  | { readonly kind: 'fixed'; readonly width: number }
  | { readonly kind: 'string' }
  | { readonly kind: 'nullable'; readonly inner: NativeLayout }
  | { readonly kind: 'array'; readonly element: NativeLayout }
  | { readonly kind: 'tuple'; readonly elements: readonly NativeLayout[] }
  /** keys: the dictionary's type, Nullable removed. */
  | { readonly kind: 'lowCardinality'; readonly keys: NativeLayout };

interface TypeNode { readonly family: string; readonly args: readonly TypeArg[] }
type TypeArg = { readonly type: TypeNode; readonly name: string | null } | { readonly literal: string };

const fixedWidths: Readonly<Record<string, number>> = {
  UInt8: 1, Int8: 1, Bool: 1, Enum8: 1, Nothing: 1,
  UInt16: 2, Int16: 2, Date: 2, Enum16: 2, BFloat16: 2,
  UInt32: 4, Int32: 4, Float32: 4, Date32: 4, DateTime: 4, IPv4: 4, Time: 4, Decimal32: 4,
  UInt64: 8, Int64: 8, Float64: 8, DateTime64: 8, Time64: 8, Decimal64: 8,
  UInt128: 16, Int128: 16, UUID: 16, IPv6: 16, Decimal128: 16, Point: 16,
  UInt256: 32, Int256: 32, Decimal256: 32,
};
const unsupportedFamilies = new Set(['JSON', 'Object', 'Variant', 'Dynamic', 'AggregateFunction', 'QBit', 'Geometry']);

/**
 * Parses a type name. Grammar (whitespace between tokens ignored):
 *   type := IDENT [ '(' [ arg { ',' arg } ] ')' ]
 *   arg  := STRING [ '=' NUMBER ] | NUMBER | NAME type | type
 * NAME is an identifier, `backquoted` or "double-quoted"; STRING is 'single-quoted' with backslash
 * escapes or doubled quotes. Unsupported families fail before their arguments are read.
 */
function parseTypeNode(text: string): TypeNode {
  let at = 0;
  const fail = (what: string): never => {
    throw incorrect(`Cannot parse type ${JSON.stringify(text)}: ${what} at position ${at}`);
  };
  const space = (): void => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  const ident = (): string | null => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(at));
    if (!m) return null;
    at += m[0].length;
    return m[0];
  };
  const quoted = (quote: string): string => {
    let out = '';
    for (at++; at < text.length; at++) {
      const c = text[at] as string;
      if (c === '\\') out += text[++at] ?? fail('unterminated escape');
      else if (c !== quote) out += c;
      else if (text[at + 1] === quote) out += text[++at];
      else {
        at++;
        return out;
      }
    }
    return fail('unterminated quoted text');
  };
  const name = (): string | null => {
    const c = text[at];
    return c === '`' || c === '"' ? quoted(c) : ident();
  };
  const type = (depth: number): TypeNode => {
    if (depth > 64) fail('nesting too deep');
    space();
    const family = ident() ?? fail('expected a type name');
    if (unsupportedFamilies.has(family)) throw new GatewayError(NOT_IMPLEMENTED, `Type ${family} is not supported in Native blocks`);
    space();
    const args: TypeArg[] = [];
    if (text[at] !== '(') return { family, args };
    at++;
    space();
    while (text[at] !== ')') {
      if (args.length > 0) {
        if (text[at] !== ',') fail('expected , or )');
        at++;
        space();
      }
      args.push(arg(depth));
      space();
    }
    at++;
    return { family, args };
  };
  const arg = (depth: number): TypeArg => {
    const start = at;
    if (text[at] === "'") {
      let literal = quoted("'");
      space();
      if (text[at] === '=') {
        at++;
        space();
        const m = /^-?\d+/.exec(text.slice(at)) ?? fail('expected an enum value');
        at += m[0].length;
        literal += `=${m[0]}`;
      }
      return { literal };
    }
    const number = /^[-+]?[0-9][0-9.eE+-]*/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { literal: number[0] };
    }
    const first = name() ?? fail('expected an argument');
    space();
    const c = text[at];
    if (c !== undefined && /[A-Za-z_`"]/.test(c)) return { name: first, type: type(depth + 1) };
    at = start;
    return { type: type(depth + 1), name: null };
  };
  const node = type(0);
  space();
  if (at !== text.length) fail('unexpected text');
  return node;
}

function typeArgs(node: TypeNode, min: number, max: number): TypeNode[] {
  const types = node.args.flatMap((a) => ('type' in a ? [a.type] : []));
  if (types.length !== node.args.length || types.length < min || types.length > max) {
    throw incorrect(`${node.family} expects ${min === max ? min : `${min} to ${max}`} type arguments`);
  }
  return types;
}

function numberArg(node: TypeNode, index: number, min: number, max: number): number {
  const a = node.args[index];
  const value = a !== undefined && 'literal' in a ? Number(a.literal) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw incorrect(`${node.family}: argument ${index + 1} must be an integer in ${min}..${max}`);
  return value;
}

function nullable(inner: NativeLayout): NativeLayout {
  return inner.kind === 'fixed' ? { kind: 'fixed', width: inner.width + 1 } : { kind: 'nullable', inner };
}

function tuple(elements: readonly NativeLayout[]): NativeLayout {
  // An empty Tuple() is written as one "0" byte per row, like Nothing [exp: chdb 26.7].
  if (elements.length === 0) return { kind: 'fixed', width: 1 };
  if (!elements.every((e) => e.kind === 'fixed')) return { kind: 'tuple', elements };
  return { kind: 'fixed', width: elements.reduce((sum, e) => sum + (e as { width: number }).width, 0) };
}

const array = (element: NativeLayout): NativeLayout => ({ kind: 'array', element });

function layoutOf(node: TypeNode): NativeLayout {
  const f = node.family;
  switch (f) {
    case 'String': return { kind: 'string' };
    case 'FixedString': return { kind: 'fixed', width: numberArg(node, 0, 1, MAX_FIXED_STRING) };
    case 'Decimal': {
      const p = numberArg(node, 0, 1, 76);
      return { kind: 'fixed', width: p <= 9 ? 4 : p <= 18 ? 8 : p <= 38 ? 16 : 32 };
    }
    case 'Nullable': return nullable(layoutOf(typeArgs(node, 1, 1)[0] as TypeNode));
    case 'LowCardinality': {
      const inner = typeArgs(node, 1, 1)[0] as TypeNode;
      const keys = inner.family === 'Nullable' ? typeArgs(inner, 1, 1)[0] as TypeNode : inner;
      if (keys.family === 'LowCardinality') throw incorrect('LowCardinality cannot be nested');
      return { kind: 'lowCardinality', keys: layoutOf(keys) };
    }
    case 'Array': return array(layoutOf(typeArgs(node, 1, 1)[0] as TypeNode));
    case 'Map': return array(tuple(typeArgs(node, 2, 2).map(layoutOf)));
    case 'Tuple': return tuple(typeArgs(node, 0, Infinity).map(layoutOf));
    case 'Nested': return array(tuple(typeArgs(node, 1, Infinity).map(layoutOf)));
    case 'SimpleAggregateFunction': {
      const last = node.args[node.args.length - 1];
      if (node.args.length < 2 || last === undefined || !('type' in last)) throw incorrect('SimpleAggregateFunction expects a function and a type');
      return layoutOf(last.type);
    }
    case 'Ring': case 'LineString': return array({ kind: 'fixed', width: 16 });
    case 'Polygon': case 'MultiLineString': return array(array({ kind: 'fixed', width: 16 }));
    case 'MultiPolygon': return array(array(array({ kind: 'fixed', width: 16 })));
  }
  const width = fixedWidths[f] ?? (f.startsWith('Interval') && f.length > 8 ? 8 : undefined);
  if (width === undefined) throw new GatewayError(UNKNOWN_TYPE, `Unknown data type family: ${f}`);
  return { kind: 'fixed', width };
}

const layoutCache = new Map<string, NativeLayout>();

/** The byte layout of a ClickHouse type name; throws INCORRECT_DATA, UNKNOWN_TYPE or NOT_IMPLEMENTED. */
export function nativeLayout(type: string): NativeLayout {
  let layout = layoutCache.get(type);
  if (layout === undefined) {
    layout = layoutOf(parseTypeNode(type));
    if (layoutCache.size >= 1024) layoutCache.clear();
    layoutCache.set(type, layout);
  }
  return layout;
}

/** How many LowCardinality nodes a layout holds: each writes an 8-byte state prefix before all data. */
export function prefixCount(layout: NativeLayout): number {
  switch (layout.kind) {
    case 'fixed': case 'string': return 0;
    case 'nullable': return prefixCount(layout.inner);
    case 'array': return prefixCount(layout.element);
    case 'tuple': return layout.elements.reduce((n, e) => n + prefixCount(e), 0);
    case 'lowCardinality': return 1;
  }
}
