import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cityHash128 } from '../../src/cityhash.ts';
import {
  CompressionMethod,
  FrameDecoder,
  FrameError,
  decodeFrame,
  encodeFrame,
  encodeFrames,
  frameDecodeStream,
  frameEncodeStream,
  type CompressionMethodName,
} from '../../src/compression.ts';
import { tempSession } from '../support/chdb.ts';

const bytes = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const METHODS: readonly CompressionMethodName[] = ['lz4', 'zstd', 'none'];

/** Deterministic bytes: a repeating 251-byte pattern with a seeded xorshift sprinkled in. */
function sample(n: number, seed = 1): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = i % 3 === 0 ? x & 0xff : i % 251;
  }
  return out;
}

/** Recomputes the checksum of a frame edited on purpose. */
function reseal(frame: Buffer): Buffer {
  frame.set(cityHash128(frame.subarray(16)), 0);
  return frame;
}

function decodeAll(pieces: Uint8Array[]): Buffer {
  const decoder = new FrameDecoder();
  const out = pieces.flatMap((piece) => decoder.push(piece));
  decoder.end();
  return Buffer.concat(out);
}

function frameError(run: () => unknown): FrameError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return error as FrameError;
  }
  throw new Error('expected a FrameError');
}

/** protocols.md §3.4: frames captured from ClickHouse 26.7 and clickhouse-client 18.16. */
const VECTORS = [
  {
    name: 'NONE frame written by ClickHouse 26.7',
    frame: 'b4a7b1be35af9aedc13af1a74be9d4c2 02 11000000 08000000 0100000002000000',
    data: '0100000002000000',
  },
  {
    name: 'literal-only LZ4 frame written by ClickHouse 26.7',
    frame: '35aaa74ff85a8add640d2d3d9adb4b4b 82 12000000 08000000 80 616263 68656c6c6f',
    data: Buffer.from('abchello').toString('hex'),
  },
  {
    name: 'empty-block frame sent by clickhouse-client 18.16',
    frame: 'a783ac6cd55c7a7cb5ac46bddb86e214 82 14000000 0a000000 a0 010002ffffffff000000',
    data: '010002ffffffff000000',
  },
  {
    name: 'LZ4 frame with real sequences sent by clickhouse-client 18.16',
    frame: `557124a580e551d32f61516755b3e100 82 37000000 31000000
      f206010002ffffffff00020201610655496e7436340100010012020700f00000017306537472696e670161026262`,
    data: '010002ffffffff00020201610655496e74363401000000000000000200000000000000017306537472696e670161026262',
  },
  {
    name: 'literal-only LZ4 frame for "hello"',
    frame: 'af275049b207be89c341c7641de55441 82 0f000000 05000000 50 68656c6c6f',
    data: Buffer.from('hello').toString('hex'),
  },
];

describe('known frames (protocols.md §3.4)', () => {
  it.each(VECTORS)('$name decodes', ({ frame, data }) => {
    expect(Buffer.from(decodeFrame(bytes(frame))).toString('hex')).toBe(data);
  });

  it('encodes tiny inputs exactly as ClickHouse does (literal-only LZ4)', () => {
    expect(encodeFrame(Buffer.from('hello'))).toEqual(bytes(VECTORS[4]!.frame));
    expect(encodeFrame(Buffer.from('abchello'), 'lz4')).toEqual(bytes(VECTORS[1]!.frame));
  });

  it('writes the method byte and both sizes', () => {
    const data = sample(1000);
    for (const method of METHODS) {
      const frame = encodeFrame(data, method);
      expect(frame[16]).toBe(CompressionMethod[method]);
      expect(frame.readUInt32LE(17)).toBe(frame.byteLength - 16);
      expect(frame.readUInt32LE(21)).toBe(1000);
    }
  });
});

describe('round trips', () => {
  it.each(METHODS)('%s: sizes 0, 1 and 1 MiB + 1 (two frames)', (method) => {
    for (const [size, count] of [[0, 1], [1, 1], [(1 << 20) + 1, 2]] as const) {
      const data = sample(size, size + 7);
      const frames = encodeFrames(data, method);
      expect(frames).toHaveLength(count);
      expect(decodeAll(frames)).toEqual(data);
    }
  });

  it.each(METHODS)('%s: encode and decode streams, random chunking, 64 KiB frames', async (method) => {
    const data = sample(700_000, 3);
    const chunks: Buffer[] = [];
    for (let off = 0, i = 0; off < data.byteLength; i++) {
      const size = [1, 17, 4096, 65_535, 65_536, 200_000][i % 6]!;
      chunks.push(data.subarray(off, off + size));
      off += size;
    }
    const frames: Buffer[] = [];
    await pipeline(Readable.from(chunks), frameEncodeStream(method, 65_536), collect(frames));
    expect(frames.map((f) => f.readUInt32LE(21)).every((n) => n <= 65_536)).toBe(true);
    expect(frames).toHaveLength(Math.ceil(data.byteLength / 65_536));
    const out: Buffer[] = [];
    await pipeline(Readable.from(frames.map((f) => [f.subarray(0, 10), f.subarray(10)]).flat()), frameDecodeStream(), collect(out));
    expect(Buffer.concat(out)).toEqual(data);
  });

  it('an empty body encodes to no frames', async () => {
    const frames: Buffer[] = [];
    await pipeline(Readable.from([]), frameEncodeStream(), collect(frames));
    expect(frames).toEqual([]);
  });
});

function collect(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk);
      done();
    },
  });
}

describe('incremental decoding', () => {
  const frames = [
    ...VECTORS.map((v) => bytes(v.frame)),
    encodeFrame(Buffer.alloc(0), 'none'),
    encodeFrame(Buffer.from('x'.repeat(100)), 'zstd'),
    encodeFrame(sample(300), 'lz4'),
  ];
  const input = Buffer.concat(frames);
  const expected = Buffer.concat(frames.map((f) => decodeFrame(f)));

  it('gives the same output for the input split at every byte offset', () => {
    for (let i = 0; i <= input.byteLength; i++) {
      expect(decodeAll([input.subarray(0, i), input.subarray(i)])).toEqual(expected);
    }
  });

  it('gives the same output fed one byte at a time', () => {
    const pieces = Array.from(input, (_, i) => input.subarray(i, i + 1));
    expect(decodeAll(pieces)).toEqual(expected);
  });

  it('end() reports a partial frame', () => {
    for (const cut of [1, 24, 25, 26, input.byteLength - 1]) {
      const decoder = new FrameDecoder();
      decoder.push(input.subarray(0, cut));
      expect(frameError(() => decoder.end()).code).toBe(33);
    }
  });
});

describe('validation', () => {
  const good = (): Buffer => encodeFrame(Buffer.from('hello hello hello hello'), 'lz4');

  it('a flipped checksum or payload byte is CHECKSUM_DOESNT_MATCH (40)', () => {
    for (const at of [0, 15, 16 + 9, good().byteLength - 1]) {
      const frame = good();
      frame[at]! ^= 0x01;
      const error = frameError(() => decodeAll([frame]));
      expect(error.code).toBe(40);
      expect(error.codeName).toBe('CHECKSUM_DOESNT_MATCH');
      expect(error.message).toMatch(/^Checksum doesn't match: corrupted data\. Reference: [0-9a-f]{32}\. Actual: [0-9a-f]{32}\. Size of compressed block: \d+$/);
    }
  });

  it('prints checksums as ClickHouse does: the high half, then the low half, each as a number', () => {
    const frame = bytes(VECTORS[0]!.frame);
    frame[25]! ^= 0xff;
    expect(frameError(() => decodeFrame(frame)).message).toContain('Reference: c2d4e94ba7f13ac1ed9aaf35beb1a7b4.');
  });

  it('an unknown method is UNKNOWN_COMPRESSION_METHOD (89), known from the header alone', () => {
    const frame = good();
    frame[16] = 0x91;
    const error = frameError(() => new FrameDecoder().push(frame.subarray(0, 25)));
    expect([error.code, error.message]).toEqual([89, 'Unknown compression method: 0x91']);
  });

  it('declared sizes over 1 GiB or under 9 are refused from the header alone', () => {
    for (const [offset, value] of [[17, 0x4000_0001], [17, 0xffff_ffff], [21, 0x4000_0001], [17, 8], [17, 0]] as const) {
      const head = good().subarray(0, 25);
      head.writeUInt32LE(value, offset);
      const before = process.memoryUsage().arrayBuffers;
      expect(frameError(() => new FrameDecoder().push(head)).code).toBe(271);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    }
  });

  it('decodeFrame of fewer than 25 bytes is CANNOT_READ_ALL_DATA (33)', () => {
    expect(frameError(() => decodeFrame(good().subarray(0, 24))).code).toBe(33);
  });

  it('a smaller limit can be set per decoder', () => {
    const frame = encodeFrame(sample(5000), 'none');
    expect(frameError(() => new FrameDecoder(4096).push(frame.subarray(0, 25))).code).toBe(271);
  });

  it('undecodable payloads and size mismatches are CANNOT_DECOMPRESS (271)', () => {
    const garbage = good();
    garbage.fill(0xff, 25);
    const shorter = good();
    shorter.writeUInt32LE(shorter.readUInt32LE(21) + 1, 21);
    const none = encodeFrame(Buffer.from('abcdef'), 'none');
    none.writeUInt32LE(5, 21);
    const zstd = encodeFrame(Buffer.from('abcdef'.repeat(10)), 'zstd');
    zstd.writeUInt32LE(59, 21);
    for (const frame of [garbage, shorter, none, zstd]) {
      expect(frameError(() => decodeAll([reseal(frame)])).code).toBe(271);
    }
  });

  it('the decode stream fails with the FrameError', async () => {
    const frame = good();
    frame[0]! ^= 1;
    await expect(pipeline(Readable.from([frame]), frameDecodeStream(), collect([]))).rejects.toMatchObject({ code: 40 });
  });
});

describe('against the embedded ClickHouse', () => {
  const chdb = tempSession('compression');
  const query = async (sql: string): Promise<string> => (await chdb.session.queryAsync(sql, { format: 'TabSeparated' })).text().trim();
  const rows = 300_000;

  it('our decoder reads every frame of a MergeTree part (LZ4, ZSTD, NONE, LZ4HC), checksums included', async () => {
    await query(`CREATE TABLE parts (a UInt64 CODEC(LZ4), b UInt64 CODEC(ZSTD(1)), c UInt64 CODEC(NONE), d UInt64 CODEC(LZ4HC(9)))
      ENGINE = MergeTree ORDER BY a SETTINGS min_bytes_for_wide_part = 0`);
    await query(`INSERT INTO parts SELECT number, number * 3, number * 7, number % 1000 FROM numbers(${rows})`);
    const path = await query(`SELECT path FROM system.parts WHERE table = 'parts' AND active`);
    const expected = { a: (i: number) => i, b: (i: number) => 3 * i, c: (i: number) => 7 * i, d: (i: number) => i % 1000 };
    for (const [column, value] of Object.entries(expected)) {
      const file = readFileSync(join(path, `${column}.bin`));
      const data = decodeAll([file.subarray(0, 1000), file.subarray(1000)]);
      expect(data.byteLength).toBe(8 * rows);
      const mismatch = Array.from({ length: rows }, (_, i) => i).find((i) => data.readBigUInt64LE(8 * i) !== BigInt(value(i)));
      expect(mismatch).toBeUndefined();
    }
    const methods = new Set(readdirSync(path).filter((f) => f.endsWith('.bin')).map((f) => readFileSync(join(path, f))[16]));
    expect([...methods].sort((x, y) => x! - y!)).toEqual([0x02, 0x82, 0x90]);
  });

  describe('ClickHouse reads frames we write (a TinyLog column file replaced by ours)', () => {
    let path = '';
    const install = async (bin: Buffer): Promise<void> => {
      await query('DETACH TABLE tiny');
      writeFileSync(join(path, 'v.bin'), bin);
      writeFileSync(join(path, 'sizes.json'), JSON.stringify({ clickhouse: { 'v%2Ebin': { size: String(bin.byteLength) } } }));
      await query('ATTACH TABLE tiny');
    };

    beforeAll(async () => {
      await query('CREATE TABLE tiny (v UInt64) ENGINE = TinyLog');
      await query('INSERT INTO tiny VALUES (1)');
      path = await query(`SELECT data_paths[1] FROM system.tables WHERE name = 'tiny'`);
    });

    it.each(METHODS)('%s frames of 300,000 bytes', async (method) => {
      const data = Buffer.alloc(8 * rows);
      for (let i = 0; i < rows; i++) data.writeBigUInt64LE(BigInt(i), 8 * i);
      await install(Buffer.concat(encodeFrames(data, method, 300_000)));
      expect(await query('SELECT count(), sum(v) FROM tiny')).toBe(`${rows}\t${(rows * (rows - 1)) / 2}`);
    });

    it('and rejects one with a flipped checksum bit (Code: 40)', async () => {
      const bin = encodeFrame(Buffer.alloc(80), 'lz4');
      bin[3]! ^= 1;
      await install(bin);
      await expect(query('SELECT sum(v) FROM tiny')).rejects.toThrow(/Code: 40\. .*Checksum doesn't match/);
    });
  });
});
