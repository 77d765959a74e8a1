/**
 * ClickHouse native compressed frames, used on TCP for Data blocks and on HTTP for `compress=1`
 * responses and `decompress=1` request bodies.
 *
 * Frame layout (all integers little-endian):
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0  | 16 | CityHash128 v1.0.2 of bytes 16..end: `first` (low 64) then `second` (high 64) |
 * | 16 | 1  | method: 0x82 LZ4, 0x90 ZSTD, 0x02 NONE |
 * | 17 | 4  | compressed size: the 9 header bytes plus the payload (not the checksum) |
 * | 21 | 4  | uncompressed size |
 * | 25 | n  | payload: a raw LZ4 block (no LZ4 frame header), a whole zstd frame, or raw bytes |
 *
 * Upstream caps both sizes at 1 GiB and writes at most 1 MiB of uncompressed data per frame.
 */
import { Transform } from 'node:stream';
import { constants as zlibConstants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { compressSync as lz4CompressSync, uncompressSync as lz4UncompressSync } from 'lz4-napi';
import { cityHash128 } from './cityhash.ts';

export const CompressionMethod = { none: 0x02, lz4: 0x82, zstd: 0x90 } as const;
export type CompressionMethodName = keyof typeof CompressionMethod;

const CHECKSUM_SIZE = 16;
const HEADER_SIZE = 9; // method byte + two UInt32 sizes
/** Bytes before the payload: checksum and header. */
export const FRAME_OVERHEAD = CHECKSUM_SIZE + HEADER_SIZE;
/** Upstream's DBMS_MAX_COMPRESSED_SIZE, applied to both declared sizes. */
const MAX_SIZE = 0x4000_0000;
/** Upstream's network buffer: uncompressed bytes per frame. */
export const DEFAULT_MAX_FRAME = 1 << 20;

/** Error codes a frame can fail with (ClickHouse's numbers and names). */
export const FrameErrorCode = {
  CANNOT_READ_ALL_DATA: 33,
  CHECKSUM_DOESNT_MATCH: 40,
  UNKNOWN_COMPRESSION_METHOD: 89,
  CANNOT_DECOMPRESS: 271,
} as const;
export type FrameErrorName = keyof typeof FrameErrorCode;

export class FrameError extends Error {
  override name = 'FrameError';
  readonly code: number;
  readonly codeName: FrameErrorName;
  constructor(codeName: FrameErrorName, message: string) {
    super(message);
    this.code = FrameErrorCode[codeName];
    this.codeName = codeName;
  }
}

const EMPTY = new Uint8Array(0);

const asBuffer = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The compressed payload of `data` for `method`. */
function compressPayload(data: Uint8Array, method: CompressionMethodName): Uint8Array {
  if (method === 'none') return data;
  if (method === 'zstd') {
    return zstdCompressSync(data, { params: { [zlibConstants.ZSTD_c_compressionLevel]: 1 } });
  }
  // lz4-napi prefixes the block with its uncompressed size as UInt32 LE; the frame header has it.
  return lz4CompressSync(asBuffer(data)).subarray(4);
}

/** One frame holding all of `data` (at most 1 GiB; use encodeFrames to split). */
export function encodeFrame(data: Uint8Array, method: CompressionMethodName = 'lz4'): Buffer {
  if (data.byteLength > MAX_SIZE) throw new RangeError(`frame data of ${data.byteLength} bytes exceeds 1 GiB`);
  const payload = compressPayload(data, method);
  const frame = Buffer.allocUnsafe(FRAME_OVERHEAD + payload.byteLength);
  frame[CHECKSUM_SIZE] = CompressionMethod[method];
  frame.writeUInt32LE(HEADER_SIZE + payload.byteLength, CHECKSUM_SIZE + 1);
  frame.writeUInt32LE(data.byteLength, CHECKSUM_SIZE + 5);
  frame.set(payload, FRAME_OVERHEAD);
  frame.set(cityHash128(frame.subarray(CHECKSUM_SIZE)), 0);
  return frame;
}

/** `data` as consecutive frames of at most `maxFrame` uncompressed bytes (one frame if empty). */
export function encodeFrames(
  data: Uint8Array,
  method: CompressionMethodName = 'lz4',
  maxFrame = DEFAULT_MAX_FRAME,
): Buffer[] {
  if (data.byteLength === 0) return [encodeFrame(data, method)];
  const frames: Buffer[] = [];
  for (let off = 0; off < data.byteLength; off += maxFrame) {
    frames.push(encodeFrame(data.subarray(off, off + maxFrame), method));
  }
  return frames;
}

const hex64 = (v: DataView, off: number): string => v.getBigUint64(off, true).toString(16).padStart(16, '0');

/** A 16-byte checksum as one 128-bit hex number, `second` (high) first. */
const checksumHex = (c: Uint8Array): string => hex64(view(c), 8) + hex64(view(c), 0);

/**
 * Validates the 25 header bytes at the start of `head` (method and both sizes, each at most
 * `maxSize`, 1 GiB by default as upstream) and returns the whole frame's length, so callers can
 * refuse a frame before allocating for it.
 */
export function frameLength(head: Uint8Array, maxSize = MAX_SIZE): number {
  const v = view(head);
  const method = v.getUint8(CHECKSUM_SIZE);
  if (method !== CompressionMethod.lz4 && method !== CompressionMethod.zstd && method !== CompressionMethod.none) {
    throw new FrameError('UNKNOWN_COMPRESSION_METHOD', `Unknown compression method: 0x${method.toString(16).padStart(2, '0')}`);
  }
  const compressed = v.getUint32(CHECKSUM_SIZE + 1, true);
  const uncompressed = v.getUint32(CHECKSUM_SIZE + 5, true);
  if (compressed > maxSize || uncompressed > maxSize) {
    throw new FrameError('CANNOT_DECOMPRESS', `Too large size of compressed block: compressed ${compressed}, uncompressed ${uncompressed}. Most likely corrupted data.`);
  }
  if (compressed < HEADER_SIZE) {
    throw new FrameError('CANNOT_DECOMPRESS', `Can't decompress data: the compressed data size (${compressed}, this should include header size) is less than the header size (${HEADER_SIZE})`);
  }
  return CHECKSUM_SIZE + compressed;
}

function decompressPayload(method: number, frame: Buffer, uncompressed: number): Uint8Array {
  const payload = frame.subarray(FRAME_OVERHEAD);
  if (method === CompressionMethod.none) return payload;
  try {
    if (method === CompressionMethod.zstd) {
      return zstdDecompressSync(payload, { maxOutputLength: Math.max(uncompressed, 1) });
    }
    // Bytes 21..25 hold the uncompressed size, which is exactly lz4-napi's size prefix.
    return lz4UncompressSync(frame.subarray(CHECKSUM_SIZE + 5));
  } catch (cause) {
    const name = method === CompressionMethod.zstd ? 'ZSTD' : 'LZ4';
    throw new FrameError('CANNOT_DECOMPRESS', `Cannot decompress ${name}-encoded data: ${(cause as Error).message}`);
  }
}

/**
 * The uncompressed bytes of one complete frame (exactly frameLength(frame) bytes). For method
 * NONE the result is a view into `frame`.
 */
export function decodeFrame(frame: Uint8Array): Uint8Array {
  if (frame.byteLength < FRAME_OVERHEAD) {
    throw new FrameError('CANNOT_READ_ALL_DATA', `Cannot read all data: a frame needs ${FRAME_OVERHEAD} header bytes, got ${frame.byteLength}`);
  }
  const length = frameLength(frame);
  if (frame.byteLength !== length) {
    throw new FrameError('CANNOT_DECOMPRESS', `Frame of ${frame.byteLength} bytes declares ${length} bytes`);
  }
  const expected = frame.subarray(0, CHECKSUM_SIZE);
  const actual = cityHash128(frame.subarray(CHECKSUM_SIZE));
  if (Buffer.compare(expected, actual) !== 0) {
    throw new FrameError('CHECKSUM_DOESNT_MATCH', `Checksum doesn't match: corrupted data. Reference: ${checksumHex(expected)}. Actual: ${checksumHex(actual)}. Size of compressed block: ${length - CHECKSUM_SIZE}`);
  }
  const method = frame[CHECKSUM_SIZE]!;
  const uncompressed = view(frame).getUint32(CHECKSUM_SIZE + 5, true);
  const data = decompressPayload(method, asBuffer(frame), uncompressed);
  if (data.byteLength !== uncompressed) {
    throw new FrameError('CANNOT_DECOMPRESS', `Cannot decompress: frame declares ${uncompressed} uncompressed bytes, payload holds ${data.byteLength}`);
  }
  return data;
}

/**
 * A cursor over a stream of chunks for incremental decoders. `peek(n)`/`take(n)` return the next
 * `n` bytes as one contiguous view, or null when they have not all arrived: then every remaining
 * byte of the current chunk is carried in a buffer of exactly `n` bytes, which later chunks fill.
 * So a byte is copied at most once, and only when a unit spans chunks. A unit is read by peeking
 * its head (again on each new chunk, which is allowed), then taking it whole; a take must not be
 * shorter than what is already carried.
 */
export class ChunkReader {
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  #carry: Uint8Array | null = null;
  #filled = 0;

  /** Starts reading `chunk`; the previous chunk must have been consumed (a call returned null). */
  feed(chunk: Uint8Array): void {
    this.#chunk = chunk;
    this.#pos = 0;
  }

  /** Bytes received but not yet taken. */
  get buffered(): number {
    return this.#filled + this.#chunk.byteLength - this.#pos;
  }

  /** Drops up to `n` bytes of the current chunk (between units, nothing carried); returns how many. */
  discard(n: number): number {
    const dropped = Math.min(n, this.#chunk.byteLength - this.#pos);
    this.#pos += dropped;
    return dropped;
  }

  peek(n: number): Uint8Array | null {
    return this.#read(n, false);
  }

  take(n: number): Uint8Array | null {
    return this.#read(n, true);
  }

  #read(n: number, consume: boolean): Uint8Array | null {
    const available = this.#chunk.byteLength - this.#pos;
    if (this.#carry === null) {
      if (available === 0) return null;
      if (available >= n) {
        const bytes = this.#chunk.subarray(this.#pos, this.#pos + n);
        if (consume) this.#pos += n;
        return bytes;
      }
      this.#carry = new Uint8Array(n);
      this.#filled = 0;
    } else if (this.#carry.byteLength < n) {
      const grown = new Uint8Array(n);
      grown.set(this.#carry.subarray(0, this.#filled));
      this.#carry = grown;
    }
    // A re-peek of a unit's head may ask for fewer bytes than are already carried.
    const copied = Math.max(0, Math.min(n - this.#filled, available));
    this.#carry.set(this.#chunk.subarray(this.#pos, this.#pos + copied), this.#filled);
    this.#filled += copied;
    this.#pos += copied;
    if (this.#filled < n) return null;
    const bytes = this.#carry.subarray(0, n);
    if (consume) {
      if (this.#filled > n) throw new Error('ChunkReader: take() shorter than the carried unit');
      this.#carry = null;
      this.#filled = 0;
    }
    return bytes;
  }
}

/**
 * Incremental decoder of a sequence of frames, fed arbitrary chunks. A frame that spans chunks
 * is assembled in one buffer of its declared size, allocated once its header has passed
 * frameLength(head, maxSize); pass a smaller `maxSize` to bound that per connection.
 */
export class FrameDecoder {
  readonly #reader = new ChunkReader();
  readonly #maxSize: number;

  constructor(maxSize = MAX_SIZE) {
    this.#maxSize = maxSize;
  }

  /** The uncompressed payloads of every frame completed by `chunk`, empty ones omitted. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#reader.feed(chunk);
    for (;;) {
      const head = this.#reader.peek(FRAME_OVERHEAD);
      if (head === null) break;
      const frame = this.#reader.take(frameLength(head, this.#maxSize));
      if (frame === null) break;
      const data = decodeFrame(frame);
      if (data.byteLength > 0) out.push(data);
    }
    return out;
  }

  /** Throws if the input ended inside a frame. */
  end(): void {
    const left = this.#reader.buffered;
    if (left > 0) {
      throw new FrameError('CANNOT_READ_ALL_DATA', `Cannot read all data: the input ended inside a compressed frame (${left} bytes left over)`);
    }
  }
}

/** An incremental decoder (`push` returns what each chunk completed, `end` checks nothing is left) as a Transform. */
export function decoderStream(decoder: { push(chunk: Uint8Array): Uint8Array[]; end(): void }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        for (const data of decoder.push(chunk)) this.push(data);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        decoder.end();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/** Bytes of native frames in, uncompressed bytes out (HTTP `decompress=1` request bodies). */
export function frameDecodeStream(maxSize = MAX_SIZE): Transform {
  return decoderStream(new FrameDecoder(maxSize));
}

/**
 * Uncompressed bytes in, native frames out (HTTP `compress=1` responses). Buffers until
 * `maxFrame` bytes are pending, then emits full frames; the end emits the rest as a last frame
 * (none if nothing is pending, so an empty body stays empty).
 */
export function frameEncodeStream(method: CompressionMethodName = 'lz4', maxFrame = DEFAULT_MAX_FRAME): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (pendingBytes + chunk.byteLength < maxFrame) {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        return done();
      }
      let rest: Buffer = chunk;
      if (pendingBytes > 0) {
        const head = maxFrame - pendingBytes;
        this.push(encodeFrame(Buffer.concat([...pending, chunk.subarray(0, head)]), method));
        rest = chunk.subarray(head);
        pending = [];
        pendingBytes = 0;
      }
      for (; rest.byteLength >= maxFrame; rest = rest.subarray(maxFrame)) {
        this.push(encodeFrame(rest.subarray(0, maxFrame), method));
      }
      if (rest.byteLength > 0) {
        pending.push(rest);
        pendingBytes = rest.byteLength;
      }
      done();
    },
    flush(done) {
      if (pendingBytes > 0) this.push(encodeFrame(Buffer.concat(pending), method));
      done();
    },
  });
}
