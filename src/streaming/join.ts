// Running a streaming join (proton-semantics §1.13) planned by rewrite/streaming-join-plan.ts. The
// engine follows both streams in publish order (one ordered subscription) and keeps one position per
// side: the end of the rows of that side seen so far. A left write joins the right side as of the
// right position at that moment — so it sees exactly the right writes published before it, however
// the writes were batched and however late this reader is; in a bidirectional (append ⨝ append) join
// a right write joins the left rows seen so far. Each step is one store query (the plan's SQL).
// State: the two positions and the start; the buffered rows themselves live in the store.
import { Code, GatewayError } from '../errors.ts';
import type { Arrival, SnRange, StreamLog } from './log.ts';
import type { Clock } from './tail.ts';

/** What the engine needs of a planned join. */
export type JoinQuery = {
  readonly left: { readonly key: string };
  /** The right side's store table; `subscribed`: its writes move its position (a `table()` snapshot's does not). */
  readonly right: { readonly key: string | null; readonly subscribed: boolean; readonly fromStart: boolean };
  readonly start: 'earliest' | 'now';
  readonly limit: number | null;
  readonly bidirectional: boolean;
  readonly maxBufferedBytes: number;
  readonly rowBytes: number;
  leftSql(rows: SnRange, right: SnRange, limit: number | null): string;
  rightSql(left: SnRange, rows: SnRange, limit: number | null): string;
  /** A keyed left side: each write emits the change it made to the join (-1 rows, then +1 rows). */
  readonly changelog: { sql(before: Positions | null, after: Positions, sign: 1 | -1, limit: number | null): string } | null;
  /** An aggregation over a kv join: recomputed as of the positions every period when a write arrived. */
  readonly aggregate: { readonly periodMs: number; sql(at: Positions, limit: number | null): string } | null;
};

export type Positions = { readonly left: bigint; readonly right: bigint };

export interface JoinPort {
  readonly log: StreamLog;
  /** A stream's next `_tp_sn`, read in its turn. */
  position(key: string): Promise<bigint>;
  /** Runs one SQL query, writing its rows to the client; resolves with how many. */
  emit(sql: string): Promise<number>;
  readonly clock: Clock;
}

/** Pending writes a join may fall behind by before it is cut off (241). */
export const maxPendingArrivals = 10_000;

/** Runs until the LIMIT is reached or `signal` aborts; resolves with the rows emitted. */
export async function runJoin(q: JoinQuery, port: JoinPort, signal: AbortSignal): Promise<number> {
  const rightKey = q.right.key !== null && q.right.subscribed ? q.right.key : null;
  const subscription = port.log.subscribeOrdered(rightKey === null ? [q.left.key] : [q.left.key, rightKey], maxPendingArrivals);
  const stop = (): void => subscription.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const leftAt = await port.position(q.left.key);
    const rightAt = q.right.key === null ? 0n : await port.position(q.right.key);
    const earliest = q.start === 'earliest';
    const run = new JoinRun(q, port, earliest ? 0n : leftAt, q.right.fromStart || earliest ? 0n : rightAt, rightAt);
    // A keyed left side replays the join of both current snapshots (§2.2); a rewind joins the stored
    // left rows with every stored right row first (the backfill has no arrival order between streams).
    if (q.changelog !== null || q.aggregate !== null) await run.snapshot(leftAt);
    else if (earliest && leftAt > 0n) await run.left({ first: 0n, next: leftAt });
    else run.skipLeft(leftAt);
    let pending: Promise<Arrival | null> | null = null;
    while (!signal.aborted && !run.done()) {
      pending ??= subscription.next();
      const arrival = await run.nextOrTick(pending, signal);
      if (signal.aborted) break;
      if (arrival === 'tick') continue;
      pending = null;
      if (arrival === null) break;
      if (arrival.key === q.left.key) await run.left(arrival.range);
      if (arrival.key === rightKey && !run.done()) await run.right(arrival.range);
    }
    return run.emitted;
  } finally {
    signal.removeEventListener('abort', stop);
    subscription.close();
  }
}

class JoinRun {
  emitted = 0;
  private readonly q: JoinQuery;
  private readonly port: JoinPort;
  /** First left/right `_tp_sn` the query reads, and the end of each side's rows seen so far. */
  private readonly leftFrom: bigint;
  private readonly rightFrom: bigint;
  private leftTo: bigint;
  private rightTo: bigint;
  /** An aggregation: a write arrived since the last emit; when the next period ends. */
  private dirty = false;
  private nextPeriod: number | null = null;

  constructor(q: JoinQuery, port: JoinPort, leftFrom: bigint, rightFrom: bigint, rightTo: bigint) {
    this.q = q;
    this.port = port;
    this.leftFrom = leftFrom;
    this.leftTo = leftFrom;
    this.rightFrom = rightFrom;
    this.rightTo = rightTo;
  }

  done(): boolean {
    return this.q.limit !== null && this.emitted >= this.q.limit;
  }

  skipLeft(to: bigint): void {
    if (to > this.leftTo) this.leftTo = to;
  }

  /** A kv join starts with the join of both snapshots: all +1 rows, or the first aggregation emit. */
  async snapshot(leftAt: bigint): Promise<void> {
    this.leftTo = leftAt;
    const at = this.positions();
    if (this.q.changelog !== null) await this.emit(this.q.changelog.sql(null, at, 1, this.remaining()));
    if (this.q.aggregate !== null) {
      this.dirty = at.left > 0n || at.right > 0n;
      this.nextPeriod = this.port.clock.now() + this.q.aggregate.periodMs;
    }
  }

  /** The next arrival, or 'tick' when an aggregation's period came first (then emitted if a write arrived). */
  async nextOrTick(pending: Promise<Arrival | null>, signal: AbortSignal): Promise<Arrival | null | 'tick'> {
    const agg = this.q.aggregate;
    if (agg === null || this.nextPeriod === null) return pending;
    const stop = new AbortController();
    const wait = Math.max(0, this.nextPeriod - this.port.clock.now());
    const tick = this.port.clock.sleep(wait, AbortSignal.any([signal, stop.signal])).then(() => 'tick' as const);
    const next = await Promise.race([pending, tick]);
    stop.abort();
    if (next !== 'tick' || signal.aborted) return next;
    const now = this.port.clock.now();
    while (this.nextPeriod <= now) this.nextPeriod += agg.periodMs;
    if (this.dirty) {
      this.dirty = false;
      await this.emit(agg.sql(this.positions(), this.remaining()));
    }
    return 'tick';
  }

  async left(range: SnRange): Promise<void> {
    const first = range.first > this.leftTo ? range.first : this.leftTo;
    if (range.next <= first) return;
    const before = this.positions();
    this.leftTo = range.next;
    if (await this.changed(before)) return;
    this.bounded();
    await this.emit(this.q.leftSql({ first, next: range.next }, { first: this.rightFrom, next: this.rightTo }, this.remaining()));
  }

  async right(range: SnRange): Promise<void> {
    const first = range.first > this.rightTo ? range.first : this.rightTo;
    if (range.next <= first) return;
    const before = this.positions();
    this.rightTo = range.next;
    if (await this.changed(before)) return;
    if (!this.q.bidirectional) return;
    this.bounded();
    if (this.leftTo > this.leftFrom) await this.emit(this.q.rightSql({ first: this.leftFrom, next: this.leftTo }, { first, next: range.next }, this.remaining()));
  }

  /** A kv join's write: the change it made (retractions first), or a pending aggregation emit. True when handled. */
  private async changed(before: Positions): Promise<boolean> {
    if (this.q.aggregate !== null) {
      this.dirty = true;
      return true;
    }
    if (this.q.changelog === null) return false;
    const after = this.positions();
    await this.emit(this.q.changelog.sql(before, after, -1, this.remaining()));
    if (!this.done()) await this.emit(this.q.changelog.sql(before, after, 1, this.remaining()));
    return true;
  }

  private positions(): Positions {
    return { left: this.leftTo, right: this.rightTo };
  }

  /** A bidirectional join buffers both sides since its start: bounded by join_max_buffered_bytes. */
  private bounded(): void {
    if (!this.q.bidirectional) return;
    const rows = this.leftTo - this.leftFrom + (this.rightTo - this.rightFrom);
    const bytes = Number(rows) * this.q.rowBytes;
    if (bytes > this.q.maxBufferedBytes) {
      throw new GatewayError(Code.MEMORY_LIMIT_EXCEEDED, `The join buffers ${rows} rows (about ${bytes} bytes), over join_max_buffered_bytes = ${this.q.maxBufferedBytes}`);
    }
  }

  private remaining(): number | null {
    return this.q.limit === null ? null : this.q.limit - this.emitted;
  }

  private async emit(sql: string): Promise<void> {
    this.emitted += await this.port.emit(sql);
  }
}
