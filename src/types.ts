// Data types: one immutable tree for both dialects, its names and its printer. parseType
// (type-parser.ts) reads either spelling (ClickHouse `LowCardinality(Nullable(String))`, Proton
// `low_cardinality(nullable(string))`), printType writes either, downgradeForOldClient
// (type-downgrade.ts) rewrites a type for native clients that predate it.
// Grammar and checks follow ClickHouse 26.7 (src/Parsers/ParserDataType.cpp, src/DataTypes/*.cpp);
// Proton names follow timeplus-io/proton src/DataTypes/* (reference/proton-semantics.md §1.14).
import { GatewayError, type Dialect } from './errors.ts';

export type IntBits = 8 | 16 | 32 | 64 | 128 | 256;
export const intervalUnits = [
  'Nanosecond', 'Microsecond', 'Millisecond', 'Second', 'Minute', 'Hour', 'Day', 'Week', 'Month', 'Quarter', 'Year',
] as const;
export type IntervalUnit = (typeof intervalUnits)[number];
/** ClickHouse's geo domains; all but Geometry (a Variant) are named Tuple/Array shapes of Float64. */
export const geoShapes = ['Point', 'Ring', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'Geometry'] as const;
export type GeoShape = (typeof geoShapes)[number];

export interface EnumValue { readonly name: string; readonly value: number }
export interface NamedType { readonly name: string; readonly type: DataType }
/** An argument of a family kept as text: a type (printed in the dialect) or a literal (printed as is). */
export type OpaqueArgument = { readonly type: DataType } | { readonly literal: string };

/**
 * A data type. Trees are canonical as ClickHouse builds them: enum values sorted by value, variants
 * sorted by name and deduplicated, JSON paths sorted, defaults (JSON limits, Dynamic max_types)
 * stored as null, Decimal32..256(S) stored as Decimal(9|18|38|76, S). Equal types give deep-equal trees.
 */
export type DataType =
  | { readonly kind: 'int'; readonly signed: boolean; readonly bits: IntBits }
  | { readonly kind: 'float'; readonly bits: 32 | 64 }
  | { readonly kind: 'bfloat16' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'fixedString'; readonly length: number }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'date' }
  | { readonly kind: 'date32' }
  | { readonly kind: 'dateTime'; readonly timeZone: string | null }
  /** scale: digits after the second (ticks of 10^-scale s), 0..9. */
  | { readonly kind: 'dateTime64'; readonly scale: number; readonly timeZone: string | null }
  | { readonly kind: 'time' }
  | { readonly kind: 'time64'; readonly scale: number }
  | { readonly kind: 'ipv4' }
  | { readonly kind: 'ipv6' }
  | { readonly kind: 'enum'; readonly bits: 8 | 16; readonly values: readonly EnumValue[] }
  | { readonly kind: 'nullable'; readonly inner: DataType }
  | { readonly kind: 'lowCardinality'; readonly inner: DataType }
  | { readonly kind: 'array'; readonly element: DataType }
  | { readonly kind: 'map'; readonly key: DataType; readonly value: DataType }
  /** names: null for `Tuple(T1, T2)`, else one name per element (ClickHouse allows all or none). */
  | { readonly kind: 'tuple'; readonly elements: readonly DataType[]; readonly names: readonly string[] | null }
  | { readonly kind: 'nested'; readonly fields: readonly NamedType[] }
  | { readonly kind: 'nothing' }
  | { readonly kind: 'interval'; readonly unit: IntervalUnit }
  | { readonly kind: 'geo'; readonly shape: GeoShape }
  | {
    readonly kind: 'json';
    readonly maxDynamicTypes: number | null;
    readonly maxDynamicPaths: number | null;
    readonly typedPaths: readonly NamedType[];
    readonly skipPaths: readonly string[];
    readonly skipRegexps: readonly string[];
  }
  | { readonly kind: 'dynamic'; readonly maxTypes: number | null }
  | { readonly kind: 'variant'; readonly variants: readonly DataType[] }
  /**
   * An aggregate state. `function` is the name as written: ClickHouse resolves case-insensitive
   * names and aliases (`Sum` → `sum`, `first_value` → `any`) and Proton spells functions its own way;
   * the function map in rewrite/ translates it. `parameters` are canonical literal texts
   * (`quantiles(0.5, 0.9)` → ['0.5', '0.9']). `version` is the state version, 0 when unversioned
   * (then not printed); when absent from the text it is the function's default (1 for the
   * array/tuple forms of sumMap, minMap, maxMap and their variants, else 0).
   */
  | {
    readonly kind: 'aggregateFunction';
    readonly version: number;
    readonly function: string;
    readonly parameters: readonly string[];
    readonly arguments: readonly DataType[];
  }
  | {
    readonly kind: 'simpleAggregateFunction';
    readonly function: string;
    readonly parameters: readonly string[];
    readonly arguments: readonly DataType[];
  }
  /** Families known but not modelled: legacy `Object('json')` (older servers), `QBit(T, n)`. */
  | { readonly kind: 'opaque'; readonly family: 'Object' | 'QBit'; readonly arguments: readonly OpaqueArgument[] | null };

export type TypeKind = DataType['kind'];
export type Of<K extends TypeKind> = Extract<DataType, { kind: K }>;
/** One handler per kind: adding a kind fails compilation until every table handles it. */
export type ByKind<R> = { readonly [K in TypeKind]: (t: Of<K>) => R };
export const dispatch = <R>(t: DataType, handlers: ByKind<R>): R => (handlers[t.kind] as (t: DataType) => R)(t);

/** ClickHouse codes the type parser raises (the same numbers in Proton). */
export const TypeErrorCode = {
  DUPLICATE_COLUMN: 15,
  BAD_ARGUMENTS: 36,
  NUMBER_OF_ARGUMENTS_DOESNT_MATCH: 42,
  ILLEGAL_TYPE_OF_ARGUMENT: 43,
  UNKNOWN_TYPE: 50,
  SYNTAX_ERROR: 62,
  ARGUMENT_OUT_OF_BOUND: 69,
  EMPTY_DATA_PASSED: 92,
  UNEXPECTED_AST_STRUCTURE: 223,
  DATA_TYPE_CANNOT_HAVE_ARGUMENTS: 378,
} as const;
export const fail = (code: keyof typeof TypeErrorCode, message: string): never => {
  throw new GatewayError(TypeErrorCode[code], message);
};

// ---------------------------------------------------------------------------------------------
// Names. Every family either parser knows: [ClickHouse spelling, Proton spelling]. Printers read
// the same table. Families Proton lacks (BFloat16, Time, Variant, …) get its snake_case rule.

export const families = {
  Int8: ['Int8', 'int8'], Int16: ['Int16', 'int16'], Int32: ['Int32', 'int32'], Int64: ['Int64', 'int64'],
  Int128: ['Int128', 'int128'], Int256: ['Int256', 'int256'],
  UInt8: ['UInt8', 'uint8'], UInt16: ['UInt16', 'uint16'], UInt32: ['UInt32', 'uint32'], UInt64: ['UInt64', 'uint64'],
  UInt128: ['UInt128', 'uint128'], UInt256: ['UInt256', 'uint256'],
  Float32: ['Float32', 'float32'], Float64: ['Float64', 'float64'], BFloat16: ['BFloat16', 'bfloat16'],
  Decimal: ['Decimal', 'decimal'], Decimal32: ['Decimal32', 'decimal32'], Decimal64: ['Decimal64', 'decimal64'],
  Decimal128: ['Decimal128', 'decimal128'], Decimal256: ['Decimal256', 'decimal256'],
  Bool: ['Bool', 'bool'], String: ['String', 'string'], FixedString: ['FixedString', 'fixed_string'],
  UUID: ['UUID', 'uuid'], Date: ['Date', 'date'], Date32: ['Date32', 'date32'],
  DateTime: ['DateTime', 'datetime'], DateTime32: ['DateTime32', 'datetime32'], DateTime64: ['DateTime64', 'datetime64'],
  Time: ['Time', 'time'], Time64: ['Time64', 'time64'], IPv4: ['IPv4', 'ipv4'], IPv6: ['IPv6', 'ipv6'],
  Enum: ['Enum', 'enum'], Enum8: ['Enum8', 'enum8'], Enum16: ['Enum16', 'enum16'],
  Nullable: ['Nullable', 'nullable'], LowCardinality: ['LowCardinality', 'low_cardinality'],
  Array: ['Array', 'array'], Map: ['Map', 'map'], Tuple: ['Tuple', 'tuple'], Nested: ['Nested', 'nested'],
  Nothing: ['Nothing', 'nothing'],
  IntervalNanosecond: ['IntervalNanosecond', 'interval_nanosecond'],
  IntervalMicrosecond: ['IntervalMicrosecond', 'interval_microsecond'],
  IntervalMillisecond: ['IntervalMillisecond', 'interval_millisecond'],
  IntervalSecond: ['IntervalSecond', 'interval_second'], IntervalMinute: ['IntervalMinute', 'interval_minute'],
  IntervalHour: ['IntervalHour', 'interval_hour'], IntervalDay: ['IntervalDay', 'interval_day'],
  IntervalWeek: ['IntervalWeek', 'interval_week'], IntervalMonth: ['IntervalMonth', 'interval_month'],
  IntervalQuarter: ['IntervalQuarter', 'interval_quarter'], IntervalYear: ['IntervalYear', 'interval_year'],
  Point: ['Point', 'point'], Ring: ['Ring', 'ring'], LineString: ['LineString', 'line_string'],
  MultiLineString: ['MultiLineString', 'multi_line_string'], Polygon: ['Polygon', 'polygon'],
  MultiPolygon: ['MultiPolygon', 'multi_polygon'], Geometry: ['Geometry', 'geometry'],
  JSON: ['JSON', 'json'], Dynamic: ['Dynamic', 'dynamic'], Variant: ['Variant', 'variant'],
  AggregateFunction: ['AggregateFunction', 'aggregate_function'],
  SimpleAggregateFunction: ['SimpleAggregateFunction', 'simple_aggregate_function'],
  Object: ['Object', 'object'], QBit: ['QBit', 'qbit'],
} as const satisfies Record<string, readonly [string, string]>;
export type Family = keyof typeof families;

export const spell = (family: Family, dialect: Dialect): string => families[family][dialect === 'clickhouse' ? 0 : 1];

/**
 * Families matched case-insensitively in either spelling: ClickHouse's `case_insensitive = 1`
 * families (system.data_type_families) plus Proton's `ipv4`/`ipv6`. All other names are exact.
 */
export const caseInsensitiveFamilies: ReadonlySet<Family> = new Set<Family>([
  'Bool', 'Date', 'Date32', 'DateTime', 'DateTime32', 'DateTime64', 'Decimal', 'Decimal32', 'Decimal64',
  'Decimal128', 'Decimal256', 'Enum', 'JSON', 'Time', 'Time64', 'IPv4', 'IPv6',
]);

/** Case-insensitive aliases (lowercase, multi-word joined by one space): ClickHouse's SQL names and Proton's `uint`. */
export const aliases: Readonly<Record<string, Family>> = {
  boolean: 'Bool', timestamp: 'DateTime', dec: 'Decimal', fixed: 'Decimal', numeric: 'Decimal', binary: 'FixedString',
  float: 'Float32', real: 'Float32', single: 'Float32', double: 'Float64', 'double precision': 'Float64',
  inet4: 'IPv4', inet6: 'IPv6',
  byte: 'Int8', int1: 'Int8', 'int1 signed': 'Int8', tinyint: 'Int8', 'tinyint signed': 'Int8',
  smallint: 'Int16', 'smallint signed': 'Int16',
  int: 'Int32', 'int signed': 'Int32', integer: 'Int32', 'integer signed': 'Int32', mediumint: 'Int32', 'mediumint signed': 'Int32',
  bigint: 'Int64', 'bigint signed': 'Int64', signed: 'Int64',
  'int1 unsigned': 'UInt8', 'tinyint unsigned': 'UInt8', 'smallint unsigned': 'UInt16', year: 'UInt16',
  'int unsigned': 'UInt32', 'integer unsigned': 'UInt32', 'mediumint unsigned': 'UInt32', uint: 'UInt32',
  'bigint unsigned': 'UInt64', bit: 'UInt64', set: 'UInt64', unsigned: 'UInt64',
  ...Object.fromEntries([
    'binary large object', 'binary varying', 'blob', 'bytea', 'char', 'char large object', 'char varying', 'character',
    'character large object', 'character varying', 'clob', 'longblob', 'longtext', 'mediumblob', 'mediumtext',
    'national char', 'national char varying', 'national character', 'national character large object',
    'national character varying', 'nchar', 'nchar large object', 'nchar varying', 'nvarchar', 'text', 'tinyblob',
    'tinytext', 'varbinary', 'varchar', 'varchar2',
  ].map((name) => [name, 'String' as Family])),
};

export const exactNames = new Map<string, Family>([['GEOMETRY', 'Geometry']]);
export const foldedNames = new Map<string, Family>(Object.entries(aliases));
for (const family of Object.keys(families) as Family[]) {
  for (const name of families[family]) {
    exactNames.set(name, family);
    if (caseInsensitiveFamilies.has(family)) foldedNames.set(name.toLowerCase(), family);
  }
}
export const familyOf = (name: string): Family | undefined => exactNames.get(name) ?? foldedNames.get(name.toLowerCase());

/** Proton's legacy `<type>_with_dictionary` spelling of LowCardinality(type). */
export const WITH_DICTIONARY = '_with_dictionary';

/** std::string's operator< on UTF-8 bytes (code points compare the same way). */
export const compareBytes = (a: string, b: string): number => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return Buffer.compare(x, y);
};

// ---------------------------------------------------------------------------------------------
// Printing: canonical ClickHouse text (as system.columns and Native block headers show it) or
// Proton's lowercase snake_case text.

/** ClickHouse's writeQuotedString: escapes \b \f \n \r \t \0, backslash and the quote; nothing else. */
function quoteWith(quote: string, value: string): string {
  const special: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\\': '\\\\', [quote]: `\\${quote}` };
  return `${quote}${value.replace(/[\b\f\n\r\t\0\\'`]/g, (c) => special[c] ?? c)}${quote}`;
}
export const quoteString = (value: string): string => quoteWith("'", value);
/** ClickHouse's backQuoteIfNeed: bare when a plain identifier other than any-case `null`. */
const quoteName = (name: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.toLowerCase() !== 'null' ? name : quoteWith('`', name);

const intFamily = (t: Of<'int'>): Family => `${t.signed ? '' : 'U'}Int${t.bits}` as Family;
const intervalFamily = (unit: IntervalUnit): Family => `Interval${unit}` as Family;
const call = (name: string, args: readonly string[]): string => `${name}(${args.join(', ')})`;
const zone = (timeZone: string | null): string[] => (timeZone === null ? [] : [quoteString(timeZone)]);
const named = (fields: readonly NamedType[], d: Dialect): string[] => fields.map((f) => `${quoteName(f.name)} ${printType(f.type, d)}`);
const aggregateHead = (t: Of<'aggregateFunction'> | Of<'simpleAggregateFunction'>): string =>
  t.parameters.length === 0 ? t.function : call(t.function, t.parameters);

const printers = (d: Dialect): ByKind<string> => ({
  int: (t) => spell(intFamily(t), d),
  float: (t) => spell(t.bits === 32 ? 'Float32' : 'Float64', d),
  bfloat16: () => spell('BFloat16', d),
  decimal: (t) => call(spell('Decimal', d), [String(t.precision), String(t.scale)]),
  bool: () => spell('Bool', d),
  string: () => spell('String', d),
  fixedString: (t) => call(spell('FixedString', d), [String(t.length)]),
  uuid: () => spell('UUID', d),
  date: () => spell('Date', d),
  date32: () => spell('Date32', d),
  dateTime: (t) => (t.timeZone === null ? spell('DateTime', d) : call(spell('DateTime', d), zone(t.timeZone))),
  dateTime64: (t) => call(spell('DateTime64', d), [String(t.scale), ...zone(t.timeZone)]),
  time: () => spell('Time', d),
  time64: (t) => call(spell('Time64', d), [String(t.scale)]),
  ipv4: () => spell('IPv4', d),
  ipv6: () => spell('IPv6', d),
  enum: (t) => call(spell(t.bits === 8 ? 'Enum8' : 'Enum16', d), t.values.map((v) => `${quoteString(v.name)} = ${v.value}`)),
  nullable: (t) => call(spell('Nullable', d), [printType(t.inner, d)]),
  lowCardinality: (t) => call(spell('LowCardinality', d), [printType(t.inner, d)]),
  array: (t) => call(spell('Array', d), [printType(t.element, d)]),
  map: (t) => call(spell('Map', d), [printType(t.key, d), printType(t.value, d)]),
  tuple: (t) => call(spell('Tuple', d), t.names === null
    ? t.elements.map((e) => printType(e, d))
    : named(t.elements.map((type, k) => ({ name: t.names?.[k] ?? '', type })), d)),
  nested: (t) => call(spell('Nested', d), named(t.fields, d)),
  nothing: () => spell('Nothing', d),
  interval: (t) => spell(intervalFamily(t.unit), d),
  geo: (t) => spell(t.shape, d),
  json: (t) => {
    const args = [
      ...(t.maxDynamicTypes === null ? [] : [`max_dynamic_types=${t.maxDynamicTypes}`]),
      ...(t.maxDynamicPaths === null ? [] : [`max_dynamic_paths=${t.maxDynamicPaths}`]),
      ...named(t.typedPaths, d),
      ...t.skipPaths.map((p) => `SKIP ${quoteName(p)}`),
      ...t.skipRegexps.map((r) => `SKIP REGEXP ${quoteString(r)}`),
    ];
    return args.length === 0 ? spell('JSON', d) : call(spell('JSON', d), args);
  },
  dynamic: (t) => (t.maxTypes === null ? spell('Dynamic', d) : `${spell('Dynamic', d)}(max_types=${t.maxTypes})`),
  // Sorted by the printed names, as each server sorts by its own getName() (so `ipv4` after `int8` in Proton).
  variant: (t) => call(spell('Variant', d), t.variants.map((v) => printType(v, d)).sort(compareBytes)),
  aggregateFunction: (t) => call(spell('AggregateFunction', d), [
    ...(t.version === 0 ? [] : [String(t.version)]), aggregateHead(t), ...t.arguments.map((a) => printType(a, d)),
  ]),
  simpleAggregateFunction: (t) => call(spell('SimpleAggregateFunction', d), [aggregateHead(t), ...t.arguments.map((a) => printType(a, d))]),
  opaque: (t) => (t.arguments === null ? spell(t.family, d)
    : call(spell(t.family, d), t.arguments.map((a) => ('type' in a ? printType(a.type, d) : a.literal)))),
});
const printerTables: Readonly<Record<Dialect, ByKind<string>>> = { clickhouse: printers('clickhouse'), proton: printers('proton') };

/**
 * The type's name in a dialect. 'clickhouse' is exactly what ClickHouse 26.7 prints in
 * system.columns, Native block headers and JSON `meta` (`Decimal(18, 4)`, `DateTime64(3, 'UTC')`,
 * `Tuple(a UInt8, b String)`). Note `toTypeName()` and DESCRIBE print named tuples on several lines
 * (print_pretty_type_names = 1); this is the one-line form. 'proton' is Proton's lowercase spelling
 * (`decimal(18, 4)`, `low_cardinality(nullable(string))`, `fixed_string(4)`).
 */
export function printType(t: DataType, dialect: Dialect): string {
  return dispatch(t, printerTables[dialect]);
}


