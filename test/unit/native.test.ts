import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import {
  BLOCK_INFO,
  encodeString,
  readString,
  readVarUInt,
  reframeBlock,
  varUIntSize,
  writeBlockHeader,
  writeVarUInt,
} from '../../src/native.ts';
import { nativeLayout } from '../../src/native-layout.ts';
import { NativeBlockWalker, type NativeBlock } from '../../src/native-walker.ts';
import { GatewayError } from '../../src/errors.ts';
import { tempSession, thrownCode } from '../support/chdb.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/[\s|]+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const str = (text: string): string => toHex(encodeString(text));

/** A revision-0 block: ncols nrows, then per column name, type, data (hex). */
function block(rows: number, columns: readonly (readonly [name: string, type: string, data: string])[]): Uint8Array {
  const head = new Uint8Array(20);
  const end = writeVarUInt(head, writeVarUInt(head, 0, columns.length), rows);
  return hex(toHex(head.subarray(0, end)) + columns.map(([n, t, d]) => str(n) + str(t) + d.replace(/[\s|]+/g, '')).join(''));
}

interface Seen { rows: number; columns: { name: string; type: string; data: string }[]; bytes: string }
const seen = (b: NativeBlock): Seen => ({
  rows: b.rows,
  columns: b.columns.map((c) => ({ name: c.name, type: c.type, data: toHex(b.bytes.subarray(c.dataStart, c.dataEnd)) })),
  bytes: toHex(b.bytes),
});

/** Walks `input` pushed in pieces cut at `cuts` (ascending offsets), checking the stream ends cleanly. */
function walk(input: Uint8Array, cuts: readonly number[] = [], revision = 0): Seen[] {
  const walker = new NativeBlockWalker({ revision });
  const out: Seen[] = [];
  let from = 0;
  for (const cut of [...cuts, input.byteLength]) {
    // Copies, so a block assembled from views of reused memory would show up as wrong bytes.
    for (const b of walker.push(input.slice(from, cut))) out.push(seen(b));
    from = cut;
  }
  walker.end();
  return out;
}

/** Every split into two pieces, and one-byte pieces throughout, give the same blocks as one push. */
function expectSplitInvariant(input: Uint8Array, revision = 0): Seen[] {
  const whole = walk(input, [], revision);
  for (let cut = 1; cut < input.byteLength; cut++) expect(walk(input, [cut], revision)).toEqual(whole);
  expect(walk(input, Array.from({ length: input.byteLength - 1 }, (_, i) => i + 1), revision)).toEqual(whole);
  return whole;
}

const codeOf = thrownCode;

describe('VarUInt and String', () => {
  const known: [number, string][] = [[0, '00'], [127, '7f'], [128, '8001'], [54412, '8ca903'], [54460, 'bca903'], [54468, 'c4a903'], [1000000, 'c0843d'], [2 ** 53 - 1, 'ffffffffffffff0f']];
  it.each(known)('%d ↔ %s', (value, bytes) => {
    const out = new Uint8Array(10);
    expect(toHex(out.subarray(0, writeVarUInt(out, 0, value)))).toBe(bytes);
    expect(varUIntSize(value)).toBe(bytes.length / 2);
    expect(readVarUInt(hex(bytes), 0)).toEqual([value, bytes.length / 2]);
    for (let n = 0; n < bytes.length / 2; n++) expect(readVarUInt(hex(bytes).subarray(0, n), 0)).toBeNull();
  });
  it('refuses over-long and over-large VarUInts', () => {
    expect(codeOf(() => readVarUInt(hex('ffffffffffffffffff01'), 0))).toBe(117);
    expect(codeOf(() => readVarUInt(hex('8080808080808080808001'), 0))).toBe(117);
  });
  it('reads and writes Strings', () => {
    expect(toHex(encodeString('check'))).toBe('05636865636b');
    const [value, end] = readString(hex('05636865636b00'), 0) ?? [];
    expect([Buffer.from(value as Uint8Array).toString(), end]).toEqual(['check', 6]);
    expect(readString(hex('05636865'), 0)).toBeNull();
    expect(codeOf(() => readString(hex('8180808004'), 0))).toBe(117); // 1 GiB + 1 bytes: past the cap
  });
});

// §2.2 known answers: [type, rows, column data].
const vectors: [string, number, string][] = [
  ['UInt8', 1, '01'], ['Int16', 1, 'feff'], ['UInt32', 1, '03000000'], ['Int64', 1, 'fcffffffffffffff'],
  ['Float32', 1, '0000c03f'], ['Float64', 1, '000000000000d0bf'],
  ['Decimal(9, 2)', 1, '96000000'], ['Decimal(18, 4)', 1, '68c5ffffffffffff'], ['Decimal(38, 10)', 1, '00ba1dd205000000 0000000000000000'],
  ['String', 2, '02 6162 00'], ['FixedString(4)', 1, '61620000'],
  ['Date', 1, '0c4d'], ['Date32', 1, 'bbf1ffff'], ['DateTime', 1, '257d9365'], ["DateTime64(3, 'UTC')", 1, '2edb20c88c010000'],
  ['UUID', 1, 'e711b35c04c4f061 a0dbd36a00a67b90'], ['IPv4', 1, '04030201'], ['IPv6', 1, '20010db8000000000000000000000001'],
  ["Enum8('a' = 1, 'b' = 2)", 1, '02'], ["Enum16('x' = 1000)", 1, 'e803'], ['Bool', 1, '01'], ['Bool', 1, '00'],
  ['Nullable(Int32)', 2, '00 01 | 05000000 00000000'], ['Nullable(String)', 2, '01 00 | 00 0178'],
  ['Array(UInt8)', 3, '0200000000000000 0200000000000000 0300000000000000 | 010203'],
  ['Array(Array(UInt8))', 1, '0200000000000000 | 0100000000000000 0300000000000000 | 010203'],
  ['Array(Nullable(UInt8))', 1, '0200000000000000 | 0001 | 0100'],
  ['Map(String, UInt8)', 1, '0200000000000000 | 0161 0162 | 0102'],
  ['Tuple(UInt8, String)', 1, '01 | 0178'], ['Tuple(a UInt8, b String)', 1, '01 | 0178'],
  ['LowCardinality(String)', 3, '0100000000000000 | 0006000000000000 | 0300000000000000 00 0161 0162 | 0300000000000000 010201'],
  ['LowCardinality(Nullable(String))', 2, '0100000000000000 | 0006000000000000 | 0300000000000000 00 00 0161 | 0200000000000000 0200'],
  ['Nullable(Nothing)', 1, '01 30'],
  // Not written by Native output, laid out as SerializationLowCardinality reads them: two granules
  // sharing a global dictionary, and a global dictionary plus additional keys.
  ['LowCardinality(String)', 3, '0100000000000000 | 0005000000000000 0200000000000000 00 0161 0200000000000000 0101 | 0001000000000000 0100000000000000 00'],
  ['LowCardinality(String)', 1, '0100000000000000 | 0007000000000000 0100000000000000 00 0100000000000000 0162 0100000000000000 01'],
];

describe('§2.2 known-answer vectors', () => {
  it('walks the four-integer block exactly as printed', () => {
    const input = hex('04 01 | 0161 0555496e7438 01 | 0162 05496e743136 feff | 0163 0655496e743332 03000000 | 0164 05496e743634 fcffffffffffffff');
    const [b] = expectSplitInvariant(input);
    expect(b?.columns.map((c) => [c.name, c.type, c.data])).toEqual([
      ['a', 'UInt8', '01'], ['b', 'Int16', 'feff'], ['c', 'UInt32', '03000000'], ['d', 'Int64', 'fcffffffffffffff'],
    ]);
  });

  it.each(vectors)('%s', (type, rows, data) => {
    const input = block(rows, [['x', type, data], ['after', 'UInt8', '07'.repeat(rows)]]);
    const blocks = expectSplitInvariant(input);
    expect(blocks).toEqual([{
      rows,
      columns: [{ name: 'x', type, data: data.replace(/[\s|]+/g, '') }, { name: 'after', type: 'UInt8', data: '07'.repeat(rows) }],
      bytes: toHex(input),
    }]);
  });

  it('walks the full-hex vectors end to end', () => {
    const arrays = hex('010301610c41727261792855496e743829020000000000000002000000000000000300000000000000010203');
    expect(expectSplitInvariant(arrays)).toEqual([{
      rows: 3, bytes: toHex(arrays),
      columns: [{ name: 'a', type: 'Array(UInt8)', data: '020000000000000002000000000000000300000000000000010203' }],
    }]);
    const lc = hex('0103026c63164c6f7743617264696e616c69747928537472696e672901000000000000000006000000000000030000000000000000016101620300000000000000010201');
    expect(expectSplitInvariant(lc)[0]?.columns).toEqual([{
      name: 'lc', type: 'LowCardinality(String)', data: '01000000000000000006000000000000030000000000000000016101620300000000000000010201',
    }]);
  });

  it('walks the TCP form of clickhouse-connect\'s probe answer (BlockInfo, revision 54405)', () => {
    const input = hex('01 00 02 ff ff ff ff 00 01 01 05636865636b 0555496e7438 01');
    expect(expectSplitInvariant(input, 54405)).toEqual([{ rows: 1, bytes: toHex(input), columns: [{ name: 'check', type: 'UInt8', data: '01' }] }]);
  });
});

describe('type layouts', () => {
  it.each([
    ['Nullable(UInt8)', { kind: 'fixed', width: 2 }],
    ['Tuple(a UInt8, `b c` Int32)', { kind: 'fixed', width: 5 }],
    ["Enum8('it''s' = -1, 'a\\'b' = 2, 'x(' = 3)", { kind: 'fixed', width: 1 }],
    ["DateTime64(9, 'Asia/Tokyo')", { kind: 'fixed', width: 8 }],
    ['Decimal(76, 2)', { kind: 'fixed', width: 32 }],
    ['Map(String, Array(UInt8))', { kind: 'array', element: { kind: 'tuple', elements: [{ kind: 'string' }, { kind: 'array', element: { kind: 'fixed', width: 1 } }] } }],
    ['Array(Nullable(String))', { kind: 'array', element: { kind: 'nullable', inner: { kind: 'string' } } }],
    ['LowCardinality(Nullable(FixedString(3)))', { kind: 'lowCardinality', keys: { kind: 'fixed', width: 3 } }],
    ['SimpleAggregateFunction(sum, UInt64)', { kind: 'fixed', width: 8 }],
    ['MultiPolygon', { kind: 'array', element: { kind: 'array', element: { kind: 'array', element: { kind: 'fixed', width: 16 } } } }],
    ['Tuple()', { kind: 'fixed', width: 1 }],
  ])('%s', (type, layout) => {
    expect(nativeLayout(type)).toEqual(layout);
  });

  it.each([
    ['Foo', 50], ['Array(Foo)', 50],
    ['JSON', 48], ['JSON(max_dynamic_paths = 3, a.b UInt32)', 48], ['Variant(String, UInt8)', 48], ['Dynamic', 48],
    ['AggregateFunction(sum, UInt8)', 48], ['Object(\'json\')', 48], ['Array(Dynamic)', 48],
    ['Array(UInt8', 117], ['Array(UInt8))', 117], ['Array()', 117], ['Map(String)', 117], ['FixedString(0)', 117],
    ['FixedString(x)', 117], ["Enum8('a = 1)", 117], ['Decimal(77, 2)', 117], ['', 117], ['Array(UInt8, String)', 117],
    ['LowCardinality(LowCardinality(String))', 117], ['Array('.repeat(100) + 'UInt8' + ')'.repeat(100), 117],
  ])('%s → code %d', (type, code) => {
    expect(codeOf(() => nativeLayout(type))).toBe(code);
  });
});

describe('blocks produced by chDB', () => {
  const chdb = tempSession('native');
  const native = async (sql: string): Promise<Uint8Array> => (await chdb.session.queryAsync(`${sql} FORMAT Native`, { format: 'Native' })).bytes();

  const everyFamily = `
    SELECT number::UInt8 u8, -number::Int16 i16, number::UInt32 u32, number::Int64 - 5 i64, number::UInt128 u128,
      -number::Int256 i256, number::UInt256 u256, toFloat32(number / 2) f32, number / 4 f64, (number % 2 = 0)::Bool b,
      toDate('2024-01-01') + number d, toDate32('1960-01-01') + number d32,
      toDateTime('2024-01-02 03:04:05', 'UTC') + number dt, toDateTime64('2024-01-02 03:04:05.678', 3, 'UTC') + number dt64,
      toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') uuid, toIPv4('1.2.3.4') ip4, toIPv6('2001:db8::1') ip6,
      toDecimal32(number, 2) d9, toDecimal64(number, 4) d18, toDecimal128(number, 10) d38, toDecimal256(number, 20) d76,
      CAST(number % 2 + 1, 'Enum8(\\'a\\' = 1, \\'b(\\'\\')\\' = 2)') e8, CAST(1000, 'Enum16(\\'x\\' = 1000, \\'y\\' = -3)') e16,
      repeat('x', number % 4) s, toFixedString(repeat('y', number % 4), 4) fs,
      if(number % 3 = 0, NULL, number) n, if(number % 2 = 0, NULL, toString(number)) ns,
      range(number % 4)::Array(UInt8) arr, arrayMap(x -> if(x = 1, NULL, toString(x)), range(number % 3)) arrns,
      [range(number % 3), []] arrarr, map('k', number, 'k2', number * 2) m,
      map(toString(number), range(number % 3)::Array(UInt8)) m2, (number, toString(number)) t,
      CAST((number, repeat('z', number % 2)), 'Tuple(a UInt64, b String)') tn,
      toLowCardinality(toString(number % 3)) lc, toLowCardinality(if(number % 2 = 0, NULL, toString(number))) lcn,
      CAST(arrayMap(x -> if(x = 1, NULL, toString(x)), range(number % 3)), 'Array(LowCardinality(Nullable(String)))') arrlc,
      toLowCardinality(toString(number)) lcwide, CAST(if(number % 2 = 0, NULL, toDecimal64(number, 3)), 'Nullable(Decimal(18, 3))') nd,
      CAST((toString(number), 'k'), 'Tuple(LowCardinality(String), LowCardinality(String))') tlc,
      map(toLowCardinality(toString(number % 2)), number::UInt8) mlc,
      NULL nothing, [] emptyarr, () unit, (1.5, number)::Point p, toBFloat16(number) bf, toIntervalDay(number) iv,
      toTime(number) tm, repeat('w', (number * 37) % 500) long, CAST(number, 'SimpleAggregateFunction(sum, UInt64)') saf
    FROM numbers(10) SETTINGS max_block_size = 3`;

  it('walks a result covering every family, split at every offset', async () => {
    const input = await native(everyFamily);
    const blocks = expectSplitInvariant(input);
    expect(blocks.map((b) => b.rows)).toEqual([3, 3, 3, 1]);
    expect(blocks.map((b) => b.bytes).join('')).toBe(toHex(input));
    const first = blocks[0] as Seen;
    expect(first.columns.find((c) => c.name === 'lcn')?.type).toBe('LowCardinality(Nullable(String))');
    expect(first.columns.find((c) => c.name === 'nothing')).toEqual({ name: 'nothing', type: 'Nullable(Nothing)', data: '010101303030' });
    expect(first.columns.find((c) => c.name === 'u32')?.data).toBe('000000000100000002000000');
    expect(first.columns.find((c) => c.name === 's')?.data).toBe('00 0178 027878'.replaceAll(' ', ''));
  });

  it('locates every column exactly: re-framing at revision 0 gives back each block', async () => {
    const walker = new NativeBlockWalker();
    const blocks = walker.push(await native(everyFamily));
    for (const b of blocks) expect(toHex(reframeBlock(b, { revision: 0 }))).toBe(toHex(b.bytes));
  });

  it('walks edge shapes: LowCardinality in empty arrays, 0 rows, strings across blocks', async () => {
    const lcInEmpty = await native("SELECT [[]]::Array(Array(LowCardinality(String))) a, []::Array(LowCardinality(Nullable(String))) b, '' s");
    expect(expectSplitInvariant(lcInEmpty)[0]?.columns.map((c) => c.data)).toEqual([
      '0100000000000000' + '0100000000000000' + '0000000000000000', '0100000000000000' + '0000000000000000', '00',
    ]);
    expect(await native('SELECT 1 WHERE 0')).toHaveLength(0);
    expect(walk(new Uint8Array(0))).toEqual([]);
  });

  it('walks a larger result pushed in random pieces', async () => {
    const input = await native(`${everyFamily.replace('numbers(10)', 'numbers(3000)').replace('max_block_size = 3', 'max_block_size = 700')}`);
    const whole = walk(input);
    expect(whole.map((b) => b.rows)).toEqual([700, 700, 700, 700, 200]);
    // 700 distinct keys: UInt16 indexes (IndexesSerializationType 0x0601), 2 bytes per row at the end.
    const wide = whole[0]?.columns.find((c) => c.name === 'lcwide')?.data ?? '';
    expect(wide.slice(16, 32)).toBe('0106000000000000');
    expect(wide.slice(-(700 * 4 + 16), -(700 * 4))).toBe(toHex(hex('bc02000000000000')));
    for (const b of new NativeBlockWalker().push(input)) expect(toHex(reframeBlock(b, { revision: 0 }))).toBe(toHex(b.bytes));
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const cuts: number[] = [];
      const mean = [7, 100, 5000, 100000][round % 4] as number;
      for (let at = random(mean) + 1; at < input.byteLength; at += random(2 * mean) + 1) cuts.push(at);
      expect(walk(input, cuts)).toEqual(whole);
    }
  });

  it('reports truncation as CANNOT_READ_ALL_DATA at every offset inside a block', async () => {
    const input = await native('SELECT number n, toString(number) s, [number] a FROM numbers(4) SETTINGS max_block_size = 2');
    const ends = new Set<number>([0]);
    let total = 0;
    for (const b of new NativeBlockWalker().push(input)) ends.add((total += b.bytes.byteLength));
    for (let n = 0; n < input.byteLength; n++) {
      const walker = new NativeBlockWalker();
      walker.push(input.subarray(0, n));
      expect(codeOf(() => walker.end())).toBe(ends.has(n) ? undefined : 33);
    }
  });
});

describe('re-framing for TCP', () => {
  const input = hex('02 02 | 0161 0555496e7438 0102 | 0173 06537472696e67 0178 00');
  const [source] = new NativeBlockWalker().push(input) as [NativeBlock];
  const columns = '0161 0555496e7438 %0102 | 0173 06537472696e67 %017800';
  const expected = (custom: string): string => toHex(hex(`01 00 02 ff ff ff ff 00 02 02 ${columns.replaceAll('%', custom)}`));

  it.each([[54412, ''], [54453, ''], [54454, '00'], [54460, '00']])('revision %d', (revision, custom) => {
    const out = reframeBlock(source, { revision });
    expect(toHex(out)).toBe(expected(custom));
    expect(toHex(out.subarray(0, 8))).toBe(toHex(BLOCK_INFO));
    expect(expectSplitInvariant(out, revision)).toEqual([{ rows: 2, bytes: toHex(out), columns: [
      { name: 'a', type: 'UInt8', data: '0102' }, { name: 's', type: 'String', data: '017800' },
    ] }]);
  });

  it('renames types and keeps the data', () => {
    const out = reframeBlock(source, { revision: 54453, typeName: (t) => t.toLowerCase() });
    expect(toHex(out)).toBe(toHex(hex('01 00 02 ff ff ff ff 00 02 02 0161 0575696e7438 0102 0173 06737472696e67 017800')));
  });

  it('re-frames a block walked from the TCP form back to HTTP Native', () => {
    const tcp = reframeBlock(source, { revision: 54460 });
    const [b] = new NativeBlockWalker({ revision: 54460 }).push(tcp) as [NativeBlock];
    expect(toHex(reframeBlock(b, { revision: 0 }))).toBe(toHex(input));
  });

  it('writes header-only blocks', () => {
    const cols = [{ name: 'check', type: 'UInt8' }, { name: 'n', type: 'Nullable(String)' }];
    const head = '02 00 05636865636b 0555496e7438 % 016e 104e756c6c61626c6528537472696e6729 %';
    expect(toHex(writeBlockHeader(cols, { revision: 54460 }))).toBe(toHex(hex(`01 00 02 ff ff ff ff 00 ${head.replaceAll('%', '00')}`)));
    expect(toHex(writeBlockHeader(cols, { revision: 54412 }))).toBe(toHex(hex(`01 00 02 ff ff ff ff 00 ${head.replaceAll('%', '')}`)));
    expect(toHex(writeBlockHeader(cols, { revision: 0 }))).toBe(toHex(hex(head.replaceAll('%', ''))));
    expect(toHex(writeBlockHeader([], { revision: 54460 }))).toBe('010002ffffffff000000');
    const walked = walk(writeBlockHeader(cols, { revision: 54460 }), [], 54460);
    expect(walked[0]?.columns).toEqual([{ name: 'check', type: 'UInt8', data: '' }, { name: 'n', type: 'Nullable(String)', data: '' }]);
  });
});

describe('malformed input', () => {
  const push = (input: Uint8Array, options = {}): number | undefined => codeOf(() => new NativeBlockWalker(options).push(input));

  it('refuses huge declared sizes at once, without waiting for the data', () => {
    expect(push(block(1, [['s', 'String', '80808080 08']]))).toBe(117); // 2 GiB string
    expect(push(hex('01 8094ebdc04'))).toBe(117); // 1.28e9 rows
    expect(push(hex('ffffffff0f 01'))).toBe(117); // 4e9 columns
    expect(push(block(1, [['a', 'Array(UInt8)', '000000000000f000']]))).toBe(117); // 2^60 elements
    expect(push(block(3, [['a', 'UInt64', '']]), { maxBlockBytes: 16 })).toBe(117);
    expect(push(block(1, [['x', 'LowCardinality(String)', '0100000000000000 0006000000000000 ffffffffffffff7f']]))).toBe(117); // keys
    expect(push(block(1, [['x', 'LowCardinality(String)', '0100000000000000 0000000000000000 ffffffffffffff7f']]))).toBe(117); // rows
  });

  it('refuses bad structure with coded errors', () => {
    expect(push(block(1, [['x', 'Foo', '00']]))).toBe(50);
    expect(push(block(1, [['x', 'JSON', '00']]))).toBe(48);
    expect(push(block(1, [['x', 'Array(UInt8', '00']]))).toBe(117);
    expect(push(hex('01 01 ffffffffffffffffffff01'))).toBe(117); // 11-byte VarUInt
    expect(push(block(1, [['x', 'LowCardinality(String)', '0200000000000000']]))).toBe(117);
    expect(push(block(1, [['x', 'LowCardinality(String)', '0100000000000000 0400000000000000']]))).toBe(117);
    expect(push(block(1, [['x', 'LowCardinality(String)', '0100000000000000 0006000000000000 0000000000000000 0500000000000000']]))).toBe(117);
    expect(push(hex('01 00 02 ff ff ff ff 00 01 01 0161 0555496e7438 01 01'), { revision: 54460 })).toBe(48); // sparse
    expect(push(hex('05 00'), { revision: 54460 })).toBe(117); // unknown BlockInfo field
  });

  it('survives random garbage without crashing', () => {
    let seed = 3;
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(1 + (round % 64));
      for (let i = 0; i < bytes.byteLength; i++) bytes[i] = (seed = (seed * 48271) % 2147483647) & 0xff;
      const walker = new NativeBlockWalker({ revision: round % 2 === 0 ? 0 : 54460 });
      try {
        walker.push(bytes);
        walker.end();
      } catch (error) {
        expect(error).toBeInstanceOf(GatewayError);
      }
    }
  });
});

describe('single-block walking (a block embedded in another stream)', () => {
  /** Walks one block out of `input` cut at `cut`; returns the block and the bytes given back after it. */
  function single(input: Uint8Array, cut: number, options = {}): { block: Seen; rest: string } {
    const walker = new NativeBlockWalker({ single: true, ...options });
    const blocks = walker.push(input.slice(0, cut));
    let rest: Uint8Array[];
    if (blocks.length === 1) {
      // The block ended in the first piece: the second is never pushed, it stays the caller's.
      rest = [...walker.rest(), input.slice(cut)];
    } else {
      blocks.push(...walker.push(input.slice(cut)));
      rest = walker.rest();
    }
    expect(blocks).toHaveLength(1);
    expect(walker.buffered).toBe(0);
    walker.end();
    return { block: seen(blocks[0] as NativeBlock), rest: rest.map(toHex).join('') };
  }

  it('stops after one block and gives back the bytes after it, split at every offset', () => {
    const first = block(2, [['a', 'UInt8', '0102'], ['s', 'String', `${str('x')}${str('yz')}`]]);
    const second = block(1, [['b', 'UInt8', '07']]);
    const input = hex(toHex(first) + toHex(second) + '04');
    const expected = { block: walk(first)[0], rest: toHex(second) + '04' };
    for (let cut = 1; cut <= input.byteLength; cut++) expect(single(input, cut), `cut at ${cut}`).toEqual(expected);
  });

  it('gives back nothing when the block ends with the data, and refuses a push after the block', () => {
    const walker = new NativeBlockWalker({ single: true, revision: 54460 });
    expect(() => walker.rest()).toThrow(Error);
    const [one] = walker.push(hex('00 00 00'));
    expect(one?.rows).toBe(0);
    expect(walker.rest()).toEqual([]);
    expect(() => walker.push(hex('00'))).toThrow(Error);
  });

  it('takes a layout function for other spellings of type names', () => {
    const proton = block(1, [['n', 'uint64', '0100000000000000']]);
    expect(codeOf(() => new NativeBlockWalker({ single: true }).push(proton))).toBe(50);
    const layout = (type: string) => nativeLayout(type === 'uint64' ? 'UInt64' : type);
    const [one] = new NativeBlockWalker({ single: true, layout }).push(proton);
    expect(one && seen(one).columns).toEqual([{ name: 'n', type: 'uint64', data: '0100000000000000' }]);
  });
});
