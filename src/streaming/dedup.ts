// The key set of a streaming `dedup(s, key… [, ttl] [, max_keys])` tail (proton-semantics §1.12,
// §4 E 43). Pure: fed, per arriving `_tp_sn` range, each row's key hash in `_tp_sn` order (a store
// probe) and the clock reading, it says which rows pass (the first row of a key it does not
// remember) and remembers their keys. No I/O, no wall clock (STYLE 11); all mutable state is `state`
// (STYLE 12), at most `maxKeys` keys.
//
// Rules, as Proton's KeySet (DedupTransform): keys are forgotten oldest first — in the order they
// were first admitted; a repeat does not refresh a key — once more than `maxKeys` are remembered, and
// after `ttlMs` of clock time since they were admitted (`now − admitted > ttl`). Proton prunes at
// the start of each block, so its set may exceed max_keys inside one block; here the limit holds
// after every row, so the result does not depend on how inserts are split into ranges. Every row of
// one range arrives at the same clock time, so expiry is judged once per range, before its rows.
import type { SnRange } from './log.ts';

export type DedupSpec = {
  /** Keys remembered at once; 0: no limit (Proton's default is 10000). */
  readonly maxKeys: number;
  /** How long a key is remembered, in ms of clock time; 0: forever. */
  readonly ttlMs: number;
};

/** One row of a range as the probe reports it: its key's hash and its `_tp_sn`. */
export type DedupRow = { readonly key: string; readonly sn: bigint };

export type DedupState = {
  /** Remembered key hash → clock time it was admitted, in admission order (oldest first). */
  readonly keys: Map<string, number>;
};

/** A rough per-key cost of the key set: the hash string, the Map entry and its number. */
const bytesPerKeyEntry = 96;

export class DedupMachine {
  readonly state: DedupState = { keys: new Map() };

  private readonly spec: DedupSpec;

  constructor(spec: DedupSpec) {
    this.spec = spec;
  }

  /** The rows of one range arrived (in `_tp_sn` order) at clock time `now`: the `_tp_sn` runs that pass. */
  admit(rows: readonly DedupRow[], now: number): SnRange[] {
    this.expire(now);
    const keys = this.state.keys;
    const kept: SnRange[] = [];
    for (const row of rows) {
      if (keys.has(row.key)) continue;
      keys.set(row.key, now);
      if (this.spec.maxKeys > 0 && keys.size > this.spec.maxKeys) keys.delete(keys.keys().next().value as string);
      // A dropped row between two kept ones has the sn in between, so contiguous sns are one run.
      const last = kept.at(-1);
      if (last !== undefined && last.next === row.sn) kept[kept.length - 1] = { first: last.first, next: row.sn + 1n };
      else kept.push({ first: row.sn, next: row.sn + 1n });
    }
    return kept;
  }

  /** An estimate of the state's memory, for the query's memory accounting (memory.ts). */
  bytes(): number {
    let total = 0;
    for (const key of this.state.keys.keys()) total += bytesPerKeyEntry + 2 * key.length;
    return total;
  }

  private expire(now: number): void {
    if (this.spec.ttlMs <= 0) return;
    for (const [key, admitted] of this.state.keys) {
      if (now - admitted <= this.spec.ttlMs) break;
      this.state.keys.delete(key);
    }
  }
}

/** A probe row (`{k, sn}`, the 64-bit sn as a string) as the machine reads it. */
export function dedupRow(row: Record<string, unknown>): DedupRow {
  return { key: String(row['k']), sn: BigInt(String(row['sn'])) };
}

/** At most this many `_tp_sn` runs go into one store query (the SQL stays far below max_query_size). */
export const maxRunsPerRead = 500;

/** The kept runs of a range cut into store reads of at most `maxRunsPerRead` runs, each with its enclosing range. */
export function dedupReads(kept: readonly SnRange[]): { readonly range: SnRange; readonly kept: readonly SnRange[] }[] {
  const reads: { range: SnRange; kept: readonly SnRange[] }[] = [];
  for (let i = 0; i < kept.length; i += maxRunsPerRead) {
    const runs = kept.slice(i, i + maxRunsPerRead);
    reads.push({ range: { first: (runs[0] as SnRange).first, next: (runs.at(-1) as SnRange).next }, kept: runs });
  }
  return reads;
}
