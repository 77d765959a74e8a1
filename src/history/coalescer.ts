// Coalesces small concurrent inserts into the same target into one store write, bounded by bytes,
// rows and a few milliseconds. Every client is acknowledged only after the batch holding its rows
// is stored; if a batch fails, its bodies are retried one by one so each client gets its own answer.
import type { Backend, InsertTarget, StoreContext, Summary } from './backend.ts';
import { emptySummary } from './backend.ts';

export type CoalescerOptions = { maxDelayMs: number; maxBytes: number; maxRows: number };

/** How bodies of a format join: line formats need a newline between bodies, stream formats nothing. */
const joinRule: Readonly<Record<string, 'lines' | 'concat'>> = {
  JSONEachRow: 'lines',
  JSONLines: 'lines',
  NDJSON: 'lines',
  JSONStringsEachRow: 'lines',
  JSONCompactEachRow: 'lines',
  JSONCompactStringsEachRow: 'lines',
  TabSeparated: 'lines',
  TSV: 'lines',
  TabSeparatedRaw: 'lines',
  TSVRaw: 'lines',
  CSV: 'lines',
  Native: 'concat',
  RowBinary: 'concat',
};

/** Formats where one line is one row, so rows can be counted without parsing. */
const rowPerLine = new Set(['JSONEachRow', 'JSONLines', 'NDJSON', 'JSONStringsEachRow', 'JSONCompactEachRow', 'JSONCompactStringsEachRow', 'TabSeparated', 'TSV', 'TabSeparatedRaw', 'TSVRaw']);

export function canCoalesce(format: string): boolean {
  return format in joinRule;
}

/** Rows in a row-per-line body, or null where rows cannot be counted without parsing. */
export function countRows(format: string, parts: readonly Uint8Array[]): number | null {
  if (!rowPerLine.has(format)) return null;
  let rows = 0;
  let last = 10;
  for (const part of parts) {
    for (let i = part.indexOf(10); i !== -1; i = part.indexOf(10, i + 1)) rows++;
    if (part.length > 0) last = part[part.length - 1] as number;
  }
  return last === 10 ? rows : rows + 1;
}

type Waiter = { parts: readonly Uint8Array[]; rows: number | null; bytes: number; ctx: StoreContext; resolve: (s: Summary) => void; reject: (e: unknown) => void };
type Batch = { target: InsertTarget; waiters: Waiter[]; bytes: number; rows: number; timer: NodeJS.Timeout | null; due: boolean };

/** Writes in flight per target: while they run, the next batch keeps growing (group commit). */
const maxInFlightPerTarget = 2;

export class InsertCoalescer {
  private readonly backend: Backend;
  private readonly options: CoalescerOptions;
  private readonly open = new Map<string, Batch>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightByKey = new Map<string, number>();

  constructor(backend: Backend, options: CoalescerOptions) {
    this.backend = backend;
    this.options = options;
  }

  /** Queues one body (already complete in memory) and resolves with this client's share once stored. */
  submit(target: InsertTarget, parts: readonly Uint8Array[], ctx: StoreContext): Promise<Summary> {
    const bytes = parts.reduce((n, p) => n + p.length, 0);
    const rows = countRows(target.format, parts);
    if (!canCoalesce(target.format) || this.options.maxDelayMs <= 0) return this.backend.insert(target, { kind: 'parts', parts }, ctx);
    const key = batchKey(target, ctx);
    return new Promise<Summary>((resolve, reject) => {
      let batch = this.open.get(key);
      if (!batch) {
        batch = { target, waiters: [], bytes: 0, rows: 0, timer: null, due: false };
        this.open.set(key, batch);
        const b = batch;
        batch.timer = setTimeout(() => this.due(key, b), this.options.maxDelayMs);
      }
      batch.waiters.push({ parts, rows, bytes, ctx, resolve, reject });
      batch.bytes += bytes;
      batch.rows += rows ?? 0;
      if (batch.bytes >= this.options.maxBytes || batch.rows >= this.options.maxRows) this.flush(key, batch);
    });
  }

  /** The batch's time is up: write it now, or as soon as a write of the same target finishes. */
  private due(key: string, batch: Batch): void {
    batch.timer = null;
    if ((this.inFlightByKey.get(key) ?? 0) < maxInFlightPerTarget) this.flush(key, batch);
    else batch.due = true;
  }

  private flush(key: string, batch: Batch): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    if (batch.timer) clearTimeout(batch.timer);
    batch.timer = null;
    const live = batch.waiters.filter((w) => !w.ctx.signal.aborted);
    for (const w of batch.waiters) if (w.ctx.signal.aborted) w.reject(w.ctx.signal.reason);
    if (live.length === 0) return;
    this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 0) + 1);
    const run = this.write(batch.target, live).finally(() => {
      this.inFlight.delete(run);
      const left = (this.inFlightByKey.get(key) ?? 1) - 1;
      if (left === 0) this.inFlightByKey.delete(key);
      else this.inFlightByKey.set(key, left);
      const next = this.open.get(key);
      if (next?.due) this.flush(key, next);
    });
    this.inFlight.add(run);
  }

  private async write(target: InsertTarget, waiters: Waiter[]): Promise<void> {
    const first = waiters[0] as Waiter;
    if (waiters.length === 1) {
      await this.backend.insert(target, { kind: 'parts', parts: first.parts }, first.ctx).then(first.resolve, first.reject);
      return;
    }
    const parts = joinParts(target.format, waiters);
    // The batch runs under the first client's context, minus its cancellation: one client's
    // disconnect must not cancel the others' rows.
    const ctx: StoreContext = { ...first.ctx, signal: new AbortController().signal };
    try {
      const total = await this.backend.insert(target, { kind: 'parts', parts }, ctx);
      const counted = waiters.every((w) => w.rows !== null) && waiters.reduce((n, w) => n + (w.rows ?? 0), 0) === total.writtenRows;
      for (const w of waiters) {
        w.resolve({ ...emptySummary, writtenRows: counted ? (w.rows as number) : 0, writtenBytes: w.bytes, readRows: counted ? (w.rows as number) : 0, readBytes: w.bytes });
      }
    } catch {
      for (const w of waiters) await this.backend.insert(target, { kind: 'parts', parts: w.parts }, w.ctx).then(w.resolve, w.reject);
    }
  }

  /** Writes every open batch now and waits for all writes in flight (shutdown). */
  async drain(): Promise<void> {
    for (const [key, batch] of [...this.open]) this.flush(key, batch);
    await Promise.allSettled([...this.inFlight]);
  }
}

function batchKey(target: InsertTarget, ctx: StoreContext): string {
  const settings = [...ctx.settings].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('\u0001');
  return [ctx.database, target.target, target.columns, target.format, settings].join('\u0000');
}

const newline = new Uint8Array([10]);

function joinParts(format: string, waiters: readonly Waiter[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const w of waiters) {
    for (const p of w.parts) if (p.length > 0) out.push(p);
    const last = out[out.length - 1];
    if (joinRule[format] === 'lines' && last !== undefined && last[last.length - 1] !== 10) out.push(newline);
  }
  return out;
}
