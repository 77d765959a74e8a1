// Golden replays of streaming joins (STYLE 11): a join planned as the server plans it runs on the
// real join engine (streaming/join.ts) over rows stored in the embedded ClickHouse; the test stores
// each write and publishes its range as ingest does, split into ranges of `split` rows (null: one per
// write). Each emit is the sorted list of rows one store query returned.
import type { Session } from 'chdb';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { runJoin } from '../../../src/streaming/join.ts';
import { MemoryStreamLog } from '../../../src/streaming/log.ts';
import { FakeClock, settle, streaming } from './replay.ts';

/** A write: rows (each a VALUES tuple of `columns`) into a stream; `before`: rows stored before the query starts. */
export type Write = { readonly into: string; readonly columns: string; readonly rows: readonly string[]; readonly before?: boolean } | { readonly wait: number };

let sn = 1_000_000n;

/** Runs `sql` as a streaming join over the writes; resolves with the emits (rows as comma-joined text, sorted inside an emit). */
export async function replayJoin(session: Session, sql: string, steps: readonly Write[], split: number | null = null): Promise<string[][]> {
  const writes = steps.filter((x): x is Extract<Write, { into: string }> => 'into' in x);
  const p = plan(parseSql(sql), streaming, sql);
  if (p.kind !== 'join') throw new Error(`${sql}: ${p.kind} plan`);
  const log = new MemoryStreamLog();
  const emits: string[][] = [];
  const settings = [...p.join.settings].map(([k, v]) => `${k} = ${v}`).join(', ');
  const store = (w: Extract<Write, { into: string }>, rows: readonly string[]): bigint => {
    const first = sn;
    const values = rows.map((r) => `${r.slice(0, -1)}, ${String(sn++)})`).join(', ');
    session.query(`INSERT INTO default.${w.into} (${w.columns}, _tp_sn) SETTINGS insert_allow_materialized_columns = 1, optimize_on_insert = 0 VALUES ${values}`, 'TSV');
    return first;
  };
  // Every replay starts from empty streams (a keyed right side is read from its beginning).
  for (const t of new Set(writes.map((x) => x.into))) session.query(`TRUNCATE TABLE default.${t}`, 'TSV');
  for (const w of writes) if (w.before === true) store(w, w.rows);
  const controller = new AbortController();
  const j = p.join;
  const clock = new FakeClock();
  const run = runJoin(j, {
    log, clock,
    position: async () => sn,
    emit: async (q) => {
      const lines = session.query(`${q}${settings ? ` SETTINGS ${settings}` : ''}`, 'TSV').split('\n').filter((l) => l !== '').map((l) => l.replaceAll('\t', ',')).sort();
      if (lines.length > 0) emits.push(lines);
      return lines.length;
    },
  }, controller.signal);
  await settle();
  for (const w of steps) {
    if ('wait' in w) {
      await clock.advance(w.wait);
      continue;
    }
    if (w.before === true) continue;
    const size = split ?? w.rows.length;
    for (let i = 0; i < w.rows.length; i += size) {
      const first = store(w, w.rows.slice(i, i + size));
      log.publish(`default.${w.into}`, first, sn);
      await settle();
    }
  }
  controller.abort();
  await run;
  return emits;
}
