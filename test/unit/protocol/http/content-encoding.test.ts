import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { Transform } from 'node:stream';
import {
  brotliCompressSync,
  brotliDecompressSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
  zstdCompressSync,
  zstdDecompressSync,
} from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import {
  EncodingError,
  Lz4FrameDecoder,
  decodeBody,
  decodeFailure,
  encodeBody,
  parseBodyEncoding,
  pickResponseEncoding,
  type BodyEncoding,
} from '../../../../src/protocol/http/content-encoding.ts';

/** Deterministic text-like bytes: words from a seeded LCG, so bodies compress like real inserts. */
function body(n: number, seed = 1): Buffer {
  const words = ['SELECT', 'number', 'FROM', 'numbers(10)', '42', '"hello"', 'world', '\n', '\t', '3.14'];
  let x = seed;
  const parts: string[] = [];
  for (let length = 0; length < n; ) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const word = words[x % words.length]! + (x >>> 24).toString(36);
    parts.push(word);
    length += word.length + 1;
  }
  return Buffer.from(parts.join(' ')).subarray(0, n);
}

/** Writes `pieces` to `stream` and collects what it emits. */
async function run(stream: Transform, pieces: readonly Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const piece of pieces) stream.write(piece);
  stream.end();
  await ended;
  return Buffer.concat(out);
}

function randomPieces(data: Buffer, seed: number): Buffer[] {
  const pieces: Buffer[] = [];
  let x = seed;
  for (let off = 0; off < data.byteLength; ) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const size = 1 + (x % 20_000);
    pieces.push(data.subarray(off, off + size));
    off += size;
  }
  return pieces;
}

/** Independent encoders: node:zlib, and lz4_flex's frame encoder through lz4-napi. */
const ENCODERS: Record<BodyEncoding, (data: Buffer) => Buffer> = {
  gzip: (data) => gzipSync(data),
  deflate: (data) => deflateSync(data),
  br: (data) => brotliCompressSync(data),
  zstd: (data) => zstdCompressSync(data),
  lz4: (data) => compressFrameSync(data),
};
const DECODERS: Record<BodyEncoding, (data: Buffer) => Buffer> = {
  gzip: (data) => gunzipSync(data),
  deflate: (data) => inflateSync(data),
  br: (data) => brotliDecompressSync(data),
  zstd: (data) => zstdDecompressSync(data),
  lz4: (data) => decompressFrameSync(data),
};
const ENCODINGS = Object.keys(ENCODERS) as BodyEncoding[];

/**
 * `'0123456789abcdef'` x 5000 (80,000 bytes) as written by the reference `lz4` CLI 1.9.4 with
 * `-9 -BD -BX -B4 --content-size`: linked blocks (the second starts with a match into the
 * first), block checksums, content size and content checksum.
 */
const LINKED_FRAME = Buffer.from(
  '04224d185c4080380100000000005a1b010000ff01303132333435363738396162636465661000' +
  'ff'.repeat(256) +
  'd850626364656653de5e9c420000000f1000' +
  'ff'.repeat(56) +
  'a05062636465664b0af1ec000000001ffa8fcb',
  'hex',
);
const LINKED_BODY = Buffer.from('0123456789abcdef'.repeat(5000));

describe('decodeBody', () => {
  const small = body(300);

  it.each(ENCODINGS)('%s: a 300-byte body split at every byte offset', async (encoding) => {
    const encoded = ENCODERS[encoding](small);
    for (let i = 0; i <= encoded.byteLength; i++) {
      const decoded = await run(decodeBody(encoding)!, [encoded.subarray(0, i), encoded.subarray(i)]);
      expect(decoded).toEqual(small);
    }
  });

  it.each(ENCODINGS)('%s: a 200 KB body in random pieces', async (encoding) => {
    const large = body(200_000, 2);
    const decoded = await run(decodeBody(encoding)!, randomPieces(ENCODERS[encoding](large), 5));
    expect(decoded).toEqual(large);
  });

  it('lz4: linked blocks with checksums from the reference CLI, split at every byte offset', () => {
    expect(LINKED_FRAME[4]! & 0x20).toBe(0); // block independence flag clear
    for (let i = 0; i <= LINKED_FRAME.byteLength; i++) {
      const decoder = new Lz4FrameDecoder();
      const out = [...decoder.push(LINKED_FRAME.subarray(0, i)), ...decoder.push(LINKED_FRAME.subarray(i))];
      decoder.end();
      expect(Buffer.concat(out)).toEqual(LINKED_BODY);
    }
  });

  it.each([[[]], [['-BD', '-B4']], [['-9', '-BD', '-BX', '-B4']], [['-B4', '--no-frame-crc']]])(
    'lz4: a 200 KB body from the lz4 CLI with %j, in random pieces',
    async (args) => {
      const large = body(200_000, 3);
      const encoded = execFileSync('lz4', [...args, '-c'], { input: large, stdio: ['pipe', 'pipe', 'ignore'] });
      expect(await run(decodeBody('lz4')!, randomPieces(encoded, 9))).toEqual(large);
    },
  );

  it('lz4: concatenated and skippable frames', async () => {
    const skippable = Buffer.from('522a4d1803000000616263', 'hex');
    const input = Buffer.concat([compressFrameSync(Buffer.from('one ')), skippable, compressFrameSync(Buffer.from('two'))]);
    expect((await run(decodeBody('lz4')!, [input])).toString()).toBe('one two');
  });

  it('lz4: a bad magic number or a truncated frame is LZ4_DECODER_FAILED (618)', async () => {
    const frame = compressFrameSync(small);
    for (const input of [Buffer.from('not lz4 at all'), frame.subarray(0, frame.byteLength - 3)]) {
      await expect(run(decodeBody('lz4')!, [input])).rejects.toMatchObject({ code: 618, codeName: 'LZ4_DECODER_FAILED' });
    }
  });

  it('zlib failures map to the catalogued codes through decodeFailure', async () => {
    const error = await run(decodeBody('gzip')!, [Buffer.from('not gzip')]).catch((e: Error) => e);
    expect(decodeFailure('gzip', error as Error)).toMatchObject({ code: 354, codeName: 'ZLIB_INFLATE_FAILED' });
    expect(decodeFailure('zstd', new Error('x')).code).toBe(561);
    expect(decodeFailure('br', new Error('x')).code).toBe(448);
  });

  it.each([undefined, '', 'identity', 'none', ' NONE '])('%j needs no decoding', (header) => {
    expect(decodeBody(header)).toBeNull();
  });

  it.each([['GZIP', 'gzip'], ['x-gzip', 'gzip'], [' br ', 'br'], ['zstd', 'zstd'], ['deflate', 'deflate'], ['LZ4', 'lz4']])(
    '%j is %s',
    (header, encoding) => {
      expect(parseBodyEncoding(header)).toBe(encoding);
    },
  );

  it.each(['xz', 'snappy', 'compress', 'gzip, br', 'constructor'])('%j is BAD_ARGUMENTS (36)', (header) => {
    let error: unknown;
    try {
      decodeBody(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EncodingError);
    expect(error).toMatchObject({ code: 36, codeName: 'BAD_ARGUMENTS' });
  });
});

describe('encodeBody', () => {
  it.each(ENCODINGS)('%s: an independent decoder reads what we write, streamed in pieces', async (encoding) => {
    const large = body(300_000, 4);
    const encoded = await run(encodeBody(encoding), randomPieces(large, 6));
    expect(DECODERS[encoding](encoded)).toEqual(large);
  });

  it.each(ENCODINGS)('%s: an empty body still decodes', async (encoding) => {
    expect(DECODERS[encoding](await run(encodeBody(encoding), []))).toEqual(Buffer.alloc(0));
  });

  it('lz4: one block per write, stored when LZ4 does not shrink it', async () => {
    const incompressible = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 151) & 0xff));
    const encoded = await run(encodeBody('lz4'), [incompressible, Buffer.from('x'.repeat(1000))]);
    expect(encoded.subarray(0, 7).toString('hex')).toBe('04224d18607073');
    expect(encoded.readUInt32LE(7)).toBe((0x8000_0000 | 64) >>> 0);
    expect(decompressFrameSync(encoded)).toEqual(Buffer.concat([incompressible, Buffer.from('x'.repeat(1000))]));
  });

  it('lz4: the reference CLI reads what we write', async () => {
    const large = body(5_000_000, 7); // more than one 4 MiB block
    const encoded = await run(encodeBody('lz4'), [large]);
    expect(execFileSync('lz4', ['-d', '-c'], { input: encoded, maxBuffer: 1 << 24 })).toEqual(large);
  });
});

describe('pickResponseEncoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['gzip', 'gzip'],
    ['lz4,gzip,deflate', 'gzip'], // clickhouse-connect
    ['zstd', 'zstd'], // clickhouse-odbc
    ['none', null],
    ['gzip, deflate, br', 'br'],
    ['deflate, zstd', 'deflate'],
    ['zstd, lz4', 'zstd'],
    ['lz4', 'lz4'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0', null],
    ['gzip; q=0.000, deflate', 'deflate'],
    ['br;q=0.1, gzip;q=1', 'br'], // q-values other than 0 do not reorder
    ['GZIP', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', null],
    ['identity', null],
    ['compress, xz', null],
  ])('%j -> %s', (header, expected) => {
    expect(pickResponseEncoding(header)).toBe(expected);
  });
});
