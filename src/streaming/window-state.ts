// The compact state of the window/watermark machine (window.ts): what it remembers per PARTITION BY
// key and per open window, laid out so that a million keys cost ~100 B each rather than ~400.
//
// Layout (struct of arrays, grown by doubling, never shrunk):
// * keys are interned to dense indices in first-seen order (`keys`: key → index, `names`: index →
//   key); a key is never forgotten, as its watermark must be remembered;
// * per key index: `watermark` (Float64Array, −Infinity before the key's first rows) and the first
//   and last of its open windows (`head`/`last`, Int32Array, −1 when none);
// * per open window, one slot of a pool shared by all keys: its start, min `_tp_sn` and the next
//   window of the same key (a chain ordered by start, so ends are ordered too and the windows a
//   watermark closes are a prefix of it). The end is start + size except where the store said
//   otherwise (a calendar window across a DST change): those few ends are kept in `oddEnds`. Closed slots go to a free chain and are reused,
//   so the pool is bounded by the open windows at once (`max_windows` plus one range's touches);
// * late rules exist only for keys that have some (`rules`, sparse; never for tumble).
import type { LateRule } from './window.ts';

/** Estimated heap bytes of one interned key besides its string: its `Map` entry (3 tagged words plus a bucket share) and its `names` slot. */
const bytesPerInternedKey = 40;
/** A JS typed array object with its ArrayBuffer (the backing store is counted by byteLength). */
const bytesPerTypedArray = 128;
/** A `rules` map entry with its array, and one rule object with its two bigints. */
const bytesPerRuleList = 64;
const bytesPerRule = 80;
/** A `Map<number, number>` entry of `oddEnds` (a heap number for the end). */
const bytesPerMapEntry = 48;
const initialCapacity = 16;

export class WindowState {
  /** Key → dense index, in first-seen order (the order emits list windows and rules in). */
  readonly keys = new Map<string, number>();
  readonly names: string[] = [];
  /** Open windows, all keys. */
  open = 0;
  /** Clock time of the last range that brought rows, or null before the first. */
  lastRowAt: number | null = null;
  /** Late rules of the keys that have some, by key index, oldest first. */
  readonly rules = new Map<number, LateRule[]>();

  private watermarks = new Float64Array(initialCapacity).fill(-Infinity);
  private head = new Int32Array(initialCapacity).fill(-1);
  private last = new Int32Array(initialCapacity).fill(-1);
  private slotNext = new Int32Array(initialCapacity);
  private slotStart = new Float64Array(initialCapacity);
  private slotMinSn = new BigInt64Array(initialCapacity);
  /** Slots handed out so far; freed ones chain from `free` through `slotNext`. */
  private slots = 0;
  private free = -1;
  private keyBytes = 0;
  /** Ends of the slots whose end is not start + sizeMs. */
  private readonly oddEnds = new Map<number, number>();
  private readonly sizeMs: number;

  constructor(sizeMs: number) {
    this.sizeMs = sizeMs;
  }

  /** The dense index of `key`, interning it on first sight. */
  intern(key: string): number {
    let k = this.keys.get(key);
    if (k !== undefined) return k;
    k = this.names.length;
    if (k === this.watermarks.length) this.growKeys();
    this.keys.set(key, k);
    this.names.push(key);
    this.keyBytes += stringBytes(key);
    return k;
  }

  watermark(k: number): number {
    return this.watermarks[k] ?? -Infinity;
  }

  raise(k: number, to: number): void {
    if (to > this.watermark(k)) this.watermarks[k] = to;
  }

  /** Opens window `start` of key `k` or lowers its min `_tp_sn`; true when it was not open. */
  touch(k: number, start: number, end: number, minSn: bigint): boolean {
    const tail = this.lastOf(k);
    let prev = -1;
    let s = tail !== -1 && this.start(tail) < start ? -1 : this.first(k);
    if (s === -1) prev = tail;
    while (s !== -1 && this.start(s) < start) {
      prev = s;
      s = this.next(s);
    }
    if (s !== -1 && this.start(s) === start) {
      if (minSn < this.minSn(s)) this.slotMinSn[s] = minSn;
      return false;
    }
    const slot = this.allocate();
    this.slotStart[slot] = start;
    if (end !== start + this.sizeMs) this.oddEnds.set(slot, end);
    this.slotMinSn[slot] = minSn;
    this.slotNext[slot] = s;
    if (prev === -1) this.head[k] = slot;
    else this.slotNext[prev] = slot;
    if (s === -1) this.last[k] = slot;
    this.open++;
    return true;
  }

  /** The open windows of key `k` (slots, in start order) — read with start/end/minSn. */
  *windowsOf(k: number): Generator<number> {
    for (let s = this.first(k); s !== -1; s = this.next(s)) yield s;
  }

  /** Closes the windows of key `k` whose end ≤ its watermark, in start order; gives each slot to `closed` before freeing it. */
  closeDue(k: number, closed: (slot: number) => void): void {
    const w = this.watermark(k);
    let s = this.first(k);
    while (s !== -1 && this.end(s) <= w) {
      closed(s);
      const next = this.next(s);
      if (this.oddEnds.size > 0) this.oddEnds.delete(s);
      this.slotNext[s] = this.free;
      this.free = s;
      this.open--;
      s = next;
    }
    this.head[k] = s;
    if (s === -1) this.last[k] = -1;
  }

  start(slot: number): number {
    return this.slotStart[slot] ?? NaN;
  }

  end(slot: number): number {
    return this.oddEnds.get(slot) ?? this.start(slot) + this.sizeMs;
  }

  minSn(slot: number): bigint {
    return this.slotMinSn[slot] ?? 0n;
  }

  /** Every late rule, by key index then age. */
  allRules(): LateRule[] {
    return [...this.rules].sort(([a], [b]) => a - b).flatMap(([, r]) => r);
  }

  /** An estimate of the heap and ArrayBuffer bytes this state holds (capacity, not just use). */
  bytes(): number {
    const arrays = [this.watermarks, this.head, this.last, this.slotNext, this.slotStart, this.slotMinSn];
    let total = 8 * this.names.length + bytesPerInternedKey * this.keys.size + this.keyBytes;
    for (const a of arrays) total += bytesPerTypedArray + a.byteLength;
    total += bytesPerMapEntry * this.oddEnds.size;
    for (const list of this.rules.values()) total += bytesPerRuleList + bytesPerRule * list.length;
    return total;
  }

  private first(k: number): number {
    return this.head[k] ?? -1;
  }

  private lastOf(k: number): number {
    return this.last[k] ?? -1;
  }

  private next(slot: number): number {
    return this.slotNext[slot] ?? -1;
  }

  private allocate(): number {
    if (this.free !== -1) {
      const s = this.free;
      this.free = this.next(s);
      return s;
    }
    if (this.slots === this.slotStart.length) this.growSlots();
    return this.slots++;
  }

  private growKeys(): void {
    const n = 2 * this.watermarks.length;
    this.watermarks = grown(this.watermarks, new Float64Array(n).fill(-Infinity));
    this.head = grown(this.head, new Int32Array(n).fill(-1));
    this.last = grown(this.last, new Int32Array(n).fill(-1));
  }

  private growSlots(): void {
    const n = 2 * this.slotStart.length;
    this.slotNext = grown(this.slotNext, new Int32Array(n));
    this.slotStart = grown(this.slotStart, new Float64Array(n));
    this.slotMinSn = grown(this.slotMinSn, new BigInt64Array(n));
  }
}

function grown<A extends Float64Array | Int32Array | BigInt64Array>(from: A, to: A): A {
  (to as { set(a: A): void }).set(from);
  return to;
}

/** V8 heap bytes of a string: a 16-byte header and its characters (1 or 2 bytes each), rounded up to 8. */
function stringBytes(s: string): number {
  const width = /[^\u0000-\u00ff]/.test(s) ? 2 : 1;
  return 16 + 8 * Math.ceil((width * s.length) / 8);
}
