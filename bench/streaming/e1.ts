// E1 (issue 6): insert-to-emit latency of a filter query, open loop, 100-row inserts. Used by
// bench/streaming.ts; run alone with `npx node bench/streaming/e1.ts [events/s …]` (BENCH_E1_SECONDS,
// default 10; BENCH_E1_RUNS, default 1), which starts its own Hadron and prints one table row per run.
// BENCH_E1_DUMP=<file>: each insert's due, ack and emit times (performance.timeOrigin-relative ms) as
// JSON, to line up with a server-side trace.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { startHadron } from '../../test/support/hadron.ts';
import { post, subscribe } from './subscriber.ts';

export type Percentiles = { p50: number; p99: number };

export type E1Result = { sent: number; elapsedMs: number; ack: Percentiles; emit: Percentiles; gap: Percentiles };

export function percentiles(values: readonly number[]): Percentiles {
  const s = values.slice().sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

let streams = 0;

/**
 * Open loop: insert i is due at t0 + i × 100/rate ms and sent then (at most 256 in flight; a late
 * send keeps its due time, so falling behind shows in the latencies, the sender's own lateness too). Each row carries its insert's
 * number; the emit time of an insert is the arrival of its 100th row on the 3218 client. `gap` is
 * emit − ack of each insert.
 */
export async function latency(url: string, streamingUrl: string, eventsPerSecond: number, seconds: number): Promise<E1Result> {
  const stream = `e1_${eventsPerSecond}_${++streams}`;
  await post(url, `CREATE STREAM ${stream} (batch uint32, auction uint32, price float64)`);
  const n = Math.round((eventsPerSecond / 100) * seconds);
  const sentAt = new Float64Array(n);
  const ackAt = new Float64Array(n);
  const emitAt = new Float64Array(n);
  const seen = new Uint16Array(n);
  const sub = subscribe(streamingUrl, `SELECT batch, auction, price FROM ${stream} WHERE price > 0`, (l, at) => {
    const b = Number(l.slice(0, l.indexOf('\t')));
    const count = (seen[b] ?? 0) + 1;
    seen[b] = count;
    if (count === 100) emitAt[b] = at;
  });
  await new Promise((r) => setTimeout(r, 500));
  const interval = 100_000 / eventsPerSecond;
  const bodies = Array.from({ length: n }, (_, b) => Array.from({ length: 100 }, (_, i) => `${b}\t${i}\t${1 + i}`).join('\n'));
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let b = 0; b < n; b++) {
    const due = t0 + b * interval;
    // Sleep until due (timers wake up to ~1 ms late, which counts against Hadron): a spin would take
    // a core from the server and the store on a small machine.
    while (performance.now() < due || inFlight >= 256) await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now() - 0.5)));
    inFlight++;
    sentAt[b] = due;
    pending.push(post(url, `INSERT INTO ${stream} (batch, auction, price) FORMAT TabSeparated`, bodies[b] as string).then(() => {
      ackAt[b] = performance.now();
      inFlight--;
    }));
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - t0;
  await sub.until(n * 100);
  sub.close();
  const ack = Array.from(ackAt, (a, i) => a - (sentAt[i] as number));
  const emit = Array.from(emitAt, (e, i) => e - (sentAt[i] as number));
  if (process.env.BENCH_E1_DUMP) writeFileSync(process.env.BENCH_E1_DUMP, JSON.stringify({ origin: performance.timeOrigin, sent: [...sentAt], ack: [...ackAt], emit: [...emitAt] }));
  const gap = Array.from(emitAt, (e, i) => e - (ackAt[i] as number));
  return { sent: n, elapsedMs, ack: percentiles(ack), emit: percentiles(emit), gap: percentiles(gap) };
}

export const e1Header = ['E1 filter query, 100-row inserts', 'inserts sent', 'achieved events/s', 'ack p50 ms', 'ack p99 ms', 'emit p50 ms', 'emit p99 ms', 'emit − ack p50 / p99 ms', 'gate p99 emit ≤ p99 ack + 5', 'goal p99 emit ≤ 10'];

export function e1Row(eventsPerSecond: number, r: E1Result): string[] {
  const rate = Math.round((r.sent * 100 * 1000) / r.elapsedMs).toLocaleString('en-US');
  return [`${eventsPerSecond.toLocaleString('en-US')} events/s offered`, String(r.sent), rate, r.ack.p50.toFixed(2), r.ack.p99.toFixed(2), r.emit.p50.toFixed(2), r.emit.p99.toFixed(2),
    `${r.gap.p50.toFixed(2)} / ${r.gap.p99.toFixed(2)}`, r.emit.p99 <= r.ack.p99 + 5 ? 'met' : 'missed', r.emit.p99 <= 10 ? 'met' : 'missed'];
}

if (import.meta.main) {
  const rates = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const seconds = Number(process.env.BENCH_E1_SECONDS ?? 10);
  const runs = Number(process.env.BENCH_E1_RUNS ?? 1);
  const hadron = await startHadron({ HADRON_LOG_LEVEL: 'error' });
  const table = [e1Header, e1Header.map(() => '---')];
  try {
    await latency(hadron.url, hadron.streamingUrl, 5_000, 1); // warm-up
    for (let run = 0; run < runs; run++) {
      for (const eps of rates.length > 0 ? rates : [50_000, 5_000]) {
        const load = loadavg()[0]?.toFixed(1) ?? '?';
        const r = await latency(hadron.url, hadron.streamingUrl, eps, seconds);
        table.push(e1Row(eps, r));
        console.error(`run ${run + 1} ${eps}/s (load ${load}): ${e1Row(eps, r).join(' | ')}`);
      }
    }
  } finally {
    await hadron.stop();
  }
  console.log(`\n### E1 — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${seconds} s per run\n`);
  console.log(table.map((cells) => `| ${cells.join(' | ')} |`).join('\n'));
}
