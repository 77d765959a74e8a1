// Per-query memory accounting of a streaming query's own state: the window machine (keys, open
// windows, late rules: window.ts), a dedup key set (dedup.ts) and the pending range the stream log
// holds for it (log.ts). The engine reports the estimated bytes of each part after every change;
// once their sum passes the query's limit the query alone fails with 241 MEMORY_LIMIT_EXCEEDED —
// other queries and ingest go on. The store enforces the same limit on each store query the
// streaming query runs (execute-stream.ts passes `max_memory_usage` with every one of them).
import { Code, GatewayError } from '../errors.ts';

/**
 * The limit when the client sets no `max_memory_usage`: 10 GB, ClickHouse's long-standing default
 * for one query (docs/streaming.md "Memory limits"). `max_memory_usage = 0` means no limit, as in ClickHouse.
 */
export const defaultMaxMemoryUsage = 10_000_000_000;

/** What the log holds for one subscriber: at most one pending `[first, next)` range (two bigints and an object). */
export const pendingRangeBytes = 64;

/** The parts of a query's state, by name (for the error message). */
export type StateBytes = Readonly<Record<string, number>>;

/** The limit in bytes of a streaming query (null: none) from its settings' `max_memory_usage`. */
export function memoryLimit(settings: ReadonlyMap<string, string>): number | null {
  const text = settings.get('max_memory_usage');
  if (text === undefined) return defaultMaxMemoryUsage;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isFinite(value)) throw new GatewayError(Code.BAD_ARGUMENTS, `max_memory_usage takes a whole number of bytes, not ${text}`);
  return value === 0 ? null : value;
}

export class StateMeter {
  /** The bytes last reported per part (STYLE 12: the meter's one state field). */
  readonly state: Map<string, number> = new Map();

  private readonly limit: number | null;

  constructor(limit: number | null) {
    this.limit = limit;
  }

  /** The state's parts changed: records them; throws 241 once the total passes the limit. */
  report(parts: StateBytes): void {
    for (const [name, bytes] of Object.entries(parts)) this.state.set(name, bytes);
    const total = this.total();
    if (this.limit === null || total <= this.limit) return;
    const detail = [...this.state].filter(([, b]) => b > 0).map(([name, b]) => `${name} ${b}`).join(', ');
    throw new GatewayError(Code.MEMORY_LIMIT_EXCEEDED, `The streaming query's state would use ${total} bytes (${detail}), more than max_memory_usage=${this.limit}`);
  }

  total(): number {
    let sum = 0;
    for (const b of this.state.values()) sum += b;
    return sum;
  }
}
