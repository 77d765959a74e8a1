// Native codecs of the composite types (reference/protocols.md §2.2): Nullable, Array, Map, Tuple
// and LowCardinality, each built over the codecs of its parts.
import { Code, GatewayError } from './errors.ts';
import { columnRows, type Column, type IndexValues } from './block.ts';
import { expectKind, incorrectData, readOffsets, writeOffsets, type Codec, type Reader, type Writer } from './native-column-io.ts';

function checkRows(column: Column, rows: number, type: string): void {
  if (columnRows(column) !== rows) throw new GatewayError(Code.LOGICAL_ERROR, `${type}: nested column has ${columnRows(column)} rows, expected ${rows}`);
}

/** Nullable(T): N null-map bytes (1 = NULL) first, then T's column of N values. */
export function nullableCodec(inner: Codec, type: string): Codec {
  return {
    prefixes: inner.prefixes,
    decode: (r, rows) => {
      const nulls = r.copy(rows);
      return { kind: 'nullable', nulls, inner: inner.decode(r, rows) };
    },
    encode: (w, column) => {
      const c = expectKind(column, 'nullable', type);
      checkRows(c.inner, c.nulls.length, type);
      w.bytes(c.nulls);
      inner.encode(w, c.inner);
    },
  };
}

/** The element count an offsets array ends at; offsets must start at 0. */
function total(offsets: Uint32Array, type: string): number {
  if (offsets[0] !== 0) throw new GatewayError(Code.LOGICAL_ERROR, `${type}: offsets must start at 0`);
  return offsets[offsets.length - 1] as number;
}

/** Array(T): N cumulative UInt64 end offsets, then the flattened T column. */
export function arrayCodec(element: Codec, type: string): Codec {
  return {
    prefixes: element.prefixes,
    decode: (r, rows) => {
      const offsets = readOffsets(r, rows);
      return { kind: 'array', offsets, element: element.decode(r, offsets[rows] as number) };
    },
    encode: (w, column) => {
      const c = expectKind(column, 'array', type);
      checkRows(c.element, total(c.offsets, type), type);
      writeOffsets(w, c.offsets);
      element.encode(w, c.element);
    },
  };
}

/** Map(K, V), as Array(Tuple(K, V)): N offsets, then all keys, then all values. */
export function mapCodec(key: Codec, value: Codec, type: string): Codec {
  return {
    prefixes: key.prefixes + value.prefixes,
    decode: (r, rows) => {
      const offsets = readOffsets(r, rows);
      const n = offsets[rows] as number;
      const keys = key.decode(r, n);
      return { kind: 'map', offsets, keys, values: value.decode(r, n) };
    },
    encode: (w, column) => {
      const c = expectKind(column, 'map', type);
      const n = total(c.offsets, type);
      checkRows(c.keys, n, type);
      checkRows(c.values, n, type);
      writeOffsets(w, c.offsets);
      key.encode(w, c.keys);
      value.encode(w, c.values);
    },
  };
}

/**
 * Tuple(T1, …): the element columns one after another. An empty Tuple() writes one "0" byte per
 * row, like Nothing [exp: chdb 26.7].
 */
export function tupleCodec(elements: readonly Codec[], type: string): Codec {
  return {
    prefixes: elements.reduce((n, e) => n + e.prefixes, 0),
    decode: (r, rows) => {
      if (elements.length === 0) r.take(rows);
      return { kind: 'tuple', rows, elements: elements.map((e) => e.decode(r, rows)) };
    },
    encode: (w, column) => {
      const c = expectKind(column, 'tuple', type);
      if (c.elements.length !== elements.length) throw new GatewayError(Code.LOGICAL_ERROR, `${type}: ${c.elements.length} element columns`);
      if (elements.length === 0) w.fill(0x30, c.rows);
      elements.forEach((e, k) => {
        const part = c.elements[k] as Column;
        checkRows(part, c.rows, type);
        e.encode(w, part);
      });
    },
  };
}

const WIDTH_MASK = 0xff;
const NEED_GLOBAL_DICTIONARY = 0x100;
const HAS_ADDITIONAL_KEYS = 0x200;
/** HasAdditionalKeys | NeedUpdateDictionary: what upstream writes, plus the index width code. */
const WRITTEN_FLAGS = 0x600;

type IndexArray = new (buffer: ArrayBuffer) => IndexValues;
const indexArrays: readonly IndexArray[] = [Uint8Array, Uint16Array, Uint32Array, BigUint64Array];

function widthCode(indexes: IndexValues): number {
  if (indexes instanceof Uint8Array) return 0;
  if (indexes instanceof Uint16Array) return 1;
  return indexes instanceof Uint32Array ? 2 : 3;
}

function checkIndexes(indexes: IndexValues, size: number): void {
  let max = -1;
  if (indexes instanceof BigUint64Array) {
    for (const i of indexes) if (Number(i) > max) max = Number(i);
  } else {
    for (let i = 0; i < indexes.length; i++) if ((indexes[i] as number) > max) max = indexes[i] as number;
  }
  if (max >= size) throw incorrectData(`LowCardinality index ${max} is past the dictionary of ${size} keys`);
}

/**
 * LowCardinality(T) data after its state prefix (KeysSerializationVersion UInt64 = 1, written by the
 * caller for the whole tree): IndexesSerializationType UInt64 (width code | flags), the additional
 * keys (UInt64 count, then the keys as T without Nullable), the row count (UInt64), the indexes.
 * Upstream writes one such granule per column in Native blocks; several granules or a global
 * dictionary (MergeTree-only shapes) are refused with NOT_IMPLEMENTED. A column of 0 values writes
 * nothing (e.g. inside empty arrays).
 */
export function lowCardinalityCodec(keys: Codec, nullable: boolean, type: string): Codec {
  const decode = (r: Reader, rows: number): Column => {
    if (rows === 0) return { kind: 'lowCardinality', nullable, dictionary: keys.decode(r, 0), indexes: new Uint8Array(0) };
    const flags = r.u64();
    if (flags > 0x7ff || (flags & WIDTH_MASK) > 3) throw incorrectData(`Invalid LowCardinality index serialization type ${flags}`);
    if ((flags & NEED_GLOBAL_DICTIONARY) !== 0 || (flags & HAS_ADDITIONAL_KEYS) === 0) {
      throw new GatewayError(Code.NOT_IMPLEMENTED, `${type}: LowCardinality with a global dictionary is not supported`);
    }
    const size = r.u64();
    if (size > r.bytes.byteLength) throw incorrectData(`LowCardinality dictionary of ${size} keys is larger than the column`);
    const dictionary = keys.decode(r, size);
    const count = r.u64();
    if (count !== rows) throw new GatewayError(Code.NOT_IMPLEMENTED, `${type}: a granule of ${count} of ${rows} rows (several granules are not supported)`);
    const code = flags & WIDTH_MASK;
    const indexes = new (indexArrays[code] as IndexArray)(r.copy(rows * 2 ** code).buffer as ArrayBuffer);
    checkIndexes(indexes, size);
    return { kind: 'lowCardinality', nullable, dictionary, indexes };
  };
  const encode = (w: Writer, column: Column): void => {
    const c = expectKind(column, 'lowCardinality', type);
    const rows = c.indexes.length;
    if (rows === 0) return;
    w.u64(WRITTEN_FLAGS | widthCode(c.indexes));
    w.u64(columnRows(c.dictionary));
    keys.encode(w, c.dictionary);
    w.u64(rows);
    w.bytes(new Uint8Array(c.indexes.buffer, c.indexes.byteOffset, c.indexes.byteLength));
  };
  return { prefixes: 1 + keys.prefixes, decode, encode };
}
