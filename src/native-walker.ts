// The Native block walker (reference/protocols.md §2.1–§2.2): finds block and column boundaries in a
// stream of Native blocks without decoding values. A resumable stack of tasks reads through a cursor
// over the chunks received since the block began, so no chunk is re-scanned and a block is copied at
// most once (only when it spans chunks).
import { GatewayError } from './errors.ts';
import { incorrect, nativeLayout, NOT_IMPLEMENTED, prefixCount, type NativeLayout } from './native-layout.ts';
import {
  CANNOT_READ_ALL_DATA, MAX_BLOCK_ROWS, MAX_COLUMNS, MAX_NAME_LENGTH, MAX_STRING_LENGTH, readVarUInt,
  REVISION_WITH_CUSTOM_SERIALIZATION, utf8Decoder,
} from './native.ts';
// ---- the cursor over the chunks of the block being walked ---------------------------------------

const two32 = 2 ** 32;

/**
 * Reads across the chunks received since the current block began. Atomic reads (`u64`, `varUInt`,
 * `bytes`) return null without consuming when the data ends inside them; `skip` consumes what there is.
 * `pos` counts bytes from the block start; `reserve` refuses a block growing past the limit up front.
 */
class Cursor {
  chunks: Uint8Array[] = [];
  index = 0;
  offset = 0;
  pos = 0;
  received = 0;
  readonly #maxBlockBytes: number;
  #view: DataView | null = null;

  constructor(maxBlockBytes: number) {
    this.#maxBlockBytes = maxBlockBytes;
  }

  get available(): number {
    return this.received - this.pos;
  }

  /** Throws before the walker waits for `n` more bytes of a block that would exceed the limit. */
  reserve(n: number): void {
    if (this.pos + n > this.#maxBlockBytes) {
      throw incorrect(`Native block declares more than ${this.#maxBlockBytes} bytes`);
    }
  }

  /** The current chunk with at least one unread byte, or null at the end of the data. */
  #chunk(): Uint8Array | null {
    for (;;) {
      const chunk = this.chunks[this.index];
      if (chunk === undefined) return null;
      if (this.offset < chunk.byteLength) return chunk;
      if (this.index === this.chunks.length - 1) return null;
      this.index++;
      this.offset = 0;
      this.#view = null;
    }
  }

  skip(n: number): number {
    let left = n;
    while (left > 0) {
      const chunk = this.#chunk();
      if (chunk === null) break;
      const step = Math.min(left, chunk.byteLength - this.offset);
      this.offset += step;
      left -= step;
    }
    this.pos += n - left;
    return n - left;
  }

  /**
   * Skips up to `max` whole String values (VarUInt length + bytes) that lie entirely in the current
   * chunk, in one tight loop; returns how many. A value crossing the chunk's end is left to the
   * general path. The hot path of a Native result: most columns of most results are strings.
   */
  skipStrings(max: number): number {
    const chunk = this.#chunk();
    if (chunk === null) return 0;
    const end = chunk.byteLength;
    let at = this.offset;
    let count = 0;
    while (count < max && at < end) {
      let length = chunk[at] as number;
      let next = at + 1;
      if (length >= 0x80) {
        const head = readVarUInt(chunk, at);
        if (head === null) break;
        [length, next] = head;
        if (length > MAX_STRING_LENGTH) throw incorrect(`String length ${length} exceeds the limit of ${MAX_STRING_LENGTH} bytes`);
      }
      if (next + length > end) break;
      at = next + length;
      count++;
    }
    this.pos += at - this.offset;
    this.offset = at;
    this.reserve(0);
    return count;
  }

  u8(): number | null {
    const chunk = this.#chunk();
    if (chunk === null) return null;
    this.pos++;
    return chunk[this.offset++] as number;
  }

  /** A UInt64 LE as a number (inexact above 2^53, which every caller's limit refuses). */
  u64(): number | null {
    if (this.available < 8) return null;
    const chunk = this.#chunk() as Uint8Array;
    if (chunk.byteLength - this.offset >= 8) {
      this.#view ??= new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const value = this.#view.getUint32(this.offset + 4, true) * two32 + this.#view.getUint32(this.offset, true);
      this.offset += 8;
      this.pos += 8;
      return value;
    }
    let value = 0;
    for (let i = 0, scale = 1; i < 8; i++, scale *= 256) value += (this.u8() as number) * scale;
    return value;
  }

  varUInt(): number | null {
    const chunk = this.#chunk();
    if (chunk === null) return null;
    const head = readVarUInt(chunk, this.offset);
    if (head !== null) {
      this.pos += head[1] - this.offset;
      this.offset = head[1];
      return head[0];
    }
    // Spans chunks: look ahead at most 10 bytes, then consume.
    const copy = this.bytes(Math.min(10, this.available), false);
    const value = copy === null ? null : readVarUInt(copy, 0);
    if (value === null) return null;
    this.skip(value[1]);
    return value[0];
  }

  /** Cuts the block read so far (a view if it lies in the first chunk, else one copy) and starts the next one after it. */
  cut(): Uint8Array {
    const size = this.pos;
    const first = this.chunks[0] ?? new Uint8Array(0);
    let bytes: Uint8Array;
    if (first.byteLength >= size) {
      bytes = first.subarray(0, size);
    } else {
      bytes = new Uint8Array(size);
      for (let i = 0, at = 0; at < size; i++) {
        const c = this.chunks[i] as Uint8Array;
        const part = c.subarray(0, Math.min(c.byteLength, size - at));
        bytes.set(part, at);
        at += part.byteLength;
      }
    }
    const rest = this.chunks.slice(this.index);
    if (rest[0] !== undefined) rest[0] = rest[0].subarray(this.offset);
    this.chunks = rest.filter((c) => c.byteLength > 0);
    this.index = 0;
    this.offset = 0;
    this.received -= size;
    this.pos = 0;
    this.#view = null;
    return bytes;
  }

  /** `n` bytes: a view when they lie in one chunk, else a copy; `consume` false only peeks. */
  bytes(n: number, consume = true): Uint8Array | null {
    if (this.available < n) return null;
    if (n === 0) return new Uint8Array(0);
    const chunk = this.#chunk() as Uint8Array;
    let out: Uint8Array;
    if (chunk.byteLength - this.offset >= n) {
      out = chunk.subarray(this.offset, this.offset + n);
    } else {
      out = new Uint8Array(n);
      for (let i = this.index, at = 0, from = this.offset; at < n; i++, from = 0) {
        const c = this.chunks[i] as Uint8Array;
        const part = c.subarray(from, Math.min(c.byteLength, from + n - at));
        out.set(part, at);
        at += part.byteLength;
      }
    }
    if (consume) this.skip(n);
    return out;
  }
}

// ---- resumable column tasks -------------------------------------------------------------------

const NEED = 0;
const DONE = 1;
/** A task either waits for data, is done, or asks for a child task to run before it resumes. */
type Step = typeof NEED | typeof DONE | Task;
interface Task { step(cursor: Cursor): Step }

/** Checks an element count read from the data against the block's byte budget (every element takes ≥ 1 byte). */
function checkCount(cursor: Cursor, count: number, what: string): number {
  cursor.reserve(count);
  if (count > Number.MAX_SAFE_INTEGER) throw incorrect(`${what} is too large`);
  return count;
}

class SkipTask implements Task {
  #left: number;
  constructor(cursor: Cursor, bytes: number) {
    cursor.reserve(bytes);
    this.#left = bytes;
  }
  step(cursor: Cursor): Step {
    this.#left -= cursor.skip(this.#left);
    return this.#left === 0 ? DONE : NEED;
  }
}

class StringsTask implements Task {
  #rows: number;
  #left = 0;
  constructor(rows: number) {
    this.#rows = rows;
  }
  step(cursor: Cursor): Step {
    for (;;) {
      if (this.#left > 0) {
        this.#left -= cursor.skip(this.#left);
        if (this.#left > 0) return NEED;
      }
      if (this.#rows === 0) return DONE;
      this.#rows -= cursor.skipStrings(this.#rows);
      if (this.#rows === 0) return DONE;
      const length = cursor.varUInt();
      if (length === null) return NEED;
      if (length > MAX_STRING_LENGTH) throw incorrect(`String length ${length} exceeds the limit of ${MAX_STRING_LENGTH} bytes`);
      cursor.reserve(length);
      this.#left = length;
      this.#rows--;
    }
  }
}

/** Runs child tasks one after another, made lazily so each sees the cursor when it starts. */
class SequenceTask implements Task {
  readonly #parts: readonly ((cursor: Cursor) => Task | null)[];
  #next = 0;
  constructor(parts: readonly ((cursor: Cursor) => Task | null)[]) {
    this.#parts = parts;
  }
  step(cursor: Cursor): Step {
    while (this.#next < this.#parts.length) {
      const task = (this.#parts[this.#next++] as (cursor: Cursor) => Task | null)(cursor);
      if (task !== null) return task;
    }
    return DONE;
  }
}

/** N cumulative UInt64 end offsets, then the nested column of (last offset) elements. */
class ArrayTask implements Task {
  readonly #element: NativeLayout;
  readonly #rows: number;
  #phase = 0;
  constructor(element: NativeLayout, rows: number) {
    this.#element = element;
    this.#rows = rows;
  }
  step(cursor: Cursor): Step {
    switch (this.#phase) {
      case 0:
        if (this.#rows === 0) return DONE;
        this.#phase = 1;
        cursor.reserve(8 * this.#rows);
        return new SkipTask(cursor, 8 * (this.#rows - 1));
      case 1: {
        const total = cursor.u64();
        if (total === null) return NEED;
        this.#phase = 2;
        return dataTask(cursor, this.#element, checkCount(cursor, total, 'Array size'));
      }
      default:
        return DONE;
    }
  }
}

const LC_WIDTH_MASK = 0xff;
const LC_NEED_GLOBAL_DICTIONARY = 0x100;
const LC_HAS_ADDITIONAL_KEYS = 0x200;
const LC_NEED_UPDATE_DICTIONARY = 0x400;

/**
 * One LowCardinality column's data after its state prefix, granule by granule (§2.2):
 * IndexesSerializationType, [global dictionary], [additional keys], row count, indexes.
 * A column of 0 values writes nothing (upstream skips empty columns, e.g. inside empty arrays).
 */
class LowCardinalityTask implements Task {
  readonly #keys: NativeLayout;
  #rows: number;
  #phase = 0;
  #flags = 0;
  #first = true;
  constructor(keys: NativeLayout, rows: number) {
    this.#keys = keys;
    this.#rows = rows;
  }
  step(cursor: Cursor): Step {
    for (;;) {
      switch (this.#phase) {
        case 0: {
          if (this.#rows === 0) return DONE;
          const flags = cursor.u64();
          if (flags === null) return NEED;
          if (flags > 0x7ff || (flags & LC_WIDTH_MASK) > 3) throw incorrect(`Invalid LowCardinality index serialization type ${flags}`);
          this.#flags = flags;
          const global = (flags & LC_NEED_GLOBAL_DICTIONARY) !== 0 && ((flags & LC_NEED_UPDATE_DICTIONARY) !== 0 || this.#first);
          this.#first = false;
          this.#phase = global ? 1 : 2;
          break;
        }
        case 1: case 2: {
          if (this.#phase === 2 && (this.#flags & LC_HAS_ADDITIONAL_KEYS) === 0) {
            this.#phase = 3;
            break;
          }
          const keys = cursor.u64();
          if (keys === null) return NEED;
          this.#phase++;
          return dataTask(cursor, this.#keys, checkCount(cursor, keys, 'LowCardinality dictionary size'));
        }
        case 3: {
          const rows = cursor.u64();
          if (rows === null) return NEED;
          if (rows > this.#rows) throw incorrect(`LowCardinality granule of ${rows} rows exceeds the ${this.#rows} rows left`);
          this.#rows -= rows;
          this.#phase = 0;
          return new SkipTask(cursor, rows * 2 ** (this.#flags & LC_WIDTH_MASK));
        }
      }
    }
  }
}

/** The KeysSerializationVersion (UInt64 = 1) of each LowCardinality in a column, before its data. */
class PrefixTask implements Task {
  #left: number;
  constructor(count: number) {
    this.#left = count;
  }
  step(cursor: Cursor): Step {
    for (; this.#left > 0; this.#left--) {
      const version = cursor.u64();
      if (version === null) return NEED;
      if (version !== 1) throw incorrect(`Unknown LowCardinality keys serialization version ${version}`);
    }
    return DONE;
  }
}

/** The task walking `rows` values of `layout` (no state prefix). */
function dataTask(cursor: Cursor, layout: NativeLayout, rows: number): Task {
  switch (layout.kind) {
    case 'fixed': return new SkipTask(cursor, layout.width * rows);
    case 'string': return new StringsTask(rows);
    case 'nullable': return new SequenceTask([(c) => new SkipTask(c, rows), (c) => dataTask(c, layout.inner, rows)]);
    case 'array': return new ArrayTask(layout.element, rows);
    case 'tuple': return new SequenceTask(layout.elements.map((e) => (c: Cursor) => dataTask(c, e, rows)));
    case 'lowCardinality': return new LowCardinalityTask(layout.keys, rows);
  }
}

/** A whole column's data: every LowCardinality state prefix in the tree first, then the values. */
function columnTask(cursor: Cursor, layout: NativeLayout, rows: number): Task {
  const prefixes = prefixCount(layout);
  if (prefixes === 0) return dataTask(cursor, layout, rows);
  return new SequenceTask([() => new PrefixTask(prefixes), (c) => dataTask(c, layout, rows)]);
}

// ---- blocks -------------------------------------------------------------------------------------

/** One column of a walked block; `dataStart..dataEnd` index `NativeBlock.bytes` (empty when rows = 0). */
export interface NativeColumn {
  readonly name: string;
  /** The type name exactly as sent, e.g. `Array(Nullable(String))`. */
  readonly type: string;
  readonly dataStart: number;
  readonly dataEnd: number;
}

export interface NativeBlock {
  readonly columns: readonly NativeColumn[];
  readonly rows: number;
  /** The whole block as received, BlockInfo and custom-serialization bytes included. */
  readonly bytes: Uint8Array;
}

export interface WalkerOptions {
  /**
   * The revision the blocks were written for: 0 (default) for HTTP `FORMAT Native` (no BlockInfo,
   * no custom byte); above 0 each block starts with BlockInfo; from 54454 each column's type is
   * followed by a has-custom-serialization byte, which must be 0 (sparse columns are refused).
   */
  readonly revision?: number;
  /** The largest block accepted, in bytes (default 1 GiB); a block is held in memory until complete. */
  readonly maxBlockBytes?: number;
  /**
   * Walk ONE block, for a block embedded in another stream (a native Data packet): `push` returns
   * at most one block, then the walker stops; `rest()` gives back the bytes pushed after the block.
   */
  readonly single?: boolean;
  /** Maps a column's type name to its layout; default `nativeLayout` (ClickHouse spellings only). */
  readonly layout?: (type: string) => NativeLayout;
}

/**
 * Walks one block: [BlockInfo fields] ncols nrows, then per column name, type, [custom byte], data.
 * BlockInfo is read as a field list (1: Bool is_overflows, 2: Int32 bucket_num, 0: end), as upstream does.
 */
class BlockTask implements Task {
  readonly #revision: number;
  readonly #layout: (type: string) => NativeLayout;
  readonly columns: NativeColumn[] = [];
  rows = 0;
  #phase: number;
  #columns = 0;
  #length = 0;
  #name = '';
  #type = '';
  #dataStart = 0;

  constructor(revision: number, layout: (type: string) => NativeLayout) {
    this.#revision = revision;
    this.#layout = layout;
    this.#phase = revision > 0 ? 0 : 1;
  }

  step(cursor: Cursor): Step {
    for (;;) {
      switch (this.#phase) {
        case 0: { // BlockInfo fields
          const field = cursor.bytes(1, false);
          if (field === null) return NEED;
          const size = field[0] === 0 ? 1 : field[0] === 1 ? 2 : field[0] === 2 ? 5 : -1;
          if (size < 0) throw incorrect(`Unknown BlockInfo field ${field[0]}`);
          if (cursor.available < size) return NEED;
          cursor.skip(size);
          if (size === 1) this.#phase = 1;
          break;
        }
        case 1: {
          const columns = cursor.varUInt();
          if (columns === null) return NEED;
          if (columns > MAX_COLUMNS) throw incorrect(`Native block declares ${columns} columns`);
          this.#columns = columns;
          this.#phase = 2;
          break;
        }
        case 2: {
          const rows = cursor.varUInt();
          if (rows === null) return NEED;
          if (rows > MAX_BLOCK_ROWS) throw incorrect(`Native block declares ${rows} rows, more than ${MAX_BLOCK_ROWS}`);
          this.rows = rows;
          this.#phase = 3;
          break;
        }
        case 3: case 5: { // name or type length
          if (this.columns.length === this.#columns) return DONE;
          const length = cursor.varUInt();
          if (length === null) return NEED;
          if (length > MAX_NAME_LENGTH) throw incorrect(`Column name or type of ${length} bytes`);
          cursor.reserve(length);
          this.#length = length;
          this.#phase++;
          break;
        }
        case 4: case 6: { // name or type bytes
          const bytes = cursor.bytes(this.#length);
          if (bytes === null) return NEED;
          const text = utf8Decoder.decode(bytes);
          if (this.#phase === 4) {
            this.#name = text;
            this.#phase = 5;
          } else {
            this.#type = text;
            this.#phase = this.#revision >= REVISION_WITH_CUSTOM_SERIALIZATION ? 7 : 8;
          }
          break;
        }
        case 7: {
          const custom = cursor.u8();
          if (custom === null) return NEED;
          if (custom !== 0) throw new GatewayError(NOT_IMPLEMENTED, `Column ${this.#name} has a custom (sparse) serialization`);
          this.#phase = 8;
          break;
        }
        case 8: {
          const layout = this.#layout(this.#type);
          this.#dataStart = cursor.pos;
          this.#phase = 9;
          if (this.rows > 0) return columnTask(cursor, layout, this.rows);
          break;
        }
        case 9:
          this.columns.push({ name: this.#name, type: this.#type, dataStart: this.#dataStart, dataEnd: cursor.pos });
          this.#phase = 3;
          break;
      }
    }
  }
}

/**
 * Finds the Native blocks in a byte stream pushed in arbitrary chunks. `push` returns the blocks
 * the chunk completed; the rest is carried as the list of chunks since the current block began,
 * so a block is copied once, and only if it spans chunks. A block within one chunk is returned as
 * a view of that chunk: pushed chunks must not be modified afterwards. Errors are GatewayErrors:
 * INCORRECT_DATA (117) for malformed data or declared sizes past the limits, UNKNOWN_TYPE (50),
 * NOT_IMPLEMENTED (48) for JSON/Object/Variant/Dynamic/AggregateFunction and sparse columns, and
 * CANNOT_READ_ALL_DATA (33) from `end` when the stream stops inside a block. After an error the
 * walker is unusable.
 */
export class NativeBlockWalker {
  readonly #revision: number;
  readonly #cursor: Cursor;
  readonly #stack: Task[] = [];
  readonly #single: boolean;
  readonly #layout: (type: string) => NativeLayout;
  #block: BlockTask | null = null;
  /** With `single`: the one block was returned. */
  #done = false;

  constructor(options: WalkerOptions = {}) {
    this.#revision = options.revision ?? 0;
    this.#cursor = new Cursor(options.maxBlockBytes ?? 2 ** 30);
    this.#single = options.single ?? false;
    this.#layout = options.layout ?? nativeLayout;
  }

  push(chunk: Uint8Array): NativeBlock[] {
    const out: NativeBlock[] = [];
    if (this.#done) throw new Error('NativeBlockWalker: a single-block walker was pushed to after its block');
    if (chunk.byteLength === 0) return out;
    const cursor = this.#cursor;
    cursor.chunks.push(chunk);
    cursor.received += chunk.byteLength;
    while (cursor.available > 0 || this.#block !== null) {
      if (this.#block === null) {
        this.#block = new BlockTask(this.#revision, this.#layout);
        this.#stack.push(this.#block);
      }
      if (!this.#run()) break;
      out.push(this.#finish(this.#block));
      this.#block = null;
      if (this.#single) {
        this.#done = true;
        break;
      }
    }
    return out;
  }

  /**
   * With `single`, once `push` returned the block: the bytes pushed after it (views of the pushed
   * chunks, in order; usually none or one), handed over so the walker holds nothing afterwards.
   */
  rest(): Uint8Array[] {
    if (!this.#done) throw new Error('NativeBlockWalker.rest: only a single-block walker, after its block');
    const cursor = this.#cursor;
    const rest = cursor.chunks;
    cursor.chunks = [];
    cursor.received = 0;
    return rest;
  }

  /** Bytes received that belong to no complete block yet. */
  get buffered(): number {
    return this.#cursor.received;
  }

  /** Throws CANNOT_READ_ALL_DATA if the stream ended inside a block. */
  end(): void {
    if (this.#cursor.received > 0) {
      throw new GatewayError(CANNOT_READ_ALL_DATA, `Cannot read all data: the Native stream ended inside a block (${this.#cursor.received} bytes left over)`);
    }
  }

  /** Steps the task stack until the block is complete (true) or data runs out (false). */
  #run(): boolean {
    const stack = this.#stack;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return true;
      const step = top.step(this.#cursor);
      if (step === NEED) return false;
      if (step === DONE) stack.pop();
      else stack.push(step);
    }
  }

  #finish(block: BlockTask): NativeBlock {
    const bytes = this.#cursor.cut();
    return { columns: block.columns, rows: block.rows, bytes };
  }
}

