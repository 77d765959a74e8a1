/**
 * HTTP `Content-Encoding` of request bodies and responses: gzip, deflate (zlib-wrapped), br and
 * zstd through node:zlib streams, and lz4 as the standard LZ4 *frame* format (what
 * clickhouse-connect sends; not ClickHouse's native frames, which are `compress=1`).
 */
import { Transform } from 'node:stream';
import {
  constants as zlibConstants,
  createBrotliCompress,
  createBrotliDecompress,
  createDeflate,
  createGunzip,
  createGzip,
  createInflate,
  createZstdCompress,
  createZstdDecompress,
} from 'node:zlib';
import { compressSync as lz4CompressSync, uncompressSync as lz4UncompressSync } from 'lz4-napi';
import { ChunkReader, decoderStream } from '../../compression.ts';

export type BodyEncoding = 'gzip' | 'deflate' | 'br' | 'zstd' | 'lz4';

/** Error codes of this module (ClickHouse's numbers and names). */
export const EncodingErrorCode = {
  BAD_ARGUMENTS: 36,
  ZLIB_INFLATE_FAILED: 354,
  BROTLI_READ_FAILED: 448,
  ZSTD_DECODER_FAILED: 561,
  LZ4_DECODER_FAILED: 618,
} as const;
export type EncodingErrorName = keyof typeof EncodingErrorCode;

export class EncodingError extends Error {
  override name = 'EncodingError';
  readonly code: number;
  readonly codeName: EncodingErrorName;
  constructor(codeName: EncodingErrorName, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = EncodingErrorCode[codeName];
    this.codeName = codeName;
  }
}

/** The error each decoder's failures map to, for wrapping errors of the zlib streams. */
export const DECODE_FAILURE: Record<BodyEncoding, EncodingErrorName> = {
  gzip: 'ZLIB_INFLATE_FAILED',
  deflate: 'ZLIB_INFLATE_FAILED',
  br: 'BROTLI_READ_FAILED',
  zstd: 'ZSTD_DECODER_FAILED',
  lz4: 'LZ4_DECODER_FAILED',
};

/** Wraps an error raised by decodeBody(encoding)'s stream into the catalogued error. */
export function decodeFailure(encoding: BodyEncoding, cause: Error): EncodingError {
  if (cause instanceof EncodingError) return cause;
  return new EncodingError(DECODE_FAILURE[encoding], `Cannot decode ${encoding} request body: ${cause.message}`, { cause });
}

/** Header values, lowercased, and what they mean; `null` is no encoding. */
const REQUEST_ENCODINGS = new Map<string, BodyEncoding | null>([
  ['', null], ['identity', null], ['none', null], ['auto', null],
  ['gzip', 'gzip'], ['x-gzip', 'gzip'], ['gz', 'gzip'],
  ['deflate', 'deflate'],
  ['br', 'br'], ['brotli', 'br'],
  ['zstd', 'zstd'], ['zst', 'zstd'],
  ['lz4', 'lz4'],
]);
/** Methods upstream accepts that this server cannot decode. */
const UNSUPPORTED = new Set(['xz', 'lzma', 'bz2', 'snappy']);

/** The encoding named by a `Content-Encoding` header; throws BAD_ARGUMENTS for anything else. */
export function parseBodyEncoding(header: string | undefined): BodyEncoding | null {
  const name = (header ?? '').trim().toLowerCase();
  const encoding = REQUEST_ENCODINGS.get(name);
  if (encoding !== undefined) return encoding;
  if (UNSUPPORTED.has(name)) {
    throw new EncodingError('BAD_ARGUMENTS', `Compression method '${header}' is not supported by this server. Supported: 'none', 'gzip', 'deflate', 'br', 'zstd', 'lz4'`);
  }
  throw new EncodingError('BAD_ARGUMENTS', `Unknown compression method '${header}'. Only 'auto', 'none', 'gzip', 'deflate', 'br', 'xz', 'zstd', 'lz4', 'bz2', 'snappy' are supported as compression methods`);
}

/** A stream decoding a request body sent with `Content-Encoding: encoding`, or null for none. */
export function decodeBody(encoding: string | undefined): Transform | null {
  switch (parseBodyEncoding(encoding)) {
    case null: return null;
    case 'gzip': return createGunzip();
    case 'deflate': return createInflate();
    case 'br': return createBrotliDecompress();
    case 'zstd': return createZstdDecompress();
    case 'lz4': return lz4FrameDecodeStream();
  }
}

/** Response encodings in ClickHouse's order of preference. */
const RESPONSE_PREFERENCE: readonly BodyEncoding[] = ['br', 'gzip', 'deflate', 'zstd', 'lz4'];

/**
 * The response encoding for an `Accept-Encoding` header: the first of br > gzip > deflate > zstd
 * > lz4 that the client lists without `q=0` (other q-values do not reorder, as upstream). `*` and
 * `identity` never select compression. Null means send the body as is.
 */
export function pickResponseEncoding(acceptEncoding: string | undefined): BodyEncoding | null {
  if (!acceptEncoding) return null;
  const accepted = new Set<string>();
  for (const item of acceptEncoding.split(',')) {
    const [token = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(token === 'x-gzip' ? 'gzip' : token);
  }
  return RESPONSE_PREFERENCE.find((encoding) => accepted.has(encoding)) ?? null;
}

/**
 * A stream encoding a response body; the caller sets `Content-Encoding: encoding`. `level`
 * overrides the fast default (1) for gzip/deflate (0..9), br (0..11) and zstd (1..22); lz4
 * blocks are always lz4-napi's default. zlib streams buffer internally: call `flush()` on them
 * to push out a partial result early.
 */
export function encodeBody(encoding: BodyEncoding, level = 1): Transform {
  switch (encoding) {
    case 'gzip': return createGzip({ level });
    case 'deflate': return createDeflate({ level });
    case 'br': return createBrotliCompress({ params: { [zlibConstants.BROTLI_PARAM_QUALITY]: level } });
    case 'zstd': return createZstdCompress({ params: { [zlibConstants.ZSTD_c_compressionLevel]: level } });
    case 'lz4': return lz4FrameEncodeStream();
  }
}

// ---- LZ4 frame format (lz4_Frame_format.md v1.6.x) ------------------------------------------
//
// Frame:      magic 04 22 4D 18 | descriptor | blocks... | EndMark 00000000 | [content checksum u32]
// Descriptor: FLG | BD | [content size u64 LE, if FLG.3] | [dictionary id u32, if FLG.0] | HC
//   FLG bits: 7-6 version (01), 5 block independence, 4 block checksums, 3 content size,
//             2 content checksum, 1 reserved, 0 dictionary id.
//   BD bits 6-4: block maximum size, 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB.
//   HC: (xxh32(FLG..last descriptor byte before HC, seed 0) >> 8) & 0xFF.
// Block:      u32 LE size, high bit set = stored uncompressed | data | [u32 checksum, if FLG.4]
// Skippable frame: magic 0x184D2A50..0x184D2A5F | u32 LE length | length bytes.
// Checksums are not verified here (the transport has its own integrity); dependent blocks
// ("linked", independence bit 0, python-lz4's default) decode with the last 64 KiB as dictionary.

const LZ4_MAGIC = 0x184d2204;
const FLG_INDEPENDENT = 0x20, FLG_BLOCK_CHECKSUM = 0x10, FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04, FLG_DICT_ID = 0x01;
const UNCOMPRESSED_BIT = 0x8000_0000;
const WINDOW = 64 * 1024;
const MAX_BLOCK = 4 * 1024 * 1024;
/** The header we write: version 01, independent blocks, no checksums, 4 MiB blocks, HC = 0x73. */
const LZ4_FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73]);
const END_MARK = Buffer.alloc(4);

const lz4Error = (message: string): EncodingError => new EncodingError('LZ4_DECODER_FAILED', `LZ4 frame decoding failed: ${message}`);

const u32 = (b: Uint8Array, off = 0): number => (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;

type Lz4State = 'magic' | 'descriptor' | 'block' | 'contentChecksum' | 'skip';

/** Incremental LZ4 frame decoder: concatenated frames, skippable frames, linked or independent blocks. */
export class Lz4FrameDecoder {
  readonly #reader = new ChunkReader();
  #state: Lz4State = 'magic';
  #flags = 0;
  #maxBlock = 0;
  #skip = 0;
  /** The last (up to) 64 KiB of output of the current frame, for linked blocks. */
  #window: Uint8Array = Buffer.alloc(0);

  /** The decoded bytes of every block completed by `chunk`. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#reader.feed(chunk);
    while (this.#step(out));
    return out;
  }

  /** Throws if the input ended inside a frame. */
  end(): void {
    if (this.#state !== 'magic' || this.#reader.buffered > 0) throw lz4Error('unexpected end of input');
  }

  /** Advances by one unit; false when more input is needed. */
  #step(out: Uint8Array[]): boolean {
    switch (this.#state) {
      case 'magic': return this.#magic();
      case 'descriptor': return this.#descriptor();
      case 'block': return this.#block(out);
      case 'contentChecksum': {
        if (this.#reader.take(4) === null) return false;
        this.#state = 'magic';
        return true;
      }
      case 'skip': {
        this.#skip -= this.#reader.discard(this.#skip);
        if (this.#skip > 0) return false;
        this.#state = 'magic';
        return true;
      }
    }
  }

  #magic(): boolean {
    const head = this.#reader.peek(4);
    if (head === null) return false;
    const magic = u32(head);
    if (magic === LZ4_MAGIC) {
      this.#reader.take(4);
      this.#state = 'descriptor';
      return true;
    }
    if ((magic & 0xfffffff0) >>> 0 !== 0x184d2a50) throw lz4Error(`unknown magic number 0x${magic.toString(16)}`);
    const skippable = this.#reader.take(8);
    if (skippable === null) return false;
    this.#skip = u32(skippable, 4);
    this.#state = 'skip';
    return true;
  }

  #descriptor(): boolean {
    const flg = this.#reader.peek(2);
    if (flg === null) return false;
    const flags = flg[0]!, bd = flg[1]!;
    if ((flags & 0xc0) !== 0x40) throw lz4Error(`unsupported frame version ${flags >> 6}`);
    if (flags & FLG_DICT_ID) throw lz4Error('frames with a dictionary id are not supported');
    const blockSizeId = (bd >> 4) & 0x07;
    if (blockSizeId < 4) throw lz4Error(`invalid block maximum size id ${blockSizeId}`);
    if (this.#reader.take(3 + (flags & FLG_CONTENT_SIZE ? 8 : 0)) === null) return false;
    this.#flags = flags;
    this.#maxBlock = 1 << (8 + 2 * blockSizeId);
    this.#window = Buffer.alloc(0);
    this.#state = 'block';
    return true;
  }

  #block(out: Uint8Array[]): boolean {
    const head = this.#reader.peek(4);
    if (head === null) return false;
    const word = u32(head);
    if (word === 0) {
      this.#reader.take(4);
      this.#state = this.#flags & FLG_CONTENT_CHECKSUM ? 'contentChecksum' : 'magic';
      return true;
    }
    const size = (word & ~UNCOMPRESSED_BIT) >>> 0;
    if (size > this.#maxBlock) throw lz4Error(`block of ${size} bytes exceeds the frame's maximum of ${this.#maxBlock}`);
    const block = this.#reader.take(4 + size + (this.#flags & FLG_BLOCK_CHECKSUM ? 4 : 0));
    if (block === null) return false;
    const data = block.subarray(4, 4 + size);
    const decoded = word & UNCOMPRESSED_BIT ? data : this.#decompress(data);
    if (!(this.#flags & FLG_INDEPENDENT)) this.#remember(decoded);
    if (decoded.byteLength > 0) out.push(decoded);
    return true;
  }

  #decompress(data: Uint8Array): Uint8Array {
    // lz4-napi wants a UInt32 LE capacity before the block; it returns the actual length.
    const input = Buffer.allocUnsafe(4 + data.byteLength);
    input.writeUInt32LE(this.#maxBlock, 0);
    input.set(data, 4);
    try {
      return this.#flags & FLG_INDEPENDENT ? lz4UncompressSync(input) : lz4UncompressSync(input, this.#window);
    } catch (cause) {
      throw lz4Error((cause as Error).message);
    }
  }

  #remember(decoded: Uint8Array): void {
    if (decoded.byteLength >= WINDOW) {
      this.#window = decoded.subarray(decoded.byteLength - WINDOW);
    } else {
      const joined = Buffer.concat([this.#window, decoded]);
      this.#window = joined.subarray(Math.max(0, joined.byteLength - WINDOW));
    }
  }
}

/** LZ4-frame bytes in, decoded bytes out. */
export function lz4FrameDecodeStream(): Transform {
  return decoderStream(new Lz4FrameDecoder());
}

/** One LZ4 frame block for `data` (at most 4 MiB): compressed, or stored if that is not smaller. */
function lz4Block(data: Buffer): Buffer {
  const compressed = lz4CompressSync(data); // UInt32 LE uncompressed size, then the block
  const stored = compressed.byteLength - 4 >= data.byteLength;
  const block = stored ? Buffer.allocUnsafe(4 + data.byteLength) : compressed;
  if (stored) block.set(data, 4);
  block.writeUInt32LE(stored ? (UNCOMPRESSED_BIT | data.byteLength) >>> 0 : compressed.byteLength - 4, 0);
  return block;
}

/**
 * Bytes in, one LZ4 frame out: each written chunk becomes blocks right away (split at 4 MiB), so
 * streamed responses are not held back; the end writes the EndMark.
 */
export function lz4FrameEncodeStream(): Transform {
  let started = false;
  const start = (stream: Transform): void => {
    if (!started) stream.push(LZ4_FRAME_HEADER);
    started = true;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      start(this);
      for (let off = 0; off < chunk.byteLength; off += MAX_BLOCK) {
        this.push(lz4Block(chunk.subarray(off, off + MAX_BLOCK)));
      }
      done();
    },
    flush(done) {
      start(this);
      this.push(END_MARK);
      done();
    },
  });
}
