import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Session } from 'chdb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../../src/errors.ts';
import { printType, TypeErrorCode, type DataType } from '../../src/types.ts';
import { parseType, translateTypeName } from '../../src/type-parser.ts';
import { downgradeForOldClient, REVISION_WITH_MODERN_TYPES } from '../../src/type-downgrade.ts';

const ch = (t: DataType): string => printType(t, 'clickhouse');
const proton = (t: DataType): string => printType(t, 'proton');

/** One embedded ClickHouse for the whole file: the oracle for spellings and error codes. */
let dir: string;
let session: Session;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hadron-types-'));
  session = new Session(dir);
});
afterAll(() => {
  session?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
const sqlString = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** The code the engine raises for a type text, or undefined when it accepts it. */
function engineCode(text: string): number | undefined {
  try {
    session.query(`SELECT toTypeName(defaultValueOfTypeName(${sqlString(text)}))`, 'TSVRaw');
    return undefined;
  } catch (err) {
    return Number(/Code: (\d+)/.exec((err as Error).message)?.[1]);
  }
}
function codeOf(text: string): number | undefined {
  try {
    parseType(text);
    return undefined;
  } catch (err) {
    expect(err, text).toBeInstanceOf(GatewayError);
    return (err as GatewayError).code;
  }
}

/**
 * Round trips: [equivalent spellings (either dialect, any spacing)], canonical ClickHouse, canonical Proton.
 * Every spelling parses to the same tree as the canonical ClickHouse text, both prints reparse to it.
 */
const cases: readonly (readonly [readonly string[], string, string])[] = [
  [['UInt8', 'uint8', 'TINYINT UNSIGNED', 'INT1 UNSIGNED', 'UInt8(3)'], 'UInt8', 'uint8'],
  [['UInt16', 'uint16', 'SMALLINT UNSIGNED', 'year'], 'UInt16', 'uint16'],
  [['UInt32', 'uint32', 'uint', 'UINT', 'INT(11) UNSIGNED', 'integer unsigned'], 'UInt32', 'uint32'],
  [['UInt64', 'uint64', 'BIGINT UNSIGNED', 'unsigned', 'BIT'], 'UInt64', 'uint64'],
  [['UInt128', 'uint128'], 'UInt128', 'uint128'],
  [['UInt256', 'uint256'], 'UInt256', 'uint256'],
  [['Int8', 'int8', 'byte', 'TINYINT', 'INT1', 'tinyint signed'], 'Int8', 'int8'],
  [['Int16', 'int16', 'smallint', 'SMALLINT SIGNED'], 'Int16', 'int16'],
  [['Int32', 'int32', 'int', 'INT', 'Int', 'integer', 'MEDIUMINT', 'INT(11)'], 'Int32', 'int32'],
  [['Int64', 'int64', 'bigint', 'BIGINT SIGNED', 'signed'], 'Int64', 'int64'],
  [['Int128', 'int128', 'Int128(3)'], 'Int128', 'int128'],
  [['Int256', 'int256'], 'Int256', 'int256'],
  [['Float32', 'float32', 'float', 'FLOAT', 'REAL', 'FLOAT(10, 2)'], 'Float32', 'float32'],
  [['Float64', 'float64', 'double', 'DOUBLE PRECISION', 'double   precision'], 'Float64', 'float64'],
  [['BFloat16', 'bfloat16'], 'BFloat16', 'bfloat16'],
  [['Decimal(18, 4)', 'decimal(18,4)', 'DECIMAL(18, 4)', 'NUMERIC(18, 4)', 'dec(18,4)', 'Decimal64(4)', 'decimal64(4)'], 'Decimal(18, 4)', 'decimal(18, 4)'],
  [['Decimal', 'decimal', 'Decimal(10)', 'Decimal(10, 0)', 'Decimal(10,)'], 'Decimal(10, 0)', 'decimal(10, 0)'],
  [['Decimal32(2)', 'decimal32(2)', 'Decimal(9, 2)'], 'Decimal(9, 2)', 'decimal(9, 2)'],
  [['Decimal128(3)', 'Decimal(38, 3)'], 'Decimal(38, 3)', 'decimal(38, 3)'],
  [['Decimal256(5)', 'decimal256(5)'], 'Decimal(76, 5)', 'decimal(76, 5)'],
  [['Bool', 'bool', 'BOOL', 'boolean', 'Boolean'], 'Bool', 'bool'],
  [['String', 'string', 'varchar', 'VARCHAR(255)', 'TEXT', 'String(10)', 'CHAR VARYING', 'national character large object'], 'String', 'string'],
  [['FixedString(16)', 'fixed_string(16)', 'BINARY(16)'], 'FixedString(16)', 'fixed_string(16)'],
  [['UUID', 'uuid'], 'UUID', 'uuid'],
  [['Date', 'date', 'DATE'], 'Date', 'date'],
  [['Date32', 'date32', 'DATE32'], 'Date32', 'date32'],
  [['DateTime', 'datetime', 'DATETIME', 'DateTime32', 'datetime32', 'TIMESTAMP', 'DateTime(0)'], 'DateTime', 'datetime'],
  [["DateTime('UTC')", "datetime('UTC')", "DateTime32('UTC')", "DateTime(0, 'UTC')", "DateTime(  'UTC' )"], "DateTime('UTC')", "datetime('UTC')"],
  [["DateTime('Asia/Kolkata')", "datetime('Asia/Kolkata')"], "DateTime('Asia/Kolkata')", "datetime('Asia/Kolkata')"],
  [['DateTime64', 'datetime64', 'DateTime64(3)', 'DATETIME64(3)', 'datetime(3)'], 'DateTime64(3)', 'datetime64(3)'],
  [["DateTime64(3, 'UTC')", "datetime64(3,'UTC')", "DateTime(3, 'UTC')", "datetime(3, 'UTC')"], "DateTime64(3, 'UTC')", "datetime64(3, 'UTC')"],
  [["DateTime64(9, 'Europe/Moscow')"], "DateTime64(9, 'Europe/Moscow')", "datetime64(9, 'Europe/Moscow')"],
  [['Time', 'time', 'TIME'], 'Time', 'time'],
  [['Time64(6)', 'time64(6)', 'Time(6)'], 'Time64(6)', 'time64(6)'],
  [['IPv4', 'ipv4', 'IPV4', 'INET4', 'inet4'], 'IPv4', 'ipv4'],
  [['IPv6', 'ipv6', 'inet6'], 'IPv6', 'ipv6'],
  [["Enum8('a' = 1, 'b' = 2)", "enum8('a'=1,'b'=2)", "Enum8('b' = 2, 'a' = 1)", "Enum('a', 'b')", "ENUM('a' = 1, 'b')"], "Enum8('a' = 1, 'b' = 2)", "enum8('a' = 1, 'b' = 2)"],
  [["Enum16('x' = 1000)", "enum16('x' = 1000)", "Enum('x' = 1000)"], "Enum16('x' = 1000)", "enum16('x' = 1000)"],
  [["Enum8('a\\'b' = 1, 'c\\\\d' = -3)", "Enum8('a''b' = 1, 'c\\\\d' = -3)"], "Enum8('c\\\\d' = -3, 'a\\'b' = 1)", "enum8('c\\\\d' = -3, 'a\\'b' = 1)"],
  [["Enum8('a\\nb' = 1, 'tab\\t' = 2, '\\x41' = 3, 'é' = 4)"], "Enum8('a\\nb' = 1, 'tab\\t' = 2, 'A' = 3, 'é' = 4)", "enum8('a\\nb' = 1, 'tab\\t' = 2, 'A' = 3, 'é' = 4)"],
  [["Enum('a' = 127, 'b')"], "Enum16('a' = 127, 'b' = 128)", "enum16('a' = 127, 'b' = 128)"],
  [['Nullable(String)', 'nullable(string)', ' Nullable ( String ) '], 'Nullable(String)', 'nullable(string)'],
  [['Nullable(Decimal(9,2))', 'nullable(decimal(9, 2))'], 'Nullable(Decimal(9, 2))', 'nullable(decimal(9, 2))'],
  [['LowCardinality(String)', 'low_cardinality(string)', 'string_with_dictionary'], 'LowCardinality(String)', 'low_cardinality(string)'],
  [['LowCardinality(Nullable(String))', 'low_cardinality(nullable(string))', '  LowCardinality( Nullable( String ) )  '], 'LowCardinality(Nullable(String))', 'low_cardinality(nullable(string))'],
  [['LowCardinality(FixedString(4))', 'fixed_string_with_dictionary(4)'], 'LowCardinality(FixedString(4))', 'low_cardinality(fixed_string(4))'],
  [['Array(UInt8)', 'array(uint8)'], 'Array(UInt8)', 'array(uint8)'],
  [['Array(Array(Nullable(String)))', 'array(array(nullable(string)))'], 'Array(Array(Nullable(String)))', 'array(array(nullable(string)))'],
  [['Map(String, UInt8)', 'map(string, uint8)', 'Map(String,UInt8)'], 'Map(String, UInt8)', 'map(string, uint8)'],
  [['Map(String, Array(UInt8))', 'map(string, array(uint8))'], 'Map(String, Array(UInt8))', 'map(string, array(uint8))'],
  [['Map(LowCardinality(String), Map(String, Int32))', 'map(low_cardinality(string), map(string, int32))'], 'Map(LowCardinality(String), Map(String, Int32))', 'map(low_cardinality(string), map(string, int32))'],
  [['Tuple(UInt8, String)', 'tuple(uint8, string)', 'Tuple(UInt8,String,)'], 'Tuple(UInt8, String)', 'tuple(uint8, string)'],
  [['Tuple(a UInt8, b String)', 'tuple(a uint8, b string)', 'Tuple(\n    a UInt8,\n    b String)', 'Tuple(`a` UInt8, "b" String)'], 'Tuple(a UInt8, b String)', 'tuple(a uint8, b string)'],
  [['Tuple(`a b` UInt8, `1x` String, `Null` Bool)'], 'Tuple(`a b` UInt8, `1x` String, `Null` Bool)', 'tuple(`a b` uint8, `1x` string, `Null` bool)'],
  [['Tuple(`a``b` UInt8)', 'Tuple(`a\\`b` UInt8)'], 'Tuple(`a\\`b` UInt8)', 'tuple(`a\\`b` uint8)'],
  [['Tuple(INT UNSIGNED)'], 'Tuple(INT UInt64)', 'tuple(INT uint64)'],
  [['Tuple(a Tuple(b UInt8), c Array(Tuple(d String)))'], 'Tuple(a Tuple(b UInt8), c Array(Tuple(d String)))', 'tuple(a tuple(b uint8), c array(tuple(d string)))'],
  [['Tuple()', 'tuple()'], 'Tuple()', 'tuple()'],
  [['Nested(a UInt8, b String)', 'nested(a uint8, b string)'], 'Nested(a UInt8, b String)', 'nested(a uint8, b string)'],
  [['Nothing', 'nothing'], 'Nothing', 'nothing'],
  [['Nullable(Nothing)', 'nullable(nothing)'], 'Nullable(Nothing)', 'nullable(nothing)'],
  [['IntervalSecond', 'interval_second'], 'IntervalSecond', 'interval_second'],
  [['IntervalNanosecond', 'interval_nanosecond'], 'IntervalNanosecond', 'interval_nanosecond'],
  [['IntervalQuarter', 'interval_quarter'], 'IntervalQuarter', 'interval_quarter'],
  [['Point', 'point'], 'Point', 'point'],
  [['MultiPolygon', 'multi_polygon'], 'MultiPolygon', 'multi_polygon'],
  [['LineString', 'line_string'], 'LineString', 'line_string'],
  [['JSON', 'json', 'Json', 'JSON()', 'JSON(max_dynamic_paths = 1024, max_dynamic_types = 32)'], 'JSON', 'json'],
  [['JSON(max_dynamic_paths=10, max_dynamic_types=3)'], 'JSON(max_dynamic_types=3, max_dynamic_paths=10)', 'json(max_dynamic_types=3, max_dynamic_paths=10)'],
  [["JSON(SKIP z, a.b UInt32, SKIP REGEXP 'x.*', `c d`.e String, SKIP a.c)"], "JSON(`a.b` UInt32, `c d.e` String, SKIP `a.c`, SKIP z, SKIP REGEXP 'x.*')", "json(`a.b` uint32, `c d.e` string, SKIP `a.c`, SKIP z, SKIP REGEXP 'x.*')"],
  [['Dynamic', 'dynamic', 'Dynamic()', 'Dynamic(max_types=32)'], 'Dynamic', 'dynamic'],
  [['Dynamic(max_types = 10)', 'dynamic(max_types=10)'], 'Dynamic(max_types=10)', 'dynamic(max_types=10)'],
  [['Variant(String, UInt8)', 'Variant(UInt8, String)', 'variant(uint8, string)', 'Variant(UInt8, String, UInt8, Nothing)'], 'Variant(String, UInt8)', 'variant(string, uint8)'],
  [['Variant(IPv4, Int8)'], 'Variant(IPv4, Int8)', 'variant(int8, ipv4)'],
  [['AggregateFunction(uniq, String)', 'aggregate_function(uniq, string)'], 'AggregateFunction(uniq, String)', 'aggregate_function(uniq, string)'],
  [['AggregateFunction(quantiles(0.5,0.9), UInt64)', 'AggregateFunction(quantiles(0.50, 9e-1), UInt64)'], 'AggregateFunction(quantiles(0.5, 0.9), UInt64)', 'aggregate_function(quantiles(0.5, 0.9), uint64)'],
  [['AggregateFunction(1, sumMap, Array(UInt8), Array(UInt64))', 'AggregateFunction(sumMap, Array(UInt8), Array(UInt64))'], 'AggregateFunction(1, sumMap, Array(UInt8), Array(UInt64))', 'aggregate_function(1, sumMap, array(uint8), array(uint64))'],
  [['AggregateFunction(sumMapFiltered([1,2]), Array(UInt8), Array(UInt64))'], 'AggregateFunction(1, sumMapFiltered([1, 2]), Array(UInt8), Array(UInt64))', 'aggregate_function(1, sumMapFiltered([1, 2]), array(uint8), array(uint64))'],
  [['AggregateFunction(argMax, String, DateTime)', 'aggregate_function(argMax, string, datetime)'], 'AggregateFunction(argMax, String, DateTime)', 'aggregate_function(argMax, string, datetime)'],
  [['SimpleAggregateFunction(sum, UInt64)', 'simple_aggregate_function(sum, uint64)', 'SimpleAggregateFunction(sum,BIGINT UNSIGNED)'], 'SimpleAggregateFunction(sum, UInt64)', 'simple_aggregate_function(sum, uint64)'],
  [["Object('json')"], "Object('json')", "object('json')"],
  [['QBit(Float32, 8)'], 'QBit(Float32, 8)', 'qbit(float32, 8)'],
];

describe('parseType/printType round trips', () => {
  it('covers at least 60 types', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases)('%j → %s / %s', (spellings, clickhouse, protonText) => {
    const expected = parseType(clickhouse);
    expect(ch(expected)).toBe(clickhouse);
    expect(proton(expected)).toBe(protonText);
    for (const text of spellings) expect(parseType(text), text).toEqual(expected);
    expect(parseType(protonText)).toEqual(expected);
  });

  it("every canonical ClickHouse text is the engine's own spelling", () => {
    const engineCannot = new Set(["Object('json')", 'Nothing']); // removed in 26.7; has no default value
    for (const [, clickhouse] of cases.filter(([, c]) => !engineCannot.has(c))) {
      const sql = `SELECT toTypeName(defaultValueOfTypeName(${sqlString(clickhouse)})) SETTINGS print_pretty_type_names = 0`;
      expect(session.query(sql, 'TSVRaw').trim(), clickhouse).toBe(clickhouse);
    }
  });

  it('translates type names between dialects', () => {
    expect(translateTypeName('low_cardinality(nullable(string))', 'clickhouse')).toBe('LowCardinality(Nullable(String))');
    expect(translateTypeName("DateTime64(3, 'UTC')", 'proton')).toBe("datetime64(3, 'UTC')");
  });

  it('keeps case rules per dialect: UInt64 and uint64 exact, DateTime/Decimal/Bool/ipv4 any case', () => {
    for (const text of ['UINT64', 'Uint64', 'STRING', 'ARRAY(UInt8)', 'Nullable(string', 'LOWCARDINALITY(String)', 'uuID']) {
      expect(() => parseType(text), text).toThrow(GatewayError);
    }
    expect(ch(parseType('dAtEtImE64(3)'))).toBe('DateTime64(3)');
    expect(ch(parseType('DECIMAL32(2)'))).toBe('Decimal(9, 2)');
    expect(ch(parseType('IpV6'))).toBe('IPv6');
  });

  it("prints an explicit state version 0 as ClickHouse does, though the printed text reparses with the default version", () => {
    const v0 = parseType('AggregateFunction(0, sumMap, Array(UInt8), Array(UInt64))');
    expect(ch(v0)).toBe('AggregateFunction(sumMap, Array(UInt8), Array(UInt64))');
    expect(parseType(ch(v0))).toMatchObject({ kind: 'aggregateFunction', version: 1 });
    expect(parseType('AggregateFunction(sumMap, Map(UInt8, UInt64))')).toMatchObject({ version: 0 });
  });

  it('builds the documented tree shapes', () => {
    expect(parseType("LowCardinality(Nullable(String))")).toEqual({ kind: 'lowCardinality', inner: { kind: 'nullable', inner: { kind: 'string' } } });
    expect(parseType("datetime64(3, 'UTC')")).toEqual({ kind: 'dateTime64', scale: 3, timeZone: 'UTC' });
    expect(parseType('tuple(a uint8, b string)')).toEqual({
      kind: 'tuple', elements: [{ kind: 'int', signed: false, bits: 8 }, { kind: 'string' }], names: ['a', 'b'],
    });
    expect(parseType("Enum('b' = 2, 'a')")).toEqual({ kind: 'enum', bits: 8, values: [{ name: 'b', value: 2 }, { name: 'a', value: 3 }] });
    expect(parseType("Enum('b', 'a' = -1)")).toEqual({ kind: 'enum', bits: 8, values: [{ name: 'a', value: -1 }, { name: 'b', value: 1 }] });
  });
});

describe('malformed types get the code ClickHouse gives', () => {
  const E = TypeErrorCode;
  const malformed = [
    ['Foo', E.UNKNOWN_TYPE],
    ['Array(Foo)', E.UNKNOWN_TYPE],
    ['UInt64 UNSIGNED', E.UNKNOWN_TYPE],
    ['Tuple(DOUBLE PRECISION)', E.UNKNOWN_TYPE],
    ['Object', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['', E.SYNTAX_ERROR],
    ['UInt64(', E.SYNTAX_ERROR],
    ['UInt64)', E.SYNTAX_ERROR],
    ['Array(Foo(', E.SYNTAX_ERROR],
    ['UInt64 x', E.SYNTAX_ERROR],
    ['Int64(1,2)', E.SYNTAX_ERROR],
    ['Enum8(a = 1)', E.SYNTAX_ERROR],
    ["Enum8('a = 1)", E.SYNTAX_ERROR],
    ['Tuple(x.y UInt8)', E.SYNTAX_ERROR],
    ['Tuple(é UInt8)', E.SYNTAX_ERROR],
    ['Tuple(,)', E.SYNTAX_ERROR],
    ['Nested(a)', E.SYNTAX_ERROR],
    ["Enum8('a' = 1, 'a' = 2)", E.SYNTAX_ERROR],
    ["Enum8('a' = 1, 'b' = 1)", E.SYNTAX_ERROR],
    ["Enum8('a' = 300)", E.ARGUMENT_OUT_OF_BOUND],
    ["Enum8('a' = 127, 'b')", E.ARGUMENT_OUT_OF_BOUND],
    ["Enum('a' = 40000)", E.ARGUMENT_OUT_OF_BOUND],
    ['Enum8()', E.EMPTY_DATA_PASSED],
    ["Enum8('a' = 1.0)", E.UNEXPECTED_AST_STRUCTURE],
    ["Enum8('a' = 1, 'b', 'c' = 9)", E.UNEXPECTED_AST_STRUCTURE],
    ['Decimal(77, 2)', E.ARGUMENT_OUT_OF_BOUND],
    ['Decimal(10, 11)', E.ARGUMENT_OUT_OF_BOUND],
    ['Decimal32(10)', E.ARGUMENT_OUT_OF_BOUND],
    ['Decimal(a)', E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['Decimal(1, 2, 3)', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['DateTime64(10)', E.ARGUMENT_OUT_OF_BOUND],
    ["DateTime64('UTC')", E.ILLEGAL_TYPE_OF_ARGUMENT],
    ["DateTime64(3, 'UTC', 1)", E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ["Time('UTC')", E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['FixedString', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['FixedString(0)', E.UNEXPECTED_AST_STRUCTURE],
    ['FixedString(16777216)', E.ARGUMENT_OUT_OF_BOUND],
    ['String(1, 2)', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['Float32(1, 2, 3)', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['Bool(1)', E.DATA_TYPE_CANNOT_HAVE_ARGUMENTS],
    ['UUID(1)', E.DATA_TYPE_CANNOT_HAVE_ARGUMENTS],
    ['IntervalSecond(1)', E.DATA_TYPE_CANNOT_HAVE_ARGUMENTS],
    ['Array()', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['Map(String)', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['Nullable(UInt8, UInt8)', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
    ['Nullable(Array(UInt8))', E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['Nullable(Nullable(UInt8))', E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['Nullable(LowCardinality(String))', E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['LowCardinality(Array(UInt8))', E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['LowCardinality(Decimal(9, 2))', E.ILLEGAL_TYPE_OF_ARGUMENT],
    ['Map(Nullable(String), UInt8)', E.BAD_ARGUMENTS],
    ['Tuple(a UInt8, String)', E.BAD_ARGUMENTS],
    ['Tuple(null UInt8)', E.BAD_ARGUMENTS],
    ['Tuple(a UInt8, a String)', E.DUPLICATE_COLUMN],
    ['Nested(a UInt8, a String)', E.DUPLICATE_COLUMN],
    ['Nested()', E.EMPTY_DATA_PASSED],
    ['Variant()', E.BAD_ARGUMENTS],
    ['Variant(Nullable(UInt8))', E.BAD_ARGUMENTS],
    ['Variant(Variant(UInt8))', E.BAD_ARGUMENTS],
    ['Dynamic(max_types=255)', E.UNEXPECTED_AST_STRUCTURE],
    ['JSON(foo=1)', E.UNEXPECTED_AST_STRUCTURE],
    ["JSON(max_dynamic_paths='a')", E.SYNTAX_ERROR],
    ['JSON(a UInt8, a String)', E.BAD_ARGUMENTS],
    ['AggregateFunction()', E.NUMBER_OF_ARGUMENTS_DOESNT_MATCH],
  ] as const;
  /** Deliberate differences: Object('json') is accepted for older servers, which rejected a bare Object this way. */
  const notLikeTheEngine: Readonly<Record<string, number>> = { Object: E.UNKNOWN_TYPE };

  it.each(malformed)('%s → %i', (text, code) => {
    expect(codeOf(text), text).toBe(code);
  });

  it('the embedded ClickHouse raises the same codes', () => {
    for (const [text, code] of malformed) expect(engineCode(text), text).toBe(notLikeTheEngine[text] ?? code);
  });

  it('says what ClickHouse says', () => {
    expect(() => parseType('Foo')).toThrow('Unknown data type family: Foo');
    expect(() => parseType('uint64 UNSIGNED')).toThrow('Unknown data type family: UINT64 UNSIGNED');
    expect(() => parseType('UInt64(')).toThrow('Syntax error (data type): failed at position 7 ((): (. Unmatched parentheses: (');
    expect(() => parseType('Enum8(a=1)')).toThrow('failed at position 8 (=)');
  });
});

describe('printType matches the embedded ClickHouse 26.7', () => {
  /** Column types as written in DDL, in both spellings; the engine's system.columns spelling is the oracle. */
  const columns = [
    'UInt8', 'uint16', 'UInt32', 'uint64', 'UInt128', 'UInt256', 'Int8', 'int16', 'INT', 'BIGINT', 'int128', 'Int256',
    'Float32', 'double', 'BFloat16', 'Decimal(18,4)', 'decimal32(2)', 'Decimal64(4)', 'Decimal128(3)', 'Decimal256(5)',
    'DECIMAL(10)', 'Decimal', 'bool', 'string', 'VARCHAR(255)', 'fixed_string(16)', 'BINARY(4)', 'uuid', 'date', 'Date32',
    'datetime', "DateTime('UTC')", "datetime('Asia/Kolkata')", 'DateTime64', "datetime64(3,'UTC')", "DateTime(6, 'UTC')",
    'DateTime32', 'Time', 'Time64(6)', 'ipv4', 'IPv6', "Enum8('a'=1,'b'=2)", "enum('b'=2,'a'=1)", "Enum('a' = 1000)",
    "Enum8('a\\'b'=1, 'c\\\\d' = -3, 'e\\nf' = 4)", 'nullable(string)', 'Nullable(Decimal(9,2))', "Nullable(DateTime64(3, 'UTC'))",
    'low_cardinality(nullable(string))', 'LowCardinality(FixedString(4))', 'string_with_dictionary', 'array(uint8)',
    'Array(Array(Nullable(String)))', 'map(string, array(uint8))', 'Map(LowCardinality(String), UInt64)',
    'tuple(uint8, string)', 'tuple(a uint8, b string)', 'Tuple(`a b` UInt8, `Null` String, `x``y` Int8)',
    'Tuple(a Tuple(b UInt8), c Array(Tuple(d String)))', 'Nullable(Tuple(UInt8, String))', 'nested(a uint8, b string)',
    'Point', 'Ring', 'Polygon', 'MultiPolygon', 'LineString', 'MultiLineString', 'json', 'JSON(max_dynamic_paths=10, max_dynamic_types=3)',
    "JSON(SKIP z, a.b UInt32, SKIP REGEXP 'x.*', `c d`.e String, SKIP a.c)", 'Dynamic', 'dynamic(max_types=10)',
    'Variant(UInt8, String, Array(UInt8))', 'Variant(IPv4, Int8)', 'aggregate_function(uniq, string)',
    'AggregateFunction(quantiles(0.5,0.9), UInt64)', 'AggregateFunction(sumMap, Array(UInt8), Array(UInt64))',
    'AggregateFunction(sumMapIf, Map(UInt8, UInt64), UInt8)', "AggregateFunction(sumMapFiltered(['a']), Array(String), Array(UInt64))",
    'AggregateFunction(quantile(1e-7), Float64)', 'AggregateFunction(sumMapOrNull, Tuple(Array(UInt8), Array(UInt64)))',
    'simple_aggregate_function(sum, uint64)', 'SimpleAggregateFunction(anyLast, Nullable(String))',
  ];
  /** Types that cannot be columns, read back with toTypeName (one-line form). */
  const expressions: readonly [string, string][] = [
    ['[]', 'Array(Nothing)'],
    ['NULL', 'Nullable(Nothing)'],
    ['INTERVAL 1 DAY', 'IntervalDay'],
    ['toIntervalNanosecond(1)', 'IntervalNanosecond'],
    ['CAST((1, \'x\'), \'Tuple(a UInt8, b String)\')', 'Tuple(a UInt8, b String)'],
  ];
  const engineTypes = new Map<string, string>();
  const engineExpressions = new Map<string, string>();
  let prettyTuple = '';

  beforeAll(() => {
    const ddl = columns.map((text, k) => `c${k} ${printType(parseType(text), 'clickhouse')}`).join(', ');
    session.query(`CREATE TABLE t (${ddl}) ENGINE = Memory SETTINGS flatten_nested = 0, enable_nullable_tuple_type = 1, allow_suspicious_variant_types = 1`);
    const rows = session.query("SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 't' FORMAT JSONCompact");
    for (const [name, type] of (JSON.parse(rows) as { data: [string, string][] }).data) engineTypes.set(name, type);
    for (const [sql] of expressions) {
      engineExpressions.set(sql, session.query(`SELECT toTypeName(${sql}) SETTINGS print_pretty_type_names = 0`, 'TSVRaw').trim());
    }
    prettyTuple = session.query("SELECT toTypeName(CAST((1, 'x'), 'Tuple(a UInt8, b String)'))", 'TSVRaw').trim();
  });

  it('checks at least 40 column types', () => {
    expect(columns.length).toBeGreaterThanOrEqual(40);
    expect(engineTypes.size).toBe(columns.length);
  });

  it.each(columns.map((text, k) => [text, k] as const))('%s', (text, k) => {
    const engine = engineTypes.get(`c${k}`);
    expect(printType(parseType(text), 'clickhouse')).toBe(engine);
    expect(printType(parseType(engine as string), 'clickhouse')).toBe(engine);
    expect(parseType(printType(parseType(text), 'proton'))).toEqual(parseType(engine as string));
  });

  it.each(expressions)('toTypeName(%s)', (sql, expected) => {
    expect(engineExpressions.get(sql)).toBe(expected);
    expect(printType(parseType(expected), 'clickhouse')).toBe(expected);
  });

  it("reads toTypeName's pretty multi-line form and prints the one-line form", () => {
    expect(prettyTuple).toBe('Tuple(\n    a UInt8,\n    b String)');
    expect(printType(parseType(prettyTuple), 'clickhouse')).toBe('Tuple(a UInt8, b String)');
  });
});

describe('downgradeForOldClient (clickhouse-client 18.16, revision 54412)', () => {
  const OLD = 54412;
  it.each([
    ['Bool', 'UInt8'],
    ['IPv4', 'UInt32'],
    ['IPv6', 'FixedString(16)'],
    ['Map(String, UInt8)', 'Array(Tuple(String, UInt8))'],
    ['Map(String, Map(IPv4, Bool))', 'Array(Tuple(String, Array(Tuple(UInt32, UInt8))))'],
    ['Date32', 'String'],
    ["DateTime64(3, 'UTC')", 'String'],
    ['Nullable(DateTime64(3))', 'Nullable(String)'],
    ['Int128', 'String'],
    ['UInt256', 'String'],
    ['Decimal(76, 5)', 'String'],
    ['Decimal(38, 3)', 'Decimal(38, 3)'],
    ['BFloat16', 'Float32'],
    ['Time64(3)', 'String'],
    ['LowCardinality(Nullable(IPv4))', 'LowCardinality(Nullable(UInt32))'],
    ['Array(Nullable(IPv6))', 'Array(Nullable(FixedString(16)))'],
    ['Tuple(a Bool, b String)', 'Tuple(UInt8, String)'],
    ['Nested(a UInt8, b Bool)', 'Array(Tuple(UInt8, UInt8))'],
    ['Point', 'Tuple(Float64, Float64)'],
    ['MultiPolygon', 'Array(Array(Array(Tuple(Float64, Float64))))'],
    ['Nullable(Tuple(UInt8, String))', 'Nullable(String)'],
    ['IntervalDay', 'Int64'],
    ['SimpleAggregateFunction(sum, UInt64)', 'UInt64'],
    ['JSON', 'String'],
    ['Variant(String, UInt8)', 'String'],
    ['Dynamic', 'String'],
  ])('%s → %s', (from, to) => {
    expect(ch(downgradeForOldClient(parseType(from), OLD))).toBe(to);
  });

  it.each([
    'UUID', 'LowCardinality(String)', 'Decimal(9, 2)', "DateTime('UTC')", "Enum8('a' = 1)", 'Array(Nullable(String))',
    'Tuple(UInt8, String)', 'Nothing', 'Nullable(Nothing)', 'UInt64', 'FixedString(3)', 'AggregateFunction(uniq, String)',
  ])('keeps %s, the same object', (text) => {
    const t = parseType(text);
    expect(downgradeForOldClient(t, OLD)).toBe(t);
  });

  it('leaves every type alone from REVISION_WITH_MODERN_TYPES on (Proton drivers 54453, clickhouse-go 54460)', () => {
    for (const text of ['Bool', 'Map(String, IPv6)', "DateTime64(3, 'UTC')", 'Int256']) {
      const t = parseType(text);
      for (const revision of [REVISION_WITH_MODERN_TYPES, 54453, 54460, 54468]) expect(downgradeForOldClient(t, revision)).toBe(t);
    }
  });

  it('sends LowCardinality as its inner type below 54405 and DateTime without zone below 54337', () => {
    expect(ch(downgradeForOldClient(parseType('LowCardinality(Nullable(Bool))'), 54404))).toBe('Nullable(UInt8)');
    expect(ch(downgradeForOldClient(parseType("DateTime('UTC')"), 54336))).toBe('DateTime');
    expect(ch(downgradeForOldClient(parseType("DateTime('UTC')"), 54337))).toBe("DateTime('UTC')");
  });

  it('prints downgrades in Proton spelling too', () => {
    expect(proton(downgradeForOldClient(parseType('map(string, ipv4)'), OLD))).toBe('array(tuple(string, uint32))');
  });
});
