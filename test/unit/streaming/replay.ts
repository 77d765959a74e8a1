// Golden replays of streaming queries (STYLE 11): a query planned as the server plans it runs on the
// real engine (streaming/tail.ts) over rows stored in the embedded ClickHouse, with ranges published
// by the test and a fake clock. Each emit is the list of rows one store query returned.
import type { Session } from 'chdb';
import { expect } from 'vitest';
import { Catalog } from '../../../src/catalog.ts';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan, type PlanContext } from '../../../src/rewrite/plan.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { runTail, type Clock } from '../../../src/streaming/tail.ts';

export const catalog = new Catalog();
export const table: PlanContext = { catalog, database: 'default', dialect: 'proton', virtualTables: new Map(), settings: new Map(), queryMode: 'table' };
export const streaming: PlanContext = { ...table, queryMode: 'streaming' };

/** Runs a CREATE STREAM as the executor does. */
export function createStream(session: Session, sql: string): void {
  const p = plan(parseSql(sql), table, sql);
  if (p.kind !== 'ddl') throw new Error(`${sql}: ${p.kind} plan`);
  for (const step of p.steps) session.query(step, 'TSV');
  for (const e of p.change.put) catalog.put(e);
}

/** A fake clock: time moves only when the test says so. */
export class FakeClock implements Clock {
  private t = 1_000_000;
  private timers: { at: number; resolve: () => void }[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      }, { once: true });
    });
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.t = Math.max(this.t, due.at);
      this.timers = this.timers.filter((x) => x !== due);
      due.resolve();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets the engine finish what it can do now (store calls are synchronous). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** A step of a replay: rows to insert (each VALUES tuple: the stream's columns then `_tp_time`), or clock time to pass. */
export type Step = { readonly insert: readonly string[] } | { readonly wait: number };

let sn = 1_000n;

/**
 * Starts `sql` (streaming), then stores and publishes each insert as ranges of `split` rows (null:
 * one range per insert), passing clock time as told; resolves with the emits (rows as JSON arrays).
 */
export async function replay(session: Session, stream: string, columns: string, sql: string, steps: readonly Step[], split: number | null = null): Promise<string[][]> {
  const p = plan(parseSql(sql), streaming, sql);
  if (p.kind !== 'tail') throw new Error(`${sql}: ${p.kind} plan`);
  const log = new MemoryStreamLog();
  const clock = new FakeClock();
  const key = `default.${stream}`;
  const emits: string[][] = [];
  const start = sn;
  const controller = new AbortController();
  const settings = [...p.tail.settings].map(([k, v]) => `${k} = ${v}`).join(', ');
  const run = runTail({ ...p.tail, key }, {
    log, clock,
    position: async () => start,
    rows: async (q) => session.query(`${q} FORMAT JSONEachRow${settings ? ` SETTINGS ${settings}` : ''}`, 'JSONEachRow').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    emit: async (q) => {
      const lines = session.query(`${q}${settings ? ` SETTINGS ${settings}` : ''}`, 'TSV').split('\n').filter((l) => l !== '').map((l) => l.replaceAll('\t', ','));
      if (lines.length > 0) emits.push(lines);
      return lines.length;
    },
  }, controller.signal);
  await settle();
  for (const step of steps) {
    if ('wait' in step) {
      await clock.advance(step.wait);
      continue;
    }
    const rows = step.insert;
    const size = split ?? rows.length;
    for (let i = 0; i < rows.length; i += size) {
      const chunk = rows.slice(i, i + size);
      const first = sn;
      const values = chunk.map((r) => `${r.slice(0, -1)}, ${String(sn++)})`).join(', ');
      session.query(`INSERT INTO ${key} (${columns}, _tp_time, _tp_sn) SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0 VALUES ${values}`, "TSV");
      log.publish(key, first, sn);
      await settle();
    }
  }
  controller.abort();
  await run;
  return emits;
}

/** Replays at whole inserts, then with all rows as one insert cut into 1-, 2-, 3-row and whole ranges: the emits must be the same; resolves with them. */
export async function expectSplitInvariant(session: Session, stream: string, columns: string, sql: string, steps: readonly Step[]): Promise<string[][]> {
  const whole = await replay(session, stream, columns, sql, steps);
  const rows = steps.flatMap((s) => ('insert' in s ? s.insert : []));
  for (const split of [1, 2, 3, null]) expect(await replay(session, stream, columns, sql, [{ insert: rows }], split)).toEqual(whole);
  return whole;
}
