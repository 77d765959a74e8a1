// Running a streaming query over one append stream: a tail (rows as they are stored, from the
// query's start or, for a rewind, from the stream's beginning) or a global aggregation re-emitted
// every period when rows arrived. Rows are read from the store by `_tp_sn` range (the SQL comes
// with the query), ranges come from the stream log. The backfill and the live tail meet at the
// position read in the stream's turn: ranges before it are read from the store once, ranges at or
// after it as they are published — no gap, no duplicate.
import type { SnRange, StreamLog, Subscription } from './log.ts';

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
  readonly aggregate: { readonly periodMs: number } | null;
  sql(range: SnRange, limit: number | null): string;
};

/** What the engine needs of the rest of Hadron. */
export interface TailPort {
  readonly log: StreamLog;
  /** The stream's next `_tp_sn`, read in its turn (no write in flight). */
  position(key: string): Promise<bigint>;
  /** Runs one SQL query, writing its result bytes to the client; resolves with the rows it returned. */
  emit(sql: string): Promise<number>;
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
      : await aggregate(q, port, subscription, from, position, q.aggregate.periodMs, signal);
  } finally {
    signal.removeEventListener('abort', stop);
    subscription.close();
  }
}

async function tail(q: TailQuery, port: TailPort, sub: Subscription, from: bigint, position: bigint, signal: AbortSignal): Promise<number> {
  let emitted = 0;
  const remaining = (): number | null => (q.limit === null ? null : q.limit - emitted);
  const read = async (range: SnRange): Promise<boolean> => {
    if (range.next > range.first) emitted += await port.emit(q.sql(range, remaining()));
    return q.limit !== null && emitted >= q.limit;
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
 * Global aggregation (§2.3): every period, if rows arrived since the last emit, the full result over
 * every row since the start. Nothing is emitted before the first row.
 */
async function aggregate(q: TailQuery, port: TailPort, sub: Subscription, from: bigint, position: bigint, periodMs: number, signal: AbortSignal): Promise<number> {
  let latest = position;
  let emittedUpTo = from;
  let emitted = 0;
  const follow = (async () => {
    for (;;) {
      const range = await sub.next();
      if (range === null) return;
      if (range.next > latest) latest = range.next;
    }
  })();
  let next = port.clock.now() + periodMs;
  while (!signal.aborted) {
    await port.clock.sleep(Math.max(0, next - port.clock.now()), signal);
    next += periodMs;
    if (signal.aborted) break;
    if (latest <= emittedUpTo) continue;
    const upTo = latest;
    emitted += await port.emit(q.sql({ first: from, next: upTo }, null));
    emittedUpTo = upTo;
    if (q.limit !== null && emitted >= q.limit) break;
  }
  sub.close();
  await follow;
  return emitted;
}

