// Result headers in Proton spelling: inputs are results the embedded ClickHouse wrote; every format
// is fed whole, split at every byte offset and one byte at a time, and must give the same bytes.
import { describe, expect, it } from 'vitest';
import { readString, readVarUInt, reframeBlock } from '../../src/native.ts';
import { NativeBlockWalker } from '../../src/native-walker.ts';
import { protonResultTypes, protonTypeName, resultTypesFor } from '../../src/result-types.ts';
import { parseType } from '../../src/type-parser.ts';
import { printType } from '../../src/types.ts';
import { tempSession } from '../support/chdb.ts';

const chdb = tempSession('result-types');
const result = async (sql: string, format: string): Promise<Uint8Array> =>
  (await chdb.session.queryAsync(`${sql} FORMAT ${format}`, { format })).bytes();
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** ClickHouse name → the Proton name the reference expects (§1.14 examples, §4 J70, protocols §2.3). */
const expected: Readonly<Record<string, string>> = {
  UInt64: 'uint64', 'Nullable(String)': 'nullable(string)', 'Array(UInt8)': 'array(uint8)',
  'Map(String, Int32)': 'map(string, int32)', 'LowCardinality(String)': 'low_cardinality(string)',
  'FixedString(4)': 'fixed_string(4)', 'Decimal(10, 2)': 'decimal(10, 2)', "Enum8('a' = 1)": "enum8('a' = 1)",
  "DateTime64(3, 'UTC')": "datetime64(3, 'UTC')", "DateTime('UTC')": "datetime('UTC')",
  'Tuple(a Int8, b String)': 'tuple(a int8, b string)', IPv4: 'ipv4', UUID: 'uuid', Bool: 'bool', Date32: 'date32',
  'DateTime64(3)': 'datetime64(3)', String: 'string', Float32: 'float32', 'Map(String, UInt8)': 'map(string, uint8)',
  Int8: 'int8', DateTime: 'datetime', // Native writes DateTime('UTC') without the zone when it is the server's
};

const spread = `SELECT toUInt64(18446744073709551615) AS u64, CAST('x' AS Nullable(String)) AS ns,
  [1, 2]::Array(UInt8) AS au8, map('k', -1)::Map(String, Int32) AS m, toLowCardinality('lc') AS lc,
  toFixedString('abcd', 4) AS fs, toDecimal64(1.5, 2)::Decimal(10, 2) AS dec, CAST('a' AS Enum8('a' = 1)) AS e,
  toDateTime64('2024-01-02 03:04:05.678', 3, 'UTC') AS dt64, toDateTime('2024-01-02 03:04:05', 'UTC') AS dt,
  CAST((1, 'b') AS Tuple(a Int8, b String)) AS tup, toIPv4('1.2.3.4') AS ip,
  toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') AS id, true AS flag, toDate32('2024-01-02') AS d32,
  toDateTime64('2024-01-02 03:04:05', 3) AS dt64n, 'pl"ain\\t' AS s, toFloat32(1.5) AS f32, map('k', 1) AS mu8
  FROM numbers(2)`;

/** Pushes `input` cut at `cuts` (copies, so views of reused memory would show) and ends. */
function run(format: string, input: Uint8Array, cuts: readonly number[], options?: { nativeLayout?: 'http' | 'tcp'; revision?: number }): Buffer {
  const transform = protonResultTypes(format, options);
  if (transform === null) throw new Error(`${format} carries no types`);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, input.byteLength]) {
    out.push(...transform.push(input.slice(from, cut)));
    from = cut;
  }
  out.push(...transform.end());
  return Buffer.concat(out);
}

/** The output for the whole input, checked equal for every two-piece split and for one-byte pieces. */
function splitInvariant(format: string, input: Uint8Array, options?: { nativeLayout?: 'http' | 'tcp'; revision?: number }): Buffer {
  const whole = run(format, input, [], options);
  const differ: number[] = [];
  for (let cut = 1; cut < input.byteLength; cut++) if (!run(format, input, [cut], options).equals(whole)) differ.push(cut);
  expect(differ, `${format}: offsets whose split changes the output`).toEqual([]);
  expect(run(format, input, Array.from({ length: input.byteLength - 1 }, (_, i) => i + 1), options).equals(whole)).toBe(true);
  return whole;
}

// Independent readers of each header: the type names and the bytes after the header.
type Header = { types: string[]; rest: string };
const tsvUnescape = (s: string): string => s.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', '\\': '\\', "'": "'", b: '\b', f: '\f', r: '\r', 0: '\0' })[c] ?? `\\${c}`);
const lineHeader = (field: (raw: string) => string, separator: RegExp) => (bytes: Uint8Array): Header => {
  const [names, types, ...rest] = text(bytes).split('\n');
  return { types: (types ?? '').split(separator).map(field), rest: [names, ...rest].join('\n') };
};
const csvField = (raw: string): string => raw.slice(1, -1).replaceAll('""', '"');
const jsonHeader = (bytes: Uint8Array): Header => {
  const doc = JSON.parse(text(bytes)) as { meta: { type: string }[] };
  return { types: doc.meta.map((c) => c.type), rest: JSON.stringify({ ...doc, meta: doc.meta.map((c) => ({ ...c, type: '' })), statistics: null }) };
};
const jsonLinesHeader = (bytes: Uint8Array): Header => {
  const [first, ...rest] = text(bytes).split('\n');
  return { types: (JSON.parse(first ?? '') as { meta: { type: string }[] }).meta.map((c) => c.type), rest: rest.join('\n').replace(/"elapsed_ns":"\d+"/, '') };
};
const readers: Readonly<Record<string, (bytes: Uint8Array) => Header>> = {
  JSON: jsonHeader, JSONStrings: jsonHeader, JSONCompact: jsonHeader, JSONCompactStrings: jsonHeader, JSONColumnsWithMetadata: jsonHeader,
  JSONEachRowWithProgress: jsonLinesHeader, JSONCompactStringsEachRowWithProgress: jsonLinesHeader,
  XML: (bytes) => ({
    types: [...text(bytes).matchAll(/<type>([^<]*)<\/type>/g)].map((m) => (m[1] ?? '').replaceAll('&lt;', '<').replaceAll('&amp;', '&')),
    rest: text(bytes).replace(/<type>[^<]*<\/type>/g, '').replace(/<elapsed>[^<]*</, ''),
  }),
  TabSeparatedWithNamesAndTypes: lineHeader(tsvUnescape, /\t/), TSVWithNamesAndTypes: lineHeader(tsvUnescape, /\t/),
  CustomSeparatedWithNamesAndTypes: lineHeader(tsvUnescape, /\t/),
  TabSeparatedRawWithNamesAndTypes: lineHeader((s) => s, /\t/), TSVRawWithNamesAndTypes: lineHeader((s) => s, /\t/),
  CSVWithNamesAndTypes: lineHeader(csvField, /,(?=")/),
  JSONCompactEachRowWithNamesAndTypes: (bytes) => {
    const [names, types, ...rest] = text(bytes).split('\n');
    return { types: JSON.parse(types ?? '') as string[], rest: [names, ...rest].join('\n') };
  },
  RowBinaryWithNamesAndTypes: (bytes) => {
    let [n, at] = readVarUInt(bytes, 0) as [number, number];
    const strings: string[] = [];
    for (let k = 0; k < 2 * n; k++) {
      const [value, end] = readString(bytes, at) as [Uint8Array, number];
      strings.push(text(value));
      at = end;
    }
    return { types: strings.slice(n), rest: strings.slice(0, n).join('\n') + Buffer.from(bytes.subarray(at)).toString('hex') };
  },
};
const strip = (r: Header): string => r.rest.replace(/"elapsed":\s*[\d.e-]+/, '');

describe('protonResultTypes on results of the store', () => {
  for (const format of Object.keys(readers)) {
    it(`${format}: every type in Proton spelling, everything else unchanged, at every split`, async () => {
      const input = await result(spread, format);
      const read = readers[format] as (bytes: Uint8Array) => Header;
      const before = read(input);
      expect(before.types.every((t) => t in expected), before.types.join(' | ')).toBe(true);
      const after = read(splitInvariant(format, input));
      expect(after.types).toEqual(before.types.map((t) => expected[t]));
      expect(strip(after)).toEqual(strip(before));
    });
  }

  it('rewrites the header of empty results too', async () => {
    for (const format of Object.keys(readers)) {
      const input = await result(spread.replace('numbers(2)', 'numbers(0)'), format);
      const read = readers[format] as (bytes: Uint8Array) => Header;
      const before = read(input);
      const after = read(splitInvariant(format, input));
      expect(after.types, format).toEqual(before.types.map((t) => expected[t]));
      expect(strip(after), format).toEqual(strip(before));
    }
  });

  it('follows the output settings that change header bytes: CRLF line ends, unescaped slashes', async () => {
    const tsv = await result(`${spread} SETTINGS output_format_tsv_crlf_end_of_line = 1`, 'TSVWithNamesAndTypes');
    const lines = text(splitInvariant('TSVWithNamesAndTypes', tsv)).split('\r\n');
    expect(lines[1]?.split('\t').slice(0, 3)).toEqual(['uint64', 'nullable(string)', 'array(uint8)']);
    expect(lines.slice(2)).toEqual(text(tsv).split('\r\n').slice(2));
    const sql = "SELECT toDateTime(0, 'America/New_York') AS t";
    const escaped = text(run('JSON', await result(sql, 'JSON'), []));
    expect(escaped).toContain('"type": "datetime(\'America\\/New_York\')"');
    const plain = await result(`${sql} SETTINGS output_format_json_escape_forward_slashes = 0`, 'JSON');
    expect(text(splitInvariant('JSON', plain))).toContain('"type": "datetime(\'America/New_York\')"');
  });

  it('the J70 and §1.14 examples come out exactly', async () => {
    const out = text(run('TSVWithNamesAndTypes', await result(spread, 'TSVWithNamesAndTypes'), []));
    expect(out.split('\n')[1]?.split('\t')).toEqual([
      'uint64', 'nullable(string)', 'array(uint8)', 'map(string, int32)', 'low_cardinality(string)', 'fixed_string(4)',
      'decimal(10, 2)', "enum8(\\'a\\' = 1)", "datetime64(3, \\'UTC\\')", "datetime(\\'UTC\\')", 'tuple(a int8, b string)',
      'ipv4', 'uuid', 'bool', 'date32', 'datetime64(3)', 'string', 'float32', 'map(string, uint8)',
    ]);
  });

  it('keeps each format\'s escaping for names with quotes, backslashes, tabs, slashes and markup', async () => {
    const sql = `SELECT CAST('a' AS Enum8('a\\'\\\\b\\t/<&>"x' = 1, 'a' = 2)) AS e, toDateTime('2020-01-01', 'America/New_York') AS "t\\"/\\tz"`;
    const types = ["Enum8('a\\'\\\\b\\t/<&>\"x' = 1, 'a' = 2)", "DateTime('America/New_York')"];
    const proton = types.map((t) => printType(parseType(t), 'proton'));
    expect(proton).toEqual(["enum8('a\\'\\\\b\\t/<&>\"x' = 1, 'a' = 2)", "datetime('America/New_York')"]);
    for (const format of Object.keys(readers).filter((f) => !f.startsWith('CSV') && !f.includes('Raw'))) {
      const input = await result(sql, format);
      const read = readers[format] as (bytes: Uint8Array) => Header;
      expect(read(input).types, format).toEqual(types);
      const after = read(splitInvariant(format, input));
      expect(after.types, format).toEqual(proton);
      expect(strip(after), format).toEqual(strip(read(input)));
    }
    const csv = await result(sql, 'CSVWithNamesAndTypes');
    expect(readers.CSVWithNamesAndTypes?.(splitInvariant('CSVWithNamesAndTypes', csv)).types).toEqual(proton);
  });

  it('passes data chunks through as the same objects once the header is done', async () => {
    const input = await result(spread, 'JSONCompactEachRowWithNamesAndTypes');
    const transform = protonResultTypes('JSONCompactEachRowWithNamesAndTypes');
    const [head, tail] = [input.slice(0, input.byteLength - 10), input.slice(input.byteLength - 10)];
    expect(transform?.push(head).length).toBe(2);
    const out = transform?.push(tail);
    expect(out?.length).toBe(1);
    expect(out?.[0]).toBe(tail);
    expect(transform?.end()).toEqual([]);
  });

  it('emits a header cut off by the end of the stream as it came', () => {
    const partial = Buffer.from('a\tb\nUInt8\tStr');
    expect(run('TSVWithNamesAndTypes', partial, [3]).equals(partial)).toBe(true);
  });

  it('resolves format names case-insensitively, and returns null for formats without types', () => {
    expect(protonResultTypes('json')).not.toBeNull();
    expect(protonResultTypes('tsvwithnamesandtypes')).not.toBeNull();
    expect(protonResultTypes('NATIVE')).not.toBeNull();
    expect(resultTypesFor.proton('JSON')).not.toBeNull();
    expect(resultTypesFor.clickhouse('JSON')).toBeNull();
    for (const format of ['TSV', 'TabSeparated', 'TSVWithNames', 'JSONEachRow', 'CSV', 'Parquet', 'RowBinary', 'Pretty', 'Null']) {
      expect(protonResultTypes(format), format).toBeNull();
    }
  });
});

describe('protonResultTypes on Native', () => {
  /** The blocks of `bytes` (ClickHouse names) and the bytes expected: each block with its types renamed by the table. */
  const expectedNative = (bytes: Uint8Array, revision = 0): { types: string[][]; bytes: Buffer } => {
    const walker = new NativeBlockWalker({ revision });
    const blocks = walker.push(bytes);
    walker.end();
    return {
      types: blocks.map((b) => b.columns.map((c) => c.type)),
      bytes: Buffer.concat(blocks.map((b) => reframeBlock(b, { revision, typeName: (t) => expected[t] ?? `unexpected ${t}` }))),
    };
  };

  it('renames every column type of every block; data bytes unchanged', async () => {
    const input = await result(`${spread.replace('numbers(2)', 'numbers(7)')} SETTINGS max_block_size = 3`, 'Native');
    const want = expectedNative(input);
    expect(want.types.length).toBeGreaterThan(1);
    expect(want.types.flat().filter((t) => !(t in expected))).toEqual([]);
    expect(splitInvariant('Native', input).equals(want.bytes)).toBe(true);
  });

  for (const revision of [54453, 54460]) {
    it(`renames blocks in the TCP layout at revision ${revision}`, async () => {
      const walker = new NativeBlockWalker();
      const plain = walker.push(await result(`SELECT toUInt64(number) AS n, toString(number) AS s, [toUInt8(number)] AS a FROM numbers(5) SETTINGS max_block_size = 2`, 'Native'));
      const tcp = Buffer.concat(plain.map((b) => reframeBlock(b, { revision })));
      const want = expectedNative(tcp, revision);
      expect(want.types).toEqual([0, 1, 2].map(() => ['UInt64', 'String', 'Array(UInt8)']));
      const out = splitInvariant('Native', tcp, { nativeLayout: 'tcp', revision });
      expect(out.equals(want.bytes)).toBe(true);
      expect(out.includes(Buffer.from('\x0carray(uint8)'))).toBe(true);
      expect(out.includes(Buffer.from('UInt'))).toBe(false);
    });
  }

  it('needs the revision the blocks were framed for in the TCP layout', () => {
    expect(() => protonResultTypes('Native', { nativeLayout: 'tcp' })).toThrow(/revision/);
  });
});

describe('protonTypeName', () => {
  it('translates through the type tree and leaves unreadable text alone', () => {
    expect(protonTypeName('LowCardinality(Nullable(String))')).toBe('low_cardinality(nullable(string))');
    expect(protonTypeName('Array(Tuple(UInt8, DateTime64(6)))')).toBe('array(tuple(uint8, datetime64(6)))');
    expect(protonTypeName('NotAType(')).toBe('NotAType(');
  });
});
