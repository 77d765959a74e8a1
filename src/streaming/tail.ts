// Running a streaming query over one append stream: a tail (rows as they are stored, from the
// query's start or, for a rewind, from the stream's beginning) or a global aggregation re-emitted
// every period when rows arrived. Rows are read from the store by `_tp_sn` range (the SQL comes
// with the query), ranges come from the stream log. The backfill and the live tail meet at the
// position read in the stream's turn: ranges before it are read from the store once, ranges at or
// after it as they are published — no gap, no duplicate.
import type { SnRange, StreamLog, Subscription } from './log.ts';
import { WindowMachine, type LateRule, type Touch, type WindowEmit, type WindowRef } from './window.ts';
import { DedupMachine, dedupReads, dedupRow } from './dedup.ts';
import { pendingRangeBytes, StateMeter } from './memory.ts';
import { SessionMachine, sessionRow, type SessionEmit, type SessionSpec } from './session.ts';

/** Time is an input (STYLE 11): the engine never reads the wall clock itself. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  }),
};

/** What the engine needs of a planned streaming query (rewrite/streaming-plan.ts builds it). */
export type TailQuery = {
  /** The stream's store table, as the log and the sequence numbering name it. */
  readonly key: string;
  readonly start: 'earliest' | 'now';
  readonly limit: number | null;
  /** Emit every `periodMs` (null: after each range, with `onUpdate`); `repeat` even without new rows; `onUpdate` only changed groups. */
  readonly aggregate: { readonly periodMs: number | null; readonly repeat: boolean; readonly onUpdate: boolean } | null;
  /** A tumble/hop aggregation (see window.ts); `final`: emit each window once the watermark passes it. */
  readonly window: {
    readonly sizeMs: number;
    readonly slideMs: number;
    readonly maxWindows: number;
    readonly timeoutMs: number | null;
    readonly final: boolean;
    /** SQL giving one row `{k, ws, we, mx, wm, sn}` per key and window of the range's rows (see rewrite/streaming-window-plan.ts). */
    probe(range: SnRange): string;
  } | null;
  /** A session() aggregation (see session.ts): a probe per range, one emit per closed session. */
  readonly session?: (SessionSpec & {
    /** SQL giving one row `{k, t, sn, sp, ep}` per row of the range, in `_tp_sn` order (see rewrite/streaming-session-plan.ts). */
    probe(range: SnRange): string;
    read(session: SessionEmit, version: number, limit: number | null): string;
  }) | null;
  /** h-bounded: a dedup() tail's key set bounds and per-range probe `{k, sn}` (see dedup.ts); absent or null otherwise. */
  readonly dedup?: { readonly maxKeys: number; readonly ttlMs: number; probe(range: SnRange): string } | null;
  /** h-bounded: the limit of the query's own state in bytes (memory.ts; 241 beyond it); absent or null: none. */
  readonly maxStateBytes?: number | null;
  /** A tail's SQL over the rows of `range` (a dedup tail: only its `kept` runs). */
  sql(range: SnRange, limit: number | null, kept?: readonly SnRange[]): string;
  /** An aggregation emit's SQL. */
  read(read: AggregateRead, limit: number | null): string;
};

/** What one aggregation emit reads: the windows (null: all groups), the rows, late rows to leave out, changed groups only. */
export type AggregateRead = {
  readonly windows: readonly WindowRef[] | null;
  readonly rows: SnRange;
  readonly late: readonly LateRule[];
  readonly changedSince: bigint | null;
  readonly version: number;
};

/** What the engine needs of the rest of Hadron. */
export interface TailPort {
  readonly log: StreamLog;
  /** The stream's next `_tp_sn`, read in its turn (no write in flight). */
  position(key: string): Promise<bigint>;
  /** Runs one SQL query, writing its result bytes to the client; resolves with the rows it returned. */
  emit(sql: string): Promise<number>;
  /** Runs one SQL query for the engine itself (a window probe); resolves with its rows as JSON objects. */
  rows(sql: string): Promise<readonly Record<string, unknown>[]>;
  readonly clock: Clock;
}

/** Runs until the LIMIT is reached or `signal` aborts (client gone, KILL QUERY); resolves with rows emitted. */
export async function runTail(q: TailQuery, port: TailPort, signal: AbortSignal): Promise<number> {
  const subscription = port.log.subscribe(q.key, 0n);
  const stop = (): void => subscription.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const position = await port.position(q.key);
    const from = q.start === 'earliest' ? 0n : position;
    return q.aggregate === null
      ? await tail(q, port, subscription, from, position, signal)
      : await aggregate(q, port, subscription, from, position, signal);
  } finally {
    signal.removeEventListener('abort', stop);
    subscription.close();
  }
}

async function tail(q: TailQuery, port: TailPort, sub: Subscription, from: bigint, position: bigint, signal: AbortSignal): Promise<number> {
  let emitted = 0;
  const remaining = (): number | null => (q.limit === null ? null : q.limit - emitted);
  const done = (): boolean => q.limit !== null && emitted >= q.limit;
  // h-bounded: a dedup tail's key set, and the meter of the query's state.
  const dedup = q.dedup == null ? null : new DedupMachine(q.dedup);
  const meter = new StateMeter(q.maxStateBytes ?? null);
  const read = async (range: SnRange): Promise<boolean> => {
    if (range.next <= range.first) return done();
    if (dedup === null || q.dedup == null) {
      emitted += await port.emit(q.sql(range, remaining()));
      return done();
    }
    const kept = dedup.admit((await port.rows(q.dedup.probe(range))).map(dedupRow), port.clock.now());
    meter.report({ dedup: dedup.bytes(), pending: pendingRangeBytes });
    for (const r of dedupReads(kept)) {
      if (done()) break;
      emitted += await port.emit(q.sql(r.range, remaining(), r.kept));
    }
    return done();
  };
  if (from < position && (await read({ first: from, next: position }))) return emitted;
  let cursor = position;
  while (!signal.aborted) {
    const range = await sub.next();
    if (range === null) break;
    const first = range.first > cursor ? range.first : cursor;
    if (range.next <= first) continue;
    cursor = range.next;
    if (await read({ first, next: range.next })) break;
  }
  return emitted;
}

/**
 * An aggregation: global (§2.3: every period, if rows arrived, the full result over every row since
 * the start; ON UPDATE: the changed groups) or windowed (§1.11: each window once final, open
 * windows every period, changed groups of open windows ON UPDATE). Nothing is emitted before the
 * first row. Ranges and clock ticks are handled one at a time, in the order they come.
 */
async function aggregate(q: TailQuery, port: TailPort, sub: Subscription, from: bigint, position: bigint, signal: AbortSignal): Promise<number> {
  const run = new AggregateRun(q, port, from);
  if (from < position) await run.range({ first: from, next: position });
  let cursor = position;
  let pending: Promise<SnRange | null> | null = null;
  while (!signal.aborted && !run.done()) {
    pending ??= sub.next();
    const at = run.nextTimer();
    let range: SnRange | null | 'tick';
    if (at === null) range = await pending;
    else {
      const stopSleep = new AbortController();
      const tick = port.clock.sleep(Math.max(0, at - port.clock.now()), AbortSignal.any([signal, stopSleep.signal])).then(() => 'tick' as const);
      range = await Promise.race([pending, tick]);
      stopSleep.abort();
    }
    if (signal.aborted) break;
    if (range === 'tick') {
      await run.tick(port.clock.now());
      continue;
    }
    pending = null;
    if (range === null) break;
    const first = range.first > cursor ? range.first : cursor;
    if (range.next <= first) continue;
    cursor = range.next;
    await run.range({ first, next: range.next });
  }
  return run.emitted;
}

/** The state of one running aggregation (STYLE 12: the window machine's state plus these positions). */
class AggregateRun {
  emitted = 0;
  private version = 0;
  /** End of the rows seen, and of the rows seen at the last periodic emit. */
  private latest: bigint;
  private tickedUpTo: bigint;
  private nextPeriod: number | null;
  private readonly machine: WindowMachine | null;
  private readonly sessions: SessionMachine | null;
  /** h-bounded: the meter of the query's state (window machine, pending range). */
  private readonly meter: StateMeter;
  private readonly q: TailQuery;
  private readonly port: TailPort;
  private readonly from: bigint;

  constructor(q: TailQuery, port: TailPort, from: bigint) {
    this.q = q;
    this.port = port;
    this.from = from;
    this.latest = from;
    this.tickedUpTo = from;
    const period = q.aggregate?.periodMs ?? null;
    this.nextPeriod = period === null ? null : port.clock.now() + period;
    this.machine = q.window === null ? null : new WindowMachine(q.window);
    this.meter = new StateMeter(q.maxStateBytes ?? null);
    this.sessions = q.session == null ? null : new SessionMachine(q.session);
  }

  done(): boolean {
    return this.q.limit !== null && this.emitted >= this.q.limit;
  }

  nextTimer(): number | null {
    const timeout = this.machine?.timeoutAt() ?? this.sessions?.timeoutAt() ?? null;
    if (this.nextPeriod === null) return timeout;
    return timeout === null ? this.nextPeriod : Math.min(timeout, this.nextPeriod);
  }

  async range(range: SnRange): Promise<void> {
    this.latest = range.next;
    const agg = this.q.aggregate;
    const perRange = agg !== null && agg.onUpdate && agg.periodMs === null;
    if (this.sessions !== null && this.q.session != null) {
      const rows = (await this.port.rows(this.q.session.probe(range))).map(sessionRow);
      const closed = this.sessions.arrive(rows, this.port.clock.now());
      this.meter.report({ sessions: this.sessions.bytes(), pending: pendingRangeBytes });
      return this.sessionFinals(closed);
    }
    if (this.machine === null || this.q.window === null) {
      if (perRange) await this.emit({ windows: null, rows: { first: this.from, next: range.next }, late: [], changedSince: range.first });
      return;
    }
    const touches = (await this.port.rows(this.q.window.probe(range))).map(touch);
    const { updated, closed } = this.machine.arrive(range, touches, this.port.clock.now());
    this.meter.report({ windows: this.machine.bytes(), pending: pendingRangeBytes });
    if (perRange && updated.length > 0) {
      await this.emit({ windows: updated, rows: { first: this.from, next: range.next }, late: this.machine.rules(), changedSince: range.first });
    }
    await this.finals(closed);
  }

  async tick(now: number): Promise<void> {
    if (this.machine !== null) await this.finals(this.machine.tick(now));
    if (this.sessions !== null) await this.sessionFinals(this.sessions.tick(now));
    const agg = this.q.aggregate;
    if (this.nextPeriod === null || agg === null || agg.periodMs === null || now < this.nextPeriod) return;
    while (this.nextPeriod <= now) this.nextPeriod += agg.periodMs;
    const fresh = this.latest > this.tickedUpTo;
    const since = this.tickedUpTo;
    this.tickedUpTo = this.latest;
    if (!(fresh || (agg.repeat && this.latest > this.from))) return;
    const changedSince = agg.onUpdate ? since : null;
    if (this.machine === null) {
      await this.emit({ windows: null, rows: { first: this.from, next: this.latest }, late: [], changedSince });
      return;
    }
    const open = this.machine.openWindows();
    if (open !== null) await this.emit({ windows: open.windows, rows: { first: open.fromSn, next: this.latest }, late: open.late, changedSince });
  }

  private async finals(closed: readonly WindowEmit[]): Promise<void> {
    if (this.q.window?.final !== true) return;
    for (const c of closed) {
      if (this.done()) return;
      await this.emit({ windows: c.windows, rows: { first: c.fromSn, next: this.latest }, late: c.late, changedSince: null });
    }
  }

  /** One emit per closed session, in the order they closed. */
  private async sessionFinals(closed: readonly SessionEmit[]): Promise<void> {
    for (const c of closed) {
      if (this.done() || this.q.session == null) return;
      const rows = await this.port.emit(this.q.session.read(c, this.version, this.q.limit === null ? null : this.q.limit - this.emitted));
      if (rows > 0) this.version++;
      this.emitted += rows;
    }
  }

  private async emit(read: Omit<AggregateRead, 'version'>): Promise<void> {
    if (this.done()) return;
    const remaining = this.q.limit === null ? null : this.q.limit - this.emitted;
    const rows = await this.port.emit(this.q.read({ ...read, version: this.version }, remaining));
    if (rows > 0) this.version++;
    this.emitted += rows;
  }
}

/** A probe row (`{k, ws, we, mx, wm, sn}`, 64-bit numbers as strings) as the window machine reads it. */
function touch(row: Record<string, unknown>): Touch {
  return {
    key: String(row['k']), start: Number(row['ws']), end: Number(row['we']), maxTime: Number(row['mx']),
    watermark: Number(row['wm']), minSn: BigInt(String(row['sn'])),
  };
}
