// Replays the client byte streams captured from real drivers (test/fixtures/native/, made by
// test/native/capture.ts) into ClientPacketDecoder: whole, split in two at every offset, byte by
// byte and in random pieces, the packets must be the same; every prefix decodes to a prefix of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClientPacketDecoder, type ClientPacket } from '../../../../src/protocol/native/packets.ts';
import { negotiatedRevision } from '../../../../src/protocol/native/server-packets.ts';
import { thrownCode } from '../../../support/chdb.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/native');

/** A comparable form of packets: block bytes as hex instead of views. */
function plain(packets: readonly ClientPacket[]): unknown[] {
  return packets.map((p) => (p.kind === 'data' ? { ...p, block: { ...p.block, bytes: Buffer.from(p.block.bytes).toString('hex') } } : p));
}

/** Decodes the pieces as a server would (R = min(client, 54460) right after the Hello); `end` checks the stream ended on a packet boundary. */
function decode(pieces: readonly Uint8Array[], end = true): ClientPacket[] {
  const decoder = new ClientPacketDecoder();
  const out: ClientPacket[] = [];
  const take = (packets: ClientPacket[]): void => {
    for (const p of packets) {
      out.push(p);
      if (p.kind === 'hello') take(decoder.setRevision(negotiatedRevision(p.revision)));
    }
  };
  for (const piece of pieces) take(decoder.push(piece));
  if (end) decoder.end();
  return out;
}

/** A small deterministic PRNG (mulberry32), so a failing split can be reproduced. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Capture {
  readonly fixture: string;
  readonly clientName: string;
  readonly revision: number;
  readonly compression: boolean;
  /** Packet kinds, space-separated (q = query, d = data with the given columns×rows). */
  readonly packets: string;
  /** The INSERT block's column types as the client wrote them, or null without an INSERT. */
  readonly insertTypes: readonly string[] | null;
}

const pythonSession = (addendum: boolean): string =>
  `hello ${addendum ? 'addendum ' : ''}q d0x0 ping q d0x0 ping q d0x0 ping q d0x0 d5x3 d0x0 ping q d0x0`;
const clientSession = 'hello ping q d0x0 ping q d0x0 ping q d0x0 ping q d0x0';
const clientInsert = 'hello ping q d0x0 d3x3 d0x0';

const captures: readonly Capture[] = [
  ...[false, true].map((lz4) => ({
    fixture: `clickhouse-driver-0.2.11-session${lz4 ? '-lz4' : ''}.bin`, clientName: 'ClickHouse python-driver', revision: 54468,
    compression: lz4, packets: pythonSession(true), insertTypes: ['UInt64', 'String', 'Nullable(Int32)', 'Array(String)', 'LowCardinality(String)'],
  })),
  ...[false, true].map((lz4) => ({
    fixture: `proton-driver-0.3.0-session${lz4 ? '-lz4' : ''}.bin`, clientName: 'Proton python-driver', revision: 54453,
    compression: lz4, packets: pythonSession(false), insertTypes: ['uint64', 'string', 'nullable(int32)', 'array(string)', 'low_cardinality(string)'],
  })),
  ...[false, true].flatMap((lz4) => [
    { fixture: `clickhouse-client-18.16-session${lz4 ? '-lz4' : ''}.bin`, clientName: 'ClickHouse client', revision: 54412, compression: lz4, packets: clientSession, insertTypes: null },
    {
      fixture: `clickhouse-client-18.16-insert-tsv${lz4 ? '-lz4' : ''}.bin`, clientName: 'ClickHouse client', revision: 54412, compression: lz4,
      packets: clientInsert, insertTypes: ['UInt64', 'String', 'Nullable(Int32)'],
    },
  ]),
];

const shortKind = (p: ClientPacket): string => (p.kind === 'query' ? 'q' : p.kind === 'data' ? `d${p.block.columns.length}x${p.block.rows}` : p.kind);

describe('captured client sessions', () => {
  it('every fixture is described in test/fixtures/native/README.md', () => {
    const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.bin'))) expect(readme, file).toContain(file);
  });

  for (const capture of captures) {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, capture.fixture)));

    describe(capture.fixture, () => {
      const whole = decode([bytes]);

      it('decodes to the expected packets', () => {
        expect(whole.map(shortKind).join(' ')).toBe(capture.packets);
        expect(whole[0]).toMatchObject({ kind: 'hello', clientName: capture.clientName, revision: capture.revision });
        for (const p of whole) if (p.kind === 'query') expect(p.compression, p.query).toBe(capture.compression);
        const insert = whole.find((p) => p.kind === 'data' && p.block.rows > 0);
        expect(insert?.kind === 'data' ? insert.block.columns.map((c) => c.type) : null).toEqual(capture.insertTypes);
      });

      it('gives the same packets split in two at every offset, and byte by byte', () => {
        const expected = plain(whole);
        for (let at = 1; at < bytes.byteLength; at++) {
          expect(plain(decode([bytes.slice(0, at), bytes.slice(at)])), `split at ${at}`).toEqual(expected);
        }
        expect(plain(decode(Array.from(bytes, (b) => Uint8Array.of(b)))), 'byte by byte').toEqual(expected);
      });

      it('gives the same packets in random pieces', () => {
        const next = random(bytes.byteLength);
        const expected = plain(whole);
        for (let run = 0; run < 100; run++) {
          const pieces: Uint8Array[] = [];
          for (let at = 0; at < bytes.byteLength;) {
            const n = 1 + Math.floor(next() * 64);
            pieces.push(bytes.slice(at, at + n));
            at += n;
          }
          expect(plain(decode(pieces)), `run ${run}`).toEqual(expected);
        }
      });

      it('decodes every prefix to a prefix of the packets; end() inside a packet is error 33', () => {
        const expected = plain(whole);
        for (let at = 0; at < bytes.byteLength; at++) {
          const got = plain(decode([bytes.subarray(0, at)], false));
          expect(got, `prefix ${at}`).toEqual(expected.slice(0, got.length));
        }
        const truncated = bytes.subarray(0, bytes.byteLength - 1);
        expect(thrownCode(() => decode([truncated]))).toBe(33);
      });
    });
  }
});
