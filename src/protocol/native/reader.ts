// A bounds-checked cursor over one contiguous buffer for restartable packet parsers: a read past
// the end throws the shared INCOMPLETE signal carrying how many bytes the parse needs at least, so
// the caller keeps the tail and retries once that many have arrived. Nothing is consumed on failure:
// the caller commits `pos` only after a whole unit parsed.
import { incorrect } from '../../native-layout.ts';
import { readVarUInt } from '../../native.ts';

/** Thrown (one shared instance) when the buffer ends inside a unit; `need` is an absolute offset. */
export class Incomplete {
  need = 0;
}
export const INCOMPLETE = new Incomplete();

const utf8 = new TextDecoder();

export class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  #view: DataView | null = null;

  /** `bytes` must end where the received data ends. */
  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** Throws INCOMPLETE unless `n` more bytes are present. */
  need(n: number): void {
    if (this.pos + n > this.bytes.byteLength) {
      INCOMPLETE.need = this.pos + n;
      throw INCOMPLETE;
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  /** A UInt64 LE as a bigint. */
  u64(): bigint {
    this.need(8);
    this.#view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const value = this.#view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** A UInt64 LE that must be a safe integer (a count). */
  count(what: string): number {
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw incorrect(`${what} ${value} is too large`);
    return Number(value);
  }

  varUInt(): number {
    const head = readVarUInt(this.bytes, this.pos);
    if (head === null) this.need(Math.min(10, this.bytes.byteLength - this.pos + 1));
    const [value, end] = head as [number, number];
    this.pos = end;
    return value;
  }

  /** `n` raw bytes as a view. */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A String's bytes; a declared length above `maxLength` is refused before waiting for it. */
  stringBytes(maxLength: number, what: string): Uint8Array {
    const length = this.varUInt();
    if (length > maxLength) throw incorrect(`${what} of ${length} bytes exceeds the limit of ${maxLength} bytes`);
    return this.raw(length);
  }

  string(maxLength: number, what: string): string {
    return utf8.decode(this.stringBytes(maxLength, what));
  }
}
