// `_tp_sn` numbering (DESIGN §4.1): every stream's rows are numbered 0, 1, 2, … across inserts, with
// no gap and no duplicate, and the numbering survives a restart because it is read back from the
// store. Writes into one stream run one at a time (each needs the previous one's end as its base);
// writes into different streams run in parallel.
import { Code, GatewayError } from '../errors.ts';

/** One stream's numbering: the next number (null = unknown, read it from the store) and its queue. */
type Stream = { next: bigint | null; tail: Promise<void>; pending: number };

/** What a sequenced write reports: its result, and how many rows it stored (null = unknown). */
export type SequencedWrite<T> = { value: T; rows: bigint | null };

/**
 * Told, inside the stream's turn, which numbers a write stored: `[first, next)`. Listeners run in
 * `_tp_sn` order per stream (turns are serial), after the store acknowledged and before the writer is.
 */
export type SequenceListener = (key: string, first: bigint, next: bigint) => void;

/** Waiters allowed per stream (running write included) before new writes are refused. */
export const defaultQueueLimit = 10_000;

export class Sequences {
  private readonly streams = new Map<string, Stream>();
  private readonly readNext: (key: string) => Promise<bigint>;
  private readonly limit: number;
  private listener: SequenceListener | null = null;
  private watched: (key: string) => boolean = () => false;

  /**
   * `readNext(key)` returns the number the stream's next row gets, from what the store holds (e.g.
   * `SELECT if(count() = 0, 0, max(_tp_sn) + 1) FROM <table>`). It runs inside the stream's turn, so
   * no write of this process into that stream is in flight while it reads.
   */
  constructor(readNext: (key: string) => Promise<bigint>, limit = defaultQueueLimit) {
    this.readNext = readNext;
    this.limit = limit;
  }

  /**
   * Runs `write(base)` in the stream's turn: its rows must be numbered `base`, `base + 1`, … On
   * success the next base is `base + rows`; when `rows` is null, or the write failed (it may have
   * stored part of its rows), the next turn reads the next number from the store again.
   * Rejects with TOO_MANY_SIMULTANEOUS_QUERIES when the stream already has `limit` writes queued.
   */
  async run<T>(key: string, write: (base: bigint) => Promise<SequencedWrite<T>>): Promise<T> {
    const stream = this.streamOf(key);
    if (stream.pending >= this.limit) {
      throw new GatewayError(Code.TOO_MANY_SIMULTANEOUS_QUERIES, `Too many simultaneous inserts into ${key}: ${stream.pending} are queued (limit ${this.limit})`);
    }
    stream.pending++;
    const previous = stream.tail;
    let done!: () => void;
    stream.tail = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      return await this.turn(stream, key, write);
    } finally {
      stream.pending--;
      done();
    }
  }

  /**
   * Sets the listener told of every write of a watched stream (`watched(key)`): for those a write of
   * unknown size (INSERT … SELECT, a failure that may have stored part) re-reads the store at once,
   * so the listener always learns the exact range.
   */
  listen(listener: SequenceListener, watched: (key: string) => boolean): void {
    this.listener = listener;
    this.watched = watched;
  }

  /** The number the stream's next row gets, read in the stream's turn (no write in flight). */
  position(key: string): Promise<bigint> {
    return this.run(key, async (base) => ({ value: base, rows: 0n }));
  }

  /** Forgets what is known of a stream (after it was dropped, truncated or recreated): the next write reads the store. */
  forget(key: string): void {
    const stream = this.streams.get(key);
    if (stream) stream.next = null;
  }

  private async turn<T>(stream: Stream, key: string, write: (base: bigint) => Promise<SequencedWrite<T>>): Promise<T> {
    if (stream.next === null) stream.next = await this.readNext(key);
    const base = stream.next;
    let result: SequencedWrite<T>;
    try {
      result = await write(base);
    } catch (err) {
      stream.next = null;
      await this.tell(stream, key, base);
      throw err;
    }
    stream.next = result.rows === null || result.rows < 0n ? null : base + result.rows;
    await this.tell(stream, key, base);
    return result.value;
  }

  /** Tells the listener what the turn stored (re-reading the store when the size is unknown). */
  private async tell(stream: Stream, key: string, base: bigint): Promise<void> {
    if (this.listener === null || !this.watched(key)) return;
    if (stream.next === null) stream.next = await this.readNext(key).catch(() => null);
    if (stream.next !== null && stream.next > base) this.listener(key, base, stream.next);
  }

  private streamOf(key: string): Stream {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { next: null, tail: Promise.resolve(), pending: 0 };
      this.streams.set(key, stream);
    }
    return stream;
  }
}
