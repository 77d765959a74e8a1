// The window/watermark state machine of a streaming tumble/hop aggregation (proton-semantics §1.10,
// §1.11, §2.4–§2.5). Pure: it is fed what the store found in each arriving `_tp_sn` range (one
// "touch" per key and window the range's rows fall in) and clock readings, and answers which windows
// are final, which rows are late, and what to emit. No I/O, no wall clock (STYLE 11); all mutable
// state lives in `state` (STYLE 12), and its size is proportional to open windows and keys, not rows.
//
// Rules (per key when the query has PARTITION BY, else one key ''):
// * watermark W = floor_to_slide(max event time seen − delay), from PREVIOUS ranges: a range's rows
//   are judged against the W in force when it arrived, so order inside one batch does not matter;
// * a row is late when its time < W at its arrival: late rows stay stored, but are excluded from every
//   emit by a late rule `(key, [first, next), before = W)`;
// * a window is final when window_end ≤ W; windows closing together emit in time order, one emit
//   per window end; empty windows are never opened, so never emit;
// * TIMEOUT: after `timeoutMs` of clock time without rows, W jumps to the end of the last open
//   window, closing all of them (later rows for them are late).
import { Code, GatewayError } from '../errors.ts';
import type { SnRange } from './log.ts';

/** One key and window the rows of a range fall in, as the store reports it (times in ms since the epoch). */
export type Touch = {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  /** Max event time of the range's rows of this key and window. */
  readonly maxTime: number;
  /** floor_to_slide(maxTime − delay): the watermark these rows would set. */
  readonly watermark: number;
  readonly minSn: bigint;
};

export type WindowRef = { readonly key: string; readonly start: number; readonly end: number };

/** Rows of `key` in `[first, next)` with event time < `before` arrived late. */
export type LateRule = { readonly key: string; readonly first: bigint; readonly next: bigint; readonly before: number };

/** What one emit reads: these windows, over rows at `_tp_sn ≥ fromSn`, without the late ones. */
export type WindowEmit = { readonly windows: readonly WindowRef[]; readonly fromSn: bigint; readonly late: readonly LateRule[] };

export type WindowSpec = {
  /** Window size and slide (tumble: equal) in ms. */
  readonly sizeMs: number;
  readonly slideMs: number;
  /** Open windows (all keys) allowed at once (`max_windows`). */
  readonly maxWindows: number;
  readonly timeoutMs: number | null;
};

type OpenWindow = { readonly end: number; minSn: bigint };
type KeyState = { watermark: number; readonly open: Map<number, OpenWindow>; rules: LateRule[] };

export type WindowState = {
  readonly keys: Map<string, KeyState>;
  open: number;
  /** Clock time of the last range that brought rows, or null before the first. */
  lastRowAt: number | null;
};

export class WindowMachine {
  readonly state: WindowState = { keys: new Map(), open: 0, lastRowAt: null };

  private readonly spec: WindowSpec;

  constructor(spec: WindowSpec) {
    this.spec = spec;
  }

  /**
   * A range arrived with the touches the store found in it. Returns the windows its on-time rows
   * updated (for ON UPDATE) and the emits of the windows it closed, in time order.
   */
  arrive(range: SnRange, touches: readonly Touch[], now: number): { readonly updated: readonly WindowRef[]; readonly closed: readonly WindowEmit[] } {
    const updated: WindowRef[] = [];
    const raised = new Map<string, number>();
    for (const t of touches) {
      const ks = this.key(t.key);
      if (t.maxTime < ks.watermark) continue; // every row of it is late
      const w = ks.open.get(t.start);
      if (w === undefined) {
        ks.open.set(t.start, { end: t.end, minSn: t.minSn });
        this.state.open++;
      } else if (t.minSn < w.minSn) w.minSn = t.minSn;
      updated.push({ key: t.key, start: t.start, end: t.end });
      raised.set(t.key, Math.max(raised.get(t.key) ?? -Infinity, t.watermark));
    }
    if (touches.length > 0) this.state.lastRowAt = now;
    for (const key of new Set(touches.map((t) => t.key))) this.addRule(key, range);
    if (this.state.open > this.spec.maxWindows) {
      throw new GatewayError(Code.MEMORY_LIMIT_EXCEEDED, `The streaming query has ${this.state.open} open windows, more than max_windows=${this.spec.maxWindows}`);
    }
    for (const [key, w] of raised) {
      const ks = this.key(key);
      if (w > ks.watermark) ks.watermark = w;
    }
    return { updated, closed: this.close() };
  }

  /** A clock reading: with TIMEOUT, closes every open window once no rows came for `timeoutMs`. */
  tick(now: number): readonly WindowEmit[] {
    const { timeoutMs } = this.spec;
    if (timeoutMs === null || this.state.lastRowAt === null || this.state.open === 0 || now - this.state.lastRowAt < timeoutMs) return [];
    for (const ks of this.state.keys.values()) {
      for (const w of ks.open.values()) if (w.end > ks.watermark) ks.watermark = w.end;
    }
    return this.close();
  }

  /** h-bounded: an estimate of the state's memory (keys, open windows, late rules), for memory.ts. */
  bytes(): number {
    let total = 64;
    for (const [key, ks] of this.state.keys) total += 96 + 2 * key.length + 64 * ks.open.size + 80 * ks.rules.length;
    return total;
  }

  /** When TIMEOUT would next close windows, or null. */
  timeoutAt(): number | null {
    const { timeoutMs } = this.spec;
    return timeoutMs === null || this.state.lastRowAt === null || this.state.open === 0 ? null : this.state.lastRowAt + timeoutMs;
  }

  /** Every open window with the rules that apply (EMIT PERIODIC's intermediate results), or null when none is open. */
  openWindows(): WindowEmit | null {
    const windows: WindowRef[] = [];
    let fromSn: bigint | null = null;
    for (const [key, ks] of this.state.keys) {
      for (const [start, w] of ks.open) {
        windows.push({ key, start, end: w.end });
        if (fromSn === null || w.minSn < fromSn) fromSn = w.minSn;
      }
    }
    return fromSn === null ? null : { windows, fromSn, late: this.rules() };
  }

  /** The late rules in force (for emits that read open windows). */
  rules(): LateRule[] {
    return [...this.state.keys.values()].flatMap((ks) => ks.rules);
  }

  private key(key: string): KeyState {
    let ks = this.state.keys.get(key);
    if (ks === undefined) {
      ks = { watermark: -Infinity, open: new Map(), rules: [] };
      this.state.keys.set(key, ks);
    }
    return ks;
  }

  /** Rows of `key` in `range` are late below the watermark in force now; equal neighbours merge. */
  private addRule(key: string, range: SnRange): void {
    const ks = this.key(key);
    if (!this.matters(ks, ks.watermark)) return;
    const last = ks.rules.at(-1);
    if (last !== undefined && last.before === ks.watermark) ks.rules[ks.rules.length - 1] = { ...last, next: range.next };
    else ks.rules.push({ key, first: range.first, next: range.next, before: ks.watermark });
  }

  /**
   * A rule `time < before` can only exclude rows from a window that starts before `before`; every
   * window still to emit ends after W, so starts at or after W − size + slide. Rules below that are
   * vacuous (always for tumble), which bounds the rules per key by size/slide.
   */
  private matters(ks: KeyState, before: number): boolean {
    return before > ks.watermark - this.spec.sizeMs + this.spec.slideMs;
  }

  /** Emits of the windows whose end ≤ their key's watermark, one per end, in time order. */
  private close(): WindowEmit[] {
    const byEnd = new Map<number, { windows: WindowRef[]; fromSn: bigint; keys: Set<string> }>();
    for (const [key, ks] of this.state.keys) {
      for (const [start, w] of ks.open) {
        if (w.end > ks.watermark) continue;
        ks.open.delete(start);
        this.state.open--;
        const group = byEnd.get(w.end);
        if (group === undefined) byEnd.set(w.end, { windows: [{ key, start, end: w.end }], fromSn: w.minSn, keys: new Set([key]) });
        else {
          group.windows.push({ key, start, end: w.end });
          if (w.minSn < group.fromSn) group.fromSn = w.minSn;
          group.keys.add(key);
        }
      }
    }
    const emits = [...byEnd.entries()].sort(([a], [b]) => a - b).map(([, g]) => ({
      windows: g.windows, fromSn: g.fromSn, late: this.rules().filter((r) => g.keys.has(r.key)),
    }));
    for (const [key, ks] of this.state.keys) {
      ks.rules = ks.rules.filter((r) => this.matters(ks, r.before));
      if (ks.open.size === 0 && ks.rules.length === 0 && ks.watermark === -Infinity) this.state.keys.delete(key);
    }
    return emits;
  }
}
