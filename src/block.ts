// Columnar blocks (DESIGN.md §2): the unit operators process. A Block is named, typed columns of
// equal length; a Column holds one column's values in the shape of its Native encoding
// (reference/protocols.md §2.2): typed arrays for fixed-width values, offsets + one byte buffer for
// strings, a null map for Nullable, offsets + child column for arrays, dictionary + indexes for
// LowCardinality. native-columns.ts decodes and encodes them.
import { Code, GatewayError } from './errors.ts';
import type { DataType } from './types.ts';
import { utf8Decoder } from './native.ts';

/** Fixed-width values up to 64 bits, in the host's (little-endian) byte order. */
export type FixedValues =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** LowCardinality indexes: the width the data chose (UInt8…UInt64). */
export type IndexValues = Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/**
 * Which Column a type decodes to:
 * - fixed: (U)Int8…64, Float32/64, BFloat16 (raw bits, Uint16Array), Bool (Uint8Array 0/1),
 *   Decimal(P ≤ 9) Int32Array / (P ≤ 18) BigInt64Array (scaled integers), Date Uint16Array (days),
 *   Date32 Int32Array (days), DateTime Uint32Array (s), DateTime64 BigInt64Array (ticks of 10^-p s),
 *   Time Int32Array, Time64 BigInt64Array, IPv4 Uint32Array, Enum8 Int8Array, Enum16 Int16Array,
 *   Interval* BigInt64Array.
 * - bytes: `width` bytes per row, as on the wire: FixedString(N), (U)Int128/256 and Decimal(P > 18)
 *   little-endian two's complement, IPv6 in network order, UUID as two UInt64 LE halves (high half
 *   first; use uuidAt for the text form).
 * - string: row i is bytes[offsets[i] .. offsets[i+1]); `string(i)` decodes it as UTF-8 on demand.
 * - nullable: nulls[i] = 1 for NULL; the inner column holds a default value in NULL slots.
 * - array: row i is element rows offsets[i] .. offsets[i+1] (offsets has rows + 1 entries, [0] = 0).
 *   Also Nested(…) (elements are a tuple) and the geo shapes Ring/Polygon/… (arrays of Point tuples).
 * - map: like array, with keys and values as two parallel columns of the same length.
 * - tuple: one column per element, each of `rows` rows (Point is Tuple(Float64, Float64)).
 * - lowCardinality: row i is dictionary row indexes[i]. When `nullable`, the dictionary holds the
 *   non-Nullable type and index 0 means NULL (index 1 is the default value), as on the wire.
 * - nothing: `rows` values of type Nothing (always NULL under Nullable).
 */
export type Column =
  | { readonly kind: 'fixed'; readonly values: FixedValues }
  | { readonly kind: 'bytes'; readonly width: number; readonly bytes: Uint8Array }
  | StringColumn
  | { readonly kind: 'nullable'; readonly nulls: Uint8Array; readonly inner: Column }
  | { readonly kind: 'array'; readonly offsets: Uint32Array; readonly element: Column }
  | { readonly kind: 'map'; readonly offsets: Uint32Array; readonly keys: Column; readonly values: Column }
  | { readonly kind: 'tuple'; readonly rows: number; readonly elements: readonly Column[] }
  | { readonly kind: 'lowCardinality'; readonly nullable: boolean; readonly dictionary: Column; readonly indexes: IndexValues }
  | { readonly kind: 'nothing'; readonly rows: number };

export interface StringColumn {
  readonly kind: 'string';
  /** rows + 1 start offsets into `bytes`; offsets[0] = 0. */
  readonly offsets: Uint32Array;
  readonly bytes: Uint8Array;
  /** Row i as text (UTF-8 decoded on each call). */
  string(i: number): string;
}

export type ColumnKind = Column['kind'];
export type ColumnOf<K extends ColumnKind> = Extract<Column, { kind: K }>;

/** Named, typed columns of `rows` rows each. Types are the store's (ClickHouse) data types. */
export interface Block {
  readonly names: readonly string[];
  readonly types: readonly DataType[];
  readonly columns: readonly Column[];
  readonly rows: number;
}

const rowCounters: { readonly [K in ColumnKind]: (c: ColumnOf<K>) => number } = {
  fixed: (c) => c.values.length,
  bytes: (c) => (c.width === 0 ? 0 : c.bytes.byteLength / c.width),
  string: (c) => c.offsets.length - 1,
  nullable: (c) => c.nulls.length,
  array: (c) => c.offsets.length - 1,
  map: (c) => c.offsets.length - 1,
  tuple: (c) => c.rows,
  lowCardinality: (c) => c.indexes.length,
  nothing: (c) => c.rows,
};

/** The number of rows of a column. */
export function columnRows(column: Column): number {
  return (rowCounters[column.kind] as (c: Column) => number)(column);
}

/** A string column over `offsets` (rows + 1 entries) and `bytes`; neither is copied. */
export function stringColumn(offsets: Uint32Array, bytes: Uint8Array): StringColumn {
  return {
    kind: 'string',
    offsets,
    bytes,
    string: (i) => utf8Decoder.decode(bytes.subarray(offsets[i], offsets[i + 1])),
  };
}

const utf8 = new TextEncoder();

/** A string column holding `texts` as UTF-8. */
export function stringColumnOf(texts: readonly string[]): StringColumn {
  const parts = texts.map((t) => utf8.encode(t));
  const offsets = new Uint32Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p.byteLength;
    offsets[i + 1] = total;
  });
  const bytes = new Uint8Array(total);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  return stringColumn(offsets, bytes);
}

/** A block whose columns all have `rows` rows; throws LOGICAL_ERROR when lengths disagree. */
export function makeBlock(names: readonly string[], types: readonly DataType[], columns: readonly Column[], rows?: number): Block {
  if (names.length !== types.length || names.length !== columns.length) {
    throw new GatewayError(Code.LOGICAL_ERROR, `Block of ${names.length} names, ${types.length} types and ${columns.length} columns`);
  }
  const n = rows ?? (columns[0] === undefined ? 0 : columnRows(columns[0]));
  columns.forEach((c, i) => {
    if (columnRows(c) !== n) throw new GatewayError(Code.LOGICAL_ERROR, `Column ${names[i]} has ${columnRows(c)} rows, the block ${n}`);
  });
  return { names, types, columns, rows: n };
}

// ---- accessors --------------------------------------------------------------------------------

/** Row i of a bytes column (a view). */
export function bytesAt(column: ColumnOf<'bytes'>, i: number): Uint8Array {
  return column.bytes.subarray(i * column.width, (i + 1) * column.width);
}

/** Row i of a bytes column read as a little-endian integer: (U)Int128/256, Decimal128/256. */
export function bigIntAt(column: ColumnOf<'bytes'>, i: number, signed: boolean): bigint {
  const row = bytesAt(column, i);
  let value = 0n;
  for (let k = row.byteLength - 1; k >= 0; k--) value = (value << 8n) | BigInt(row[k] as number);
  return signed ? BigInt.asIntN(row.byteLength * 8, value) : value;
}

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Row i of a UUID column as text: each UInt64 half is stored little-endian, high half first. */
export function uuidAt(column: ColumnOf<'bytes'>, i: number): string {
  const row = bytesAt(column, i);
  let hex = '';
  for (const k of [7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8]) hex += hexByte[row[k] as number];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 16 wire bytes of a UUID text (inverse of uuidAt). */
export function uuidBytes(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new GatewayError(Code.CANNOT_PARSE_TEXT, `Cannot parse UUID ${JSON.stringify(text)}`);
  const out = new Uint8Array(16);
  [7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8].forEach((k, j) => {
    out[k] = parseInt(hex.slice(2 * j, 2 * j + 2), 16);
  });
  return out;
}

/** The dictionary row of row i of a LowCardinality column. */
export function indexAt(column: ColumnOf<'lowCardinality'>, i: number): number {
  return Number(column.indexes[i]);
}

/** Whether row i is NULL: Nullable null map, LowCardinality(Nullable) index 0, or Nothing. */
export function isNullAt(column: Column, i: number): boolean {
  switch (column.kind) {
    case 'nullable': return column.nulls[i] === 1;
    case 'lowCardinality': return column.nullable && indexAt(column, i) === 0;
    case 'nothing': return true;
    default: return false;
  }
}
