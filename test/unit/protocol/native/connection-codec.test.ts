// The codec pieces the native connection added: Data packets from Proton drivers (Proton type
// names, plain and in several compressed frames) split at every offset, TableColumns and
// ProfileEvents encoders, and the dialect/type-name tables of client-profile.ts.
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../../src/compression.ts';
import { BLOCK_INFO, encodeString } from '../../../../src/native.ts';
import { clientDialect, typeNamer } from '../../../../src/protocol/native/client-profile.ts';
import { ClientPacketDecoder, type ClientPacket } from '../../../../src/protocol/native/packets.ts';
import { encodeProfileEvents, encodeTableColumns, negotiatedRevision } from '../../../../src/protocol/native/server-packets.ts';
import { thrownCode } from '../../../support/chdb.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/[\s|]+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const s = (text: string): string => toHex(encodeString(text));

/** proton-driver's Hello (54453) and a Query asking for compression or not. */
const hello = `00 ${s('Proton python-driver')} 14 0a b5a903 ${s('default')} ${s('default')} 00`;
const query = (compression: number): string => `01 00 01 00 00 09 ${s('0.0.0.0:0')} 0000000000000000 01 00 00 ${s('Proton python-driver')} 14 0a b5a903
  00 00 00 00 00 00 00 00 | 00 02 0${compression} ${s('INSERT INTO p (a, s, n) VALUES')}`;
/** A block as proton-driver writes it at 54453: BlockInfo, Proton type names, no custom byte. */
const block = `${toHex(BLOCK_INFO)} 03 02 ${s('a')} ${s('uint64')} 0100000000000000 0200000000000000
  ${s('s')} ${s('low_cardinality(string)')} 0100000000000000 0006000000000000 0200000000000000 0161 0162 0200000000000000 0001
  ${s('n')} ${s('nullable(int32)')} 0100 00000000 07000000`;
const empty = `${toHex(BLOCK_INFO)} 00 00`;

function decode(pieces: readonly Uint8Array[]): ClientPacket[] {
  const decoder = new ClientPacketDecoder();
  const out: ClientPacket[] = [];
  const take = (packets: ClientPacket[]): void => {
    for (const p of packets) {
      out.push(p);
      if (p.kind === 'hello') take(decoder.setRevision(negotiatedRevision(p.revision)));
    }
  };
  for (const piece of pieces) take(decoder.push(piece));
  decoder.end();
  return out;
}

const plain = (packets: readonly ClientPacket[]): unknown[] =>
  packets.map((p) => (p.kind === 'data' ? { ...p, block: { ...p.block, bytes: toHex(p.block.bytes) } } : p));

function expectSplitInvariant(bytes: Uint8Array): ClientPacket[] {
  const whole = plain(decode([bytes]));
  for (let at = 1; at < bytes.byteLength; at++) {
    expect(plain(decode([bytes.slice(0, at), bytes.slice(at)])), `split at ${at}`).toEqual(whole);
  }
  expect(plain(decode(Array.from(bytes, (b) => Uint8Array.of(b)))), 'byte by byte').toEqual(whole);
  return decode([bytes]);
}

describe('Data packets from Proton drivers', () => {
  it('reads Proton type names in uncompressed blocks, split at every offset', () => {
    const bytes = hex(`${hello} ${query(0)} 02 00 ${empty} 02 00 ${block} 02 00 ${empty}`);
    const packets = expectSplitInvariant(bytes);
    expect(packets.map((p) => p.kind)).toEqual(['hello', 'query', 'data', 'data', 'data']);
    const data = packets[3] as Extract<ClientPacket, { kind: 'data' }>;
    expect(data.block.rows).toBe(2);
    expect(data.block.columns.map((c) => [c.name, c.type])).toEqual([['a', 'uint64'], ['s', 'low_cardinality(string)'], ['n', 'nullable(int32)']]);
    const n = data.block.columns[2];
    expect(toHex(data.block.bytes.subarray(n?.dataStart, n?.dataEnd))).toBe('01000000000007000000');
    expect(toHex(data.block.bytes)).toBe(toHex(hex(block)));
  });

  it('reads a block spread over several compressed frames (LZ4 and NONE), split at every offset', () => {
    const raw = hex(block);
    const frames = Buffer.concat([encodeFrame(raw.subarray(0, 20), 'lz4'), encodeFrame(raw.subarray(20, 50), 'none'), encodeFrame(raw.subarray(50), 'lz4')]);
    const bytes = hex(`${hello} ${query(1)} 02 00 ${toHex(encodeFrame(hex(empty)))} 02 00 ${toHex(frames)} 02 00 ${toHex(encodeFrame(hex(empty)))}`);
    const packets = expectSplitInvariant(bytes);
    const data = packets[3] as Extract<ClientPacket, { kind: 'data' }>;
    expect(toHex(data.block.bytes)).toBe(toHex(raw));
    expect(data.block.columns.length).toBe(3);
  });

  it('refuses a corrupted frame checksum with a code, and a frame holding two blocks', () => {
    const frame = encodeFrame(hex(empty));
    frame[3] = (frame[3] as number) ^ 0xff;
    const bad = hex(`${hello} ${query(1)} 02 00 ${toHex(frame)}`);
    expect(thrownCode(() => decode([bad]))).toBe(40);
    const two = hex(`${hello} ${query(1)} 02 00 ${toHex(encodeFrame(hex(empty + empty)))}`);
    expect(thrownCode(() => decode([two]))).toBe(117);
  });
});

describe('server packets for INSERT', () => {
  it('encodes TableColumns (§1.5) as 18.16 reads it', () => {
    const description = 'columns format version: 1\n2 columns:\n`a` UInt64\n`we\\`ird` String\n';
    expect(toHex(encodeTableColumns([{ name: 'a', type: 'UInt64' }, { name: 'we`ird', type: 'String' }]))).toBe(`0b00${s(description)}`);
  });

  it('encodes an empty ProfileEvents block, uncompressed, with the custom byte only from 54454', () => {
    const at54460 = encodeProfileEvents(54460);
    expect(toHex(at54460.subarray(0, 12))).toBe(`0e00${toHex(BLOCK_INFO)}0600`);
    expect(toHex(at54460)).toContain(`${s("Enum8('increment' = 1, 'gauge' = 2)")}00${s('name')}`);
    const at54453 = encodeProfileEvents(54453, typeNamer('proton', 54453));
    expect(toHex(at54453)).toContain(`${s('uint64')}${s('type')}`);
    expect(at54460.byteLength - at54453.byteLength).toBe(6);
  });
});

describe('client profiles', () => {
  it('picks the dialect by listener, then client name, unless a setting forces it', () => {
    expect(clientDialect('clickhouse', 'Proton python-driver')).toBe('clickhouse');
    expect(clientDialect('snapshot', 'Proton python-driver')).toBe('proton');
    expect(clientDialect('streaming', 'Golang SQLDriver')).toBe('proton');
    expect(clientDialect('snapshot', 'ClickHouse client')).toBe('clickhouse');
    expect(clientDialect('snapshot', 'ClickHouse python-driver')).toBe('clickhouse');
    expect(clientDialect('snapshot', 'clickhouse-go/2.48.0 (lv:go/1.22; os:linux)')).toBe('clickhouse');
    expect(clientDialect('snapshot', 'some tool')).toBe('proton');
    expect(clientDialect('clickhouse', 'ClickHouse client', 'proton')).toBe('proton');
    expect(thrownCode(() => clientDialect('snapshot', 'x', 'klingon'))).toBe(36);
  });

  it('names types in Proton spelling and downgrades for 18.16 only where the bytes stay the same', () => {
    expect(typeNamer('proton', 54453)('LowCardinality(Nullable(String))')).toBe('low_cardinality(nullable(string))');
    expect(typeNamer('clickhouse', 54468)('Map(String, UInt8)')).toBe('Map(String, UInt8)');
    const old = typeNamer('clickhouse', 54412);
    expect(old('Bool')).toBe('UInt8');
    expect(old('IPv4')).toBe('UInt32');
    expect(old('IPv6')).toBe('FixedString(16)');
    expect(old('Map(String, UInt8)')).toBe('Array(Tuple(String, UInt8))');
    expect(old("DateTime('UTC')")).toBe("DateTime('UTC')");
    expect(thrownCode(() => old("DateTime64(3, 'UTC')"))).toBe(48);
    expect(thrownCode(() => old('Int128'))).toBe(48);
  });
});
