// The stream log (DESIGN §4): what live queries learn about ingest. Persist, then publish, then
// acknowledge: the store layer tells the log, inside each stream's `_tp_sn` turn and before the
// writer is acknowledged, which sequence range `[first, next)` a write stored. Subscribers read the
// rows of a range from the store (by `_tp_sn`), so a live query never sees a row that is not stored
// and never misses one.
//
// Bounded by construction: a subscriber holds at most one pending range — a range published while
// the previous one is still pending extends it (`[a, b)` + `[b, c)` = `[a, c)`). A slow reader therefore
// costs O(1) memory and reads a larger range next time; ingest never waits for it.
//
// This is the one seam between ingest and live queries: a log shared by several Hadron processes
// (Kafka-backed, DESIGN §8) replaces this class behind the same interface.

import { Code, GatewayError } from '../errors.ts';

/** A half-open `_tp_sn` range of one stream. */
export type SnRange = { readonly first: bigint; readonly next: bigint };

export interface Subscription {
  /** Resolves with the next range at or after `from` (merged with any published since), or null once closed. */
  next(): Promise<SnRange | null>;
  /** Ends the subscription; a pending `next()` resolves with null. */
  close(): void;
}

/** A range of one of several streams, in the order the writes were published. */
export type Arrival = { readonly key: string; readonly range: SnRange };

export interface OrderedSubscription {
  /** Resolves with the next arrival (adjacent ranges of one stream merged), or null once closed; rejects once overflowed. */
  next(): Promise<Arrival | null>;
  close(): void;
}

export interface StreamLog {
  publish(key: string, first: bigint, next: bigint): void;
  /** A subscription to ranges published from now on, clipped to start at `from`. */
  subscribe(key: string, from: bigint): Subscription;
  /**
   * A subscription to the ranges of several streams in publish order (a join needs to know which
   * side's write came first). Bounded: at most `limit` pending arrivals (adjacent ones of the same
   * stream merge); one more cuts the reader off with 241 — ingest never waits for it.
   */
  subscribeOrdered(keys: readonly string[], limit: number): OrderedSubscription;
  hasSubscribers(key: string): boolean;
}

type Subscriber = {
  from: bigint;
  pending: SnRange | null;
  wake: ((r: SnRange | null) => void) | null;
  closed: boolean;
};

type OrderedSubscriber = {
  readonly limit: number;
  readonly queue: Arrival[];
  wake: { resolve: (a: Arrival | null) => void; reject: (e: Error) => void } | null;
  overflowed: boolean;
  closed: boolean;
};

export class MemoryStreamLog implements StreamLog {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly ordered = new Map<string, Set<OrderedSubscriber>>();

  publish(key: string, first: bigint, next: bigint): void {
    for (const o of this.ordered.get(key) ?? []) this.arrive(o, key, { first, next });
    const set = this.subscribers.get(key);
    if (set === undefined) return;
    for (const s of set) {
      const start = first < s.from ? s.from : first;
      if (next <= start) continue;
      s.pending = s.pending === null ? { first: start, next } : { first: s.pending.first, next: next > s.pending.next ? next : s.pending.next };
      this.deliver(s);
    }
  }

  subscribe(key: string, from: bigint): Subscription {
    const s: Subscriber = { from, pending: null, wake: null, closed: false };
    let set = this.subscribers.get(key);
    if (set === undefined) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    set.add(s);
    const close = (): void => {
      if (s.closed) return;
      s.closed = true;
      set.delete(s);
      if (set.size === 0) this.subscribers.delete(key);
      s.wake?.(null);
      s.wake = null;
    };
    return {
      next: () => new Promise<SnRange | null>((resolve) => {
        if (s.closed) return resolve(null);
        s.wake = resolve;
        this.deliver(s);
      }),
      close,
    };
  }

  subscribeOrdered(keys: readonly string[], limit: number): OrderedSubscription {
    const o: OrderedSubscriber = { limit, queue: [], wake: null, overflowed: false, closed: false };
    const unique = [...new Set(keys)];
    for (const key of unique) {
      let set = this.ordered.get(key);
      if (set === undefined) this.ordered.set(key, (set = new Set()));
      set.add(o);
    }
    const close = (): void => {
      if (o.closed) return;
      o.closed = true;
      for (const key of unique) {
        const set = this.ordered.get(key);
        set?.delete(o);
        if (set?.size === 0) this.ordered.delete(key);
      }
      o.wake?.resolve(null);
      o.wake = null;
    };
    return {
      next: () => new Promise<Arrival | null>((resolve, reject) => {
        if (o.closed) return resolve(null);
        o.wake = { resolve, reject };
        this.deliverOrdered(o);
      }),
      close,
    };
  }

  hasSubscribers(key: string): boolean {
    return this.subscribers.has(key) || this.ordered.has(key);
  }

  private arrive(o: OrderedSubscriber, key: string, range: SnRange): void {
    if (o.overflowed) return;
    const last = o.queue[o.queue.length - 1];
    if (last !== undefined && last.key === key && last.range.next === range.first) o.queue[o.queue.length - 1] = { key, range: { first: last.range.first, next: range.next } };
    else if (o.queue.length >= o.limit) {
      o.overflowed = true;
      o.queue.length = 0;
    } else o.queue.push({ key, range });
    this.deliverOrdered(o);
  }

  private deliverOrdered(o: OrderedSubscriber): void {
    const wake = o.wake;
    if (wake === null) return;
    if (o.overflowed) {
      o.wake = null;
      wake.reject(new GatewayError(Code.MEMORY_LIMIT_EXCEEDED, `The query fell more than ${o.limit} writes behind the streams it joins and was cut off (it reads slower than they are written)`));
      return;
    }
    const a = o.queue.shift();
    if (a === undefined) return;
    o.wake = null;
    wake.resolve(a);
  }

  private deliver(s: Subscriber): void {
    if (s.wake === null || s.pending === null) return;
    const range = s.pending;
    const wake = s.wake;
    s.pending = null;
    s.wake = null;
    s.from = range.next;
    wake(range);
  }
}
