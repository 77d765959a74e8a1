// HTTP benchmarks (issue: Foundation): A1 query latency through Hadron vs chdb in-process, B1/B2 insert
// throughput, start-up time and idle RSS. Hadron runs as a child process; the direct baseline runs in
// this process on its own data directory. Prints a Markdown table for bench/RESULTS.md.
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { startHadron } from '../test/support/hadron.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 128 });

function post(url: string, query: string, body: string | Buffer = ''): Promise<{ status: number; bytes: number }> {
  const u = new URL(`${url}/?query=${encodeURIComponent(query)}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(n / 10)); i++) await fn();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const f = (x: number): string => x.toFixed(3);
const rows: string[] = [];
const line = (cells: Array<string | number>): void => {
  rows.push(`| ${cells.join(' | ')} |`);
};

const directDir = mkdtempSync(join(tmpdir(), 'hadron-bench-direct-'));
const direct = new Session(directDir);
await direct.queryAsync('SET async_insert = 0', { format: 'TabSeparated' });
const hadron = await startHadron({ HADRON_LOG_LEVEL: 'error' });

try {
  // A1: latency, sequential, alternating paths per query shape.
  const shapes = [
    { name: 'SELECT 1', sql: 'SELECT 1', n: 2000, stream: false },
    { name: '10 k rows TSV', sql: 'SELECT number, toString(number) FROM numbers(10000)', n: 500, stream: false },
    { name: '1 M rows TSV, streamed', sql: 'SELECT number, toString(number) FROM numbers(1000000)', n: 20, stream: true },
  ];
  line(['A1 query', 'direct p50 ms', 'Hadron p50 ms', 'p50 ratio', 'target p50', 'direct p99 ms', 'Hadron p99 ms', 'p99 ratio', 'target p99']);
  line(['---', '---', '---', '---', '---', '---', '---', '---', '---']);
  for (const s of shapes) {
    const d = await timeIt(s.n, async () => {
      if (s.stream) {
        let bytes = 0;
        for await (const c of direct.queryStream(s.sql, { format: 'TabSeparated' })) bytes += c.numBytes;
        return bytes;
      }
      return (await direct.queryAsync(s.sql, { format: 'TabSeparated' })).bytes().length;
    });
    const h = await timeIt(s.n, () => post(hadron.url, s.sql));
    const okP50 = h.p50 <= d.p50 * 1.1 + 0.5 ? 'met' : 'missed';
    const okP99 = h.p99 <= d.p99 * 1.25 + 2 ? 'met' : 'missed';
    line([s.name, f(d.p50), f(h.p50), `${(h.p50 / d.p50).toFixed(2)}x`, `≤ ${f(d.p50 * 1.1 + 0.5)} (${okP50})`, f(d.p99), f(h.p99), `${(h.p99 / d.p99).toFixed(2)}x`, `≤ ${f(d.p99 * 1.25 + 2)} (${okP99})`]);
  }

  // B1: 10 k-row JSONEachRow batches.
  const ddl = 'CREATE TABLE IF NOT EXISTS ins (id UInt64, ts DateTime64(3), name String, value Float64) ENGINE = MergeTree ORDER BY id';
  await direct.queryAsync(ddl, { format: 'TabSeparated' });
  await post(hadron.url, ddl);
  const batch = (from: number, n: number): string => {
    let s = '';
    for (let i = from; i < from + n; i++) s += `{"id":${i},"ts":"2026-12-01 00:00:00.000","name":"name-${i}","value":${i * 0.5}}\n`;
    return s;
  };
  const b1Batches = 40;
  const bodies = Array.from({ length: b1Batches }, (_, i) => batch(i * 10_000, 10_000));
  let t = performance.now();
  for (const body of bodies) await direct.insert({ table: 'ins', values: Buffer.from(body), format: 'JSONEachRow' } as never);
  const directB1 = (b1Batches * 10_000) / ((performance.now() - t) / 1000);
  t = performance.now();
  for (const body of bodies) {
    const r = await post(hadron.url, 'INSERT INTO ins FORMAT JSONEachRow', body);
    if (r.status !== 200) throw new Error(`insert failed: ${r.status}`);
  }
  const hadronB1 = (b1Batches * 10_000) / ((performance.now() - t) / 1000);

  // B2: 100 concurrent clients, 1–100-row batches, vs the same rows in 10 k batches directly.
  const totalRows = 200_000;
  const small: string[] = [];
  for (let made = 0, k = 0; made < totalRows; k++) {
    const n = Math.min(totalRows - made, 1 + ((k * 37) % 100));
    small.push(batch(1_000_000 + made, n));
    made += n;
  }
  let next = 0;
  t = performance.now();
  await Promise.all(Array.from({ length: 100 }, async () => {
    for (let i = next++; i < small.length; i = next++) {
      const r = await post(hadron.url, 'INSERT INTO ins FORMAT JSONEachRow', small[i] as string);
      if (r.status !== 200) throw new Error(`insert failed: ${r.status}`);
    }
  }));
  const hadronB2 = totalRows / ((performance.now() - t) / 1000);
  const big: string[] = [];
  for (let i = 0; i < totalRows; i += 10_000) big.push(batch(2_000_000 + i, 10_000));
  t = performance.now();
  for (const body of big) await direct.insert({ table: 'ins', values: Buffer.from(body), format: 'JSONEachRow' } as never);
  const directB2 = totalRows / ((performance.now() - t) / 1000);
  rows.push('');
  line(['insert', 'direct rows/s', 'Hadron rows/s', 'ratio', 'target']);
  line(['---', '---', '---', '---', '---']);
  line(['B1: 10 k-row JSONEachRow batches', Math.round(directB1), Math.round(hadronB1), `${(hadronB1 / directB1).toFixed(2)}x`, `≥ 0.8x (${hadronB1 / directB1 >= 0.8 ? 'met' : 'missed'})`]);
  line(['B2: 100 clients × 1–100-row batches vs 10 k batches direct', Math.round(directB2), Math.round(hadronB2), `${(hadronB2 / directB2).toFixed(2)}x`, `≥ 0.25x (${hadronB2 / directB2 >= 0.25 ? 'met' : 'missed'})`]);
} finally {
  await hadron.stop();
  direct.close();
  rmSync(directDir, { recursive: true, force: true });
}

// Start to first answered query, and idle RSS.
const starts: number[] = [];
let rssMb = 0;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const h = await startHadron({ HADRON_LOG_LEVEL: 'error' });
  const r = await post(h.url, 'SELECT 1');
  if (r.status !== 200) throw new Error('first query failed');
  starts.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 2000));
  const status = readFileSync(`/proc/${h.child.pid}/status`, 'utf8');
  rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  await h.stop();
}
starts.sort((a, b) => a - b);
rows.push('');
line(['start-up', 'value', 'target']);
line(['---', '---', '---']);
line(['start to first answered query (median of 3, incl. process spawn)', `${Math.round(starts[1] as number)} ms`, `≤ 1000 ms (${(starts[1] as number) <= 1000 ? 'met' : 'missed'})`]);
line(['idle RSS after start + 1 query', `${Math.round(rssMb)} MB`, `≤ 350 MB (${rssMb <= 350 ? 'met' : 'missed'})`]);

console.log(`\n### http — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n`);
console.log(rows.join('\n'));
agent.destroy();
