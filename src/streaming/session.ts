// The session-window state machine of a streaming `session(...)` aggregation (proton-semantics §1.11
// Session row, §2.13; Proton's SessionWindowHelper). Pure: fed, per arriving `_tp_sn` range, one
// probe row per stored row (key, event time, `_tp_sn`, start/end predicate values) in `_tp_sn` order,
// and clock readings; it answers which sessions closed. No I/O, no wall clock (STYLE 11); all mutable
// state lives in `state` (STYLE 12), proportional to keys and open sessions, plus the late rows that
// fell inside an open session's `_tp_sn` span.
//
// Rules, per key (PARTITION BY; without it one key ''), row by row in arrival (`_tp_sn`) order — so the
// outcome does not depend on where ranges end:
// * a row is late when its time < the key's watermark (max time of the key's earlier rows − delay):
//   it stays stored but counts in no session;
// * with a session open: time ≥ first + max_len closes it with end = first + max_len; else
//   time ≥ last + idle closes it with end = last + idle (last: the session's max time); else a true
//   end predicate closes it with end = the row's time (the row counts in it when the end bracket is
//   inclusive); else the row extends it;
// * a row that closed a session without counting in it, or any row while none is open, opens a
//   session when its start predicate holds (it counts in it when the start bracket is inclusive);
// * TIMEOUT: after `timeoutMs` of clock time without rows, every open session closes with
//   end = min(last + idle, first + max_len), and the key's watermark moves to that end.
// A closed session with no counted row is never emitted (empty windows never emit).
import { Code, GatewayError } from '../errors.ts';

/** One stored row as the probe reports it (times in ms since the epoch). */
export type SessionRow = { readonly key: string; readonly time: number; readonly sn: bigint; readonly start: boolean; readonly end: boolean };

export type SessionSpec = {
  readonly idleMs: number;
  /** Max session length (Proton's default: 5 × idle). */
  readonly maxLengthMs: number;
  /** WITH DELAY: how far behind a key's max time a row may be and still count. */
  readonly delayMs: number;
  /** Bracket forms: whether the row whose start (end) predicate opens (closes) a session counts in it. */
  readonly startInclusive: boolean;
  readonly endInclusive: boolean;
  readonly timeoutMs: number | null;
  /** Open sessions (all keys) allowed at once (`max_windows`). */
  readonly maxSessions: number;
};

/**
 * A closed session: `[start, end)` of `key`, whose rows are the key's rows at `first ≤ _tp_sn ≤ last`
 * except `skipped` (late rows inside the span).
 */
export type SessionEmit = {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly first: bigint;
  readonly last: bigint;
  readonly skipped: readonly bigint[];
};

type OpenSession = { readonly start: number; maxTime: number; first: bigint | null; last: bigint; skipped: bigint[] };
type KeyState = { watermark: number; maxTime: number; open: OpenSession | null };

export type SessionState = {
  readonly keys: Map<string, KeyState>;
  open: number;
  /** Clock time of the last range that brought rows, or null before the first. */
  lastRowAt: number | null;
};

export class SessionMachine {
  readonly state: SessionState = { keys: new Map(), open: 0, lastRowAt: null };

  private readonly spec: SessionSpec;

  constructor(spec: SessionSpec) {
    this.spec = spec;
  }

  /** A range arrived with its rows (in `_tp_sn` order); returns the sessions they closed, in the order they closed. */
  arrive(rows: readonly SessionRow[], now: number): readonly SessionEmit[] {
    const closed: SessionEmit[] = [];
    for (const row of rows) this.row(row, closed);
    if (rows.length > 0) this.state.lastRowAt = now;
    if (this.state.open > this.spec.maxSessions) {
      throw new GatewayError(Code.MEMORY_LIMIT_EXCEEDED, `The streaming query has ${this.state.open} open sessions, more than max_windows=${this.spec.maxSessions}`);
    }
    return closed;
  }

  /** A clock reading: with TIMEOUT, closes every open session once no rows came for `timeoutMs`. */
  tick(now: number): readonly SessionEmit[] {
    const at = this.timeoutAt();
    if (at === null || now < at) return [];
    const closed: SessionEmit[] = [];
    for (const [key, ks] of this.state.keys) {
      const s = ks.open;
      if (s === null) continue;
      const end = Math.min(s.maxTime + this.spec.idleMs, s.start + this.spec.maxLengthMs);
      this.close(key, ks, end, closed);
      ks.watermark = Math.max(ks.watermark, end);
    }
    return closed.sort((a, b) => a.end - b.end || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Estimated bytes of `state` (for the query's state meter, memory.ts). */
  bytes(): number {
    let total = 64;
    for (const [key, ks] of this.state.keys) total += 64 + 2 * key.length + (ks.open === null ? 0 : 96 + 16 * ks.open.skipped.length);
    return total;
  }

  /** When TIMEOUT would next close sessions, or null. */
  timeoutAt(): number | null {
    const { timeoutMs } = this.spec;
    return timeoutMs === null || this.state.lastRowAt === null || this.state.open === 0 ? null : this.state.lastRowAt + timeoutMs;
  }

  private row(row: SessionRow, closed: SessionEmit[]): void {
    const ks = this.key(row.key);
    const s = ks.open;
    if (row.time < ks.watermark) {
      if (s !== null && s.first !== null) s.skipped.push(row.sn);
      return;
    }
    ks.maxTime = Math.max(ks.maxTime, row.time);
    ks.watermark = Math.max(ks.watermark, ks.maxTime - this.spec.delayMs);
    if (s === null) return this.open(row, ks);
    if (row.time >= s.start + this.spec.maxLengthMs) this.close(row.key, ks, s.start + this.spec.maxLengthMs, closed);
    else if (row.time >= s.maxTime + this.spec.idleMs) this.close(row.key, ks, s.maxTime + this.spec.idleMs, closed);
    else if (row.end) {
      if (this.spec.endInclusive) this.count(s, row);
      this.close(row.key, ks, row.time, closed);
      if (this.spec.endInclusive) return;
    } else return this.count(s, row);
    this.open(row, ks);
  }

  private open(row: SessionRow, ks: KeyState): void {
    if (!row.start) return;
    const s: OpenSession = { start: row.time, maxTime: row.time, first: null, last: row.sn, skipped: [] };
    if (this.spec.startInclusive) this.count(s, row);
    ks.open = s;
    this.state.open++;
  }

  private count(s: OpenSession, row: SessionRow): void {
    s.first ??= row.sn;
    s.last = row.sn;
    s.maxTime = Math.max(s.maxTime, row.time);
  }

  private close(key: string, ks: KeyState, end: number, closed: SessionEmit[]): void {
    const s = ks.open;
    if (s === null) return;
    ks.open = null;
    this.state.open--;
    if (s.first === null) return;
    const last = s.last;
    closed.push({ key, start: s.start, end, first: s.first, last, skipped: s.skipped.filter((sn) => sn < last) });
  }

  private key(key: string): KeyState {
    let ks = this.state.keys.get(key);
    if (ks === undefined) {
      ks = { watermark: -Infinity, maxTime: -Infinity, open: null };
      this.state.keys.set(key, ks);
    }
    return ks;
  }
}

/** A probe row (`{k, t, sn, sp, ep}`, 64-bit numbers as strings) as the session machine reads it. */
export function sessionRow(row: Record<string, unknown>): SessionRow {
  return { key: String(row['k']), time: Number(row['t']), sn: BigInt(String(row['sn'])), start: Number(row['sp']) !== 0, end: Number(row['ep']) !== 0 };
}
