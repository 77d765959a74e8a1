// The reader, writer and codec contract shared by the Native column codecs (native-columns.ts for
// scalars and the public API, native-columns-composite.ts for Nullable/Array/Map/Tuple/LowCardinality).
// Codecs work on one column's complete bytes: the block walker (native-walker.ts) has already found
// the column's extent, so reads past the end are malformed data, never "need more".
import { Code, GatewayError } from './errors.ts';
import type { Column, ColumnKind, ColumnOf } from './block.ts';
import { CANNOT_READ_ALL_DATA, readVarUInt, writeVarUInt } from './native.ts';

const two32 = 2 ** 32;

if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('Native columns need a little-endian host');

/** A cursor over one buffer; `take` returns the start of the next n bytes and moves past them. */
export class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number): number {
    const at = this.pos;
    if (n > this.bytes.byteLength - at) {
      throw new GatewayError(CANNOT_READ_ALL_DATA, `Cannot read all data: column needs ${n} bytes at offset ${at}, ${this.bytes.byteLength - at} left`);
    }
    this.pos = at + n;
    return at;
  }

  /**
   * `n` bytes copied into a fresh buffer (offset 0, so any typed array can view it). Not `slice`:
   * on a Node Buffer that returns a view.
   */
  copy(n: number): Uint8Array {
    const at = this.take(n);
    const out = new Uint8Array(n);
    out.set(this.bytes.subarray(at, at + n));
    return out;
  }

  /** A UInt64 LE; above 2^53 it is refused as malformed (every count it reads is bounded by the block). */
  u64(): number {
    const at = this.take(8);
    const high = this.view.getUint32(at + 4, true);
    if (high >= 0x200000) throw new GatewayError(Code.INCORRECT_DATA, `UInt64 count ${high * two32} at offset ${at} is too large`);
    return high * two32 + this.view.getUint32(at, true);
  }

  varUInt(): number {
    const head = readVarUInt(this.bytes, this.pos);
    if (head === null) throw new GatewayError(CANNOT_READ_ALL_DATA, `Cannot read all data: VarUInt at offset ${this.pos}`);
    this.pos = head[1];
    return head[0];
  }
}

/** A growing output buffer. */
export class Writer {
  buffer: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(capacity = 1024) {
    this.buffer = new Uint8Array(capacity);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buffer.byteLength) return;
    const next = new Uint8Array(Math.max(this.pos + n, this.buffer.byteLength * 2));
    next.set(this.buffer.subarray(0, this.pos));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.byteLength);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  fill(value: number, n: number): void {
    this.ensure(n);
    this.buffer.fill(value, this.pos, this.pos + n);
    this.pos += n;
  }

  u64(value: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, value % two32, true);
    this.view.setUint32(this.pos + 4, Math.floor(value / two32), true);
    this.pos += 8;
  }

  /** Caller ensured room for 10 bytes. */
  varUInt(value: number): void {
    this.pos = writeVarUInt(this.buffer, this.pos, value);
  }

  /** The bytes written (a view of the buffer). */
  result(): Uint8Array {
    return this.buffer.subarray(0, this.pos);
  }
}

/**
 * One type's column data, without LowCardinality state prefixes (the caller writes those for the
 * whole tree first, §2.2). `decode` reads exactly `rows` values; `encode` writes the column and
 * throws LOGICAL_ERROR when the column's shape does not fit the type.
 */
export interface Codec {
  /** How many LowCardinality nodes the type holds: each writes an 8-byte state prefix first. */
  readonly prefixes: number;
  decode(reader: Reader, rows: number): Column;
  encode(writer: Writer, column: Column): void;
}

/** The column as kind `kind`, or LOGICAL_ERROR naming the type it was to be encoded as. */
export function expectKind<K extends ColumnKind>(column: Column, kind: K, type: string): ColumnOf<K> {
  if (column.kind !== kind) throw new GatewayError(Code.LOGICAL_ERROR, `Cannot encode a ${column.kind} column as ${type}`);
  return column as ColumnOf<K>;
}

export function incorrectData(message: string): GatewayError {
  return new GatewayError(Code.INCORRECT_DATA, message);
}

/**
 * Reads N cumulative UInt64 end offsets as rows + 1 start offsets; checks they never decrease.
 * Sizes are bounded by the block (≤ 1 GiB), so they fit 32 bits.
 */
export function readOffsets(reader: Reader, rows: number): Uint32Array {
  const offsets = new Uint32Array(rows + 1);
  const at = reader.take(8 * rows);
  const view = reader.view;
  let last = 0;
  for (let i = 0; i < rows; i++) {
    const low = view.getUint32(at + 8 * i, true);
    if (view.getUint32(at + 8 * i + 4, true) !== 0 || low < last) {
      throw incorrectData(`Array offset ${i} is out of order or too large`);
    }
    offsets[i + 1] = last = low;
  }
  return offsets;
}

/** Writes rows + 1 start offsets as N cumulative UInt64 end offsets. */
export function writeOffsets(writer: Writer, offsets: Uint32Array): void {
  const rows = offsets.length - 1;
  writer.ensure(8 * rows);
  const view = writer.view;
  const at = writer.pos;
  for (let i = 0; i < rows; i++) {
    view.setUint32(at + 8 * i, offsets[i + 1] as number, true);
    view.setUint32(at + 8 * i + 4, 0, true);
  }
  writer.pos = at + 8 * rows;
}
