// Streaming benchmarks (issue 6). Hadron runs as a child process on the embedded store; the baseline
// is a hand-written JavaScript loop in this process over the same generated TSV bodies.
// C1 filter/projection (Nexmark q0–q2 shapes) and C2 tumble/hop aggregation over 10 k keys: rows/s
//    from the first insert to the arrival of the last expected emitted line on a 3218 client;
// E1 insert-to-emit latency of a filter query, open loop, 100-row inserts at 50 K (and 5 K) events/s
//    (bench/streaming/e1.ts, which also runs alone);
// state bytes per key of the window machine at 1 M PARTITION BY keys.
// Sizes: BENCH_ROWS (default 200 000 rows per C1/C2 case), BENCH_E1_SECONDS (default 10).
import { cpus, totalmem } from 'node:os';
import { startHadron } from '../test/support/hadron.ts';
import { bids, closer, jsFilter, jsWindows, type Batch } from './streaming/bids.ts';
import { e1Header, e1Row, latency } from './streaming/e1.ts';
import { stateBytesPerKey } from './streaming/state.ts';
import { post, subscribe } from './streaming/subscriber.ts';

const totalRows = Number(process.env.BENCH_ROWS ?? 200_000);
const batchRows = 10_000;
const e1Seconds = Number(process.env.BENCH_E1_SECONDS ?? 10);
const columns = '(auction uint32, bidder uint32, price float64, ts datetime64(3))';
const out: string[] = [];
const line = (cells: Array<string | number>): void => void out.push(`| ${cells.join(' | ')} |`);
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rate = (rows: number, ms: number): string => Math.round((rows / ms) * 1000).toLocaleString('en-US');

const hadron = await startHadron({ HADRON_LOG_LEVEL: 'error' });

/** Inserts the batches with up to `concurrency` in flight; resolves when all are acknowledged. */
async function insertAll(stream: string, batches: readonly Batch[], concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const b = batches[next++] as Batch;
      await post(hadron.url, `INSERT INTO ${stream} (auction, bidder, price, ts) FORMAT TabSeparated`, b.body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Median of `runs` timings of `fn` (ms). */
function jsTime(runs: number, fn: () => { rows: number }): { ms: number; rows: number } {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t = performance.now();
    rows = fn().rows;
    if (i > 0) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] as number, rows };
}

/**
 * One throughput case: a streaming query over a fresh stream, fed `batches` (up to `concurrency`
 * inserts in flight), until `expected` lines arrived.
 */
async function throughput(name: string, select: (stream: string) => string, batches: readonly Batch[], expected: number, concurrency: number): Promise<number> {
  const stream = `b_${name}`;
  await post(hadron.url, `CREATE STREAM ${stream} ${columns}`);
  const sub = subscribe(hadron.streamingUrl, select(stream));
  await pause(500); // the tail is open before the first insert
  const t0 = performance.now();
  await insertAll(stream, batches, concurrency);
  const acked = performance.now();
  const last = await sub.until(expected);
  sub.close();
  if (sub.lines() !== expected) console.error(`${name}: ${sub.lines()} lines, expected ${expected}`);
  console.error(`${name}: inserts acknowledged after ${(acked - t0).toFixed(0)} ms, last emit after ${(last - t0).toFixed(0)} ms`);
  return last - t0;
}

async function insertOnly(batches: readonly Batch[]): Promise<number> {
  await post(hadron.url, `CREATE STREAM b_ingest ${columns}`);
  const t0 = performance.now();
  await insertAll('b_ingest', batches);
  return performance.now() - t0;
}

function ratioCell(hadronMs: number, jsMs: number, target: number): string {
  const r = jsMs / hadronMs;
  return `${r.toFixed(3)}x (${r >= target ? 'met' : 'missed'})`;
}

try {
  const batches = bids(Math.ceil(totalRows / batchRows), batchRows, 10_000, 0.1);
  const rows = batches.reduce((n, b) => n + b.rows, 0);
  await post(hadron.url, `CREATE STREAM b_warmup ${columns}`);
  await insertAll('b_warmup', batches.slice(0, 3));
  const ingestMs = await insertOnly(batches);

  line(['case', 'rows in', 'rows out', 'Hadron rows/s', 'JS loop rows/s', 'Hadron / JS', 'target']);
  line(['---', '---', '---', '---', '---', '---', '---']);
  line(['ingest only (no query)', rows, '—', rate(rows, ingestMs), '—', '—', '—']);
  const c1 = [
    { shape: 'q0', label: 'C1 q0 pass-through', sql: (s: string) => `SELECT auction, bidder, price, ts FROM ${s}` },
    { shape: 'q1', label: 'C1 q1 projection (price × 0.908)', sql: (s: string) => `SELECT auction, bidder, price * 0.908, ts FROM ${s}` },
    { shape: 'q2', label: 'C1 q2 filter (auction % 123 = 0)', sql: (s: string) => `SELECT auction, price FROM ${s} WHERE auction % 123 = 0` },
  ] as const;
  for (const c of c1) {
    const js = jsTime(5, () => jsFilter(batches, c.shape));
    const ms = await throughput(c.shape, c.sql, batches, js.rows, 4);
    line([c.label, rows, js.rows, rate(rows, ms), rate(rows, js.ms), ratioCell(ms, js.ms, 0.5), '≥ 0.5x']);
  }
  const windowed = [...batches, closer(rows * 0.1 + 60_000)];
  const c2 = [
    { name: 'tumble', label: 'C2 tumble 1 s, 10 k keys', size: 1000, slide: 1000, from: (s: string) => `tumble(${s}, ts, 1s)` },
    { name: 'hop', label: 'C2 hop 2 s / 1 s, 10 k keys', size: 2000, slide: 1000, from: (s: string) => `hop(${s}, ts, 1s, 2s)` },
  ] as const;
  for (const c of c2) {
    const js = jsTime(5, () => jsWindows(windowed, c.size, c.slide));
    const sql = (s: string): string => `SELECT auction, window_start, window_end, count(), max(price) FROM ${c.from(s)} GROUP BY auction, window_start, window_end`;
    const ms = await throughput(c.name, sql, windowed, js.rows, 1); // in event-time order: no late rows
    line([c.label, rows, js.rows, rate(rows, ms), rate(rows, js.ms), ratioCell(ms, js.ms, 0.5), '≥ 0.5x']);
  }

  out.push('');
  line(e1Header);
  line(e1Header.map(() => '---'));
  for (const eventsPerSecond of [50_000, 5_000]) line(e1Row(eventsPerSecond, await latency(hadron.url, hadron.streamingUrl, eventsPerSecond, e1Seconds)));

  out.push('');
  line(['engine state per key, 1 M PARTITION BY keys', 'bytes/key', 'target']);
  line(['---', '---', '---']);
  for (const [label, size, slide] of [['tumble, 1 open window per key', 1000, 1000], ['hop 2 s / 1 s, 2 open windows per key', 2000, 1000]] as const) {
    const b = stateBytesPerKey(1_000_000, size, slide);
    line([label, b.toFixed(0), `≤ 150 (${b <= 150 ? 'met' : 'missed'})`]);
  }
} finally {
  await hadron.stop();
}

console.log(`\n### streaming — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
console.log(out.join('\n'));
