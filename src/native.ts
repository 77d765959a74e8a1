// Native blocks (reference/protocols.md §2): the VarUInt/String primitives of §1.1, the limits, and the
// TCP re-framing of a block. The walker that finds blocks in a stream is native-walker.ts.
import { incorrect } from './native-layout.ts';
import type { NativeBlock } from './native-walker.ts';

export const CANNOT_READ_ALL_DATA = 33;

/** Revision from which every column carries a has-custom-serialization byte after its type. */
export const REVISION_WITH_CUSTOM_SERIALIZATION = 54454;
/** The only BlockInfo the gateway writes: is_overflows = false, bucket_num = -1, end (§0.2). */
export const BLOCK_INFO: Uint8Array = Uint8Array.of(0x01, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00);
/** Upstream's cap on a String's declared length. */
export const MAX_STRING_LENGTH = 2 ** 30;
/** clickhouse-go refuses larger blocks; so does the walker. */
export const MAX_BLOCK_ROWS = 1e9;
export const MAX_COLUMNS = 1_000_000;
export const MAX_NAME_LENGTH = 16 * 2 ** 20;

// ---- §1.1 primitives --------------------------------------------------------------------------

export function varUIntSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Writes `value` (a safe non-negative integer) as unsigned LEB128 at `offset`; returns the end offset. */
export function writeVarUInt(out: Uint8Array, offset: number, value: number): number {
  let v = value;
  let at = offset;
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/**
 * Reads a VarUInt at `offset`: `[value, endOffset]`, or null when `bytes` ends inside it (need
 * more data). Throws INCORRECT_DATA past 10 bytes or above Number.MAX_SAFE_INTEGER.
 */
export function readVarUInt(bytes: Uint8Array, offset: number): [value: number, end: number] | null {
  let value = 0;
  let scale = 1;
  for (let at = offset; at < bytes.byteLength; at++) {
    const byte = bytes[at] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER) throw incorrect('VarUInt value is too large');
      return [value, at + 1];
    }
    scale *= 0x80;
    if (at - offset >= 9) throw incorrect('VarUInt is longer than 10 bytes');
  }
  return null;
}

const utf8 = new TextEncoder();
export const utf8Decoder = new TextDecoder();

export function stringSize(bytes: Uint8Array): number {
  return varUIntSize(bytes.byteLength) + bytes.byteLength;
}

/** Writes a String (VarUInt length, raw bytes) at `offset`; returns the end offset. */
export function writeString(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  const at = writeVarUInt(out, offset, bytes.byteLength);
  out.set(bytes, at);
  return at + bytes.byteLength;
}

/** A String as bytes: VarUInt length + UTF-8. */
export function encodeString(text: string): Uint8Array {
  const bytes = utf8.encode(text);
  const out = new Uint8Array(stringSize(bytes));
  writeString(out, 0, bytes);
  return out;
}

/**
 * Reads a String at `offset`: `[bytes (a view of the input), endOffset]`, or null when the input
 * ends inside it. Throws INCORRECT_DATA when the declared length exceeds `maxLength`.
 */
export function readString(bytes: Uint8Array, offset: number, maxLength = MAX_STRING_LENGTH): [value: Uint8Array, end: number] | null {
  const head = readVarUInt(bytes, offset);
  if (head === null) return null;
  const [length, start] = head;
  if (length > maxLength) throw incorrect(`String length ${length} exceeds the limit of ${maxLength} bytes`);
  if (start + length > bytes.byteLength) return null;
  return [bytes.subarray(start, start + length), start + length];
}


// ---- writing blocks for TCP -----------------------------------------------------------------------

export interface FramingOptions {
  /** R = min(client revision, server revision): BlockInfo when above 0, custom byte from 54454. */
  readonly revision: number;
  /** Renames a ClickHouse type for the client (Proton spelling, downgrades for old clients). */
  readonly typeName?: (clickhouseType: string) => string;
}

interface ColumnOut { readonly name: Uint8Array; readonly type: Uint8Array; readonly data: Uint8Array }

/**
 * [BlockInfo `01 00 02 FF FF FF FF 00` if R > 0] VarUInt ncols, VarUInt nrows, then per column:
 * String name, String type, [`00` if R ≥ 54454], data. Written into one buffer.
 */
function encodeBlock(columns: readonly ColumnOut[], rows: number, revision: number): Uint8Array {
  const custom = revision >= REVISION_WITH_CUSTOM_SERIALIZATION ? 1 : 0;
  let size = (revision > 0 ? BLOCK_INFO.byteLength : 0) + varUIntSize(columns.length) + varUIntSize(rows);
  for (const c of columns) size += stringSize(c.name) + stringSize(c.type) + custom + c.data.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  if (revision > 0) {
    out.set(BLOCK_INFO, 0);
    at = BLOCK_INFO.byteLength;
  }
  at = writeVarUInt(out, at, columns.length);
  at = writeVarUInt(out, at, rows);
  for (const c of columns) {
    at = writeString(out, at, c.name);
    at = writeString(out, at, c.type);
    if (custom) out[at++] = 0;
    out.set(c.data, at);
    at += c.data.byteLength;
  }
  return out;
}

/** The block in the form a native client at `revision` expects; column data is copied through unchanged. */
export function reframeBlock(block: NativeBlock, options: FramingOptions): Uint8Array {
  const rename = options.typeName ?? ((type: string) => type);
  const columns = block.columns.map((c) => ({
    name: utf8.encode(c.name),
    type: utf8.encode(rename(c.type)),
    data: block.bytes.subarray(c.dataStart, c.dataEnd),
  }));
  return encodeBlock(columns, block.rows, options.revision);
}

const noData = new Uint8Array(0);

/** The 0-row block announcing a result's structure (names and ClickHouse types, renamed by `typeName`). */
export function writeBlockHeader(columns: readonly { readonly name: string; readonly type: string }[], options: FramingOptions): Uint8Array {
  const rename = options.typeName ?? ((type: string) => type);
  return encodeBlock(columns.map((c) => ({ name: utf8.encode(c.name), type: utf8.encode(rename(c.type)), data: noData })), 0, options.revision);
}

