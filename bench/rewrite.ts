// A4 (performance.md): the Proton → ClickHouse rewrite per statement — parse + plan (plan prints the
// ClickHouse SQL) exactly as the executor does it — without and with the StatementCache. Each timed
// call is one statement; INSERTs with inline data time their head (the executor parses only that)
// and insertTarget. Prints Markdown tables for bench/RESULTS.md.
// `npm run bench -- rewrite [rounds]` (default 300 measured rounds over the whole corpus per mode).
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { loadavg } from 'node:os';
import { Catalog } from '../src/catalog.ts';
import { Code, GatewayError } from '../src/errors.ts';
import type { Statement } from '../src/rewrite/ast-statement.ts';
import type { Expr } from '../src/rewrite/ast.ts';
import { parseSql, UnknownStatement, type ParseOptions } from '../src/rewrite/parse-statement.ts';
import { insertTarget, plan, type PlanContext } from '../src/rewrite/plan.ts';
import { StatementCache } from '../src/rewrite/statement-cache.ts';
import { samples, setup, type Sample } from './rewrite/corpus.ts';

type Parse = (sql: string, options: ParseOptions) => Statement;
/** What one timed call does with one statement. */
type Step = (p: Prepared) => unknown;
/** One corpus statement ready to time: the text the executor parses and the context it plans in. */
type Prepared = {
  readonly text: string; readonly bytes: number; readonly options: ParseOptions; readonly ctx: PlanContext; readonly head: boolean; readonly group: Group;
};
/** Statement groups reported apart: row-returning queries, INSERT heads and INSERT … SELECT, DDL, the rest. */
type Group = 'query' | 'insert' | 'ddl' | 'other';
const groupOf: Readonly<Record<Statement['kind'], Group>> = {
  select_statement: 'query', explain: 'query', insert: 'insert', create_stream: 'ddl', create_table: 'ddl', create_view: 'ddl',
  create_database: 'ddl', create_function: 'ddl', create_format_schema: 'ddl', drop: 'ddl', alter: 'ddl', rename: 'ddl',
  truncate: 'ddl', delete: 'other', show: 'other', describe: 'other', exists: 'other', optimize: 'other', use: 'other',
  set: 'other', kill_query: 'other', system: 'other',
};

const rounds = Number(process.argv[3] ?? 300);

function context(catalog: Catalog, dialect: Sample['dialect']): PlanContext {
  return { catalog, database: 'default', dialect, settings: new Map(), queryMode: 'table', virtualTables: new Map() };
}

/** The executor's path: parse (unknown kinds and, for ClickHouse clients, syntax errors go through as written), then plan. */
function rewrite(p: Prepared, parse: Parse): unknown {
  let statement: Statement;
  try {
    statement = parse(p.text, p.options);
  } catch (err) {
    if (err instanceof UnknownStatement) return null;
    if (p.ctx.dialect === 'clickhouse' && err instanceof GatewayError && err.code === Code.SYNTAX_ERROR) return null;
    throw err;
  }
  if (p.head) return statement.kind === 'insert' ? insertTarget(statement.table as Expr, statement.columns, p.ctx) : null;
  return plan(statement, p.ctx, p.text);
}

/** The catalog after every CREATE of `setup` and the corpus (those that plan), as a server would hold it. */
function buildCatalog(): Catalog {
  const catalog = new Catalog();
  for (const s of [...setup.map((sql): Sample => ({ sql, dialect: 'proton' })), ...samples]) {
    try {
      const statement = parseSql(s.sql, { implicitAliases: s.dialect === 'clickhouse' });
      if (!statement.kind.startsWith('create_')) continue;
      const planned = plan(statement, context(catalog, s.dialect), s.sql);
      if (planned.kind === 'ddl') for (const e of planned.change.put) catalog.put(e);
    } catch {
      // Not a CREATE that plans here (duplicate name, unknown statement, …).
    }
  }
  return catalog;
}

/** Corpus statements as the executor sees them; ones that fail in both catalogs are left out (listed). */
function prepare(catalog: Catalog): { prepared: Prepared[]; excluded: string[] } {
  const empty = new Catalog();
  const prepared: Prepared[] = [];
  const excluded: string[] = [];
  for (const s of samples) {
    const options = { implicitAliases: s.dialect === 'clickhouse' };
    let text = s.sql;
    let head = false;
    let group: Group = 'other';
    try {
      const statement = parseSql(text, options);
      group = groupOf[statement.kind];
      if (statement.kind === 'insert' && statement.source.kind !== 'select') {
        text = Buffer.from(text, 'utf8').subarray(0, statement.source.dataOffset).toString('utf8');
        head = true;
      }
    } catch {
      // Measured as the executor meets it (passthrough), or left out below.
    }
    const candidates = [context(catalog, s.dialect), context(empty, s.dialect)];
    const make = (ctx: PlanContext): Prepared => ({ text, bytes: Buffer.byteLength(text), options, ctx, head, group });
    const ok = candidates.map(make).find((p) => {
      try {
        rewrite(p, parseSql);
        return true;
      } catch {
        return false;
      }
    });
    if (ok === undefined) excluded.push(`${s.sql.replace(/\s+/g, ' ').slice(0, 100)} → ${failure(make(candidates[0] as PlanContext))}`);
    else prepared.push(ok);
  }
  return { prepared, excluded };
}

function failure(p: Prepared): string {
  try {
    rewrite(p, parseSql);
    return '?';
  } catch (err) {
    return err instanceof GatewayError ? `${err.code}: ${err.message.slice(0, 80)}` : String(err);
  }
}

/** A fixed permutation per round (xorshift), so the order varies but runs are repeatable. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed | 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** `rounds` passes over the corpus, each call timed alone; `warmup` passes first, untimed. µs per statement. */
function measure(prepared: readonly Prepared[], step: Step, warmup: number): Map<Prepared, number[]> {
  for (let r = 0; r < warmup; r++) for (const p of prepared) step(p);
  const times = new Map<Prepared, number[]>(prepared.map((p) => [p, []]));
  for (let r = 0; r < rounds; r++) {
    for (const p of shuffled(prepared, r + 1)) {
      const t = process.hrtime.bigint();
      step(p);
      times.get(p)?.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }
  return times;
}

const sorted = (xs: Iterable<number>): Float64Array => Float64Array.from(xs).sort();

/** All timings of the statements `keep` selects, sorted. */
function pooled(times: Map<Prepared, number[]>, keep: (p: Prepared) => boolean): Float64Array {
  return sorted([...times].filter(([p]) => keep(p)).flatMap(([, xs]) => xs));
}

/** Median µs of the parse step alone. */
function parseMedian(p: Prepared, parse: Parse): number {
  const xs: number[] = [];
  for (let i = 0; i < 101; i++) {
    const t = process.hrtime.bigint();
    try {
      parse(p.text, p.options);
    } catch {
      // Timed as the executor meets it.
    }
    xs.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return pct(sorted(xs), 50);
}

/** Statements per second over untimed passes (no per-call clock reads). */
function throughput(prepared: readonly Prepared[], step: Step): number {
  const passes = Math.max(20, Math.floor(rounds / 5));
  const t = process.hrtime.bigint();
  for (let r = 0; r < passes; r++) for (const p of prepared) step(p);
  return (passes * prepared.length) / (Number(process.hrtime.bigint() - t) / 1e9);
}

const pct = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const us = (x: number): string => x.toFixed(1);

/** Heap bytes the cached trees of the corpus hold, per character of cached text (freed on clear()). */
function treeBytesPerChar(prepared: readonly Prepared[]): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const cache = new StatementCache();
  for (const p of prepared) rewrite(p, (sql, o) => cache.parse(sql, o));
  const chars = cache.textSize;
  gc();
  gc();
  const held = process.memoryUsage().heapUsed;
  cache.clear();
  gc();
  gc();
  return (held - process.memoryUsage().heapUsed) / Math.max(1, chars);
}

const catalog = buildCatalog();
const { prepared, excluded } = prepare(catalog);
const sizes = Float64Array.from(prepared.map((p) => p.bytes)).sort();
console.log(`corpus: ${samples.length} statements, ${prepared.length} measured (${prepared.filter((p) => p.bytes <= 2048).length} ≤ 2 KB; sizes ${sizes[0]}–${sizes[sizes.length - 1]} B, median ${pct(sizes, 50)} B), ${excluded.length} left out; catalog ${catalog.allRelations().length} relations; ${rounds} rounds`);
for (const e of excluded) console.log(`  left out: ${e}`);
const bytesPerChar = treeBytesPerChar(prepared);

const cache = new StatementCache();
const cached: Parse = (sql, o) => cache.parse(sql, o);
/** The parse step alone, as the executor meets it (errors that mean "pass through" are part of it). */
const parseOnly: Step = (p) => {
  try {
    return parseSql(p.text, p.options);
  } catch {
    return null;
  }
};
const modes: Array<[string, Step, Parse]> = [
  ['parse only', parseOnly, parseSql], ['no cache', (p) => rewrite(p, parseSql), parseSql], ['cache (warm)', (p) => rewrite(p, cached), cached],
];
const small = (p: Prepared): boolean => p.bytes <= 2048;
const slices: Array<[string, (p: Prepared) => boolean]> = [
  ['all', () => true], ['≤ 2 KB', small],
  ...(['query', 'insert', 'ddl', 'other'] as const).map((g): [string, (p: Prepared) => boolean] => [`≤ 2 KB ${g}`, (p) => small(p) && p.group === g]),
];
const rows: string[] = [
  '| mode, statements | count | timed calls | p50 µs | p99 µs | max µs | p99 of statement medians µs | target p99 ≤ 200 µs (≤ 2 KB) | statements/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
const slowest: string[] = [];
for (const [name, step, parse] of modes) {
  const times = measure(prepared, step, 50);
  const rate = throughput(prepared, step);
  for (const [slice, keep] of slices) {
    const t = pooled(times, keep);
    const target = slice.startsWith('≤ 2 KB') ? (pct(t, 99) <= 200 ? 'met' : 'missed') : '';
    const count = prepared.filter(keep).length;
    const medians = sorted([...times].filter(([p]) => keep(p)).map(([, xs]) => pct(sorted(xs), 50)));
    rows.push(`| ${name}, ${slice} | ${count} | ${t.length} | ${us(pct(t, 50))} | ${us(pct(t, 99))} | ${us(pct(t, 100))} | ${us(pct(medians, 99))} | ${target} | ${slice === 'all' ? Math.round(rate) : ''} |`);
  }
  const medians = [...times].filter(([p]) => small(p)).map(([p, xs]) => [p, sorted(xs)] as const).sort((a, b) => pct(b[1], 50) - pct(a[1], 50));
  const over = medians.filter(([, xs]) => pct(xs, 50) > 200).length;
  slowest.push(`${name}: ${over} statements ≤ 2 KB have a median over 200 µs; the slowest ≤ 2 KB by median (parse alone in brackets):`);
  for (const [p, xs] of medians.slice(0, 10)) slowest.push(`  ${us(pct(xs, 50))} µs p50 [${us(parseMedian(p, parse))}], ${us(pct(xs, 99))} µs p99, ${p.bytes} B ${p.group}: ${p.text.replace(/\s+/g, ' ').slice(0, 80)}`);
}
console.log(`\nNode ${process.version}; load average after the run ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`cache: ${cache.size} entries, ${cache.textSize} chars of text, hits ${cache.stats.hits}, misses ${cache.stats.misses}; cached trees ≈ ${Math.round(bytesPerChar)} heap bytes per text character\n`);
console.log(rows.join('\n'));
console.log(`\n${slowest.join('\n')}`);
