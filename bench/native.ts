// `npm run bench -- native` (issue 5): 1) the column codec numbers of bench/native-columns.ts
// (decode/encode MB/s per type family; `--no-columns` skips them); 2) A3, the same work through a
// Hadron process's native port (ClickHouse dialect) and its HTTP port: small-query latency p50/p99,
// 1 M-row result bytes/s, bulk INSERT rows/s. The native side uses test/support/native-client.ts
// (no row decoding, no compression); the HTTP side node:http with a keep-alive agent and, for the
// small queries, also fetch. Both ask for Native output, so the bytes are of the same format.
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { reframeBlock } from '../src/native.ts';
import { NativeBlockWalker } from '../src/native-walker.ts';
import { startHadron } from '../test/support/hadron.ts';
import { CLIENT_REVISION, NativeClient } from '../test/support/native-client.ts';

const SMALL = ['SELECT 1', 'SELECT number FROM numbers(10)'];
const SMALL_RUNS = 2000;
const BIG = 'SELECT number, toString(number) AS s FROM numbers(1000000)';
const BIG_RUNS = 9;
const INSERT_ROWS = 1_000_000;
const INSERT_RUNS = 5;

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** POST `query` (URL parameter, Native output) with `body`; resolves with the response body size. */
function post(base: string, query: string, body: Uint8Array | string = ''): Promise<Buffer> {
  const u = new URL(`${base}/?default_format=Native&hadron_client_dialect=clickhouse&query=${encodeURIComponent(query)}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`${res.statusCode}: ${Buffer.concat(parts).toString()}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);

/** Milliseconds per call, p50 and p99, after a tenth as many warm-up calls. */
async function latency(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < n / 10; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Median seconds of `fn` over `n` runs after one warm-up, and its last result. */
async function seconds<T>(n: number, fn: () => Promise<T>): Promise<{ s: number; last: T }> {
  let last = await fn();
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await fn();
    runs.push((performance.now() - t) / 1000);
  }
  return { s: median(runs), last };
}

const ms = (v: number): string => `${(v * 1000).toFixed(0)} µs`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function columnCodecs(): void {
  if (process.argv.includes('--no-columns')) return;
  console.log('### Column codecs (bench/native-columns.ts)\n');
  console.log(execFileSync(process.execPath, [new URL('./native-columns.ts', import.meta.url).pathname], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 }));
}

async function a3(): Promise<void> {
  const hadron = await startHadron({ HADRON_LOG_LEVEL: 'error' });
  const native = await NativeClient.connect(hadron.clickhouseTcpPort);
  try {
    const rows: string[] = [];
    for (const sql of SMALL) {
      const n = await latency(SMALL_RUNS, () => native.query(sql));
      const h = await latency(SMALL_RUNS, () => post(hadron.url, sql));
      const f = await latency(SMALL_RUNS, async () => (await fetch(`${hadron.url}/?default_format=Native&hadron_client_dialect=clickhouse&query=${encodeURIComponent(sql)}`, { method: 'POST' })).arrayBuffer());
      rows.push(`| \`${sql}\` p50 | ${ms(n.p50)} | ${ms(h.p50)} | ${ms(f.p50)} | ${ratio(n.p50, h.p50)} |`);
      rows.push(`| \`${sql}\` p99 | ${ms(n.p99)} | ${ms(h.p99)} | ${ms(f.p99)} | ${ratio(n.p99, h.p99)} |`);
    }
    const bigNative = await seconds(BIG_RUNS, () => native.query(BIG));
    const bigDrained = await seconds(BIG_RUNS, () => native.drain(BIG));
    const bigHttp = await seconds(BIG_RUNS, () => post(hadron.url, BIG));
    if (bigNative.last.rows !== 1_000_000) throw new Error(`native result has ${bigNative.last.rows} rows`);
    const httpRate = bigHttp.last.byteLength / bigHttp.s / 1e6;
    for (const [how, bytes, s] of [['blocks walked', bigNative.last.bytes, bigNative.s], ['bytes counted', bigDrained.last, bigDrained.s]] as const) {
      const rate = bytes / s / 1e6;
      rows.push(`| 1 M-row result (${(bigHttp.last.byteLength / 1e6).toFixed(1)} MB Native), native client ${how}, MB/s | ${rate.toFixed(0)} | ${httpRate.toFixed(0)} | — | ${ratio(rate, httpRate)} |`);
    }

    const body = await post(hadron.url, `SELECT number AS a, toString(number) AS s FROM numbers(${INSERT_ROWS})`);
    const walker = new NativeBlockWalker();
    const tcpBlocks = walker.push(new Uint8Array(body)).map((b) => reframeBlock(b, { revision: CLIENT_REVISION }));
    walker.end();
    await native.query('CREATE TABLE bench_ins_native (a UInt64, s String) ENGINE = MergeTree ORDER BY a');
    await native.query('CREATE TABLE bench_ins_http (a UInt64, s String) ENGINE = MergeTree ORDER BY a');
    const insNative = await seconds(INSERT_RUNS, () => native.insert('INSERT INTO bench_ins_native (a, s) VALUES', tcpBlocks));
    const insHttp = await seconds(INSERT_RUNS, () => post(hadron.url, 'INSERT INTO bench_ins_http (a, s) FORMAT Native', body));
    const count = await post(hadron.url, 'SELECT count() FROM bench_ins_native FORMAT TSV');
    if (count.toString().trim() !== String(INSERT_ROWS * (INSERT_RUNS + 1))) throw new Error(`native insert stored ${count.toString().trim()} rows`);
    const rate = (s: number): number => INSERT_ROWS / s / 1e6;
    rows.push(`| bulk INSERT ${INSERT_ROWS / 1e6} M rows (UInt64, String) M rows/s | ${rate(insNative.s).toFixed(2)} | ${rate(insHttp.s).toFixed(2)} | — | ${ratio(rate(insNative.s), rate(insHttp.s))} |`);

    console.log(`### A3: native vs HTTP (${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)})\n`);
    console.log('| measure | native | HTTP (node:http) | HTTP (fetch) | native / HTTP |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(row);
  } finally {
    native.close();
    await hadron.stop();
  }
}

columnCodecs();
await a3();
