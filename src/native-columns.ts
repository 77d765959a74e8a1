// Native column data ↔ columnar Blocks (reference/protocols.md §2.1–§2.2). The walker
// (native-walker.ts) finds a block's columns; this module decodes each column's bytes into a Column
// of block.ts by its DataType, and encodes Blocks back into Native blocks framed by native.ts.
// Codecs per family are one exhaustive table over DataType kinds; the composite ones live in
// native-columns-composite.ts, the reader/writer in native-column-io.ts.
import { Code, GatewayError } from './errors.ts';
import { columnRows, stringColumn, type Block, type Column, type FixedValues } from './block.ts';
import { dispatch, printType, type ByKind, type DataType } from './types.ts';
import { parseType } from './type-parser.ts';
import { readVarUInt, reframeBlock, type FramingOptions } from './native.ts';
import { NativeBlockWalker, type NativeBlock, type NativeColumn } from './native-walker.ts';
import { expectKind, incorrectData, Reader, Writer, type Codec } from './native-column-io.ts';
import { arrayCodec, lowCardinalityCodec, mapCodec, nullableCodec, tupleCodec } from './native-columns-composite.ts';

// ---- scalar codecs --------------------------------------------------------------------------------

type FixedArray = (new (buffer: ArrayBuffer) => FixedValues) & { readonly BYTES_PER_ELEMENT: number };

/** Fixed-width values as a typed array: the wire bytes copied once into an aligned buffer. */
function fixedCodec(array: FixedArray, type: string): Codec {
  return {
    prefixes: 0,
    decode: (r, rows) => ({ kind: 'fixed', values: new array(r.copy(rows * array.BYTES_PER_ELEMENT).buffer as ArrayBuffer) }),
    encode: (w, column) => {
      const { values } = expectKind(column, 'fixed', type);
      if (!(values instanceof array)) throw new GatewayError(Code.LOGICAL_ERROR, `Cannot encode ${values.constructor.name} as ${type}`);
      w.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    },
  };
}

/** `width` raw bytes per row: FixedString, 128/256-bit integers and decimals, UUID, IPv6. */
function bytesCodec(width: number, type: string): Codec {
  return {
    prefixes: 0,
    decode: (r, rows) => ({ kind: 'bytes', width, bytes: r.copy(rows * width) }),
    encode: (w, column) => {
      const c = expectKind(column, 'bytes', type);
      if (c.width !== width) throw new GatewayError(Code.LOGICAL_ERROR, `Cannot encode ${c.width}-byte values as ${type}`);
      w.bytes(c.bytes);
    },
  };
}

/** Reads a String's VarUInt length at `at`: [length, data start]. */
function lengthAt(bytes: Uint8Array, at: number): [number, number] {
  const first = bytes[at];
  if (first !== undefined && first < 0x80) return [first, at + 1];
  const head = readVarUInt(bytes, at);
  if (head === null) throw incorrectData(`String length at offset ${at} is cut off`);
  return head;
}

/**
 * String: per row a VarUInt length and the bytes. Two passes: lengths → offsets, then one copy of
 * all values into one buffer.
 */
function decodeStrings(r: Reader, rows: number): Column {
  const { bytes } = r;
  const offsets = new Uint32Array(rows + 1);
  const start = r.pos;
  let at = start;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const [length, from] = lengthAt(bytes, at);
    at = from + length;
    total += length;
    offsets[i + 1] = total;
  }
  if (at > bytes.byteLength) throw incorrectData(`String column runs ${at - bytes.byteLength} bytes past its end`);
  const out = new Uint8Array(total);
  at = start;
  for (let i = 0; i < rows; i++) {
    const o = offsets[i] as number;
    const length = (offsets[i + 1] as number) - o;
    at = lengthAt(bytes, at)[1];
    if (length < 24) {
      for (let k = 0; k < length; k++) out[o + k] = bytes[at + k] as number;
    } else {
      out.set(bytes.subarray(at, at + length), o);
    }
    at += length;
  }
  r.pos = at;
  return stringColumn(offsets, out);
}

function encodeStrings(w: Writer, column: Column): void {
  const { offsets, bytes } = expectKind(column, 'string', 'String');
  const rows = offsets.length - 1;
  w.ensure((offsets[rows] as number) - (offsets[0] as number) + 5 * rows);
  const out = w.buffer;
  let at = w.pos;
  for (let i = 0; i < rows; i++) {
    const from = offsets[i] as number;
    const length = (offsets[i + 1] as number) - from;
    if (length < 0x80) {
      out[at++] = length;
    } else {
      w.pos = at;
      w.varUInt(length);
      at = w.pos;
    }
    if (length < 24) {
      for (let k = 0; k < length; k++) out[at + k] = bytes[from + k] as number;
    } else {
      out.set(bytes.subarray(from, from + length), at);
    }
    at += length;
  }
  w.pos = at;
}

const stringCodec: Codec = { prefixes: 0, decode: decodeStrings, encode: encodeStrings };

/** Nothing: one "0" byte (0x30) per row. */
const nothingCodec: Codec = {
  prefixes: 0,
  decode: (r, rows) => {
    r.take(rows);
    return { kind: 'nothing', rows };
  },
  encode: (w, column) => w.fill(0x30, expectKind(column, 'nothing', 'Nothing').rows),
};

// ---- the codec of each type -----------------------------------------------------------------------

function refuse(t: DataType): never {
  throw new GatewayError(Code.NOT_IMPLEMENTED, `Type ${printType(t, 'clickhouse')} is not supported in Native blocks`);
}

const intArrays: Readonly<Record<string, FixedArray>> = {
  i8: Int8Array, i16: Int16Array, i32: Int32Array, i64: BigInt64Array,
  u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, u64: BigUint64Array,
};

const point: DataType = { kind: 'tuple', elements: [{ kind: 'float', bits: 64 }, { kind: 'float', bits: 64 }], names: null };
const arrayOf = (element: DataType, depth: number): DataType => (depth === 0 ? element : arrayOf({ kind: 'array', element }, depth - 1));
/** The geo domains as the Tuple/Array shapes they are stored as; Geometry is a Variant. */
const geoDepths = { Point: 0, Ring: 1, LineString: 1, Polygon: 2, MultiLineString: 2, MultiPolygon: 3, Geometry: -1 } as const;

const builders: ByKind<Codec> = {
  int: (t) => {
    const array = intArrays[`${t.signed ? 'i' : 'u'}${t.bits}`];
    return array === undefined ? bytesCodec(t.bits / 8, printType(t, 'clickhouse')) : fixedCodec(array, printType(t, 'clickhouse'));
  },
  float: (t) => fixedCodec(t.bits === 32 ? Float32Array : Float64Array, `Float${t.bits}`),
  bfloat16: () => fixedCodec(Uint16Array, 'BFloat16'),
  decimal: (t) => {
    const name = printType(t, 'clickhouse');
    if (t.precision <= 9) return fixedCodec(Int32Array, name);
    return t.precision <= 18 ? fixedCodec(BigInt64Array, name) : bytesCodec(t.precision <= 38 ? 16 : 32, name);
  },
  bool: () => fixedCodec(Uint8Array, 'Bool'),
  string: () => stringCodec,
  fixedString: (t) => bytesCodec(t.length, printType(t, 'clickhouse')),
  uuid: () => bytesCodec(16, 'UUID'),
  date: () => fixedCodec(Uint16Array, 'Date'),
  date32: () => fixedCodec(Int32Array, 'Date32'),
  dateTime: (t) => fixedCodec(Uint32Array, printType(t, 'clickhouse')),
  dateTime64: (t) => fixedCodec(BigInt64Array, printType(t, 'clickhouse')),
  time: () => fixedCodec(Int32Array, 'Time'),
  time64: (t) => fixedCodec(BigInt64Array, printType(t, 'clickhouse')),
  ipv4: () => fixedCodec(Uint32Array, 'IPv4'),
  ipv6: () => bytesCodec(16, 'IPv6'),
  enum: (t) => fixedCodec(t.bits === 8 ? Int8Array : Int16Array, printType(t, 'clickhouse')),
  nullable: (t) => nullableCodec(codecOf(t.inner), printType(t, 'clickhouse')),
  lowCardinality: (t) => {
    const nullable = t.inner.kind === 'nullable';
    const keys = t.inner.kind === 'nullable' ? t.inner.inner : t.inner;
    if (keys.kind === 'lowCardinality') throw incorrectData('LowCardinality cannot be nested');
    return lowCardinalityCodec(codecOf(keys), nullable, printType(t, 'clickhouse'));
  },
  array: (t) => arrayCodec(codecOf(t.element), printType(t, 'clickhouse')),
  map: (t) => mapCodec(codecOf(t.key), codecOf(t.value), printType(t, 'clickhouse')),
  tuple: (t) => tupleCodec(t.elements.map(codecOf), printType(t, 'clickhouse')),
  nested: (t) => arrayCodec(tupleCodec(t.fields.map((f) => codecOf(f.type)), printType(t, 'clickhouse')), printType(t, 'clickhouse')),
  nothing: () => nothingCodec,
  interval: (t) => fixedCodec(BigInt64Array, printType(t, 'clickhouse')),
  geo: (t) => (geoDepths[t.shape] < 0 ? refuse(t) : codecOf(arrayOf(point, geoDepths[t.shape]))),
  json: refuse,
  dynamic: refuse,
  variant: refuse,
  aggregateFunction: refuse,
  simpleAggregateFunction: (t) => codecOf(t.arguments[t.arguments.length - 1] ?? refuse(t)),
  opaque: refuse,
};

/** The codec of a type; NOT_IMPLEMENTED for JSON, Dynamic, Variant, Geometry, AggregateFunction, Object, QBit. */
function codecOf(t: DataType): Codec {
  return dispatch(t, builders);
}

const parsed = new Map<string, { readonly type: DataType; readonly codec: Codec }>();

/** A Native block's type name, parsed once per name (bounded cache). */
function typeOfName(name: string): { readonly type: DataType; readonly codec: Codec } {
  let entry = parsed.get(name);
  if (entry === undefined) {
    const type = parseType(name);
    entry = { type, codec: codecOf(type) };
    if (parsed.size >= 1024) parsed.clear();
    parsed.set(name, entry);
  }
  return entry;
}

// ---- columns --------------------------------------------------------------------------------------

/** Every LowCardinality state prefix of the tree (KeysSerializationVersion, UInt64 = 1), then the values. */
function readColumn(codec: Codec, r: Reader, rows: number): Column {
  if (rows === 0) return codec.decode(r, 0);
  for (let k = 0; k < codec.prefixes; k++) {
    const version = r.u64();
    if (version !== 1) throw incorrectData(`Unknown LowCardinality keys serialization version ${version}`);
  }
  return codec.decode(r, rows);
}

function writeColumn(codec: Codec, w: Writer, column: Column): void {
  if (columnRows(column) === 0) return;
  for (let k = 0; k < codec.prefixes; k++) w.u64(1);
  codec.encode(w, column);
}

function decodeWith(codec: Codec, bytes: Uint8Array, rows: number, what: string): Column {
  const r = new Reader(bytes);
  const column = readColumn(codec, r, rows);
  if (r.pos !== bytes.byteLength) throw incorrectData(`${what}: ${bytes.byteLength - r.pos} bytes left after ${rows} rows`);
  return column;
}

/**
 * One column's Native data (all of it: LowCardinality prefixes included, nothing after) → Column.
 * Throws INCORRECT_DATA / CANNOT_READ_ALL_DATA (33) for malformed data, NOT_IMPLEMENTED (48) for
 * JSON/Dynamic/Variant/AggregateFunction and LowCardinality global dictionaries.
 */
export function decodeColumn(type: DataType, bytes: Uint8Array, rows: number): Column {
  return decodeWith(codecOf(type), bytes, rows, printType(type, 'clickhouse'));
}

/** A Column → its Native data (empty for 0 rows); LOGICAL_ERROR (49) when it does not fit the type. */
export function encodeColumn(type: DataType, column: Column): Uint8Array {
  const w = new Writer();
  writeColumn(codecOf(type), w, column);
  return w.result();
}

// ---- blocks ---------------------------------------------------------------------------------------

export interface DecodeOptions {
  /** The revision the bytes were written for (see WalkerOptions): 0, the default, for HTTP Native. */
  readonly revision?: number;
}

function decodeWalked(block: NativeBlock): Block {
  const names: string[] = [];
  const types: DataType[] = [];
  const columns: Column[] = [];
  for (const c of block.columns) {
    const { type, codec } = typeOfName(c.type);
    names.push(c.name);
    types.push(type);
    columns.push(decodeWith(codec, block.bytes.subarray(c.dataStart, c.dataEnd), block.rows, `Column ${c.name}`));
  }
  return { names, types, columns, rows: block.rows };
}

/** Every block of a complete Native stream (CANNOT_READ_ALL_DATA when it ends inside one). */
export function decodeNativeBlocks(bytes: Uint8Array, options: DecodeOptions = {}): Block[] {
  const walker = new NativeBlockWalker({ revision: options.revision ?? 0 });
  const blocks = walker.push(bytes).map(decodeWalked);
  walker.end();
  return blocks;
}

/** One block: a walked NativeBlock, or bytes holding exactly one block. */
export function decodeNativeBlock(input: Uint8Array | NativeBlock, options: DecodeOptions = {}): Block {
  if (!(input instanceof Uint8Array)) return decodeWalked(input);
  const blocks = decodeNativeBlocks(input, options);
  if (blocks.length !== 1 || blocks[0] === undefined) throw incorrectData(`Expected one Native block, found ${blocks.length}`);
  return blocks[0];
}

/**
 * 'http': plain `FORMAT Native` (revision 0: no BlockInfo, no custom byte). 'tcp': for a native
 * client at `revision` R > 0 (BlockInfo; a custom-serialization byte from 54454).
 */
export type EncodeOptions = ({ readonly layout: 'http' } | { readonly layout: 'tcp'; readonly revision: number })
  & Pick<FramingOptions, 'typeName'>;

/** A Block as one Native block; type names are printed in ClickHouse spelling, then renamed by `typeName`. */
export function encodeNativeBlock(block: Block, options: EncodeOptions): Uint8Array {
  const revision = options.layout === 'http' ? 0 : options.revision;
  if (options.layout === 'tcp' && !(revision > 0)) throw new GatewayError(Code.LOGICAL_ERROR, 'TCP blocks need a revision above 0');
  const w = new Writer(Math.min(1024 + 8 * block.rows * block.columns.length, 2 ** 24));
  const columns: NativeColumn[] = block.columns.map((column, i) => {
    const type = block.types[i] as DataType;
    const name = block.names[i] as string;
    if (columnRows(column) !== block.rows) throw new GatewayError(Code.LOGICAL_ERROR, `Column ${name} has ${columnRows(column)} rows, the block ${block.rows}`);
    const dataStart = w.pos;
    writeColumn(codecOf(type), w, column);
    return { name, type: printType(type, 'clickhouse'), dataStart, dataEnd: w.pos };
  });
  return reframeBlock({ columns, rows: block.rows, bytes: w.result() }, { revision, typeName: options.typeName });
}

