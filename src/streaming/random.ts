// Random streams (proton-semantics §1.4): rows exist only while a query reads the stream. A generator
// runs per stream while it has readers, inserting batches of generated rows through a port (the store
// numbers them with `_tp_sn` and publishes them to the stream log like any insert), so the tail and
// aggregation engine serves random streams unchanged. This module is the schedule (how many rows,
// when; time from a Clock), the per-stream generators with their readers, and the read around one;
// it never builds SQL (the planner's rewrite/random-stream.ts does).
import type { Clock } from './tail.ts';

/** A generator's rate: `eps` rows per second (0 = unbounded), one batch every `intervalMs`, at most `maxEvents` rows. */
export type RandomRate = { readonly eps: number; readonly intervalMs: number; readonly maxEvents: number | null };

/**
 * Every batch is one store INSERT (one part of a MergeTree), so batches come at most every 100 ms
 * even when `interval_time` is smaller (Proton's default is 5 ms); the rate in rows per second is kept.
 */
export const minBatchIntervalMs = 100;
/** The largest batch (and an unbounded generator's batch): the block Proton's bounded read produces. */
export const maxBatchRows = 65409;

/**
 * How many rows are due, and when to look again. Time-based: the rows due at `t` are
 * `floor(eps × (t − start + interval) / 1000)` — the first batch at once, a fractional rate accumulating
 * across batches (eps 0.5: one row every 2 s), a slow store catching up rather than drifting.
 */
export class RandomSchedule {
  /** Rows handed out so far (STYLE 12: the generator's whole state, with `start`). */
  generated = 0;
  private readonly rate: RandomRate;
  private readonly start: number;
  private readonly interval: number;

  constructor(rate: RandomRate, start: number) {
    this.rate = rate;
    this.start = start;
    this.interval = Math.max(rate.intervalMs, minBatchIntervalMs);
  }

  /** The rows of the batch to generate at `now` (0: none due yet); counts them as generated. */
  take(now: number): number {
    const due = this.rate.eps === 0 ? this.generated + maxBatchRows : Math.floor((this.rate.eps * (now - this.start + this.interval)) / 1000 + 1e-9);
    const capped = this.rate.maxEvents === null ? due : Math.min(due, this.rate.maxEvents);
    const rows = Math.min(Math.max(0, capped - this.generated), maxBatchRows);
    this.generated += rows;
    return rows;
  }

  /** When the next batch is due (no earlier than one interval from `now`), or null once `maxEvents` rows were generated. */
  nextAt(now: number): number | null {
    if (this.rate.maxEvents !== null && this.generated >= this.rate.maxEvents) return null;
    if (this.rate.eps === 0) return now + this.interval;
    const nextRow = this.start - this.interval + Math.ceil(((this.generated + 1) * 1000) / this.rate.eps);
    return Math.max(now + this.interval, nextRow);
  }
}

/** What a generator needs of the rest of Hadron. */
export interface RandomPort {
  /** Generates and stores `rows` rows (one batch); resolves once they are stored and published. */
  insert(rows: number): Promise<void>;
  readonly clock: Clock;
}

/** Generates batches until `signal` aborts or `maxEvents` rows were generated; resolves with the rows generated. */
export async function runRandom(rate: RandomRate, port: RandomPort, signal: AbortSignal): Promise<number> {
  const schedule = new RandomSchedule(rate, port.clock.now());
  while (!signal.aborted) {
    const rows = schedule.take(port.clock.now());
    if (rows > 0) await port.insert(rows);
    const at = schedule.nextAt(port.clock.now());
    if (at === null) break;
    await port.clock.sleep(Math.max(0, at - port.clock.now()), signal);
  }
  return schedule.generated;
}

/** One reader's share of a stream's generator. */
export interface RandomLease {
  /** Rejects when the generator fails (its insert was refused); never resolves otherwise. */
  readonly failed: Promise<never>;
  /** Resolves once the generator has generated its `maxEvents` rows (never without a bound). */
  readonly exhausted: Promise<void>;
  /** Ends this reader's share; the last one stops the generator. Idempotent. */
  release(): void;
}

type Running = { readers: number; readonly stop: AbortController; readonly failed: Promise<never>; readonly exhausted: Promise<void> };

/**
 * The running generators, one per stream (by store table): the first reader starts it with its rate
 * (the stream's settings, or the query's `eps` / `max_events`), later readers share it, so every
 * reader sees the stream's rate; it stops when the last reader leaves. Readers are counted here
 * rather than asked of the stream log, so a generator never outlives its last query by a tick.
 */
export class RandomGenerators {
  private readonly running = new Map<string, Running>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  acquire(key: string, rate: RandomRate, insert: (rows: number) => Promise<void>): RandomLease {
    let run = this.running.get(key);
    if (run === undefined) run = this.start(key, rate, insert);
    run.readers++;
    const current = run;
    let released = false;
    return {
      failed: current.failed,
      exhausted: current.exhausted,
      release: () => {
        if (released) return;
        released = true;
        current.readers--;
        if (current.readers > 0) return;
        current.stop.abort();
        if (this.running.get(key) === current) this.running.delete(key);
      },
    };
  }

  /**
   * Runs one streaming read of a random stream with the stream's generator: `read` calls `started`
   * once it has its start position (so the first batch is not before it), and ends when its signal
   * aborts. The read fails with the generator's error, and ends `drainMs` after the generator
   * reached `maxEvents` (time for the last rows to be read and emitted).
   */
  async read<T>(key: string, rate: RandomRate, insert: (rows: number) => Promise<void>, drainMs: number, signal: AbortSignal,
    read: (signal: AbortSignal, started: () => void) => Promise<T>): Promise<T> {
    const stop = new AbortController();
    const forward = (): void => stop.abort();
    signal.addEventListener('abort', forward, { once: true });
    if (signal.aborted) forward();
    let lease: RandomLease | null = null;
    let fail: (err: unknown) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const started = (): void => {
      if (lease !== null || stop.signal.aborted) return;
      lease = this.acquire(key, rate, insert);
      lease.failed.catch(fail);
      void lease.exhausted.then(() => this.clock.sleep(drainMs, stop.signal)).then(forward);
    };
    try {
      return await Promise.race([read(stop.signal, started), failure]);
    } finally {
      forward();
      signal.removeEventListener('abort', forward);
      (lease as RandomLease | null)?.release();
    }
  }

  /** Streams whose generator runs now. */
  active(): string[] {
    return [...this.running.keys()];
  }

  private start(key: string, rate: RandomRate, insert: (rows: number) => Promise<void>): Running {
    const stop = new AbortController();
    let fail: (err: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => undefined);
    let exhaust: () => void = () => undefined;
    const exhausted = new Promise<void>((resolve) => {
      exhaust = resolve;
    });
    const run: Running = { readers: 0, stop, failed, exhausted };
    this.running.set(key, run);
    const forget = (): void => {
      if (this.running.get(key) === run) this.running.delete(key);
    };
    // Done (max_events reached) or failed: the next reader starts afresh.
    runRandom(rate, { insert, clock: this.clock }, stop.signal).then(() => {
      forget();
      if (!stop.signal.aborted) exhaust();
    }, (err: unknown) => {
      forget();
      if (!stop.signal.aborted) fail(err);
    });
    return run;
  }
}
