// Uncompressed Data packets: the block is walked incrementally across chunks (never re-parsed from
// the packet start), limits are still checked before waiting, and what follows the block is decoded.
import { describe, it, expect } from 'vitest';
import { ClientPacketDecoder, type ClientPacket } from '../../../../src/protocol/native/packets.ts';
import { BLOCK_INFO, encodeString } from '../../../../src/native.ts';
import { thrownCode } from '../../../support/chdb.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/[\s|]+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const s = (text: string): string => toHex(encodeString(text));

/** clickhouse-go's Hello (54460 → addendum) and an uncompressed INSERT Query. */
const go = `00 ${s('go')} 02 30 bca903 00 ${s('default')} 00 00 01 00 00 00 00 02 00 ${s('INSERT INTO t FORMAT Native')} 00`;
const terminator = `0200 ${toHex(BLOCK_INFO)} 00 00`;

const plain = (packets: readonly ClientPacket[]): unknown[] =>
  packets.map((p) => (p.kind === 'data' ? { ...p, block: { ...p.block, bytes: toHex(p.block.bytes) } } : p));

/** Decodes `bytes` pushed in pieces (copies) cut at `cuts`; returns the packets and the decoder. */
function decode(bytes: Uint8Array, cuts: readonly number[], options = {}): { packets: ClientPacket[]; decoder: ClientPacketDecoder } {
  const decoder = new ClientPacketDecoder(options);
  const packets: ClientPacket[] = [];
  const take = (list: ClientPacket[]): void => {
    for (const p of list) {
      packets.push(p);
      if (p.kind === 'hello') take(decoder.setRevision(Math.min(p.revision, 54460)));
    }
  };
  let from = 0;
  for (const cut of [...cuts, bytes.byteLength]) {
    take(decoder.push(bytes.slice(from, cut)));
    from = cut;
  }
  decoder.end();
  return { packets, decoder };
}

const every = (size: number, length: number): number[] => Array.from({ length: Math.ceil(length / size) - 1 }, (_, i) => (i + 1) * size);

/** A (UInt64, String) block of `rows` short strings, as bench/native.ts inserts. */
function bigBlock(rows: number): string {
  const parts = [toHex(BLOCK_INFO), '02', Buffer.from(encodeVarUInt(rows)).toString('hex'), s('a'), s('UInt64'), '00'];
  const numbers = Buffer.alloc(8 * rows);
  for (let i = 0; i < rows; i++) numbers.writeBigUInt64LE(BigInt(i), 8 * i);
  parts.push(numbers.toString('hex'), s('s'), s('String'), '00');
  for (let i = 0; i < rows; i++) parts.push(s(String(i)));
  return parts.join('');
}

function encodeVarUInt(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

describe('uncompressed Data blocks across chunks', () => {
  it('decodes a 1.5 MB block in small chunks with linear work: nothing re-parsed from the packet start', () => {
    const block = bigBlock(100_000);
    const bytes = hex(go + '0200' + block + terminator + '04');
    const whole = decode(bytes, []);
    expect(whole.packets.map((p) => p.kind)).toEqual(['hello', 'addendum', 'query', 'data', 'data', 'ping']);
    expect(whole.packets[3]).toMatchObject({ block: { rows: 100_000, columns: [{ name: 'a', type: 'UInt64' }, { name: 's', type: 'String' }] } });
    expect(toHex((whole.packets[3] as { block: { bytes: Uint8Array } }).block.bytes)).toBe(block);
    for (const size of [65536, 4096, 1000, 7]) {
      const { packets, decoder } = decode(bytes, every(size, bytes.byteLength));
      expect(plain(packets), `chunks of ${size}`).toEqual(plain(whole.packets));
      // Only packet heads cut by a chunk end are parsed again: at most the few bytes before the
      // block per cut, never the block (re-parsing it from the packet start counted 10 MB at 64 KB chunks).
      expect(decoder.rescanned, `chunks of ${size}`).toBeLessThan(200);
    }
  });

  it('decodes Proton type names, consecutive blocks and packets after them, split at every offset and byte by byte', () => {
    const first = `${toHex(BLOCK_INFO)} 02 02 ${s('n')} ${s('uint64')} 00 0100000000000000 0200000000000000 ${s('x')} ${s('nullable(string)')} 00 0001 00 ${s('b')}`;
    const second = `${toHex(BLOCK_INFO)} 01 01 ${s('l')} ${s('low_cardinality(string)')} 00 0100000000000000 0002000000000000 0100000000000000 ${s('a')} 0100000000000000 00`;
    const bytes = hex(go + '0200' + first + '0200' + second + terminator + '04' + '04');
    const whole = plain(decode(bytes, []).packets);
    expect(whole.map((p) => (p as ClientPacket).kind)).toEqual(['hello', 'addendum', 'query', 'data', 'data', 'data', 'ping', 'ping']);
    expect(whole[3]).toMatchObject({ table: '', block: { rows: 2, columns: [{ type: 'uint64' }, { type: 'nullable(string)' }] } });
    expect(whole[4]).toMatchObject({ block: { rows: 1, columns: [{ type: 'low_cardinality(string)' }] } });
    for (let at = 1; at < bytes.byteLength; at++) expect(plain(decode(bytes, [at]).packets), `split at ${at}`).toEqual(whole);
    expect(plain(decode(bytes, every(1, bytes.byteLength)).packets), 'byte by byte').toEqual(whole);
    expect(decode(bytes, every(1, bytes.byteLength)).decoder.buffered).toBe(0);
  });

  it('refuses declared lengths over the block limit before their bytes arrive, and a stream ending inside a block', () => {
    const ready = (): ClientPacketDecoder => {
      const d = new ClientPacketDecoder({ maxBlockBytes: 1000 });
      d.push(hex(go.slice(0, go.indexOf(' 00 01 00 00 00 00 02'))));
      d.setRevision(54460);
      d.push(hex(go.slice(go.indexOf(' 00 01 00 00 00 00 02'))));
      return d;
    };
    const head = `0200 ${toHex(BLOCK_INFO)} 01 01 ${s('s')} ${s('String')} 00`;
    // A 2000-byte string declared in 2 bytes: refused at once, also when the head came in pieces.
    expect(thrownCode(() => ready().push(hex(head + 'd00f')))).toBe(117);
    const d = ready();
    for (const b of hex(head)) d.push(Uint8Array.of(b));
    expect(thrownCode(() => d.push(hex('d00f')))).toBe(117);
    const f = ready();
    f.push(hex(head + '05 6162'));
    expect(f.buffered).toBeGreaterThan(0);
    expect(thrownCode(() => f.end())).toBe(33);
    expect(thrownCode(() => ready().push(hex(`0200 ${toHex(BLOCK_INFO)} 01 01 ${s('s')} ${s('Foo')} 00 00`)))).toBe(50);
  });
});
