// The window/watermark state machine of a streaming tumble/hop aggregation (proton-semantics §1.10,
// §1.11, §2.4–§2.5). Pure: it is fed what the store found in each arriving `_tp_sn` range (one
// "touch" per key and window the range's rows fall in) and clock readings, and answers which windows
// are final, which rows are late, and what to emit. No I/O, no wall clock (STYLE 11); all mutable
// state lives in `state` (STYLE 12), and its size is proportional to open windows and keys, not rows
// (its compact layout is window-state.ts).
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
import { WindowState } from './window-state.ts';

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

export { WindowState };

export class WindowMachine {
  readonly state: WindowState;

  private readonly spec: WindowSpec;

  constructor(spec: WindowSpec) {
    this.spec = spec;
    this.state = new WindowState(spec.sizeMs);
  }

  /**
   * A range arrived with the touches the store found in it. Returns the windows its on-time rows
   * updated (for ON UPDATE) and the emits of the windows it closed, in time order.
   */
  arrive(range: SnRange, touches: readonly Touch[], now: number): { readonly updated: readonly WindowRef[]; readonly closed: readonly WindowEmit[] } {
    const st = this.state;
    const updated: WindowRef[] = [];
    const raised = new Map<number, number>();
    const touched = new Set<number>();
    for (const t of touches) {
      const k = st.intern(t.key);
      touched.add(k);
      if (t.maxTime < st.watermark(k)) continue; // every row of it is late
      st.touch(k, t.start, t.end, t.minSn);
      updated.push({ key: t.key, start: t.start, end: t.end });
      raised.set(k, Math.max(raised.get(k) ?? -Infinity, t.watermark));
    }
    if (touches.length > 0) st.lastRowAt = now;
    for (const k of touched) this.addRule(k, range);
    if (st.open > this.spec.maxWindows) {
      throw new GatewayError(Code.MEMORY_LIMIT_EXCEEDED, `The streaming query has ${st.open} open windows, more than max_windows=${this.spec.maxWindows}`);
    }
    const rose: number[] = [];
    for (const [k, w] of raised) {
      if (w > st.watermark(k)) rose.push(k);
      st.raise(k, w);
    }
    // Only a key whose watermark rose can have a window to close or a rule to prune: a window opens
    // only for rows at or above its key's watermark, so it ends above it.
    return { updated, closed: this.close(rose.sort((a, b) => a - b)) };
  }

  /** A clock reading: with TIMEOUT, closes every open window once no rows came for `timeoutMs`. */
  tick(now: number): readonly WindowEmit[] {
    const { timeoutMs } = this.spec;
    const st = this.state;
    if (timeoutMs === null || st.lastRowAt === null || st.open === 0 || now - st.lastRowAt < timeoutMs) return [];
    const all = st.names.map((_, k) => k);
    for (const k of all) for (const s of st.windowsOf(k)) st.raise(k, st.end(s));
    return this.close(all);
  }

  /** h-bounded: an estimate of the state's memory (keys, open windows, late rules), for memory.ts. */
  bytes(): number {
    return 64 + this.state.bytes();
  }

  /** When TIMEOUT would next close windows, or null. */
  timeoutAt(): number | null {
    const { timeoutMs } = this.spec;
    const st = this.state;
    return timeoutMs === null || st.lastRowAt === null || st.open === 0 ? null : st.lastRowAt + timeoutMs;
  }

  /**
   * Every open window with the rules that apply (EMIT PERIODIC's intermediate results), or null when
   * none is open. Keys in first-seen order, a key's windows by start.
   */
  openWindows(): WindowEmit | null {
    const st = this.state;
    const windows: WindowRef[] = [];
    let fromSn: bigint | null = null;
    for (const [k, key] of st.names.entries()) {
      for (const s of st.windowsOf(k)) {
        windows.push({ key, start: st.start(s), end: st.end(s) });
        if (fromSn === null || st.minSn(s) < fromSn) fromSn = st.minSn(s);
      }
    }
    return fromSn === null ? null : { windows, fromSn, late: this.rules() };
  }

  /** The late rules in force (for emits that read open windows). */
  rules(): LateRule[] {
    return this.state.allRules();
  }

  /** Rows of key `k` in `range` are late below the watermark in force now; equal neighbours merge. */
  private addRule(k: number, range: SnRange): void {
    const st = this.state;
    const before = st.watermark(k);
    if (!this.matters(k, before)) return;
    const list = st.rules.get(k);
    const last = list?.at(-1);
    if (list !== undefined && last !== undefined && last.before === before) list[list.length - 1] = { ...last, next: range.next };
    else {
      const rule = { key: st.names[k] ?? '', first: range.first, next: range.next, before };
      if (list === undefined) st.rules.set(k, [rule]);
      else list.push(rule);
    }
  }

  /**
   * A rule `time < before` can only exclude rows from a window that starts before `before`; every
   * window still to emit ends after W, so starts at or after W − size + slide. Rules below that are
   * vacuous (always for tumble), which bounds the rules per key by size/slide.
   */
  private matters(k: number, before: number): boolean {
    return before > this.state.watermark(k) - this.spec.sizeMs + this.spec.slideMs;
  }

  /** Emits of the windows of `keys` (ascending) whose end ≤ their key's watermark, one per end, in time order. */
  private close(keys: readonly number[]): WindowEmit[] {
    const st = this.state;
    const byEnd = new Map<number, { windows: WindowRef[]; fromSn: bigint; keys: Set<number> }>();
    for (const k of keys) {
      const key = st.names[k] ?? '';
      st.closeDue(k, (s) => {
        const end = st.end(s);
        const ref = { key, start: st.start(s), end };
        const group = byEnd.get(end);
        if (group === undefined) byEnd.set(end, { windows: [ref], fromSn: st.minSn(s), keys: new Set([k]) });
        else {
          group.windows.push(ref);
          if (st.minSn(s) < group.fromSn) group.fromSn = st.minSn(s);
          group.keys.add(k);
        }
      });
    }
    const emits = [...byEnd.entries()].sort(([a], [b]) => a - b).map(([, g]) => ({
      windows: g.windows, fromSn: g.fromSn, late: [...g.keys].sort((a, b) => a - b).flatMap((k) => st.rules.get(k) ?? []),
    }));
    for (const k of keys) {
      const list = st.rules.get(k);
      if (list === undefined) continue;
      const kept = list.filter((r) => this.matters(k, r.before));
      if (kept.length === 0) st.rules.delete(k);
      else if (kept.length < list.length) st.rules.set(k, kept);
    }
    return emits;
  }
}
