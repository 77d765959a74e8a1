// `npm run bench -- native-columns`: decode and encode MB/s of the Native column codecs
// (src/native-columns.ts) per type family, over ~30 MB of Native data the embedded store produced
// (default block size). Blocks are found once with the walker; then each family is decoded
// (walked block → Block) and encoded (Block → HTTP Native bytes) in warm runs; the median run counts.
// MB/s are of Native bytes (10^6 bytes per MB).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { decodeNativeBlock, encodeNativeBlock } from '../src/native-columns.ts';
import { NativeBlockWalker, type NativeBlock } from '../src/native-walker.ts';
import type { Block } from '../src/block.ts';

const families: readonly (readonly [name: string, sql: string])[] = [
  ['UInt64', 'SELECT number::UInt64 c FROM numbers(4000000)'],
  ['Float64', 'SELECT number / 7 c FROM numbers(4000000)'],
  ['String short (~7 B)', 'SELECT toString(number) c FROM numbers(4000000)'],
  ['String long (200 B)', "SELECT concat(repeat('x', 193), toString(1000000 + number)) c FROM numbers(160000)"],
  ['Nullable(Int32)', 'SELECT if(number % 3 = 0, NULL, number::Int32) c FROM numbers(6000000)'],
  ['LowCardinality(String)', 'SELECT toLowCardinality(toString(number % 1000)) c FROM numbers(16000000)'],
  ['Array(UInt32)', 'SELECT range(number % 16)::Array(UInt32) c FROM numbers(800000)'],
  ["DateTime64(3, 'UTC')", "SELECT toDateTime64(number / 1000, 3, 'UTC') c FROM numbers(4000000)"],
  ['Decimal128(10)', 'SELECT toDecimal128(number / 3, 10) c FROM numbers(2000000)'],
  ['UUID', 'SELECT generateUUIDv4(number) c FROM numbers(2000000)'],
  ['Map(String, UInt64)', "SELECT map(toString(number % 100), number, 'b', 1) c FROM numbers(1000000)"],
  ['Tuple(UInt32, String)', 'SELECT tuple(number::UInt32, toString(number)) c FROM numbers(2500000)'],
];

const WARM = 2;
const RUNS = 5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Median seconds of `fn` over RUNS runs after WARM warm-up runs. */
function time(fn: () => void): number {
  for (let i = 0; i < WARM; i++) fn();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    fn();
    runs.push((performance.now() - start) / 1000);
  }
  return median(runs);
}

const dir = mkdtempSync(join(tmpdir(), 'hadron-bench-native-columns-'));
const session = new Session(dir);
const rows: string[] = [];
try {
  for (const [name, sql] of families) {
    const bytes = (await session.queryAsync(`${sql} FORMAT Native`, { format: 'Native' })).bytes();
    const walker = new NativeBlockWalker();
    const walked: NativeBlock[] = walker.push(bytes);
    walker.end();
    const mb = bytes.byteLength / 1e6;
    let blocks: Block[] = [];
    const walk = time(() => {
      const w = new NativeBlockWalker();
      w.push(bytes);
      w.end();
    });
    const decode = time(() => {
      blocks = walked.map((b) => decodeNativeBlock(b));
    });
    let written = 0;
    const encode = time(() => {
      written = 0;
      for (const b of blocks) written += encodeNativeBlock(b, { layout: 'http' }).byteLength;
    });
    if (written !== bytes.byteLength) throw new Error(`${name}: encoded ${written} bytes, the store wrote ${bytes.byteLength}`);
    const rate = (seconds: number): string => (mb / seconds).toFixed(0);
    rows.push(`| ${name} | ${mb.toFixed(1)} | ${walked.length} | ${rate(walk)} | ${rate(decode)} | ${rate(encode)} |`);
    console.error(rows[rows.length - 1]);
  }
} finally {
  session.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log('| family | Native MB | blocks | walk MB/s | decode MB/s | encode MB/s |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
