// Type syntax tree → DataType, with ClickHouse's argument checks and messages (type-parser.ts reads
// the text into the tree).
import {
  compareBytes, dispatch, fail, familyOf, printType, quoteString, WITH_DICTIONARY, type ByKind,
  type DataType, type EnumValue, type Family, type GeoShape, type IntBits, type IntervalUnit,
  type NamedType, type OpaqueArgument, type TypeKind,
} from './types.ts';
import type { Arg, Literal, TypeSyntax } from './type-parser.ts';

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

