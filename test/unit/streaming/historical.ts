// Streaming = historical (proton-semantics §1.4, §1.9): a streaming query replayed over some input
// must produce, as a multiset of rows, what its bounded equivalent returns over the same stored rows.
// `tumble(s, 5s)` ↔ `tumble(table(s), 5s)` restricted to the windows that closed; a global
// aggregation's last emit ↔ the same aggregation over `table(s)`; a tail ↔ the same SELECT over
// `table(s)`. The input is replayed with several range sizes (STYLE 11), each on an empty stream.
import type { Session } from 'chdb';
import { expect } from 'vitest';
import { parseSql } from '../../../src/rewrite/parse-statement.ts';
import { plan } from '../../../src/rewrite/plan.ts';
import { createStream, replay, table, type Step } from './replay.ts';

export type Equivalence = {
  /** `CREATE STREAM name (…)`: created once per case; emptied before each replay. */
  readonly stream: string;
  /** DDL run once after the stream is created (e.g. `CREATE VIEW v AS SELECT … FROM s`). */
  readonly setup?: readonly string[];
  /** The columns each inserted tuple gives before `_tp_time` (e.g. `'dev, val'`). */
  readonly columns: string;
  /** Insert batches and clock steps, as `replay` takes them. */
  readonly steps: readonly Step[];
  /** The query on a streaming port. */
  readonly streaming: string;
  /** Its bounded equivalent over `table(…)`. */
  readonly bounded: string;
  /**
   * 'all': every row of every emit (tails, final window emits); 'last': the last emit only (a global
   * aggregation's current result — the replay ends with one period of clock time so it is emitted);
   * 'latest': each group's last emitted row, the group being the first field (EMIT ON UPDATE, which
   * emits only the groups a batch changed).
   */
  readonly compare: 'all' | 'last' | 'latest';
  /** Range sizes to replay with (null: one range per insert); default 1, 2, 3 and whole inserts. */
  readonly splits?: readonly (number | null)[];
};

const defaultSplits = [1, 2, 3, null];
/** Enough clock time for any default or explicit period used by the cases to tick once more. */
const lastTick = 10_000;

/** The bounded query's rows, as the replay writes emit rows (TSV fields joined by commas). */
export function boundedRows(session: Session, sql: string): string[] {
  const p = plan(parseSql(sql), table, sql);
  if (p.kind !== 'query') throw new Error(`${sql}: ${p.kind} plan`);
  const settings = [...p.settings].map(([k, v]) => `${k} = ${v}`).join(', ');
  return session.query(`${p.sql}${settings ? ` SETTINGS ${settings}` : ''}`, 'TSV').split('\n').filter((l) => l !== '').map((l) => l.replaceAll('\t', ','));
}

/** Each group's last emitted row (the group: the row's first field). */
function latestByGroup(emits: readonly (readonly string[])[]): string[] {
  const latest = new Map<string, string>();
  for (const row of emits.flat()) latest.set(row.split(',')[0] as string, row);
  return [...latest.values()];
}

const multiset = (rows: readonly string[]): string[] => [...rows].sort();

/**
 * Replays `e.streaming` with each split and checks its rows equal `e.bounded`'s as multisets; the
 * bounded query must return at least one row (an empty comparison proves nothing). Returns the
 * bounded rows.
 */
export async function expectStreamingEqualsHistorical(session: Session, e: Equivalence): Promise<string[]> {
  createStream(session, e.stream);
  for (const ddl of e.setup ?? []) createStream(session, ddl);
  const name = /^CREATE STREAM\s+(\S+)/i.exec(e.stream)?.[1];
  if (name === undefined) throw new Error(`not a CREATE STREAM: ${e.stream}`);
  const steps: readonly Step[] = e.compare !== 'all' ? [...e.steps, { wait: lastTick }] : e.steps;
  let expected: string[] = [];
  for (const split of e.splits ?? defaultSplits) {
    session.query(`TRUNCATE TABLE default.${name}`, 'TSV');
    const emits = await replay(session, name, e.columns, e.streaming, steps, split);
    expected = boundedRows(session, e.bounded);
    expect(expected.length, `${e.bounded} returned no rows`).toBeGreaterThan(0);
    const got = e.compare === 'all' ? emits.flat() : e.compare === 'last' ? (emits.at(-1) ?? []) : latestByGroup(emits);
    expect(multiset(got), `split ${String(split)}: ${e.streaming}`).toEqual(multiset(expected));
  }
  return expected;
}
