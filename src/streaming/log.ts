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

/** A half-open `_tp_sn` range of one stream. */
export type SnRange = { readonly first: bigint; readonly next: bigint };

export interface Subscription {
  /** Resolves with the next range at or after `from` (merged with any published since), or null once closed. */
  next(): Promise<SnRange | null>;
  /** Ends the subscription; a pending `next()` resolves with null. */
  close(): void;
}

export interface StreamLog {
  publish(key: string, first: bigint, next: bigint): void;
  /** A subscription to ranges published from now on, clipped to start at `from`. */
  subscribe(key: string, from: bigint): Subscription;
  hasSubscribers(key: string): boolean;
}

type Subscriber = {
  from: bigint;
  pending: SnRange | null;
  wake: ((r: SnRange | null) => void) | null;
  closed: boolean;
};

export class MemoryStreamLog implements StreamLog {
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  publish(key: string, first: bigint, next: bigint): void {
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

  hasSubscribers(key: string): boolean {
    return this.subscribers.has(key);
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
